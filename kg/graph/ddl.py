"""Apply the declared constraints and indexes, idempotently, and count what the graph holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString, cast

from kg.graph import cypher
from kg.graph.driver import Graph
from kg.model.schema import Schema


@dataclass(frozen=True)
class SchemaApplied:
    statements: int
    created: int


def _schema_objects(graph: Graph) -> set[str]:
    names = {row["name"] for row in graph.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    names |= {row["name"] for row in graph.read("SHOW INDEXES YIELD name RETURN name")}
    return names


def apply_schema(graph: Graph, schema: Schema) -> SchemaApplied:
    """Create every declared constraint and index that is missing; report how many were new."""
    before = _schema_objects(graph)
    statements = cypher.constraint_statements(schema)
    for statement in statements:
        graph.run_schema(cast(LiteralString, statement))
    graph.run_schema("CALL db.awaitIndexes(300)")
    created = len(_schema_objects(graph) - before)
    return SchemaApplied(len(statements), created)


def graph_counts(graph: Graph, schema: Schema) -> dict[str, dict[str, int]]:
    """Nodes per declared label and relationships per declared type (from the count store)."""
    nodes: dict[str, int] = {}
    for label in sorted(schema.nodes):
        query = cast(LiteralString, f"MATCH (n:{label}) RETURN count(n) AS c")
        count = graph.read(query)[0]["c"]
        if count:
            nodes[label] = count
    rels: dict[str, int] = {}
    for rel_type in sorted({r.type for r in schema.rels.values()}):
        query = cast(LiteralString, f"MATCH ()-[r:{rel_type}]->() RETURN count(r) AS c")
        count = graph.read(query)[0]["c"]
        if count:
            rels[rel_type] = count
    return {"nodes": nodes, "relationships": rels}
