"""Settings: where Neo4j is and where kg keeps its local server, from flags and environment.

Flags win over environment variables, which win over the local defaults. The password is kept out
of every repr so it cannot leak into logs or error messages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import ConfigError

DEFAULT_URI = "bolt://127.0.0.1:7687"
DEFAULT_USER = "neo4j"
# The documented default for the local server kg starts and for docker-compose.yml; a real
# deployment sets NEO4J_PASSWORD.
DEFAULT_PASSWORD = "kg-local-password"
DEFAULT_DATABASE = "neo4j"
# Rows one write transaction may hold before a write is staged (decision 0004). About 5 KiB of
# transaction memory per loaded row (measured), so ~270 MiB: within Neo4j's default cap of 70% of
# the local server's 1 GiB heap. Raise it with the heap to keep larger loads in one transaction.
DEFAULT_TRANSACTION_ROWS = 50_000


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str = field(default=DEFAULT_PASSWORD, repr=False)
    database: str = DEFAULT_DATABASE

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
    ) -> Neo4jSettings:
        return cls(
            uri=uri or os.environ.get("NEO4J_URI") or DEFAULT_URI,
            user=user or os.environ.get("NEO4J_USER") or DEFAULT_USER,
            password=password or os.environ.get("NEO4J_PASSWORD") or DEFAULT_PASSWORD,
            database=database or os.environ.get("NEO4J_DATABASE") or DEFAULT_DATABASE,
        )


def cache_dir() -> Path:
    """Where kg keeps downloaded jars and its local server's home (KG_HOME overrides)."""
    explicit = os.environ.get("KG_HOME")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


def transaction_rows() -> int:
    """The write transaction budget in rows (KG_TRANSACTION_ROWS overrides the default)."""
    return _positive_count("KG_TRANSACTION_ROWS", "rows") or DEFAULT_TRANSACTION_ROWS


def worker_processes() -> int:
    """Processes the analyses decide in (KG_WORKERS overrides; default: the CPUs it may use)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return _positive_count("KG_WORKERS", "processes") or usable


def _positive_count(variable: str, of: str) -> int | None:
    """The environment variable as a positive number, or None when it is unset or empty."""
    text = os.environ.get(variable)
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{variable}={text!r}: expected a positive number of {of}")
    return int(text)
