"""`kg status`: is Neo4j reachable, which version, and what the graph holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kg.cli import state
from kg.cli.options import OutputOption
from kg.graph.ddl import graph_counts
from kg.graph.lock import holders
from kg.graph.pending import pending_writes
from kg.model import load_schema
from kg.report.output import DocumentFormat, console, error_console, print_json, written_to


def status(
    output: Annotated[DocumentFormat, typer.Option("--format")] = DocumentFormat.table,
    out_file: OutputOption = None,
) -> None:
    """Check the connection, count nodes by label and relationships by type, name the kg process
    writing to the graph (if one is), and any write that left the graph part-way.

    Example: kg status --format json
    """
    with state.connect() as graph:
        server = graph.verify()
        counts = graph_counts(graph, load_schema())
        incomplete = pending_writes(graph)
        writers = holders(graph)
    with written_to(out_file):
        if output == DocumentFormat.json:
            print_json(
                {
                    "uri": state.settings.uri,
                    "server": server,
                    **counts,
                    "pending_writes": [write.__dict__ for write in incomplete],
                    "writers": [writer.__dict__ for writer in writers],
                }
            )
            return
        console.print(
            f"Connected to Neo4j {server.get('version')} ({server.get('edition')}) at "
            f"{state.settings.uri}"
        )
        for writer in writers:
            error_console.print(f"Writing now: {writer.describe()}")
        for write in incomplete:
            error_console.print(
                f"[yellow]Incomplete (queries refuse until it finishes): {write.describe()}"
            )
        table = Table("kind", "name", "count")
        for label, count in counts["nodes"].items():
            table.add_row("node", label, str(count))
        for rel_type, count in counts["relationships"].items():
            table.add_row("relationship", rel_type, str(count))
        if table.row_count:
            console.print(table)
        else:
            console.print("The graph is empty. Load a snapshot with `kg load` or try `kg demo`.")


def register(app: typer.Typer) -> None:
    app.command("status")(status)
