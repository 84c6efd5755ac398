"""Run the real `kg` command line (a subprocess) against the session's Neo4j."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.config import Neo4jSettings
from kg.graph.driver import Graph
from tests.e2e.demo_variants import (
    Variants,
    clean_checksum,
    copy_demo,
    without_analytics_readers_policy,
)

KgRunner = Callable[..., subprocess.CompletedProcess[str]]
KgStarter = Callable[..., subprocess.Popen[str]]
# The command line of `kg ARGS...` as the tests run it.
KG = [sys.executable, "-m", "kg"]


@pytest.fixture(scope="session")
def kg_env(neo4j_settings: Neo4jSettings) -> dict[str, str]:
    """The environment a `kg` subprocess runs in: the session's Neo4j, a wide terminal."""
    return {
        **os.environ,
        "NEO4J_URI": neo4j_settings.uri,
        "NEO4J_USER": neo4j_settings.user,
        "NEO4J_PASSWORD": neo4j_settings.password,
        "COLUMNS": "200",
    }


@pytest.fixture(scope="session")
def kg(kg_env: dict[str, str]) -> KgRunner:
    def run(
        *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*KG, *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**kg_env, **(env or {})},
            timeout=600,
            check=False,
        )

    return run


@pytest.fixture(scope="session")
def kg_start(kg_env: dict[str, str]) -> KgStarter:
    """Start `kg ARGS...` without waiting, in a process group of its own (so a test can kill it
    with its worker processes, as a shell's kill of a job would)."""

    def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*KG, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**kg_env, **(env or {})},
            start_new_session=True,
        )

    return start


@pytest.fixture
def variants(graph: Graph, tmp_path: Path) -> Variants:
    """Two versions of the demo (see Variants); the graph holds A's clean load."""
    a = copy_demo(tmp_path / "a")
    b = without_analytics_readers_policy(tmp_path / "b")
    clean_b = clean_checksum(graph, b)
    clean_a = clean_checksum(graph, a)
    assert clean_a != clean_b
    return Variants(a, b, clean_a, clean_b)
