"""`kg paths` and `kg chokepoints`: every route to what matters, and the fixes that cut them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kg.analysis import chokepoints, names, paths
from kg.cli import state
from kg.cli.options import FailOnOption, OutputOption, fail_on, print_findings
from kg.cli.options import FormatOption as RowFormatOption
from kg.report.findings import Finding, chokepoint_findings, path_findings
from kg.report.html import paths_page
from kg.report.output import FINDING_FORMATS, PathsFormat, RowFormat, print_json, written_to
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
FormatOption = Annotated[PathsFormat, typer.Option("--format")]
PerTargetOption = Annotated[
    int,
    typer.Option(
        "--per-target",
        help="Routes shown per target, worst first (at least one per entry point).",
    ),
]
WithoutOption = Annotated[
    list[str] | None,
    typer.Option(
        "--without",
        help="What if: a hop as `kg chokepoints` prints it ('<from> -[RELATION]-> <to>') or a "
        "node (ARN or name) taken away; repeatable. A name not in the graph exits 2.",
    ),
]


def _ends(graph: Any, source: str, target: str) -> tuple[names.Named, names.Named]:
    return (
        names.resolve(graph, "--from", source, paths.SOURCES),
        names.resolve(graph, "--to", target, paths.TARGETS),
    )


def hop_rows(found: list[paths.AttackPath]) -> list[dict[str, Any]]:
    """One row per hop, numbered by path, for the table, CSV and Markdown views."""
    return [
        {
            "path": number,
            "target": path.target,
            "entry": path.entry,
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


def target_rows(routes: paths.Routes) -> list[dict[str, Any]]:
    """One row per target: routes shown, and how many more there are."""
    return [
        {
            "target": each.target,
            "entry points": each.entries,
            "routes shown": each.shown,
            "more routes": f"{each.beyond}" if each.complete else f"at least {each.beyond}",
        }
        for each in routes.targets
    ]


def paths_command(
    source: FromOption = "internet",
    target: ToOption = "crown-jewels",
    max_hops: MaxHopsOption = 6,
    output: FormatOption = PathsFormat.table,
    out_file: OutputOption = None,
    per_target: PerTargetOption = paths.PER_TARGET,
    without: WithoutOption = None,
    threshold: FailOnOption = None,
) -> None:
    """Every route to what matters, worst first (fewest defensive layers, most valuable target),
    up to --per-target per target and one per entry point, with how many more there are.

    Example: kg paths --from internet --to crown-jewels --format html -o paths.html

    Example: kg paths --from 999988887777 --to data-prod (an account outside, one inside)

    Example: kg paths --without 'internet -[CAN_REACH]-> arn:aws:ec2:...:network-interface/eni-1'

    Example: kg paths --format sarif -o paths.sarif --fail-on high (exit 1 on a high route)
    """
    paths.check_max_hops(max_hops)
    paths.check_per_target(per_target)
    with state.connect(for_queries=True) as graph:
        start, end = _ends(graph, source, target)
        found = paths.find_paths(graph, start.key, end.key, max_hops, per_target, without or ())
    question = f"from {start} to {end}" + (f" without {', '.join(without)}" if without else "")
    document = paths.paths_document(found)
    findings = path_findings(found.paths)
    with written_to(out_file):
        _write_paths(found, start.key, document, output, question, findings)
    fail_on(findings, threshold)


def _write_paths(
    found: paths.Routes,
    start: str,
    document: dict[str, Any],
    output: PathsFormat,
    question: str,
    findings: list[Finding],
) -> None:
    if output == PathsFormat.html:
        typer.echo(paths_page(found, start, title=f"Attack paths {question}"))
    elif output == PathsFormat.json:
        print_json(document)
    elif output in FINDING_FORMATS:
        print_findings(findings, output)
    else:
        render_rows(hop_rows(found.paths), output, title=f"Attack paths {question}")
        if output == PathsFormat.csv:
            return  # one table per CSV: the counts are in the JSON
        render_rows(target_rows(found), output, title="Routes per target")
        if found.cut_off:
            cut_off = [{"target": key} for key in found.cut_off]
            render_rows(cut_off, output, title="No longer reachable")


def chokepoints_command(
    source: FromOption = "internet",
    target: ToOption = "crown-jewels",
    max_hops: MaxHopsOption = 6,
    output: RowFormatOption = RowFormat.table,
    out_file: OutputOption = None,
    threshold: FailOnOption = None,
) -> None:
    """The hops and nodes without which targets are unreachable, each verified by recomputing
    reachability without it, with the change that removes it.

    Example: kg chokepoints --to admin --format json

    Example: kg chokepoints --fail-on critical (exit 1 when one change would cut every route)
    """
    paths.check_max_hops(max_hops)
    with state.connect(for_queries=True) as graph:
        start, end = _ends(graph, source, target)
        points = chokepoints.find_chokepoints(graph, start.key, end.key, max_hops)
    if output == RowFormat.json:
        with written_to(out_file):
            print_json(chokepoints.chokepoints_document(points))
        fail_on(chokepoint_findings(points), threshold)
        return
    rows = [
        {
            "disconnects": len(p.disconnected),
            "routes removed": f"{p.routes_removed}/{p.routes_total}"
            + ("" if p.routes_exact else " (counted)"),
            "without": p.without,
            "fix": "; ".join(p.fix),
            "catalog controls": ", ".join(c.control_id for c in p.catalog_controls),
        }
        for p in points
    ]
    with written_to(out_file):
        render_rows(rows, output, title=f"Chokepoints from {start} to {end}")
    fail_on(chokepoint_findings(points), threshold)


def register(app: typer.Typer) -> None:
    app.command("paths")(paths_command)
    app.command("chokepoints")(chokepoints_command)
