"""`kg coverage` over the demo organization in a real Neo4j: the documented JSON shape, the
account view, filters and --fail-under."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner, Result

from kg.analysis.coverage.report import ROW_FIELDS
from kg.cli import coverage_cmd, main_options
from kg.config import Neo4jSettings
from kg.errors import ConfigError
from kg.graph.driver import Graph
from tests.integration.test_coverage import APP_DEV, DEMO, _load

pytestmark = pytest.mark.integration


@pytest.fixture
def run(graph: Graph, neo4j_settings: Neo4jSettings):  # type: ignore[no-untyped-def]
    _load(graph, DEMO)
    s = neo4j_settings
    connection = ["--uri", s.uri, "--user", s.user, "--password", s.password]
    connection += ["--database", s.database]

    app = typer.Typer()
    app.callback()(main_options)
    coverage_cmd.register(app)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, [*connection, "coverage", *args])

    return invoke


def test_json_has_the_documented_shape(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert all(set(row) == set(ROW_FIELDS) for row in document["rows"])
    summary = document["summary"]
    assert len(summary["by_layer"]) == 6
    assert len(summary["by_capability"]) == 9
    overall = summary["overall"]
    assert overall["applicable"] == len(document["rows"]) - overall["not_applicable"]
    dev_guardduty = {
        row["region"]: row["status"]
        for row in document["rows"]
        if row["account_id"] == APP_DEV and row["control_id"] == "ACCT-GUARDDUTY-ENABLED"
    }
    assert dev_guardduty == {"eu-west-1": "missing", "us-east-1": "in_place"}
    scp_rows = [r for r in document["rows"] if r["control_id"] == "OU-SCP-PROTECT-GUARDDUTY"]
    assert scp_rows and all(row["region"] is None for row in scp_rows)


def test_account_view_by_name_with_filters(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--account", "app-dev", "--status", "missing", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert rows and {row["account_id"] for row in rows} == {APP_DEV}
    assert {row["status"] for row in rows} == {"missing"}
    assert any(row["control_id"] == "ACCT-GUARDDUTY-ENABLED" for row in rows)


def test_matrix_lists_ous_then_accounts(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split(",")[:4] == ["kind", "name", "ou_path", "organization"]
    kinds = [line.split(",")[0] for line in lines[1:]]
    assert kinds == sorted(kinds, key=lambda kind: kind == "account")
    assert any(line.startswith("organizational_unit,Sandbox,Root/Sandbox,") for line in lines)
    assert any(line.startswith("account,app-dev,Root/Workloads/Dev,") for line in lines)


def test_fail_under(run) -> None:  # type: ignore[no-untyped-def]
    assert run("--fail-under", "100", "--format", "csv").exit_code == 1
    assert run("--fail-under", "0", "--format", "csv").exit_code == 0


def test_unknown_layer_is_one_clear_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--layer", "moat")
    assert isinstance(result.exception, ConfigError)
    assert "--layer 'moat' is not one of: organization" in str(result.exception)
