"""`kg paths` and `kg chokepoints`: attack paths to what matters, and the fixes that cut most."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kg.analysis import names, paths
from kg.cli import state
from kg.report.output import Format, print_json, to_json
from kg.report.paths_html import paths_html
from kg.report.rows import render_rows

FromOption = Annotated[
    str,
    typer.Option(
        "--from",
        help="internet, external (accounts outside, their users and roles), an account (id, "
        "root ARN or name: any of its users and roles), or an ARN, user, role or resource name; "
        "each also starts from everyone. A name not in the graph exits 2.",
    ),
]
ToOption = Annotated[
    str,
    typer.Option(
        "--to",
        help="crown-jewels, admin, an account (id, root ARN or name: anything of it), or an ARN, "
        "user, role or resource name. A name not in the graph exits 2.",
    ),
]
MaxHopsOption = Annotated[
    int, typer.Option("--max-hops", help=f"Longest path searched (1-{paths.MAX_HOPS_LIMIT}).")
]
FormatOption = Annotated[Format, typer.Option("--format")]


def _find(source: str, target: str, max_hops: int) -> tuple[str, list[paths.AttackPath]]:
    """The paths between the named ends, and the question in words for titles."""
    paths.check_max_hops(max_hops)
    with state.connect(for_queries=True) as graph:
        start = names.resolve(graph, "--from", source, paths.SOURCES)
        end = names.resolve(graph, "--to", target, paths.TARGETS)
        return f"from {start} to {end}", paths.find_paths(graph, start.key, end.key, max_hops)


def hop_rows(found: list[paths.AttackPath]) -> list[dict[str, Any]]:
    """One row per hop, numbered by path, for the table, CSV and Markdown views."""
    return [
        {
            "path": number,
            "target": path.target,
            "layers": path.score,
            "hop": index,
            "relation": hop.relation,
            "layer": hop.layer,
            "explanation": hop.explanation,
            "controls": "; ".join(hop.controls),
            "missing_controls": "; ".join(m.summary() for m in hop.missing_controls),
        }
        for number, path in enumerate(found, start=1)
        for index, hop in enumerate(path.hops, start=1)
    ]


def paths_command(
    source: FromOption = "internet",
    target: ToOption = "crown-jewels",
    max_hops: MaxHopsOption = 6,
    output: FormatOption = Format.table,
    out_file: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (html, json).")
    ] = None,
) -> None:
    """The shortest attack paths, worst first (fewest defensive layers, most valuable target).

    Example: kg paths --from internet --to crown-jewels --format html -o paths.html

    Example: kg paths --from 999988887777 --to data-prod (an account outside, one inside)
    """
    question, found = _find(source, target, max_hops)
    document = paths.paths_document(found)
    if output == Format.html:
        text = paths_html(document, title=f"Attack paths {question}")
    elif output == Format.json and out_file is not None:
        text = to_json(document)
    elif output == Format.json:
        print_json(document)
        return
    else:
        render_rows(hop_rows(found), output, title=f"Attack paths {question}")
        return
    if out_file is None:
        typer.echo(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out_file}", err=True)


def chokepoints_command(
    source: FromOption = "internet",
    target: ToOption = "crown-jewels",
    max_hops: MaxHopsOption = 6,
    output: FormatOption = Format.table,
) -> None:
    """The hops whose removal breaks the most attack paths: the single fixes that matter most.

    Example: kg chokepoints --to admin --format json
    """
    question, found = _find(source, target, max_hops)
    points = paths.chokepoints(found)
    if output == Format.json:
        print_json(paths.chokepoints_document(points))
        return
    rows = [
        {
            "breaks": f"{c.paths_broken}/{c.paths_total}",
            "relation": c.hop.relation,
            "layer": c.hop.layer,
            "from": c.hop.source,
            "to": c.hop.target,
            "explanation": c.hop.explanation,
        }
        for c in points
    ]
    render_rows(rows, output, title=f"Chokepoints on paths {question}")


def register(app: typer.Typer) -> None:
    app.command("paths")(paths_command)
    app.command("chokepoints")(chokepoints_command)
