"""One writer at a time: the graph's writer lock, held by a load from before its first write until
its derive ends, and the fence that stops a writer which lost it.

The lock is an open transaction that has created the node `(:KgWriterLock {name: 'writer'})`,
whose name a uniqueness constraint guards. The node is never committed: another transaction that
tries to create it waits for the holder's transaction to end, and nothing of the lock is ever in
the graph that queries read. Neo4j ends the transaction when the holder releases it, and also
when the holder's connection closes, so a load killed with -9 does not leave a lock behind. The
transaction carries metadata naming its holder (command, host, process, start), which
`SHOW TRANSACTIONS` lists, so a second writer can say who holds the lock.

A holder whose process is gone but whose connection lives on (a forked worker still holds the
socket) is recognised only where that is certain: the same machine (boot id), the same process
namespace, and /proc saying the process id is free or belongs to a later process. Anything less
certain counts as alive.

The lock can still be lost while its holder writes: the server may end the transaction (a
transaction timeout, an administrator's TERMINATE TRANSACTIONS). So taking the lock also commits
a new fencing token on `(:KgGraphState {name: 'graph'})` before the holder's first write, and
every write transaction of the holder first locks that node and checks the token is still its
own (`Graph.write_guard`): once a later writer has taken the lock, each of the first writer's
writes fails instead of landing.

See docs/decisions/0006-a-load-is-one-unit-with-its-derive.md.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import ManagedTransaction

from kg.errors import KgError
from kg.graph.driver import Graph

LOCK_NAME = "writer"
# The metadata key that marks a transaction as the writer lock (and its value).
METADATA_KEY = "kg_writer_lock"
STATE_LABEL = "KgGraphState"
_CONSTRAINTS = (
    "CREATE CONSTRAINT kg_writer_lock IF NOT EXISTS FOR (l:KgWriterLock) REQUIRE l.name IS UNIQUE",
    "CREATE CONSTRAINT kg_graph_state IF NOT EXISTS FOR (s:KgGraphState) REQUIRE s.name IS UNIQUE",
)
_TAKE = "MERGE (l:KgWriterLock {name: $name}) RETURN l.name AS name"
_FENCE = "MERGE (s:KgGraphState {name: 'graph'}) SET s.writer_token = $token"
# Locks the state node (SET takes its write lock), so a later writer's new token waits for this
# transaction, then reads the token as committed.
_CHECK_FENCE = """
MATCH (s:KgGraphState {name: 'graph'})
SET s.fence_checked = true
RETURN s.writer_token AS token
"""
# A transaction waiting on the lock node is not its holder: it is listed as blocked.
_HOLDERS = """
SHOW TRANSACTIONS YIELD transactionId, metaData, startTime, status
WHERE metaData[$key] = $name AND NOT status STARTS WITH 'Terminated'
  AND NOT status STARTS WITH 'Blocked'
RETURN transactionId AS transaction_id, metaData AS metadata, startTime AS started
"""
_TERMINATE = "TERMINATE TRANSACTIONS $ids"
POLL_SECONDS = 0.5


class WriterBusyError(KgError):
    """Another kg process is writing to the graph."""

    exit_code = 5


class WriterLockLostError(KgError):
    """Another writer took the lock while this process was still writing."""

    exit_code = 5


def _lost() -> WriterLockLostError:
    return WriterLockLostError(
        "the graph's writer lock was lost part-way (the server ended its transaction: a "
        "transaction timeout, or TERMINATE TRANSACTIONS); this load stopped before its next write "
        "and the graph stays marked incomplete until a `kg load` completes"
    )


@dataclass(frozen=True)
class WriterLock:
    """The held lock: a writer fences the graph's writes with it before its first write, and
    confirms it still holds it before each step it records."""

    graph: Graph
    still_open: Callable[[], bool]

    def fence(self) -> None:
        """Commit a new fencing token; from now on each write of the graph checks it first."""
        token = secrets.token_hex(16)
        self.graph.write(_FENCE, token=token)
        self.graph.write_guard = _fence(token)

    def confirm(self) -> None:
        if not self.still_open():
            raise _lost()


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""


def this_machine() -> str:
    """Where process ids mean the same thing as here: the boot and the process namespace ("" when
    the system does not tell, so that no holder is ever taken for dead)."""
    boot = _read_text("/proc/sys/kernel/random/boot_id")
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""
    return f"{boot}/{namespace}" if boot else ""


def process_start(pid: int) -> str | None:
    """The start of process `pid` in clock ticks since boot; "" when no process has that id;
    None when it cannot be told (no /proc, or a /proc that hides other users' processes)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return "" if Path("/proc/self/stat").exists() else None
    except OSError:
        return None
    # Field 22 (starttime) counts after the command name, which is in parentheses.
    return stat.rsplit(")", 1)[1].split()[19]


@dataclass(frozen=True)
class Holder:
    """Who holds the writer lock, as its transaction's metadata says."""

    transaction_id: str
    command: str
    host: str
    machine: str
    pid: int
    process_started: str
    started: str

    def describe(self) -> str:
        return f"`{self.command}` (process {self.pid} on {self.host}, since {self.started})"

    def is_dead_here(self) -> bool:
        """True only when the holder ran where process ids mean what they mean here and its
        process id is free or taken by a later process; anything uncertain is alive."""
        here = this_machine()
        if not here or self.machine != here:
            return False
        now = process_start(self.pid)
        return now is not None and now != self.process_started


def holders(graph: Graph) -> list[Holder]:
    """The transactions holding the writer lock (at most one), oldest first."""
    rows = graph.read(_HOLDERS, key=METADATA_KEY, name=LOCK_NAME)
    found = [
        Holder(
            transaction_id=row["transaction_id"],
            command=str(row["metadata"].get("command", "kg")),
            host=str(row["metadata"].get("host", "?")),
            machine=str(row["metadata"].get("machine", "")),
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
        "machine": this_machine(),
        "pid": os.getpid(),
        "process_started": process_start(os.getpid()) or "",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _clear_dead(graph: Graph, found: list[Holder]) -> list[Holder]:
    """Terminate the lock transactions of holders certainly dead; the others."""
    dead = [holder.transaction_id for holder in found if holder.is_dead_here()]
    if dead:
        # One may have ended on its own meanwhile; the next look tells.
        with contextlib.suppress(KgError):
            graph.write(_TERMINATE, ids=dead)
    return [holder for holder in found if holder.transaction_id not in dead]


def _fence(token: str) -> Callable[[ManagedTransaction], None]:
    def check(tx: ManagedTransaction) -> None:
        row = tx.run(_CHECK_FENCE).single()
        if row is None or row["token"] != token:
            raise _lost()

    return check


@contextmanager
def writer_lock(graph: Graph, command: str, wait_seconds: float = 0.0) -> Iterator[WriterLock]:
    """Hold the graph's writer lock for the block (`WriterLock.fence` fences the graph's writes
    with it); refuse (or wait up to `wait_seconds`) when another writer holds it."""
    for constraint in _CONSTRAINTS:
        graph.run_schema(constraint)
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
        try:
            yield WriterLock(graph, still_open)
        finally:
            graph.write_guard = None
