"""Process-wide CLI state set by the global options (one invocation, one set of settings)."""

from __future__ import annotations

from kg.config import Neo4jSettings
from kg.graph.driver import Graph
from kg.graph.pending import hold_steady, require_complete

settings: Neo4jSettings = Neo4jSettings.from_env()
debug: bool = False


def connect(*, for_queries: bool = False) -> Graph:
    """A verified connection to the configured Neo4j (fails with one clear line); for queries,
    also to a graph that no write has left part-way, and that stays the same while they read."""
    graph = Graph(settings)
    try:
        graph.verify()
        if for_queries:
            require_complete(graph)
            hold_steady(graph)
    except BaseException:
        graph.close()
        raise
    return graph
