"""Process-wide CLI state set by the global options (one invocation, one set of settings)."""

from __future__ import annotations

from kg.config import Neo4jSettings
from kg.graph.driver import Graph

settings: Neo4jSettings = Neo4jSettings.from_env()
debug: bool = False


def connect() -> Graph:
    """A verified connection to the configured Neo4j (fails with one clear line)."""
    graph = Graph(settings)
    try:
        graph.verify()
    except BaseException:
        graph.close()
        raise
    return graph
