"""Run the real `kg` command line (a subprocess) against the session's Neo4j."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from kg.config import Neo4jSettings

KgRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def kg(neo4j_settings: Neo4jSettings) -> KgRunner:
    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            "NEO4J_URI": neo4j_settings.uri,
            "NEO4J_USER": neo4j_settings.user,
            "NEO4J_PASSWORD": neo4j_settings.password,
            "COLUMNS": "200",
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "kg", *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=600,
            check=False,
        )

    return run
