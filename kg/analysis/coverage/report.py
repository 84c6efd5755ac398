"""Coverage for people and pipelines: the rows behind `kg coverage`, tallies and the matrix.

Rows come from queries/coverage-rows.cypher (the same query runs in Neo4j Browser); everything
here is plain Python over those rows, so every view and format adds up the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kg import queries
from kg.analysis.coverage.verdicts import IN_PLACE, MISSING, NOT_APPLICABLE, STATUSES, UNKNOWN
from kg.catalog import Catalog
from kg.graph.driver import Graph

Row = dict[str, Any]
# The row fields of the JSON output, in order (docs/coverage.md documents them).
ROW_FIELDS = (
    "target_kind",
    "account_id",
    "account_name",
    "ou_path",
    "region",
    "control_id",
    "title",
    "layer",
    "capability",
    "service",
    "status",
    "evidence",
    "reason",
    "remediation",
)


def coverage_rows(
    graph: Graph,
    account: str | None = None,
    layer: str | None = None,
    capability: str | None = None,
    status: str | None = None,
    region: str | None = None,
) -> list[Row]:
    """Every stored verdict matching the filters (None matches everything)."""
    return queries.run(
        graph,
        "coverage-rows",
        account=account,
        layer=layer,
        capability=capability,
        status=status,
        region=region,
    )


def tally(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts per status, how many were applicable, and the share of those in place (percent;
    None when nothing applied)."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row["status"]] += 1
    applicable = sum(counts.values()) - counts[NOT_APPLICABLE]
    share = round(100 * counts[IN_PLACE] / applicable, 1) if applicable else None
    return {**counts, "applicable": applicable, "in_place_percent": share}


def _grouped(rows: Sequence[Mapping[str, Any]], field: str, ids: Iterable[str]) -> dict[str, Any]:
    return {key: tally(row for row in rows if row[field] == key) for key in ids}


def summary(rows: Sequence[Mapping[str, Any]], catalog: Catalog) -> dict[str, Any]:
    """Overall, per layer and per capability tallies (every catalog layer and capability)."""
    return {
        "overall": tally(rows),
        "by_layer": _grouped(rows, "layer", (layer.id for layer in catalog.layers)),
        "by_capability": _grouped(rows, "capability", (c.id for c in catalog.capabilities)),
    }


def report(rows: Sequence[Mapping[str, Any]], catalog: Catalog) -> dict[str, Any]:
    """The JSON document of `kg coverage --format json`."""
    return {
        "rows": [{name: row.get(name) for name in ROW_FIELDS} for row in rows],
        "summary": summary(rows, catalog),
    }


def cell_text(counts: Mapping[str, Any]) -> str:
    """A tally as one matrix cell: the share in place, then the missing and unknown counts."""
    if not counts["applicable"]:
        return "-"
    text = f"{counts['in_place_percent']:.0f}%"
    gaps = [f"{counts[s]} {s}" for s in (MISSING, UNKNOWN) if counts[s]]
    return text + (f" ({', '.join(gaps)})" if gaps else "")


def matrix(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], by: str = "layer"
) -> list[tuple[Row, dict[str, dict[str, Any]]]]:
    """One entry per target (organization, OUs, then accounts, in the rows' order): who it is,
    and a tally per column id (layer or capability, as `by` says) plus "overall"."""
    targets: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        targets.setdefault((row["target_kind"], row["target_id"]), []).append(row)
    result = []
    for (kind, _), own in targets.items():
        first = own[0]
        if kind == "account":
            name = first["account_name"] or first["account_id"]
        else:
            name = str(first["ou_path"] or kind).rsplit("/", 1)[-1]
        who: Row = {"kind": kind, "name": name, "ou_path": first["ou_path"]}
        cells = {column: tally(row for row in own if row[by] == column) for column in columns}
        cells["overall"] = tally(own)
        result.append((who, cells))
    return result
