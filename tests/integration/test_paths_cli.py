"""`kg paths` and `kg chokepoints` over the demo in a real Neo4j: the documented JSON shape and
the self-contained HTML file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ingest.example.demo import facts
from kg.cli import main_options, paths_cmd
from kg.config import Neo4jSettings
from kg.errors import ConfigError
from kg.graph.driver import Graph
from tests.integration.test_paths import demo  # noqa: F401  (the loaded, derived demo)

pytestmark = pytest.mark.integration


def test_paths_json_html_and_chokepoints(
    demo: Graph,  # noqa: F811
    neo4j_settings: Neo4jSettings,
    tmp_path: Path,
) -> None:
    s = neo4j_settings
    connection = ["--uri", s.uri, "--user", s.user, "--password", s.password]
    connection += ["--database", s.database]
    app = typer.Typer()
    app.callback()(main_options)
    paths_cmd.register(app)
    target = ["--to", facts.CUSTOMER_RECORDS_BUCKET_ARN]

    result = CliRunner().invoke(app, [*connection, "paths", *target, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    [summary] = document["targets"]
    assert summary["routes_shown"] == len(document["paths"]) >= 1
    path = document["paths"][0]
    assert (path["source"], path["target"]) == ("internet", facts.CUSTOMER_RECORDS_BUCKET_ARN)
    assert [hop["relation"] for hop in path["hops"]][-1] == "CAN_ACCESS"
    assert set(path["hops"][0]) == {
        "from",
        "to",
        "relation",
        "layer",
        "explanation",
        "controls",
        "missing_controls",
    }

    page = tmp_path / "paths.html"
    args = [*connection, "paths", *target, "--format", "html", "-o", str(page)]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert facts.CUSTOMER_RECORDS_BUCKET_ARN in page.read_text()

    result = CliRunner().invoke(app, [*connection, "chokepoints", *target, "--format", "json"])
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)["chokepoints"]
    assert points
    assert {tuple(p["disconnected"]) for p in points} == {(facts.CUSTOMER_RECORDS_BUCKET_ARN,)}
    assert all(p["fix"] for p in points)

    # What if: without the first of them, the bucket is cut off.
    args = [*connection, "paths", *target, "--without", points[0]["without"], "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["paths"] == []

    result = CliRunner().invoke(app, [*connection, "paths", "--max-hops", "0"])
    assert isinstance(result.exception, ConfigError)  # kg's main prints it as one line
    assert "--max-hops" in str(result.exception)
