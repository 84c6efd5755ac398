"""`kg demo`: the example organization end to end, the first thing a new user runs."""

from __future__ import annotations

import typer
from rich.rule import Rule

from kg import queries
from kg.analysis.crown_jewels import load_config
from kg.cli import state
from kg.cli.coverage_cmd import coverage
from kg.cli.ingest_cmd import CrownJewels, Replace
from kg.cli.paths_cmd import chokepoints_command, paths_command
from kg.demo import run_demo
from kg.report.output import Format, RowFormat, console

BROWSER_QUERIES = (
    "browser-internet-exposure",
    "browser-cross-account-assume",
    "browser-coverage-gaps",
)


def demo(crown_jewel_file: CrownJewels = None, replace: Replace = False) -> None:
    """Start Neo4j if needed, load the demo organization, show coverage and attack paths.

    A graph that holds another organization is left alone unless --replace is given.

    Example: kg demo
    """
    jewels = load_config(crown_jewel_file)
    with console.status("Starting Neo4j and loading the demo organization..."):
        run = run_demo(state.settings, crown_jewels=jewels, replace=replace)
    if run.started_server:
        console.print(f"Started a local Neo4j at {state.settings.uri}")
    console.print(
        f"Loaded the demo organization: {len(run.load.accounts)} accounts, "
        f"{run.load.write.nodes} nodes, {run.load.write.relationships} relationships; derived "
        + ", ".join(f"{count} {step}" for step, count in run.derive.counts.items())
    )
    console.print(Rule("Control coverage by layer"))
    coverage("layer", None, None, None, None, None, None, RowFormat.table, None)
    console.print(Rule("Attack paths from the internet to the crown jewels"))
    paths_command("internet", "crown-jewels", 6, Format.table, None)
    console.print(Rule("Attack paths from accounts outside the organization"))
    paths_command("external", "crown-jewels", 6, Format.table, None)
    console.print(Rule("Chokepoints: the fixes that cut targets off, verified"))
    chokepoints_command("internet", "crown-jewels", 6, RowFormat.table, None)
    console.print(Rule("Explore in Neo4j Browser"))
    if run.browser_url:
        console.print(f"Open {run.browser_url} (style sheet: docs/browser/kg.grass) and paste:")
    for name in BROWSER_QUERIES:
        query = queries.get(name)
        console.print(f"\n[bold]{query.title}[/bold]  (kg query {name})")
        for param, value in query.params.items():
            console.print(f":param {param} => '{value}'", markup=False, highlight=False)
        console.print(query.cypher, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
