"""Markers for writes too large for one transaction, and the check that queries make against them.

A write that fits the transaction budget commits whole or not at all and needs no marker. A larger
one (a load of a big organization, a derive with millions of edges) commits in several
transactions; it first commits a `KgPendingWrite` node naming itself and deletes it in its last
transaction. While such a node exists the graph is part-way through that write (still running, or
interrupted), so the query commands refuse to answer from it instead of answering from a mixture.
See docs/decisions/0004-staged-writes-above-a-transaction-budget.md.

A load and its derive are one unit too: the load's last transaction marks the derive that must
follow it (DERIVE_AFTER_LOAD), and only the end of the last analysis clears that mark, so a derive
that failed or was killed leaves a graph that queries refuse rather than one that answers from
the previous load's derived facts (docs/decisions/0006-a-load-is-one-unit-with-its-derive.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import ManagedTransaction
from neo4j.time import DateTime

from kg.errors import KgError
from kg.graph.driver import Graph

LABEL = "KgPendingWrite"
DERIVE_AFTER_LOAD = "derive after load"
ROWS = "rows committed"
STEPS = "steps done"

MARK = """
MERGE (w:KgPendingWrite {name: $name})
SET w.started = $now, w.rows = $rows, w.committed_rows = 0, w.unit = $unit
"""

ADVANCE = "MATCH (w:KgPendingWrite {name: $name}) SET w.committed_rows = $committed_rows"

CLEAR = "MATCH (w:KgPendingWrite {name: $name}) DELETE w"

LIST = """
MATCH (w:KgPendingWrite)
RETURN w.name AS name, w.started AS started, w.rows AS rows, w.committed_rows AS committed_rows,
       coalesce(w.unit, 'rows committed') AS unit
ORDER BY name
"""


class IncompleteGraphError(KgError):
    """The graph is part-way through a staged write; answers from it could be wrong."""

    exit_code = 4


@dataclass(frozen=True)
class PendingWrite:
    name: str
    started: str
    rows: int
    committed_rows: int
    unit: str = ROWS

    def describe(self) -> str:
        return (
            f"{self.name} started {self.started} "
            f"({self.committed_rows:,} of {self.rows:,} {self.unit})"
        )


def mark(tx: ManagedTransaction, name: str, rows: int, now: DateTime, unit: str = ROWS) -> None:
    tx.run(MARK, name=name, rows=rows, now=now, unit=unit).consume()


def advance(tx: ManagedTransaction, name: str, committed_rows: int) -> None:
    tx.run(ADVANCE, name=name, committed_rows=committed_rows).consume()


def clear(tx: ManagedTransaction, name: str) -> None:
    tx.run(CLEAR, name=name).consume()


def pending_writes(graph: Graph) -> list[PendingWrite]:
    return [
        PendingWrite(
            name=row["name"],
            started=str(row["started"].to_native().isoformat(timespec="seconds")),
            rows=row["rows"],
            committed_rows=row["committed_rows"],
            unit=row["unit"],
        )
        for row in graph.read(LIST)
    ]


_STATE = """
OPTIONAL MATCH (s:KgGraphState {name: 'graph'})
WITH s.generation AS generation
OPTIONAL MATCH (w:KgPendingWrite)
RETURN generation, count(w) AS pending
"""
NEW_GENERATION = """
MERGE (s:KgGraphState {name: 'graph'})
SET s.generation = coalesce(s.generation, 0) + 1
"""


def new_generation(tx: ManagedTransaction) -> None:
    """Count one more load, in the transaction that commits it: a question that began before it
    can tell that the graph changed under it."""
    tx.run(NEW_GENERATION).consume()


def _state(tx: ManagedTransaction) -> tuple[int | None, int]:
    row = tx.run(_STATE).single()
    return (None, 0) if row is None else (row["generation"], row["pending"])


def require_complete(graph: Graph) -> None:
    """Refuse to query a graph that a write left (or is leaving) part-way."""
    pending = pending_writes(graph)
    if pending:
        raise IncompleteGraphError(
            "the graph is part-way through a write that is still running or was interrupted ("
            + "; ".join(p.describe() for p in pending)
            + "); wait for it to finish, or rerun `kg load` to complete the graph"
        )


def hold_steady(graph: Graph) -> None:
    """From now on, refuse any read of this connection that a write has changed the graph under:
    each read transaction checks, before and after its work, that the graph is still the one
    seen here (no load counted since, no write part-way), so an answer never mixes two graphs."""
    seen = graph.execute_read(_state, "graph state")
    if seen[1]:  # a write began since the caller's check: name it
        require_complete(graph)

    def unchanged(tx: ManagedTransaction) -> None:
        if _state(tx) != seen:
            raise IncompleteGraphError(
                "the graph changed while this command read it (a kg load wrote to it "
                "meanwhile): run the command again once the load has finished"
            )

    graph.read_guard = unchanged
