"""Write graph records to Neo4j in batches, inside one transaction, then clean up what went away.

Loading the same records twice gives the same graph (MERGE on declared keys; only last_updated
changes). Cleanup is scoped: it removes facts of the accounts this load covered and nothing else,
so an account that failed to collect keeps what an earlier load said about it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString, cast

from neo4j import ManagedTransaction, SummaryCounters
from neo4j.time import DateTime

from kg.errors import SchemaError
from kg.graph import cypher
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.model.schema import Schema

DEFAULT_BATCH_SIZE = 1000
Progress = Callable[[int], None]
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


class GraphWriter:
    """Generates its queries from the schema and runs them in batches within one transaction."""

    def __init__(self, graph: Graph, schema: Schema, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.graph = graph
        self.schema = schema
        self.batch_size = batch_size

    def _write_records(
        self, tx: ManagedTransaction, records: GraphRecords, stamp: DateTime, progress: Progress
    ) -> tuple[int, int]:
        nodes = rels = 0
        tables = (
            (records.nodes, cypher.node_merge, _dedupe),
            (records.refs, cypher.node_ref, _merge_refs),
        )
        for table, make_query, combine in tables:
            for label in sorted(table):
                node = self.schema.node(label)
                rows = combine(table[label], node.key)
                query = make_query(node)
                for batch in _batches(rows, self.batch_size):
                    _run(tx, query, rows=list(batch), now=stamp)
                    nodes += len(batch)
                    progress(len(batch))
        for ident in sorted(records.rels):
            rel = self.schema.rel(*ident)
            query = cypher.rel_merge(
                rel, _key_of(self.schema, rel.source), _key_of(self.schema, rel.target)
            )
            for batch in _batches(records.rels[ident], self.batch_size):
                _run(tx, query, rows=list(batch), now=stamp)
                rels += len(batch)
                progress(len(batch))
        return nodes, rels

    def _cleanup(
        self, tx: ManagedTransaction, accounts: list[str], stamp: DateTime
    ) -> tuple[int, int]:
        deleted_nodes = deleted_rels = 0
        if accounts:
            for rel_type in self.schema.rel_types_in_scope("account"):
                counters = _run(
                    tx, cypher.stale_account_rels(rel_type), accounts=accounts, now=stamp
                )
                deleted_rels += counters.relationships_deleted
            for node in self.schema.labels_in_scope("account"):
                counters = _run(tx, cypher.stale_account_nodes(node), accounts=accounts, now=stamp)
                deleted_nodes += counters.nodes_deleted
                deleted_rels += counters.relationships_deleted
        for node in self.schema.labels_in_scope("global"):
            counters = _run(tx, cypher.orphaned_global_nodes(node), now=stamp)
            deleted_nodes += counters.nodes_deleted
        return deleted_nodes, deleted_rels

    def load(
        self,
        records: GraphRecords,
        covered_accounts: Iterable[str],
        progress: Progress = lambda n: None,
        after: Callable[[ManagedTransaction, DateTime], None] | None = None,
    ) -> WriteSummary:
        """Write records and replace the covered accounts' facts, all or nothing.

        `after` runs inside the same transaction once the records are in (for example to mark
        accounts stale), so it commits or rolls back with them.
        """
        validate(records, self.schema)
        accounts = sorted(set(covered_accounts))
        stamp = now()

        def work(tx: ManagedTransaction) -> WriteSummary:
            nodes, rels = self._write_records(tx, records, stamp, progress)
            deleted_nodes, deleted_rels = self._cleanup(tx, accounts, stamp)
            if after is not None:
                after(tx, stamp)
            return WriteSummary(nodes, rels, deleted_nodes, deleted_rels)

        return self.graph.execute_write(work, "load")

    def replace_derived(
        self,
        records: GraphRecords,
        rel_types: Iterable[str],
        labels: Iterable[str] = (),
        progress: Progress = lambda n: None,
    ) -> WriteSummary:
        """Swap one analysis's output: delete its previous relationships/nodes, write the new."""
        validate(records, self.schema)
        stamp = now()

        def work(tx: ManagedTransaction) -> WriteSummary:
            deleted_nodes = deleted_rels = 0
            for rel_type in sorted(set(rel_types)):
                counters = _run(tx, cypher.delete_rels_of_type(rel_type))
                deleted_rels += counters.relationships_deleted
            for label in sorted(set(labels)):
                counters = _run(tx, cypher.delete_nodes_with_label(label))
                deleted_nodes += counters.nodes_deleted
            nodes, rels = self._write_records(tx, records, stamp, progress)
            return WriteSummary(nodes, rels, deleted_nodes, deleted_rels)

        return self.graph.execute_write(work, "derive")
