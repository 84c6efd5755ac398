"""Neo4j through docker compose, for machines whose Docker engine answers."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from kg.errors import ServerError

COMPOSE_FILE = "docker-compose.yml"


def engine_available() -> bool:
    """A docker binary is not enough: the engine must answer `docker info`."""
    docker = shutil.which("docker")
    if docker is None:
        return False
    try:
        result = subprocess.run([docker, "info"], capture_output=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def find_compose_file(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / COMPOSE_FILE
        if candidate.is_file():
            return candidate
    return None


def compose_environment(password: str, bolt_port: int, http_port: int) -> dict[str, str]:
    """What docker-compose.yml reads: the password (passed on as NEO4J_AUTH) and the ports to
    publish on 127.0.0.1, the Bolt one also advertised for Browser's connect form."""
    return {
        "NEO4J_PASSWORD": password,
        "KG_NEO4J_BOLT_PORT": str(bolt_port),
        "KG_NEO4J_HTTP_PORT": str(http_port),
    }


def compose(
    compose_file: Path, *args: str, password: str, bolt_port: int = 7687, http_port: int = 7474
) -> str:
    """Run `docker compose` with args; the password goes in its environment, which only this user
    can read, never in its arguments."""
    env = {**os.environ, **compose_environment(password, bolt_port, http_port)}
    result = subprocess.run(
        ["docker", "compose", "-f", str(compose_file), *args],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ServerError(f"docker compose {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout
