"""A whole load and derive of the demo organization, staged over many small transactions, gives
the graph that one transaction per write gives, and leaves no pending-write marker."""

from __future__ import annotations

import pytest

from kg.graph.driver import Graph
from kg.graph.pending import pending_writes
from tests.integration.graph_state import demo_state

pytestmark = pytest.mark.integration


def test_staged_load_and_derive_give_the_same_graph(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_once = demo_state(graph)
    graph.write("MATCH (n) DETACH DELETE n")
    monkeypatch.setenv("KG_TRANSACTION_ROWS", "250")
    staged = demo_state(graph)
    assert staged == at_once
    assert pending_writes(graph) == []
