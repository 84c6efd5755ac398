"""Every route and the cuts that really cut, over an organization of the tests' own
(tests/integration/two_doors.py): two public web servers lead to one confidential bucket.

Each claim is checked against the graph itself, not against kg's own search: routes are counted
again in Cypher, and a cut is removed from Neo4j before reachability is asked again."""

from __future__ import annotations

from pathlib import Path
from typing import LiteralString

import pytest
from neo4j import ManagedTransaction

from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import chokepoints, paths, pipeline
from kg.analysis.route_graph import RELATIONS
from kg.errors import ConfigError, UnknownNameError
from kg.graph.driver import Graph
from tests.integration import two_doors as org

pytestmark = pytest.mark.integration
_TYPES = "|".join(RELATIONS)
# Simple paths (no node twice) from the internet or everyone, counted by Neo4j itself.
ROUTES: LiteralString = (
    "MATCH p = (s)-[:CAN_REACH|DELIVERS_TO|SENDS_THROUGH|RUNS_AS|CAN_ASSUME|CAN_ESCALATE_TO"
    "|CAN_ACCESS*1..6]->(t {arn: $arn}) "
    "WHERE (s:Internet OR s:AnyPrincipal) "
    "AND all(n IN nodes(p) WHERE single(m IN nodes(p) WHERE m = n)) "
    "RETURN count(p) AS routes"
)
REACHES: LiteralString = (
    "RETURN EXISTS { MATCH (s)-[:CAN_REACH|DELIVERS_TO|SENDS_THROUGH|RUNS_AS|CAN_ASSUME"
    "|CAN_ESCALATE_TO|CAN_ACCESS*1..10]->(t {arn: $arn}) WHERE s:Internet OR s:AnyPrincipal } "
    "AS reaches"
)


@pytest.fixture
def shop(graph: Graph, tmp_path: Path) -> Graph:
    load_snapshot(graph, Snapshot.open(org.write_two_doors(tmp_path / "snapshot")))
    pipeline.derive_all(graph)
    return graph


def _interface_of(graph: Graph, instance: str) -> str:
    [row] = graph.read(
        "MATCH (:Ec2Instance {arn: $arn})-[:SENDS_THROUGH]->(e) RETURN e.arn AS arn", arn=instance
    )
    return str(row["arn"])


def _reaches(graph: Graph, arn: str) -> bool:
    return bool(graph.read(REACHES, arn=arn)[0]["reaches"])


def test_both_web_servers_are_listed_and_every_route_is_counted(shop: Graph) -> None:
    door_a, door_b = _interface_of(shop, org.WEB_A), _interface_of(shop, org.WEB_B)
    for per_target in (1, 5):
        found = paths.find_paths(shop, "internet", org.RECORDS_ARN, per_target=per_target)
        assert {door_a, door_b} <= {path.entry for path in found.paths}
        [summary] = found.targets
        assert summary.shown == len(found.paths) >= summary.entries >= 2
        assert summary.complete
        assert summary.total == shop.read(ROUTES, arn=org.RECORDS_ARN)[0]["routes"]
        assert summary.beyond == summary.total - summary.shown


def test_the_named_chokepoint_cuts_the_bucket_off_and_a_one_route_hop_does_not(
    shop: Graph,
) -> None:
    points = chokepoints.find_chokepoints(shop, "internet", org.RECORDS_ARN)
    assert points and all(point.disconnected == (org.RECORDS_ARN,) for point in points)
    assume = paths.hop_text(org.APP_WEB_ROLE, "CAN_ASSUME", org.READER_ROLE)
    door_a = paths.hop_text("internet", "CAN_REACH", _interface_of(shop, org.WEB_A))
    named = {point.without for point in points}
    assert assume in named and org.APP_WEB_ROLE in named
    assert door_a not in named and org.WEB_A not in named
    # The reader role's one way in is the assumption: the hop says it, the node is not repeated.
    assert org.READER_ROLE not in named

    # What if: kg's own answer without each.
    assert paths.find_paths(shop, without=[assume]).cut_off == (org.RECORDS_ARN,)
    assert org.RECORDS_ARN not in paths.find_paths(shop, without=[door_a]).cut_off

    # The graph's answer: remove the one-route door first, then the chokepoint.
    shop.write(
        "MATCH (:Internet)-[r:CAN_REACH]->(:NetworkInterface {arn: $arn}) DELETE r",
        arn=_interface_of(shop, org.WEB_A),
    )
    assert _reaches(shop, org.RECORDS_ARN)
    shop.write(
        "MATCH (:Role {arn: $a})-[r:CAN_ASSUME]->(:Role {arn: $b}) DELETE r",
        a=org.APP_WEB_ROLE,
        b=org.READER_ROLE,
    )
    assert not _reaches(shop, org.RECORDS_ARN)
    assert paths.find_paths(shop, "internet", org.RECORDS_ARN).paths == []


