"""The batched writer against a real Neo4j: idempotence, scoped replacement, all-or-nothing."""

from __future__ import annotations

import pytest
from neo4j import ManagedTransaction

from kg.errors import SchemaError
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model.schema import NodeSchema, RelSchema, Schema

pytestmark = pytest.mark.integration

SCHEMA = Schema(
    [
        NodeSchema("Account", "account_id", "account", "d", scope="global"),
        NodeSchema("Widget", "arn", "resources", "d", extra_labels=("Resource",)),
        NodeSchema("Tag", "name", "resources", "d", scope="global"),
    ],
    [
        RelSchema("BELONGS_TO", "Widget", "Account", "resources", "d"),
        RelSchema("TAGGED", "Widget", "Tag", "resources", "d"),
    ],
)


def _records(accounts: dict[str, list[str]]) -> GraphRecords:
    records = GraphRecords()
    for account_id, widgets in accounts.items():
        records.node("Account", account_id=account_id, name=f"acct-{account_id}")
        for name in widgets:
            arn = f"arn:aws:widget::{account_id}:{name}"
            records.node("Widget", arn=arn, account_id=account_id, name=name, sizes=[1, 2])
            records.rel(
                "BELONGS_TO", ("Widget", arn), ("Account", account_id), account_id=account_id
            )
            records.ref("Tag", name="shared")
            records.rel("TAGGED", ("Widget", arn), ("Tag", "shared"), account_id=account_id)
    return records


def _snapshot(graph: Graph) -> list[dict]:
    rows = graph.read(
        "MATCH (n) OPTIONAL MATCH (n)-[r]->(m) "
        "RETURN labels(n) AS labels, properties(n) AS props, type(r) AS rel, "
        "r.account_id AS rel_account"
    )
    return sorted(rows, key=repr)


def _without_timestamps(rows: list[dict]) -> list[dict]:
    return [
        {**row, "props": {k: v for k, v in row["props"].items() if k != "last_updated"}}
        for row in rows
    ]


def test_loading_twice_gives_the_same_graph(graph: Graph) -> None:
    writer = GraphWriter(graph, SCHEMA, batch_size=2)
    records = _records({"111111111111": ["a", "b", "c"]})
    writer.load(records, ["111111111111"])
    first = _snapshot(graph)
    writer.load(records, ["111111111111"])
    assert _without_timestamps(_snapshot(graph)) == _without_timestamps(first)
    labels = graph.read("MATCH (w:Widget:Resource) RETURN count(w) AS c")
    assert labels[0]["c"] == 3


def test_newer_load_replaces_only_the_covered_accounts(graph: Graph) -> None:
    writer = GraphWriter(graph, SCHEMA)
    writer.load(
        _records({"111111111111": ["a", "b"], "222222222222": ["x"]}),
        ["111111111111", "222222222222"],
    )
    # The newer snapshot covered 111 only (222 failed to collect): b is gone, x stays.
    writer.load(_records({"111111111111": ["a"]}), ["111111111111"])
    names = {r["name"] for r in graph.read("MATCH (w:Widget) RETURN w.name AS name")}
    assert names == {"a", "x"}


def test_orphaned_global_nodes_are_removed_but_shared_ones_stay(graph: Graph) -> None:
    writer = GraphWriter(graph, SCHEMA)
    writer.load(_records({"111111111111": ["a"]}), ["111111111111"])
    writer.load(_records({"111111111111": []}), ["111111111111"])
    assert graph.read("MATCH (t:Tag) RETURN count(t) AS c")[0]["c"] == 0
    assert graph.read("MATCH (a:Account) RETURN count(a) AS c")[0]["c"] == 1


def test_a_failure_inside_the_load_leaves_the_previous_graph(graph: Graph) -> None:
    writer = GraphWriter(graph, SCHEMA)
    writer.load(_records({"111111111111": ["a", "b"]}), ["111111111111"])
    before = _snapshot(graph)

    def explode(tx: ManagedTransaction, now: object) -> None:
        raise RuntimeError("server went away")

    with pytest.raises(RuntimeError):
        writer.load(_records({"111111111111": ["z"]}), ["111111111111"], after=explode)
    assert _snapshot(graph) == before


def test_invalid_records_are_rejected_before_anything_is_written(graph: Graph) -> None:
    writer = GraphWriter(graph, SCHEMA)
    records = _records({"111111111111": ["a"]})
    records.node("Widget", arn="arn:bad", name="no account")
    with pytest.raises(SchemaError, match="without account_id"):
        writer.load(records, ["111111111111"])
    assert graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"] == 0


def test_first_seen_survives_reload_and_last_updated_moves(graph: Graph) -> None:
    writer = GraphWriter(graph, SCHEMA)
    records = _records({"111111111111": ["a"]})
    writer.load(records, ["111111111111"])
    first = graph.read("MATCH (w:Widget) RETURN w.first_seen AS f, w.last_updated AS u")[0]
    writer.load(records, ["111111111111"])
    second = graph.read("MATCH (w:Widget) RETURN w.first_seen AS f, w.last_updated AS u")[0]
    assert second["f"] == first["f"]
    assert second["u"] > first["u"]
