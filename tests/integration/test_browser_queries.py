"""What the graph-view queries of the library show on the demo organization."""

from __future__ import annotations

from typing import LiteralString, cast

import neo4j.graph
import pytest

from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg import queries
from kg.analysis import pipeline
from kg.graph.driver import Graph
from tests.integration.graph_state import DEMO

pytestmark = pytest.mark.integration

BROWSER_QUERIES = sorted(name for name in queries.library() if name.startswith("browser-"))


@pytest.fixture(scope="module")
def demo_graph(_session_graph: Graph) -> Graph:
    """The demo organization, loaded and derived once for the tests that only read it."""
    _session_graph.read_guard = _session_graph.write_guard = None
    _session_graph.write("MATCH (n) DETACH DELETE n")
    load_snapshot(_session_graph, Snapshot.open(DEMO))
    pipeline.derive_all(_session_graph)
    return _session_graph


def _drawn(graph: Graph, name: str) -> neo4j.graph.Graph:
    """What Browser draws of a query's result: its nodes and relationships, at any depth."""
    query = queries.get(name)
    return graph.execute_read(
        lambda tx: tx.run(cast(LiteralString, query.cypher), query.params).graph(), name
    )


@pytest.mark.parametrize("name", BROWSER_QUERIES)
def test_browser_query_returns_a_graph(demo_graph: Graph, name: str) -> None:
    """Browser draws nodes and relationships; maps or scalars would show as a table of JSON."""
    drawn = _drawn(demo_graph, name)
    assert drawn.nodes, f"{name} returns no node"
    assert drawn.relationships, f"{name} returns no relationship"
    # Every relationship drawn has both its ends drawn too.
    ends = {node.element_id for node in drawn.nodes}
    for rel in drawn.relationships:
        assert rel.start_node is not None and rel.start_node.element_id in ends
        assert rel.end_node is not None and rel.end_node.element_id in ends


def test_the_graph_view_queries_cover_paths_privesc_trust_and_exposure(demo_graph: Graph) -> None:
    drawn = {
        name: {rel.type for rel in _drawn(demo_graph, name).relationships}
        for name in BROWSER_QUERIES
    }
    assert {"CAN_REACH", "RUNS_AS", "CAN_ACCESS"} <= drawn["browser-attack-paths"]
    assert drawn["browser-privesc-chains"] == {"CAN_ESCALATE_TO"}
    assert drawn["browser-cross-account-assume"] == {"CAN_ASSUME"}
    assert "CAN_REACH" in drawn["browser-internet-exposure"]


def test_cross_account_assume_shows_other_accounts_but_not_aws_services(
    demo_graph: Graph,
) -> None:
    graph = demo_graph
    assumptions = graph.read(
        "MATCH (s)-[:CAN_ASSUME]->(r:Role) "
        "RETURN s:ServicePrincipal AS service, s.account_id AS source_account, "
        "r.account_id AS role_account"
    )
    expected = [
        a for a in assumptions if not a["service"] and a["source_account"] != a["role_account"]
    ]
    # The demo has every kind the query must tell apart: AWS services trusted by their own
    # account's roles, assumptions within an account, and ones across accounts.
    assert any(a["service"] for a in assumptions)
    assert any(a["source_account"] == a["role_account"] for a in assumptions)
    assert expected

    shown = queries.run(graph, "browser-cross-account-assume")
    # A path comes back as [source properties, relationship type, role properties].
    assert sorted((p["p"][0].get("account_id"), p["p"][2]["account_id"]) for p in shown) == sorted(
        (a["source_account"], a["role_account"]) for a in expected
    )


def test_the_server_advertises_the_bolt_address_it_listens_on(demo_graph: Graph) -> None:
    """Browser's connect form offers the advertised address; it must be the one Bolt listens on."""
    settings = {
        row["name"]: row["value"]
        for row in demo_graph.read(
            "SHOW SETTINGS YIELD name, value "
            "WHERE name IN ['server.bolt.listen_address', 'server.bolt.advertised_address'] "
            "RETURN name, value"
        )
    }
    listen_port = settings["server.bolt.listen_address"].rsplit(":", 1)[1]
    assert settings["server.bolt.advertised_address"].rsplit(":", 1)[1] == listen_port
