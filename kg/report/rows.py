"""Render a list of uniform rows (dicts) as a table, JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import typer
from rich.table import Table

from kg.report.output import Format, console, print_json


def cell(value: Any) -> str:
    """One value as text: lists joined, maps as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    if hasattr(value, "iso_format"):
        return str(value.iso_format())
    return str(value)


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row))


def csv_text(rows: Sequence[dict[str, Any]], columns: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    cols = columns or _columns(rows)
    writer.writerow(cols)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in cols])
    return out.getvalue()


def markdown_text(rows: Sequence[dict[str, Any]], columns: list[str] | None = None) -> str:
    cols = columns or _columns(rows)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in rows:
        lines.append("| " + " | ".join(cell(row.get(c)).replace("|", "\\|") for c in cols) + " |")
    return "\n".join(lines) + "\n"


def render_rows(
    rows: Sequence[dict[str, Any]],
    output: str,  # a Format, RowFormat, PathsFormat or FindingFormat value
    title: str | None = None,
    columns: list[str] | None = None,
) -> None:
    if output == Format.json:
        print_json(list(rows))
    elif output == Format.csv:
        typer.echo(csv_text(rows, columns), nl=False)
    elif output == Format.markdown:
        typer.echo(markdown_text(rows, columns), nl=False)
    else:
        table = Table(*(columns or _columns(rows)), title=title)
        for row in rows:
            table.add_row(*(cell(row.get(c)) for c in (columns or _columns(rows))))
        console.print(table if rows else f"{title or 'Query'}: no rows.")
