"""`kg coverage` over the demo organization in a real Neo4j: the documented JSON shape, the
account view, filters and --fail-under."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

import pytest
import typer
from typer.testing import CliRunner, Result

from kg.analysis.coverage.report import ROW_FIELDS, cell_text, tally
from kg.catalog import load_catalog
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


@pytest.mark.parametrize(
    "args", [("--by", "layer"), ("--by", "capability"), ("--by", "layer", "--region", "eu-west-1")]
)
def test_matrix_cells_count_the_rows_json_lists(run, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """Neo4j counts the matrix; the counts must be those of the rows, target by target."""
    by = args[1]
    filters = args[2:]
    rows = json.loads(run("--format", "json", *filters).stdout)["rows"]
    assert rows
    by_target: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        name = row["account_name"] if row["target_kind"] == "account" else row["ou_path"]
        by_target[(row["target_kind"], str(name).rsplit("/", 1)[-1])].append(row)
    catalog = load_catalog()
    columns = [item.id for item in (catalog.layers if by == "layer" else catalog.capabilities)]

    result = run("--format", "csv", *args)
    assert result.exit_code == 0, result.output
    matrix = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(matrix) == len(by_target)
    for line in matrix:
        own = by_target[(line["kind"], line["name"])]
        expected = {c: cell_text(tally(r for r in own if r[by] == c)) for c in columns}
        assert {c: line[c] for c in columns} == expected, line["name"]
        assert line["overall"] == cell_text(tally(own))


def test_fail_under(run) -> None:  # type: ignore[no-untyped-def]
    assert run("--fail-under", "100", "--format", "csv").exit_code == 1
    assert run("--fail-under", "0", "--format", "csv").exit_code == 0


def test_unknown_layer_is_one_clear_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--layer", "moat")
    assert isinstance(result.exception, ConfigError)
    assert "--layer 'moat' is not one of: organization" in str(result.exception)
