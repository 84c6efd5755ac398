"""Cypher generated from the declared schema: DDL, batched MERGE loads and scoped cleanup.

Labels, relationship types and property names cannot be query parameters, so they come only from
the validated schema declaration (never from input data); every value is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.model.schema import NodeSchema, RelSchema, Schema

# Rows per committed batch when a staged write deletes (see Deletion.query).
DELETE_BATCH_ROWS = 10_000


def constraint_statements(schema: Schema) -> list[str]:
    """Uniqueness constraints on every key, and indexes that loads, cleanup and queries use."""
    statements = []
    for node in sorted(schema.nodes.values(), key=lambda n: n.label):
        statements.append(
            f"CREATE CONSTRAINT {node.label.lower()}_{node.key}_unique IF NOT EXISTS "
            f"FOR (n:{node.label}) REQUIRE n.{node.key} IS UNIQUE"
        )
        indexed = list(node.indexes)
        if node.scope == "account" and node.key != "account_id":
            indexed.insert(0, "account_id")
        for prop in dict.fromkeys(indexed):
            statements.append(
                f"CREATE INDEX {node.label.lower()}_{prop} IF NOT EXISTS "
                f"FOR (n:{node.label}) ON (n.{prop})"
            )
    for rel_type in schema.rel_types_in_scope("account"):
        statements.append(
            f"CREATE INDEX rel_{rel_type.lower()}_account_id IF NOT EXISTS "
            f"FOR ()-[r:{rel_type}]-() ON (r.account_id)"
        )
    return statements


def node_merge(node: NodeSchema) -> str:
    """Load full nodes: the row replaces the node's properties, first_seen survives."""
    extra = "".join(f":{label}" for label in node.extra_labels)
    set_labels = f", n{extra}" if extra else ""
    return (
        f"UNWIND $rows AS row\n"
        f"MERGE (n:{node.label} {{{node.key}: row.{node.key}}})\n"
        f"WITH n, row, coalesce(n.first_seen, $now) AS first_seen\n"
        f"SET n = row, n.first_seen = first_seen, n.last_updated = $now{set_labels}"
    )


def node_ref(node: NodeSchema) -> str:
    """Load references: make sure the node exists without overwriting its authority's props."""
    extra = "".join(f":{label}" for label in node.extra_labels)
    set_labels = f", n{extra}" if extra else ""
    return (
        f"UNWIND $rows AS row\n"
        f"MERGE (n:{node.label} {{{node.key}: row.{node.key}}})\n"
        f"ON CREATE SET n += row, n.first_seen = $now\n"
        f"SET n.last_updated = $now{set_labels}"
    )


def _rows_with_ends(rel: RelSchema, source_key: str, target_key: str) -> str:
    """Each row with its two ends as `a` and `b`; a row whose end is missing goes no further."""
    return (
        f"UNWIND $rows AS row\n"
        f"MATCH (a:{rel.source} {{{source_key}: row.source}})\n"
        f"MATCH (b:{rel.target} {{{target_key}: row.target}})\n"
    )


def rel_merge(rel: RelSchema, source_key: str, target_key: str) -> str:
    """Load relationships between nodes that exist; rows whose ends are missing are skipped."""
    merge_props = ", ".join(f"{p}: row.props.{p}" for p in rel.merge_on)
    merge_map = f" {{{merge_props}}}" if merge_props else ""
    return (
        _rows_with_ends(rel, source_key, target_key) + f"MERGE (a)-[r:{rel.type}{merge_map}]->(b)\n"
        f"WITH r, row, coalesce(r.first_seen, $now) AS first_seen\n"
        f"SET r = row.props, r.first_seen = first_seen, r.last_updated = $now"
    )


def rel_create(rel: RelSchema, source_key: str, target_key: str) -> str:
    """Write relationships of a type the same write deleted first: none can exist yet, so each
    row creates one without looking for it (the writer passes one row per relationship)."""
    return (
        _rows_with_ends(rel, source_key, target_key) + f"CREATE (a)-[r:{rel.type}]->(b)\n"
        f"SET r = row.props, r.first_seen = $now, r.last_updated = $now"
    )


@dataclass(frozen=True)
class Deletion:
    """What to delete (a MATCH binding `variable`) and how: inside the surrounding transaction, or
    in committed batches of its own (`CALL ... IN TRANSACTIONS`) when the write is staged."""

    match: str
    variable: str
    detach: bool = False

    def query(self, in_batches: bool) -> str:
        delete = f"{'DETACH ' if self.detach else ''}DELETE {self.variable}"
        if not in_batches:
            return f"{self.match}\n{delete}"
        return (
            f"{self.match}\nCALL ({self.variable}) {{ {delete} }} "
            f"IN TRANSACTIONS OF {DELETE_BATCH_ROWS} ROWS"
        )


def stale_account_nodes(node: NodeSchema) -> Deletion:
    """Nodes of accounts this load covered that the new snapshot no longer has."""
    return Deletion(
        f"MATCH (n:{node.label}) WHERE n.account_id IN $accounts AND n.last_updated <> $now",
        "n",
        detach=True,
    )


def stale_account_rels(rel_type: str) -> Deletion:
    return Deletion(
        f"MATCH ()-[r:{rel_type}]->() WHERE r.account_id IN $accounts AND r.last_updated <> $now",
        "r",
    )


def orphaned_global_nodes(node: NodeSchema) -> Deletion:
    """Shared nodes (an external account, a service principal) nothing refers to any more."""
    return Deletion(f"MATCH (n:{node.label}) WHERE n.last_updated <> $now AND NOT (n)--()", "n")


def all_relationships() -> Deletion:
    return Deletion("MATCH ()-[r]->()", "r")


def rels_of_type(rel_type: str) -> Deletion:
    return Deletion(f"MATCH ()-[r:{rel_type}]->()", "r")


def nodes_with_label(label: str) -> Deletion:
    return Deletion(f"MATCH (n:{label})", "n", detach=True)
