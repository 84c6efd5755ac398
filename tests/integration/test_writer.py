"""The batched writer against a real Neo4j: idempotence, scoped replacement, all-or-nothing for
writes within the transaction budget, and staged writes above it that mark the graph incomplete
until they finish."""

from __future__ import annotations

import pytest
from neo4j import ManagedTransaction

from kg.config import DEFAULT_TRANSACTION_ROWS
from kg.errors import SchemaError
from kg.graph.driver import Graph, QueryError
from kg.graph.pending import IncompleteGraphError, pending_writes, require_complete
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
        RelSchema("RATED", "Widget", "Tag", "resources", "d", merge_on=("scale",)),
    ],
)


# The same behaviours hold whether a write fits one transaction or is staged over several.
WRITE_MODES = pytest.mark.parametrize(
    "transaction_rows", [DEFAULT_TRANSACTION_ROWS, 3], ids=["one-transaction", "staged"]
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


def _without_timestamps(rows: list[dict], *also: str) -> list[dict]:
    dropped = {"last_updated", *also}
    return [
        {**row, "props": {k: v for k, v in row["props"].items() if k not in dropped}}
        for row in rows
    ]


@WRITE_MODES
def test_loading_twice_gives_the_same_graph(graph: Graph, transaction_rows: int) -> None:
    writer = GraphWriter(graph, SCHEMA, batch_size=2, transaction_rows=transaction_rows)
    records = _records({"111111111111": ["a", "b", "c"]})
    writer.load(records, ["111111111111"])
    first = _snapshot(graph)
    writer.load(records, ["111111111111"])
    assert _without_timestamps(_snapshot(graph)) == _without_timestamps(first)
    labels = graph.read("MATCH (w:Widget:Resource) RETURN count(w) AS c")
    assert labels[0]["c"] == 3


@WRITE_MODES
def test_newer_load_replaces_only_the_covered_accounts(graph: Graph, transaction_rows: int) -> None:
    writer = GraphWriter(graph, SCHEMA, batch_size=2, transaction_rows=transaction_rows)
    writer.load(
        _records({"111111111111": ["a", "b"], "222222222222": ["x"]}),
        ["111111111111", "222222222222"],
    )
    # The newer snapshot covered 111 only (222 failed to collect): b is gone, x stays.
    writer.load(_records({"111111111111": ["a"]}), ["111111111111"])
    names = {r["name"] for r in graph.read("MATCH (w:Widget) RETURN w.name AS name")}
    assert names == {"a", "x"}


@WRITE_MODES
def test_orphaned_global_nodes_are_removed_but_shared_ones_stay(
    graph: Graph, transaction_rows: int
) -> None:
    writer = GraphWriter(graph, SCHEMA, batch_size=2, transaction_rows=transaction_rows)
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


def test_a_staged_load_gives_the_graph_a_single_transaction_gives(graph: Graph) -> None:
    records = _records({"111111111111": ["a", "b", "c"], "222222222222": ["x", "y"]})
    accounts = ["111111111111", "222222222222"]
    at_once_summary = GraphWriter(graph, SCHEMA).load(records, accounts)
    at_once = _without_timestamps(_snapshot(graph), "first_seen")
    graph.write("MATCH (n) DETACH DELETE n")
    summary = GraphWriter(graph, SCHEMA, batch_size=2, transaction_rows=3).load(records, accounts)
    assert _without_timestamps(_snapshot(graph), "first_seen") == at_once
    assert summary == at_once_summary
    assert (summary.nodes, summary.relationships) == (8, 10)
    assert pending_writes(graph) == []


def _fail_last_transaction(tx: ManagedTransaction, now: object) -> None:
    """A real server-side failure in the write's last transaction."""
    tx.run("RETURN 1 / 0").consume()


def test_an_interrupted_staged_load_marks_the_graph_incomplete_until_a_load_finishes(
    graph: Graph,
) -> None:
    writer = GraphWriter(graph, SCHEMA, batch_size=2, transaction_rows=3)
    records = _records({"111111111111": ["a", "b"]})
    with pytest.raises(IncompleteGraphError, match=r"load stopped after 8 of 8 rows.*/ by zero"):
        writer.load(records, ["111111111111"], after=_fail_last_transaction)
    [marker] = pending_writes(graph)
    assert (marker.name, marker.rows, marker.committed_rows) == ("load", 8, 8)
    with pytest.raises(IncompleteGraphError, match=r"load started .*\(8 of 8 rows committed\)"):
        require_complete(graph)
    # Any finished load of the same kind completes the graph, staged or not.
    GraphWriter(graph, SCHEMA).load(records, ["111111111111"])
    require_complete(graph)


def test_a_failed_write_within_the_budget_leaves_no_marker(graph: Graph) -> None:
    writer = GraphWriter(graph, SCHEMA)
    with pytest.raises(QueryError, match="/ by zero"):
        writer.load(
            _records({"111111111111": ["a"]}), ["111111111111"], after=_fail_last_transaction
        )
    assert graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"] == 0
    require_complete(graph)


@WRITE_MODES
def test_replacing_derived_facts_removes_the_previous_ones(
    graph: Graph, transaction_rows: int
) -> None:
    GraphWriter(graph, SCHEMA).load(_records({"111111111111": ["a", "b", "c"]}), ["111111111111"])
    writer = GraphWriter(graph, SCHEMA, batch_size=2, transaction_rows=transaction_rows)
    derived = GraphRecords()
    for name in ("a", "b", "c"):
        arn = f"arn:aws:widget::111111111111:{name}"
        derived.rel("TAGGED", ("Widget", arn), ("Tag", "shared"), account_id="derived")
    writer.replace_derived(derived, rel_types=["TAGGED"])
    replaced = GraphRecords()
    replaced.rel(
        "TAGGED",
        ("Widget", "arn:aws:widget::111111111111:a"),
        ("Tag", "shared"),
        account_id="again",
    )
    summary = writer.replace_derived(replaced, rel_types=["TAGGED"])
    rows = graph.read("MATCH (w:Widget)-[r:TAGGED]->() RETURN w.name AS w, r.account_id AS a")
    assert rows == [{"w": "a", "a": "again"}]
    assert summary.deleted_relationships == 3
    require_complete(graph)


@WRITE_MODES
def test_replaced_relationships_are_one_per_pair_and_merge_on_values_the_last_row_winning(
    graph: Graph, transaction_rows: int
) -> None:
    """Derived relationships are created rather than merged; rows that MERGE would have folded
    into one relationship still make one, with the last row's properties."""
    GraphWriter(graph, SCHEMA).load(_records({"111111111111": ["a", "b"]}), ["111111111111"])
    writer = GraphWriter(graph, SCHEMA, batch_size=2, transaction_rows=transaction_rows)
    derived = GraphRecords()
    a, b = (("Widget", f"arn:aws:widget::111111111111:{name}") for name in "ab")
    for scale, score in (("stars", 1), ("stars", 2), ("grade", 3), ("stars", 4)):
        derived.rel("RATED", a, ("Tag", "shared"), scale=scale, score=score, account_id="1")
    derived.rel("RATED", b, ("Tag", "shared"), scale="stars", score=5, account_id="1")
    summary = writer.replace_derived(derived, rel_types=["RATED"])
    rows = graph.read(
        "MATCH (w:Widget)-[r:RATED]->() RETURN w.name AS w, r.scale AS scale, r.score AS score "
        "ORDER BY w, scale"
    )
    assert rows == [
        {"w": "a", "scale": "grade", "score": 3},
        {"w": "a", "scale": "stars", "score": 4},
        {"w": "b", "scale": "stars", "score": 5},
    ]
    assert summary.relationships == 3
