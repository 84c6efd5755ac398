"""`kg neo4j start|status|stop` runs a real server from the official jars, on its own ports."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from kg.config import cache_dir
from kg.server import jar
from tests.conftest import free_port
from tests.e2e.conftest import KgRunner

pytestmark = pytest.mark.e2e


def test_start_is_idempotent_serves_browser_and_stop_ends_it(kg: KgRunner, tmp_path: Path) -> None:
    home = tmp_path / "kg-home"
    # Share the jar cache so the test does not download the server again.
    lib = jar.install_jars(cache_dir() / f"neo4j-{jar.NEO4J_VERSION}" / "lib")
    (home / f"neo4j-{jar.NEO4J_VERSION}").mkdir(parents=True)
    (home / f"neo4j-{jar.NEO4J_VERSION}" / "lib").symlink_to(lib)
    bolt, http = free_port(), free_port()
    env = {
        "KG_HOME": str(home),
        "NEO4J_URI": f"bolt://127.0.0.1:{bolt}",
        "NEO4J_PASSWORD": "a-test-password",
        "KG_NEO4J_HTTP_PORT": str(http),
        "KG_NEO4J_HEAP": "512m",
    }
    try:
        first = kg("neo4j", "start", "--backend", "jar", "--format", "json", env=env)
        assert first.returncode == 0, first.stderr
        started = json.loads(first.stdout)
        again = json.loads(
            kg("neo4j", "start", "--backend", "jar", "--format", "json", env=env).stdout
        )
        assert again["pid"] == started["pid"]
        status = kg("status", "--format", "json", env=env)
        assert json.loads(status.stdout)["server"]["version"].startswith("5.26")
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/browser/", timeout=10) as page:
            assert page.status == 200
            assert b"Neo4j" in page.read()
        # Browser's connect form offers the Bolt address of this discovery document.
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/", timeout=10) as discovery:
            offered = json.loads(discovery.read())
        assert offered["bolt_direct"] == f"bolt://127.0.0.1:{bolt}"
        assert offered["bolt_routing"] == f"neo4j://127.0.0.1:{bolt}"
        shown = kg("neo4j", "status", env=env).stdout
        assert f"http://127.0.0.1:{http}/browser/" in shown
    finally:
        stopped = kg("neo4j", "stop", "--backend", "jar", env=env)
    assert "stopped" in stopped.stdout
    down = kg("neo4j", "status", "--format", "json", env=env)
    assert json.loads(down.stdout)["running"] is False
