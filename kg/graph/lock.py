"""One writer at a time: the graph's writer lock, held by a load from before its first write until
its derive ends.

The lock is an open transaction that has created the node `(:KgWriterLock {name: 'writer'})`,
whose name a uniqueness constraint guards. The node is never committed: another transaction that
tries to create it waits for the holder's transaction to end, and nothing of the lock is ever in
the graph that queries (or checksums) read. Neo4j ends the transaction when the holder releases
it, and also when the holder's connection closes, so a load killed with -9 does not leave a lock
behind. The transaction carries metadata naming its holder (command, host, process, start), which
`SHOW TRANSACTIONS` lists, so a second writer can say who holds the lock. A holder on this host
whose process is gone but whose connection lives on (a forked worker still holds the socket) is
detected by its process id and start time, and its transaction is terminated.

See docs/decisions/0006-a-load-is-one-unit-with-its-derive.md.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.graph.driver import Graph

LOCK_NAME = "writer"
# The metadata key that marks a transaction as the writer lock (and its value).
METADATA_KEY = "kg_writer_lock"
_CONSTRAINT = (
    "CREATE CONSTRAINT kg_writer_lock IF NOT EXISTS FOR (l:KgWriterLock) REQUIRE l.name IS UNIQUE"
)
_TAKE = "MERGE (l:KgWriterLock {name: $name}) RETURN l.name AS name"
_HOLDERS = """
SHOW TRANSACTIONS YIELD transactionId, metaData, startTime, status
WHERE metaData[$key] = $name AND NOT status STARTS WITH 'Terminated'
RETURN transactionId AS transaction_id, metaData AS metadata, startTime AS started
"""
_TERMINATE = "TERMINATE TRANSACTIONS $ids"
POLL_SECONDS = 0.5


class WriterBusyError(KgError):
    """Another kg process is writing to the graph."""

    exit_code = 5


class WriterLockLostError(KgError):
    """The server ended the lock's transaction while this process was still writing."""

    exit_code = 5


@dataclass(frozen=True)
class WriterLock:
    """The held lock, for a writer to confirm it still holds it before each step it records."""

    still_open: Callable[[], bool]

    def confirm(self) -> None:
        if not self.still_open():
            raise WriterLockLostError(
                "the graph's writer lock was lost part-way (the server ended its transaction: a "
                "transaction timeout, or TERMINATE TRANSACTIONS); another writer may have "
                "written meanwhile, so the graph is left marked incomplete: rerun `kg load`"
            )


@dataclass(frozen=True)
class Holder:
    """Who holds the writer lock, as its transaction's metadata says."""

    transaction_id: str
    command: str
    host: str
    pid: int
    process_started: str
    started: str

    def describe(self) -> str:
        return f"`{self.command}` (process {self.pid} on {self.host}, since {self.started})"

    def is_dead_here(self) -> bool:
        """True when the holder ran on this host and its process no longer exists (a process id
        reused since by another process does not count as the holder)."""
        if self.host != socket.gethostname():
            return False
        return process_start(self.pid) != self.process_started


def process_start(pid: int) -> str:
    """An identity of the process `pid` that survives nothing but the process itself: its start
    time in clock ticks since boot (Linux), else whether it exists; "" when it does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return ""
        except PermissionError:
            return "alive"
        return "alive"
    # Field 22 (starttime) counts after the command name, which is in parentheses.
    return stat.rsplit(")", 1)[1].split()[19]


def holders(graph: Graph) -> list[Holder]:
    """The transactions holding (or waiting to take) the writer lock, oldest first."""
    rows = graph.read(_HOLDERS, key=METADATA_KEY, name=LOCK_NAME)
    found = [
        Holder(
            transaction_id=row["transaction_id"],
            command=str(row["metadata"].get("command", "kg")),
            host=str(row["metadata"].get("host", "?")),
            pid=int(row["metadata"].get("pid", 0)),
            process_started=str(row["metadata"].get("process_started", "")),
            started=str(row["started"]),
        )
        for row in rows
    ]
    return sorted(found, key=lambda holder: holder.started)


def _metadata(command: str) -> dict[str, Any]:
    return {
        METADATA_KEY: LOCK_NAME,
        "command": command,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "process_started": process_start(os.getpid()),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _clear_dead(graph: Graph, found: list[Holder]) -> list[Holder]:
    """Terminate the lock transactions of holders that died on this host; the living ones."""
    dead = [holder.transaction_id for holder in found if holder.is_dead_here()]
    if dead:
        # One may have ended on its own meanwhile; the next look tells.
        with contextlib.suppress(KgError):
            graph.write(_TERMINATE, ids=dead)
    return [holder for holder in found if holder.transaction_id not in dead]


@contextmanager
def writer_lock(graph: Graph, command: str, wait_seconds: float = 0.0) -> Iterator[WriterLock]:
    """Hold the graph's writer lock for the block; refuse (or wait up to `wait_seconds`) when
    another writer holds it."""
    graph.run_schema(_CONSTRAINT)
    deadline = time.monotonic() + wait_seconds
    while True:
        living = _clear_dead(graph, holders(graph))
        if not living:
            break
        if time.monotonic() >= deadline:
            waited = f" after waiting {wait_seconds:g}s" if wait_seconds else ""
            raise WriterBusyError(
                f"another kg process is writing to this graph{waited}: {living[0].describe()}; "
                "wait for it to finish, or pass --wait SECONDS"
            )
        time.sleep(POLL_SECONDS)
    # If another process took the lock since the look above, this waits until it is released.
    with graph.held_transaction(_TAKE, _metadata(command), name=LOCK_NAME) as still_open:
        yield WriterLock(still_open)