class _Undo(Exception):
    """Rolls a write transaction back, carrying what was asked inside it."""

    def __init__(self, answers: list[bool]) -> None:
        self.answers = answers


def _reaches_without(graph: Graph, point: chokepoints.Chokepoint) -> list[bool]:
    """Whether each target the chokepoint names is still reachable with it deleted from Neo4j
    (in a transaction rolled back afterwards)."""

    def work(tx: ManagedTransaction) -> None:
        if point.hop is None:
            tx.run(
                "MATCH (n) WHERE coalesce(n.arn, n.name) = $key DETACH DELETE n", key=point.without
            ).consume()
        else:
            tx.run(
                "MATCH (a)-[r]->(b) WHERE coalesce(a.arn, a.name) = $a AND type(r) = $relation "
                "AND b.arn = $b DELETE r",
                a=point.hop.source,
                relation=point.hop.relation,
                b=point.hop.target,
            ).consume()
        raise _Undo([bool(tx.run(REACHES, arn=t).single()["reaches"]) for t in point.disconnected])

    with pytest.raises(_Undo) as undone:
        graph.execute_write(work)
    return undone.value.answers


def test_every_chokepoint_is_verified_against_the_graph(shop: Graph) -> None:
    """Each claimed cut, deleted from Neo4j, leaves each target it names unreachable."""
    points = chokepoints.find_chokepoints(shop, "internet", "crown-jewels")
    assert {org.RECORDS_ARN, org.OPS_ARN} <= {t for p in points for t in p.disconnected}
    assert {"hop", "node"} == {p.kind for p in points}
    for point in points:
        assert _reaches_without(shop, point) == [False] * len(point.disconnected), point.without
    assert _reaches(shop, org.RECORDS_ARN) and _reaches(shop, org.OPS_ARN)  # rolled back


def test_each_chokepoint_names_the_change_that_removes_it(shop: Graph) -> None:
    points = {p.without: p for p in chokepoints.find_chokepoints(shop, "internet", "crown-jewels")}
    assume = points[paths.hop_text(org.APP_WEB_ROLE, "CAN_ASSUME", org.READER_ROLE)]
    assert any("WebTier" in line and org.READER_ROLE in line for line in assume.fix)
    assert "PRIN-ROLE-TRUST-NO-UNTRUSTED-PRINCIPALS" not in {
        c.control_id for c in assume.catalog_controls
    }  # same account: the cross-account rule does not apply
    read = points[paths.hop_text(org.READER_ROLE, "CAN_ACCESS", org.RECORDS_ARN)]
    assert any("#ReadRecords" in line for line in read.fix)
    runs_as = points[paths.hop_text(org.OPS_BOX, "RUNS_AS", org.OPS_ROLE)]
    assert any("instance profile" in line and "ops" in line for line in runs_as.fix)
    assert "NET-EC2-IMDSV2" in {c.control_id for c in runs_as.catalog_controls}
    # The ops box's interface is reached from the internet and from the web servers: cutting
    # it means each of those security group rules, named with group, port and source.
    ops_door = points[_interface_of(shop, org.OPS_BOX)]
    assert ops_door.kind == "node"
    assert any(
        org.OPS_GROUP in line and "tcp/22" in line and "0.0.0.0/0" in line for line in ops_door.fix
    )


def test_without_takes_names_as_other_options_do(shop: Graph) -> None:
    with pytest.raises(UnknownNameError, match="'app-wbe' is not in the graph"):
        paths.find_paths(shop, without=["app-wbe"])
    with pytest.raises(ConfigError, match="NOT_A_HOP is not a hop"):
        paths.find_paths(shop, without=[f"internet -[NOT_A_HOP]-> {org.WEB_A}"])
    with pytest.raises(UnknownNameError, match="no such hop"):
        paths.find_paths(shop, without=[paths.hop_text("internet", "CAN_REACH", org.WEB_A)])
    # A node by name: the role every web route runs as.
    assert paths.find_paths(shop, without=["app-web"]).cut_off == (org.RECORDS_ARN,)
