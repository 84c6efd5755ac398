"""`kg report`: one self-contained HTML page of the loaded organization."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.catalog import load_catalog
from kg.cli import state
from kg.cli.options import OutputOption
from kg.report.html import build_report, graph_library
from kg.report.output import written_to

TitleOption = Annotated[str, typer.Option("--title", help="The page's title.")]


def report(out_file: OutputOption = None, title: TitleOption = "") -> None:
    """One HTML page, self-contained and offline: the coverage heatmap (organization, OUs and
    accounts by layer or capability; each cell opens its controls with evidence), the attack
    graph (click a node or hop for why it holds and the controls missing on it), the routes
    from the internet and from outside, worst first, and the verified fixes.

    Example: kg report -o report.html
    """
    graph_library()  # fail before reading the graph when the page could not be written
    with state.connect(for_queries=True) as graph:
        page = build_report(graph, load_catalog(), title=title)
    with written_to(out_file):
        typer.echo(page)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
