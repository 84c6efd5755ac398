"""The analyses give the same graph whether they decide in worker processes or in this one."""

from __future__ import annotations

import pytest

from kg.analysis import workers
from kg.graph.driver import Graph
from tests.integration.graph_state import demo_state

pytestmark = pytest.mark.integration


def test_deciding_in_worker_processes_gives_the_same_graph(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_WORKERS", "1")
    in_process = demo_state(graph)
    graph.write("MATCH (n) DETACH DELETE n")
    # The demo is small: let every principal be worth a worker's time, so access and privesc fork.
    monkeypatch.setenv("KG_WORKERS", "3")
    monkeypatch.setattr(workers, "MIN_ITEMS_PER_WORKER", 1)
    forked = demo_state(graph)
    assert forked == in_process
