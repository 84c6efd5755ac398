"""The CLI's contract: help with examples, status from a live server, one-line errors."""

from __future__ import annotations

import json
import socket
from datetime import UTC

import pytest
from neo4j import ManagedTransaction
from neo4j.time import DateTime

from kg.graph import pending
from tests.e2e.conftest import KgRunner

pytestmark = pytest.mark.e2e


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_version_and_help(kg: KgRunner) -> None:
    result = kg("--version")
    assert result.returncode == 0 and result.stdout.startswith("kg ")
    help_text = kg("--help").stdout
    for command in ("status", "neo4j", "schema"):
        assert command in help_text


@pytest.mark.parametrize(
    ("words", "word", "expected"),
    [("kg cov", 1, "coverage"), ("kg paths --for", 2, "--format"), ("kg neo4j st", 2, "start")],
)
def test_shell_completion_completes_commands_and_options(
    kg: KgRunner, words: str, word: int, expected: str
) -> None:
    """What `kg --install-completion` installs asks kg itself for the candidates."""
    env = {"_KG_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(word)}
    result = kg(env=env)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout.split()
    script = kg("--show-completion", "bash")
    assert "_kg_completion" in script.stdout


def test_status_reports_a_live_5_26_server(kg: KgRunner, graph) -> None:
    graph.write("CREATE (:Account {account_id: '111111111111'})")
    result = kg("status", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["server"]["version"].startswith("5.26")
    assert data["nodes"]["Account"] == 1


def test_neo4j_down_is_one_line_and_non_zero(kg: KgRunner) -> None:
    result = kg("status", env={"NEO4J_URI": f"bolt://127.0.0.1:{_closed_port()}"})
    assert result.returncode == 3
    assert result.stderr.strip().startswith("kg: error: Neo4j is not reachable at bolt://")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_wrong_password_is_named_and_never_printed(kg: KgRunner) -> None:
    result = kg("status", env={"NEO4J_PASSWORD": "s3cret-wrong-pass"})
    assert result.returncode == 3
    assert "refused the credentials" in result.stderr
    assert "s3cret-wrong-pass" not in result.stderr + result.stdout


def test_schema_apply_twice_creates_nothing_the_second_time(kg: KgRunner) -> None:
    kg("schema", "apply")
    result = kg("schema", "apply", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 0


def test_queries_refuse_a_graph_an_interrupted_staged_write_left_behind(
    kg: KgRunner, graph
) -> None:
    graph.write("CREATE (:Account {account_id: '111111111111'})")
    started = DateTime(2026, 11, 29, 7, 0, 0, tzinfo=UTC)

    def interrupted_load(tx: ManagedTransaction) -> None:
        pending.mark(tx, "load", rows=2_000_000, now=started)
        pending.advance(tx, "load", committed_rows=150_000)

    graph.execute_write(interrupted_load)
    for command in (("coverage",), ("paths",), ("privesc",), ("query", "graph-overview")):
        result = kg(*command)
        assert result.returncode == 4, (command, result.stderr)
        [line] = result.stderr.strip().splitlines()
        assert "part-way through a write" in line
        assert "load started 2026-11-29T07:00:00+00:00 (150,000 of 2,000,000 rows" in line
    status = kg("status", "--format", "json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["pending_writes"] == [
        {
            "name": "load",
            "started": "2026-11-29T07:00:00+00:00",
            "rows": 2000000,
            "committed_rows": 150000,
            "unit": "rows committed",
        }
    ]
