"""The load baseline runs the loader's rows through bare MERGEs: same rows, same identities."""

from __future__ import annotations

from typing import Any

from bench.measure import Batch, baseline_statements, key_of, query_benches
from kg import queries
from kg.graph.records import GraphRecords
from kg.model.schema import NodeSchema, RelSchema, Schema

SCHEMA = Schema(
    [
        NodeSchema("Role", "arn", "principals", "a role", extra_labels=("Principal",)),
        NodeSchema("Bucket", "arn", "resources", "a bucket"),
        NodeSchema("Service", "name", "principals", "a service principal", scope="global"),
    ],
    [
        RelSchema("CAN_READ", "Principal", "Bucket", "resources", "reads", merge_on=("via",)),
        RelSchema("TRUSTS", "Role", "Service", "principals", "trusts"),
    ],
)


def _records() -> GraphRecords:
    records = GraphRecords()
    for index in range(5):
        records.node("Role", arn=f"role/{index}", account_id="1")
    records.node("Role", arn="role/0", account_id="1", name="restated")  # same key again
    records.node("Bucket", arn="bucket/a", account_id="1")
    records.ref("Service", name="ec2.amazonaws.com")
    records.rel(
        "CAN_READ", ("Principal", "role/0"), ("Bucket", "bucket/a"), account_id="1", via="x"
    )
    records.rel("TRUSTS", ("Role", "role/1"), ("Service", "ec2.amazonaws.com"), account_id="1")
    return records


def _rows(batches: list[Batch], fragment: str) -> list[dict[str, Any]]:
    return [row for b in batches if fragment in b.query for row in b.rows]


def test_node_rows_are_deduplicated_by_key_like_the_loader_and_the_last_row_wins() -> None:
    batches = list(baseline_statements(_records(), SCHEMA, batch_size=2))
    roles = _rows(batches, "MERGE (n:Role {arn: r.arn})")
    assert sorted(row["arn"] for row in roles) == [f"role/{i}" for i in range(5)]
    assert {"arn": "role/0", "account_id": "1", "name": "restated"} in roles


def test_batches_never_exceed_the_batch_size_and_keep_every_row() -> None:
    batches = list(baseline_statements(_records(), SCHEMA, batch_size=2))
    assert max(len(b.rows) for b in batches) == 2
    # 5 roles, 1 bucket, 1 service reference, 2 relationships
    assert sum(len(b.rows) for b in batches) == 9


def test_relationships_merge_on_their_declared_identity_and_match_extra_labels_by_key() -> None:
    rel_queries = [b.query for b in baseline_statements(_records(), SCHEMA) if "[x:" in b.query]
    queries_by_type = {query.split("[x:")[1].split("]")[0]: query for query in rel_queries}
    assert queries_by_type["CAN_READ {via: r.props.via}"].count("MATCH (a:Principal {arn:") == 1
    assert "MERGE (a)-[x:TRUSTS]->(b)" in queries_by_type["TRUSTS"]
    assert "MATCH (b:Service {name: r.target})" in queries_by_type["TRUSTS"]


def test_key_of_an_extra_label_is_the_key_of_the_label_that_carries_it() -> None:
    assert key_of(SCHEMA, "Principal") == "arn"
    assert key_of(SCHEMA, "Service") == "name"


def test_the_commands_come_first_and_every_library_query_is_benchmarked() -> None:
    names = [bench.name for bench in query_benches()]
    assert names[:4] == [
        "kg coverage",
        "kg paths --from internet --to crown-jewels",
        "kg chokepoints --from internet --to crown-jewels",
        "kg privesc",
    ]
    assert {f"kg query {name}" for name in queries.library()} <= set(names)
