"""`kg query`: run a named query from queries/ (the same text you paste into Neo4j Browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg import queries
from kg.cli import state
from kg.cli.options import FormatOption, OutputOption
from kg.errors import ConfigError
from kg.report.output import RowFormat, console, print_json, written_to
from kg.report.rows import render_rows


def _params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"--param {pair!r} is not NAME=VALUE")
        params[name.strip()] = value
    return params


def query(
    name: Annotated[str | None, typer.Argument(help="Query name (see --list).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE, repeatable.")
    ] = None,
    show: Annotated[bool, typer.Option("--show", help="Print the Cypher, do not run it.")] = False,
    list_all: Annotated[bool, typer.Option("--list", help="List the query library.")] = False,
    docs: Annotated[
        bool, typer.Option("--docs", help="Print the library as Markdown (docs/queries.md).")
    ] = False,
    browser_docs: Annotated[
        bool,
        typer.Option(
            "--browser-docs", help="Print the Neo4j Browser guide as Markdown (docs/browser.md)."
        ),
    ] = False,
    favorites: Annotated[
        Path | None,
        typer.Option(
            "--browser-favorites",
            help="Write the library as a zip of Neo4j Browser favorites "
            "(docs/browser/kg-favorites.zip).",
        ),
    ] = None,
    output: FormatOption = RowFormat.table,
    out_file: OutputOption = None,
) -> None:
    """Run a named Cypher query in a read transaction.

    Example: kg query coverage-matrix -p by=capability --format csv
    """
    with written_to(out_file):
        if browser_docs:
            typer.echo(queries.browser_markdown(), nl=False)
            return
        if favorites is not None:
            favorites.write_bytes(queries.favorites_zip())
            console.print(f"Wrote {len(queries.library())} favorites to {favorites}")
            return
        _query(name, param or [], show, list_all, docs, output)


def _query(
    name: str | None, param: list[str], show: bool, list_all: bool, docs: bool, output: RowFormat
) -> None:
    if docs:
        typer.echo(queries.library_markdown(), nl=False)
        return
    if list_all or name is None:
        entries = [
            {"name": q.name, "layer": q.layer, "title": q.title, "params": sorted(q.params)}
            for q in queries.library().values()
        ]
        render_rows(entries, output, title="Query library")
        return
    named = queries.get(name)
    if show:
        if output == RowFormat.json:
            print_json({"name": named.name, "cypher": named.cypher, "params": named.params})
        else:
            console.print(named.cypher, markup=False, highlight=False)
        return
    with state.connect(for_queries=True) as graph:
        rows = queries.run(graph, name, **_params(param))
    render_rows(rows, output, title=named.title)


def register(app: typer.Typer) -> None:
    app.command("query")(query)
