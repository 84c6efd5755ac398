"""`kg demo`: the example organization end to end, the first thing a new user runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.analysis.crown_jewels import load_config
from kg.cli import state
from kg.cli.ingest_cmd import CrownJewels, Replace
from kg.cli.summary_cmd import show_summary
from kg.demo import run_demo
from kg.graph.driver import Graph
from kg.report.html import write_report
from kg.report.output import console

DEMO_REPORT = Path("kg-demo-report.html")
ReportOption = Annotated[
    Path, typer.Option("--report", help="Where to write the HTML report of the demo.")
]


def demo(
    crown_jewel_file: CrownJewels = None,
    replace: Replace = False,
    report: ReportOption = DEMO_REPORT,
) -> None:
    """Start Neo4j if needed, load the demo organization, and summarize it: coverage per layer,
    the fixes that matter, the worst attack paths, where to look next; write the HTML report.

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
        f"{run.load.write.nodes} nodes, {run.load.write.relationships} relationships.\n",
        highlight=False,
    )
    with Graph(state.settings) as graph:
        write_report(graph, report, title="kg demo organization")
    show_summary(report=report)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
