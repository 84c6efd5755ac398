"""Every shipped query compiles on a real Neo4j 5.26 with its declared parameters."""

from __future__ import annotations

from typing import LiteralString, cast

import pytest

from kg import queries
from kg.graph.driver import Graph

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("name", sorted(queries.library()))
def test_query_compiles_and_runs_read_only(graph: Graph, name: str) -> None:
    query = queries.get(name)
    graph.read(cast(LiteralString, "EXPLAIN " + query.cypher), **query.bind({}))
    assert isinstance(queries.run(graph, name), list)
