"""Test fixtures: a real Neo4j for the session, a clean graph for every test.

The server comes from, in order: NEO4J_URI (an existing server you point at); testcontainers'
Neo4jContainer when a Docker engine answers `docker info`; otherwise a private server started
from the official community jars on free ports in a temporary home. Tests never mock Neo4j.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import Neo4jSettings, cache_dir
from kg.graph.ddl import apply_schema
from kg.graph.driver import Graph
from kg.model import load_schema
from kg.server import docker, jar

TEST_PASSWORD = "kg-test-password"
NEO4J_IMAGE = "neo4j:5.26-community"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def jar_server_config(home: Path, password: str, heap: str) -> jar.ServerConfig:
    """A private server in home on free ports, from the shared jar cache (fetched only once)."""
    return jar.ServerConfig(
        home=home,
        lib=cache_dir() / f"neo4j-{jar.NEO4J_VERSION}" / "lib",
        bolt_port=free_port(),
        http_port=free_port(),
        heap=heap,
        pagecache="128m",
        password=password,
    )


def _jar_server(home: Path) -> Iterator[Neo4jSettings]:
    config = jar_server_config(
        home, TEST_PASSWORD, heap=os.environ.get("KG_TEST_NEO4J_HEAP", "768m")
    )
    jar.start(config, timeout=180)
    try:
        yield Neo4jSettings(uri=config.bolt_uri, password=TEST_PASSWORD)
    finally:
        jar.stop(config)


def _container_server() -> Iterator[Neo4jSettings]:
    from testcontainers.neo4j import Neo4jContainer  # imported only when Docker answers

    with Neo4jContainer(NEO4J_IMAGE, password=TEST_PASSWORD) as container:
        yield Neo4jSettings(uri=container.get_connection_url(), password=TEST_PASSWORD)


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jSettings]:
    if os.environ.get("NEO4J_URI"):
        yield Neo4jSettings.from_env()
    elif docker.engine_available():
        yield from _container_server()
    else:
        yield from _jar_server(tmp_path_factory.mktemp("neo4j-home"))


@pytest.fixture(scope="session")
def _session_graph(neo4j_settings: Neo4jSettings) -> Iterator[Graph]:
    graph = Graph(neo4j_settings)
    graph.verify()
    apply_schema(graph, load_schema())
    yield graph
    graph.close()


@pytest.fixture
def graph(_session_graph: Graph) -> Graph:
    """A connection to a graph that is empty when the test starts (constraints kept)."""
    _session_graph.read_guard = _session_graph.write_guard = None
    _session_graph.write("MATCH (n) DETACH DELETE n")
    return _session_graph
