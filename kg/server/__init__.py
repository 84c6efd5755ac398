"""The local Neo4j server behind `kg neo4j start|stop|status|logs`.

With a Docker engine, docker compose runs the pinned image; without one, the official community
jars run under Java (kg.server.jar). Either way the server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from kg.config import Neo4jSettings, cache_dir
from kg.errors import ConfigError, ServerError
from kg.server import docker, jar

Backend = Literal["auto", "docker", "jar"]


@dataclass(frozen=True)
class ServerStatus:
    backend: str
    running: bool
    bolt_uri: str
    browser_url: str
    pid: int | None = None
    log_file: str | None = None


def local_config(settings: Neo4jSettings) -> jar.ServerConfig:
    """The jar server's home in the cache folder; ports follow NEO4J_URI when it is local."""
    parsed = urlparse(settings.uri)
    if not is_local(settings):
        raise ConfigError(
            f"NEO4J_URI points at {parsed.hostname}; `kg neo4j` only manages a local server"
        )
    root = cache_dir() / f"neo4j-{jar.NEO4J_VERSION}"
    return jar.ServerConfig(
        home=root / "home",
        lib=root / "lib",
        bolt_port=parsed.port or 7687,
        http_port=int(os.environ.get("KG_NEO4J_HTTP_PORT", "7474")),
        heap=os.environ.get("KG_NEO4J_HEAP", "1g"),
        pagecache=os.environ.get("KG_NEO4J_PAGECACHE", "512m"),
        password=settings.password,
    )


def is_local(settings: Neo4jSettings) -> bool:
    return urlparse(settings.uri).hostname in ("127.0.0.1", "localhost")


def browser_url(settings: Neo4jSettings) -> str | None:
    """Where Neo4j Browser is for the local server; None for a remote one (kg cannot tell)."""
    return local_config(settings).browser_url if is_local(settings) else None


def _choose(backend: Backend) -> tuple[str, Path | None]:
    if backend in ("auto", "docker"):
        compose_file = docker.find_compose_file()
        if compose_file is not None and docker.engine_available():
            return "docker", compose_file
        if backend == "docker":
            raise ServerError("no Docker engine answers `docker info` (or no docker-compose.yml)")
    return "jar", None


def start(
    settings: Neo4jSettings, backend: Backend = "auto", timeout: float = 120.0
) -> ServerStatus:
    chosen, compose_file = _choose(backend)
    config = local_config(settings)
    if chosen == "docker" and compose_file is not None:
        docker.compose(
            compose_file, "up", "-d", "--wait", password=settings.password,
            bolt_port=config.bolt_port, http_port=config.http_port,
        )  # fmt: skip
        return ServerStatus("docker", True, config.bolt_uri, config.browser_url)
    pid = jar.start(config, timeout=timeout)
    return ServerStatus("jar", True, config.bolt_uri, config.browser_url, pid, str(config.log_file))


def stop(settings: Neo4jSettings, backend: Backend = "auto") -> bool:
    chosen, compose_file = _choose(backend)
    if chosen == "docker" and compose_file is not None:
        config = local_config(settings)
        docker.compose(
            compose_file, "stop", password=settings.password,
            bolt_port=config.bolt_port, http_port=config.http_port,
        )  # fmt: skip
        return True
    return jar.stop(local_config(settings))


def status(settings: Neo4jSettings) -> ServerStatus:
    config = local_config(settings)
    pid = jar.running_pid(config)
    if pid is not None:
        return ServerStatus(
            "jar", True, config.bolt_uri, config.browser_url, pid, str(config.log_file)
        )
    return ServerStatus(
        "unknown", jar.port_open(config.bolt_port), config.bolt_uri, config.browser_url
    )


def log_lines(settings: Neo4jSettings, count: int = 50) -> list[str]:
    config = local_config(settings)
    if not config.log_file.exists():
        raise ServerError(f"no log at {config.log_file}: the local server has not run yet")
    lines = config.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines[-count:]
