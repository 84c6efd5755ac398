"""A whole load and derive of the demo organization, staged over many small transactions, gives
the graph that one transaction per write gives, and leaves no pending-write marker."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import pipeline
from kg.graph.driver import Graph
from kg.graph.pending import pending_writes
from tests.integration.graph_state import graph_state

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[2] / "ingest" / "example" / "demo_snapshot"


def _load_and_derive(graph: Graph) -> list[str]:
    load_snapshot(graph, Snapshot.open(DEMO))
    pipeline.derive_all(graph)
    return graph_state(graph, ignore=("last_updated", "first_seen"))


def test_staged_load_and_derive_give_the_same_graph(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_once = _load_and_derive(graph)
    graph.write("MATCH (n) DETACH DELETE n")
    monkeypatch.setenv("KG_TRANSACTION_ROWS", "250")
    staged = _load_and_derive(graph)
    assert staged == at_once
    assert pending_writes(graph) == []
