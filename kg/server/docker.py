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


def compose(compose_file: Path, *args: str, password: str) -> str:
    """Run `docker compose` with args; the password goes in its environment, which only this user
    can read (docker-compose.yml passes it on as NEO4J_AUTH), never in its arguments."""
    env = {**os.environ, "NEO4J_PASSWORD": password}
    result = subprocess.run(
        ["docker", "compose", "-f", str(compose_file), *args],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ServerError(f"docker compose {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout
