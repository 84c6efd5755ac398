"""`kg coverage`: which defensive controls are in force at each layer, where, and where not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer

from kg.analysis import names
from kg.analysis.coverage.report import (
    cell_text,
    check_region,
    coverage_matrix,
    coverage_rows,
    matrix_tally,
    report,
    tally,
)
from kg.analysis.coverage.verdicts import STATUSES
from kg.catalog import Catalog, load_catalog
from kg.cli import state
from kg.cli.options import OutputOption, print_findings
from kg.errors import ConfigError
from kg.graph.driver import Graph
from kg.report.findings import coverage_findings
from kg.report.output import (
    FINDING_FORMATS,
    FindingFormat,
    RowFormat,
    console,
    error_console,
    print_json,
    written_to,
)
from kg.report.rows import render_rows

_BY = ("layer", "capability")
Filters = dict[str, str | None]
_DETAIL_COLUMNS = [
    "layer",
    "control_id",
    "title",
    "region",
    "status",
    "scope",
    "evidence",
    "remediation",
]


def _coloured(counts: Mapping[str, Any]) -> str:
    text = cell_text(counts)
    share = counts["in_place_percent"]
    if share is None:
        return text
    colour = "green" if share >= 80 else "yellow" if share >= 50 else "red"
    return f"[{colour}]{text}[/{colour}]"


def _check_choice(name: str, value: str | None, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise ConfigError(f"--{name} {value!r} is not one of: {', '.join(allowed)}")


def _columns(catalog: Catalog, by: str) -> list[str]:
    if by == "layer":
        return [layer.id for layer in catalog.layers]
    return [capability.id for capability in catalog.capabilities]


def _show_matrix(
    graph: Graph, catalog: Catalog, by: str, filters: Filters, output: str
) -> dict[str, Any]:
    """The organization tree against the layers or capabilities; the tally over all of it."""
    entries = coverage_matrix(graph, _columns(catalog, by), by, **filters)
    show = _coloured if output == RowFormat.table else cell_text
    lines = [{**who, **{c: show(t) for c, t in cells.items()}} for who, cells in entries]
    render_rows(lines, output, title=f"Controls in place by {by}")
    return matrix_tally(entries)


def _show_rows(
    graph: Graph, catalog: Catalog, account: str | None, filters: Filters, output: str
) -> dict[str, Any]:
    """Every verdict as JSON, the gaps among them as findings (SARIF, OCSF), or one account's
    by layer; the tally over them."""
    account_id = names.resolve_key(graph, "--account", account, names.ACCOUNTS)
    rows = coverage_rows(graph, account_id, **filters)
    if account is not None and not rows:
        raise ConfigError(f"--account {account!r}: no coverage for that account")
    if output == RowFormat.json:
        print_json(report(rows, catalog))
    elif output in FINDING_FORMATS:
        print_findings(coverage_findings(rows), output)
    else:
        _show_account(rows, catalog, output)
    return tally(rows)


def _show_account(rows: list[dict[str, Any]], catalog: Catalog, output: str) -> None:
    order = {layer.id: layer.order for layer in catalog.layers}
    ordered = sorted(rows, key=lambda row: (order[row["layer"]], row["control_id"]))
    if output != RowFormat.table:
        render_rows(ordered, output, columns=_DETAIL_COLUMNS)
        return
    for layer in catalog.layers:
        own = [row for row in ordered if row["layer"] == layer.id]
        if own:
            title = f"{layer.title}: {cell_text(tally(own))}"
            render_rows(own, output, title=title, columns=_DETAIL_COLUMNS[1:])


def coverage(
    by: Annotated[str, typer.Option("--by", help="Matrix columns: layer or capability.")] = "layer",
    account: Annotated[
        str | None,
        typer.Option("--account", help="One account's controls (id, root ARN or name)."),
    ] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="Only this layer.")] = None,
    capability: Annotated[
        str | None, typer.Option("--capability", help="Only this CAF capability.")
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Only this region ('global': non-regional).")
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", help="Exit 1 when the share in place is below PERCENT."),
    ] = None,
    output: Annotated[
        FindingFormat, typer.Option("--format", help="How to write the rows or gaps.")
    ] = FindingFormat.table,
    out_file: OutputOption = None,
) -> None:
    """Show control coverage: the organization tree against the six layers, or one account.
    An account or region that is not in the graph exits 2 with the closest names.
    SARIF and OCSF list the gaps: controls missing (high), partial (medium) or unknown (low).

    Example: kg coverage --account app-dev --status missing

    Example: kg coverage --format sarif -o coverage.sarif --fail-under 80
    """
    catalog = load_catalog()
    _check_choice("by", by, _BY)
    _check_choice("layer", layer, [item.id for item in catalog.layers])
    _check_choice("capability", capability, [item.id for item in catalog.capabilities])
    _check_choice("status", status, STATUSES)
    filters = {"layer": layer, "capability": capability, "status": status, "region": region}
    with written_to(out_file), state.connect(for_queries=True) as graph:
        if region is not None:
            check_region(graph, region)
        if output in (RowFormat.json, *FINDING_FORMATS) or account is not None:
            overall = _show_rows(graph, catalog, account, filters, output)
        else:
            overall = _show_matrix(graph, catalog, by, filters, output)
        if output == RowFormat.table and not overall["applicable"] + overall["not_applicable"]:
            console.print("No coverage yet: load a snapshot with `kg load`.")
    share = overall["in_place_percent"] or 0.0
    if fail_under is not None and share < fail_under:
        error_console.print(f"coverage {share:.1f}% is below --fail-under {fail_under:g}%")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("coverage")(coverage)
