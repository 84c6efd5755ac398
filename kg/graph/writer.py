"""Write graph records to Neo4j in batches, then clean up what went away.

Loading the same records twice gives the same graph (MERGE on declared keys; only last_updated
changes). Cleanup is scoped: it removes facts of the accounts this load covered and nothing else,
so an account that failed to collect keeps what an earlier load said about it.

A write of at most `transaction_rows` rows runs in one transaction: all or nothing. A larger one
is staged (decision 0004): a pending-write marker is committed first, the batches commit in
transactions of at most STAGED_COMMIT_ROWS rows, deletions commit in batches of their own, and
the last transaction removes the marker. Neo4j caps the memory of open transactions (70% of the
heap by default), so one transaction cannot hold a large organization.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, LiteralString, cast

from neo4j import ManagedTransaction, SummaryCounters
from neo4j.time import DateTime

from kg import config
from kg.errors import KgError, SchemaError
from kg.graph import cypher, pending
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.model.schema import Schema

DEFAULT_BATCH_SIZE = 1000
# A staged write's transactions. Neo4j slows as a transaction's state grows and commits it whole,
# so small ones write faster; the marker, not the size, is what protects a staged write. Loading
# 1,000 synthetic accounts (2 million rows) took 108 s in transactions of 50,000 rows, 100 s of
# 20,000, 93 s of 10,000, 88 s of 5,000 and 92 s of 1,000.
STAGED_COMMIT_ROWS = 5_000
Progress = Callable[[int], None]
# The names of a load's staged writes (their pending markers).
LOAD = "load"
REPLACE = "replace"
# What says which organization a graph holds: deleted last by a replace.
ESTATE_LABELS = ("OrganizationalUnit", "OrganizationRoot", "Organization", "Account")
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class WriteSummary:
    nodes: int
    relationships: int
    deleted_nodes: int
    deleted_relationships: int


def _check_value(where: str, name: str, value: Any) -> None:
    if value is None or isinstance(value, _SCALARS):
        return
    if (
        isinstance(value, list)
        and all(isinstance(v, _SCALARS) for v in value)
        and len({type(v) for v in value}) <= 1
    ):
        return
    raise SchemaError(f"{where}.{name}: {type(value).__name__} values cannot be stored in Neo4j")


def validate(records: GraphRecords, schema: Schema) -> None:
    """Reject records that do not fit the declared schema before anything is written."""
    for kind, table in (("node", records.nodes), ("reference", records.refs)):
        for label, rows in table.items():
            node = schema.node(label)
            for row in rows:
                if row.get(node.key) is None:
                    raise SchemaError(f"{kind} {label} without its key property '{node.key}'")
                if node.scope == "account" and not row.get("account_id"):
                    raise SchemaError(f"{kind} {label} {row[node.key]!r} without account_id")
                for name, value in row.items():
                    _check_value(label, name, value)
    for (rel_type, source, target), rows in records.rels.items():
        rel = schema.rel(rel_type, source, target)
        for row in rows:
            if row["source"] is None or row["target"] is None:
                raise SchemaError(f"relationship {rel_type} with a missing end")
            if rel.scope == "account" and not row["props"].get("account_id"):
                raise SchemaError(f"relationship {source}-{rel_type}->{target} without account_id")
            for name, value in row["props"].items():
                _check_value(rel_type, name, value)


def _batches(rows: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _merge_refs(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """One row per key; each property's first non-null value wins, so no reference erases
    what another reference to the same node said."""
    merged: dict[Any, dict[str, Any]] = {}
    for row in rows:
        into = merged.setdefault(row[key], {})
        for name, value in row.items():
            if value is not None:
                into.setdefault(name, value)
    return list(merged.values())


def _dedupe(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """One row per key (the last wins), so one batch never MERGEs the same node twice."""
    return list({row[key]: row for row in rows}.values())


def _distinct_rels(rows: list[dict[str, Any]], merge_on: Sequence[str]) -> list[dict[str, Any]]:
    """One row per relationship (source, target and merge_on values; the last row wins), as
    MERGE followed by SET would leave them."""
    return list(
        {
            (row["source"], row["target"], *(row["props"].get(p) for p in merge_on)): row
            for row in rows
        }.values()
    )


def _key_of(schema: Schema, label: str) -> str:
    """The key property of a label, or of the declared label that carries it as an extra label."""
    if label in schema.nodes:
        return schema.nodes[label].key
    keys = {n.key for n in schema.nodes.values() if label in n.extra_labels}
    if len(keys) != 1:
        raise SchemaError(f"label {label} has no single key property to match on")
    return keys.pop()


def _run(tx: ManagedTransaction, query: str, **params: Any) -> SummaryCounters:
    """Run schema-generated Cypher (see kg.graph.cypher) and return what it changed."""
    return tx.run(cast(LiteralString, query), params).consume().counters


def now() -> DateTime:
    return DateTime.from_native(datetime.now(UTC))


@dataclass(frozen=True)
class _Batch:
    query: str
    rows: Sequence[dict[str, Any]]
    is_node: bool


@dataclass(frozen=True)
class _Deletion:
    deletion: cypher.Deletion
    params: dict[str, Any]


@dataclass
class _Plan:
    """One write: deletions before the batches (derive), batches, deletions after (load cleanup),
    and a last step that commits with the final batch."""

    name: str
    batches: list[_Batch]
    before: list[_Deletion] = field(default_factory=list)
    after: list[_Deletion] = field(default_factory=list)
    finish: Callable[[ManagedTransaction, DateTime], None] | None = None
    # Nodes and relationships the deletions remove wholesale (a replaced graph): they weigh on
    # the transaction like written rows.
    deleted_rows: int = 0
    # Markers of interrupted writes this one completes besides its own (a replace completes an
    # interrupted load).
    completes: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(len(batch.rows) for batch in self.batches)

    def complete(self, tx: ManagedTransaction, stamp: DateTime) -> None:
        """The last step, then the end of this write's pending marker (if a staged one left it)."""
        if self.finish is not None:
            self.finish(tx, stamp)
        for name in (self.name, *self.completes):
            pending.clear(tx, name)


