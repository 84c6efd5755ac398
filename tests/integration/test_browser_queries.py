"""What the graph-view queries of the library show on the demo organization."""

from __future__ import annotations

import pytest

from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg import queries
from kg.analysis import pipeline
from kg.graph.driver import Graph
from tests.integration.graph_state import DEMO

pytestmark = pytest.mark.integration


def test_cross_account_assume_shows_other_accounts_but_not_aws_services(
    graph: Graph,
) -> None:
    load_snapshot(graph, Snapshot.open(DEMO))
    pipeline.derive_all(graph)
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


def test_the_server_advertises_the_bolt_address_it_listens_on(graph: Graph) -> None:
    """Browser's connect form offers the advertised address; it must be the one Bolt listens on."""
    settings = {
        row["name"]: row["value"]
        for row in graph.read(
            "SHOW SETTINGS YIELD name, value "
            "WHERE name IN ['server.bolt.listen_address', 'server.bolt.advertised_address'] "
            "RETURN name, value"
        )
    }
    listen_port = settings["server.bolt.listen_address"].rsplit(":", 1)[1]
    assert settings["server.bolt.advertised_address"].rsplit(":", 1)[1] == listen_port
