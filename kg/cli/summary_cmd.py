"""`kg summary`: coverage, the fixes that matter and the worst paths, on one screen."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg import server
from kg.catalog import load_catalog
from kg.cli import state
from kg.cli.options import OutputOption
from kg.report.output import DocumentFormat, console, print_json, written_to
from kg.report.summary import build_summary, summary_document, summary_text


def show_summary(output: DocumentFormat = DocumentFormat.table, report: Path | None = None) -> None:
    """Print the summary of the loaded graph (what `kg summary` and `kg demo` show; `report`:
    the HTML report just written, named instead of the command that writes one)."""
    with state.connect(for_queries=True) as graph:
        found = build_summary(graph, load_catalog())
    if output == DocumentFormat.json:
        print_json(summary_document(found))
        return
    text = summary_text(found, console.width, server.browser_url(state.settings), report)
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def summary(
    output: Annotated[DocumentFormat, typer.Option("--format")] = DocumentFormat.table,
    out_file: OutputOption = None,
) -> None:
    """The loaded organization on one screen: controls in place per layer, the fixes that cut
    crown jewels off (each verified), the worst attack paths, and where to look next.

    Example: kg summary --format json -o summary.json
    """
    with written_to(out_file):
        show_summary(output)


def register(app: typer.Typer) -> None:
    app.command("summary")(summary)