@dataclass
class _Tally:
    nodes: int = 0
    relationships: int = 0
    deleted_nodes: int = 0
    deleted_relationships: int = 0

    def deleted(self, counters: SummaryCounters) -> None:
        self.deleted_nodes += counters.nodes_deleted
        self.deleted_relationships += counters.relationships_deleted

    def summary(self) -> WriteSummary:
        return WriteSummary(
            self.nodes, self.relationships, self.deleted_nodes, self.deleted_relationships
        )


def _chunks(batches: Sequence[_Batch], rows: int) -> Iterable[list[_Batch]]:
    """Consecutive batches grouped into transactions of at most `rows` rows (at least one)."""
    chunk: list[_Batch] = []
    size = 0
    for batch in batches:
        if chunk and size + len(batch.rows) > rows:
            yield chunk
            chunk, size = [], 0
        chunk.append(batch)
        size += len(batch.rows)
    if chunk:
        yield chunk


class GraphWriter:
    """Generates its queries from the schema and runs them in batches, staged when large."""

    def __init__(
        self,
        graph: Graph,
        schema: Schema,
        batch_size: int = DEFAULT_BATCH_SIZE,
        transaction_rows: int | None = None,
    ) -> None:
        self.graph = graph
        self.schema = schema
        self.batch_size = batch_size
        self.transaction_rows = transaction_rows or config.transaction_rows()

    def _batches(self, records: GraphRecords, replaced: Iterable[str] = ()) -> list[_Batch]:
        """The write's batches; relationships of the `replaced` types (deleted before the batches
        run) are created, one per source, target and merge_on values, instead of merged."""
        replaced = frozenset(replaced)
        batches: list[_Batch] = []
        tables = (
            (records.nodes, cypher.node_merge, _dedupe),
            (records.refs, cypher.node_ref, _merge_refs),
        )
        for table, make_query, combine in tables:
            for label in sorted(table):
                node = self.schema.node(label)
                query = make_query(node)
                rows = combine(table[label], node.key)
                batches += [_Batch(query, b, True) for b in _batches(rows, self.batch_size)]
        for ident in sorted(records.rels):
            rel = self.schema.rel(*ident)
            keys = (_key_of(self.schema, rel.source), _key_of(self.schema, rel.target))
            rows = records.rels[ident]
            if rel.type in replaced:
                query = cypher.rel_create(rel, *keys)
                rows = _distinct_rels(rows, rel.merge_on)
            else:
                query = cypher.rel_merge(rel, *keys)
            batches += [_Batch(query, b, False) for b in _batches(rows, self.batch_size)]
        return batches

    def _cleanup(self, accounts: list[str], stamp: DateTime) -> list[_Deletion]:
        scoped = {"accounts": accounts, "now": stamp}
        deletions: list[_Deletion] = []
        if accounts:
            deletions += [
                _Deletion(cypher.stale_account_rels(rel_type), scoped)
                for rel_type in self.schema.rel_types_in_scope("account")
            ]
            deletions += [
                _Deletion(cypher.stale_account_nodes(node), scoped)
                for node in self.schema.labels_in_scope("account")
            ]
        deletions += [
            _Deletion(cypher.orphaned_global_nodes(node), {"now": stamp})
            for node in self.schema.labels_in_scope("global")
        ]
        return deletions

    def _write(self, plan: _Plan, stamp: DateTime, progress: Progress) -> WriteSummary:
        if plan.rows + plan.deleted_rows <= self.transaction_rows:
            return self._write_at_once(plan, stamp, progress)
        return self._write_staged(plan, stamp, progress)

    @staticmethod
    def _run_batches(
        tx: ManagedTransaction,
        batches: Iterable[_Batch],
        stamp: DateTime,
        tally: _Tally,
        progress: Progress,
    ) -> None:
        for batch in batches:
            _run(tx, batch.query, rows=list(batch.rows), now=stamp)
            if batch.is_node:
                tally.nodes += len(batch.rows)
            else:
                tally.relationships += len(batch.rows)
            progress(len(batch.rows))

    def _write_at_once(self, plan: _Plan, stamp: DateTime, progress: Progress) -> WriteSummary:
        """One transaction; it also clears a marker an interrupted staged write of the same
        name left, since this write replaces what that one was writing."""

        def work(tx: ManagedTransaction) -> WriteSummary:
            tally = _Tally()
            for item in plan.before:
                tally.deleted(_run(tx, item.deletion.query(in_batches=False), **item.params))
            self._run_batches(tx, plan.batches, stamp, tally, progress)
            for item in plan.after:
                tally.deleted(_run(tx, item.deletion.query(in_batches=False), **item.params))
            plan.complete(tx, stamp)
            return tally.summary()

        return self.graph.execute_write(work, plan.name)

    def _write_staged(self, plan: _Plan, stamp: DateTime, progress: Progress) -> WriteSummary:
        tally = _Tally()
        committed = 0

        def delete(items: list[_Deletion]) -> None:
            for item in items:
                query = item.deletion.query(in_batches=True)
                tally.deleted(self.graph.run_in_own_transactions(query, **item.params))

        def write_chunk(chunk: list[_Batch], rows: int) -> _Tally:
            def work(tx: ManagedTransaction) -> _Tally:
                written = _Tally()  # per attempt: the driver may retry a transaction
                self._run_batches(tx, chunk, stamp, written, progress)
                pending.advance(tx, plan.name, committed + rows)
                return written

            return self.graph.execute_write(work, plan.name)

        # Nothing is written before the marker commits: if this fails, the graph is untouched.
        self.graph.execute_write(
            lambda tx: pending.mark(tx, plan.name, plan.rows, stamp), plan.name
        )
        try:
            delete(plan.before)
            for chunk in _chunks(plan.batches, min(STAGED_COMMIT_ROWS, self.transaction_rows)):
                rows = sum(len(b.rows) for b in chunk)
                written = write_chunk(chunk, rows)
                tally.nodes += written.nodes
                tally.relationships += written.relationships
                committed += rows
            delete(plan.after)
            self.graph.execute_write(lambda tx: plan.complete(tx, stamp), plan.name)
        except KgError as exc:
            raise pending.IncompleteGraphError(
                f"{plan.name} stopped after {committed:,} of {plan.rows:,} rows were committed "
                f"in batches: {exc}; the graph is marked incomplete until a rerun completes it"
            ) from None
        return tally.summary()

    def load(
        self,
        records: GraphRecords,
        covered_accounts: Iterable[str],
        progress: Progress = lambda n: None,
        after: Callable[[ManagedTransaction, DateTime], None] | None = None,
        replace: bool = False,
    ) -> WriteSummary:
        """Write records and replace the covered accounts' facts, or with `replace` the whole
        graph (every node of a declared label, deleted in the same write as the new facts).

        `after` runs in the last transaction, once the records are in and the cleanup done (for
        example to mark accounts stale), so it commits with the end of the load.
        """
        validate(records, self.schema)
        stamp = now()
        plan = _Plan(
            name=REPLACE if replace else LOAD,
            batches=self._batches(records),
            after=self._cleanup(sorted(set(covered_accounts)), stamp),
            finish=after,
        )
        if replace:
            plan.before = self._whole_graph()
            plan.deleted_rows = self._graph_size()
            plan.completes = (LOAD,)
        return self._write(plan, stamp, progress)

    def _whole_graph(self) -> list[_Deletion]:
        """Every relationship, then every node of a declared label, the organization and its
        accounts last: staged, relationships go in batches of their own (an account's many
        relationships would not fit one batch of nodes), and a replace interrupted part-way
        leaves the old organization in place for the next load's check to see."""
        last = [label for label in ESTATE_LABELS if label in self.schema.nodes]
        first = sorted(set(self.schema.nodes) - set(last))
        return [_Deletion(cypher.all_relationships(), {})] + [
            _Deletion(cypher.nodes_with_label(label), {}) for label in first + last
        ]

    def _graph_size(self) -> int:
        """Nodes and relationships in the graph (from Neo4j's count store: no scan)."""
        nodes = self.graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
        rels = self.graph.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
        return int(nodes) + int(rels)

    def replace_derived(
        self,
        records: GraphRecords,
        rel_types: Iterable[str],
        labels: Iterable[str] = (),
        progress: Progress = lambda n: None,
    ) -> WriteSummary:
        """Swap one analysis's output: delete its previous relationships/nodes, write the new."""
        validate(records, self.schema)
        types, deleted_labels = sorted(set(rel_types)), sorted(set(labels))
        plan = _Plan(
            name="derive of " + ", ".join(types + deleted_labels),
            batches=self._batches(records, replaced=types),
            before=[_Deletion(cypher.rels_of_type(t), {}) for t in types]
            + [_Deletion(cypher.nodes_with_label(label), {}) for label in deleted_labels],
        )
        return self._write(plan, now(), progress)
