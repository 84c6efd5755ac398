"""Coverage for people and pipelines: the rows behind `kg coverage`, tallies and the matrix.

Rows come from queries/coverage-rows.cypher and the matrix's counts from
queries/coverage-matrix.cypher (both run in Neo4j Browser); one tally turns status counts into
the share in place, so every view and format adds up the same way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kg import queries
from kg.analysis.coverage.verdicts import IN_PLACE, MISSING, NOT_APPLICABLE, STATUSES, UNKNOWN
from kg.analysis.names import closest
from kg.catalog import Catalog
from kg.errors import UnknownNameError
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
    "scope",
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


def check_region(graph: Graph, region: str) -> None:
    """A region the coverage has verdicts in ('global': non-regional controls), or
    UnknownNameError: a mistyped region would show no coverage at all."""
    rows = graph.read("MATCH ()-[c:HAS_COVERAGE]->() RETURN DISTINCT c.region AS region")
    known = sorted(row["region"] for row in rows)
    if region not in known:
        raise UnknownNameError(
            f"--region {region!r} is not in the graph (no verdicts there)", closest(region, known)
        )


def tally(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts per status, how many were applicable, and the share of those in place (percent;
    None when nothing applied)."""
    return tally_counts(Counter(row["status"] for row in rows))


def tally_counts(verdicts: Mapping[str, int]) -> dict[str, Any]:
    """`tally` from the number of verdicts of each status."""
    counts = {status: verdicts.get(status, 0) for status in STATUSES}
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


MatrixEntry = tuple[Row, dict[str, dict[str, Any]]]


def coverage_matrix(
    graph: Graph,
    columns: Sequence[str],
    by: str = "layer",
    account: str | None = None,
    layer: str | None = None,
    capability: str | None = None,
    status: str | None = None,
    region: str | None = None,
) -> list[MatrixEntry]:
    """One entry per target (organization, OUs, then accounts): who it is, and a tally per
    column id (layer or capability, as `by` says) plus "overall". Neo4j counts the verdicts
    (queries/coverage-matrix.cypher), so a thousand accounts' rows never leave the database."""
    found = queries.run(
        graph,
        "coverage-matrix",
        by=by,
        account=account,
        layer=layer,
        capability=capability,
        status=status,
        region=region,
    )
    entries = []
    for row in found:
        by_column: dict[str, Counter[str]] = defaultdict(Counter)
        for count in row["tallies"]:
            by_column[count["column"]][count["status"]] += count["verdicts"]
        cells = {column: tally_counts(by_column[column]) for column in columns}
        cells["overall"] = tally_counts(sum(by_column.values(), Counter()))
        entries.append((_who(row), cells))
    return entries


def _who(row: Mapping[str, Any]) -> Row:
    kind = row["target_kind"]
    if kind == "account":
        name = row["account_name"] or row["account_id"]
    else:
        name = str(row["ou_path"] or kind).rsplit("/", 1)[-1]
    return {"kind": kind, "name": name, "ou_path": row["ou_path"]}


def matrix_tally(entries: Iterable[MatrixEntry], column: str = "overall") -> dict[str, Any]:
    """The tally of one column (a layer, a capability, or "overall") over every target of the
    matrix."""
    verdicts: Counter[str] = Counter()
    for _, cells in entries:
        verdicts.update({status: cells[column][status] for status in STATUSES})
    return tally_counts(verdicts)
