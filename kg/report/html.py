"""One self-contained HTML report: coverage heatmap, the attack graph, its paths and their fixes.

`build_report(graph)` gathers what the other commands show (the coverage verdicts of
`kg coverage`, the routes of `kg paths` and the verified cuts of `kg chokepoints`, each start
read and searched once) and renders kg/report/templates/report.html.j2 with Jinja2. The page is
one file: the data is a JSON block, the graph-drawing library (cytoscape, installed from npm by
`make setup`) is inlined, nothing is fetched from anywhere, so it opens offline.

    from kg.report.html import write_report
    write_report(graph, Path("report.html"))   # what `kg report -o report.html` writes

`kg paths --format html` renders the same template with its routes only (`paths_page`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from kg.analysis import chokepoints, paths
from kg.analysis.coverage.report import coverage_rows, summary
from kg.analysis.hop_controls import MissingControl
from kg.analysis.route_graph import Node, read_route_graph
from kg.catalog import Catalog, load_catalog
from kg.errors import OutputError, ReportAssetError
from kg.graph.driver import Graph
from kg.model import load_schema
from kg.report.summary import short_arns

STARTS = ("internet", "external")
TARGET = "crown-jewels"
MAX_HOPS = 6
GRAPH_LIBRARY = "cytoscape.min.js"
TEMPLATE = "report.html.j2"
# A graph of more nodes is drawn a part at a time (the worst routes, then the routes clicked):
# a few hundred nodes in one breadth-first drawing are a tall column nobody can read.
DRAWN_NODES = 80
START_WORDS = {"internet": "the internet", "external": "accounts outside the organization"}
# One colour per layer of defense, the same in the heatmap's headers and the graph.
LAYER_COLOURS = {
    "organization": "#6a3d9a",
    "organizational_unit": "#1f78b4",
    "account": "#33a02c",
    "network": "#e6550d",
    "principals": "#d62728",
    "resources": "#8c6d31",
}
OTHER_COLOUR = "#7f7f7f"
# The fields of a coverage verdict the page shows when a cell is opened; what is the same for
# every verdict of a control (its title, layer, capability, remediation) is said once per control.
VERDICT_FIELDS = ("control_id", "region", "status", "scope", "evidence")
CONTROL_FIELDS = ("title", "layer", "capability", "remediation")


@dataclass(frozen=True)
class StartFindings:
    """What one start reaches: its routes (with the nodes they name) and its verified cuts."""

    start: str
    routes: paths.Routes
    cuts: tuple[chokepoints.Chokepoint, ...] = ()


def graph_library() -> str:
    """The graph-drawing library's minified build, to inline; missing: say how to build it."""
    asset = resources.files("kg.report").joinpath("assets", GRAPH_LIBRARY)
    try:
        text = asset.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        raise ReportAssetError(
            f"the report's graph library ({GRAPH_LIBRARY}) is not built: run `make setup` "
            "(npm ci in web/, then copied into kg/report/assets/)"
        ) from None
    # Inlined in a <script>, the text must not close it; inside a JS string or regex "<\/" is
    # the same as "</".
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(data: Mapping[str, Any], title: str, drawn_nodes: int = DRAWN_NODES) -> str:
    """The page for `data` (the shape `report_data` returns, coverage optional). The data goes
    in a JSON block escaped by Jinja2's tojson (no value can end the script), every text on
    the page is escaped, and the library is inlined. A graph of more than `drawn_nodes` nodes
    is drawn a part at a time."""
    template = _environment().get_template(TEMPLATE)
    return template.render(
        title=title, data=data, library=graph_library(), drawn_nodes=int(drawn_nodes)
    )


def build_report(graph: Graph, catalog: Catalog | None = None, title: str = "") -> str:
    """The whole report of the loaded graph, as one HTML page."""
    catalog = catalog or load_catalog()
    data = report_data(graph, catalog)
    return render(data, title or "Defense in depth report")


def write_report(graph: Graph, path: Path, title: str = "") -> Path:
    """Write the report to `path`, replacing it only once it is complete (what `kg report -o`
    and `kg demo` write); the path written."""
    page = build_report(graph, title=title)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def report_data(
    graph: Graph,
    catalog: Catalog,
    starts: Sequence[str] = STARTS,
    target: str = TARGET,
    max_hops: int = MAX_HOPS,
) -> dict[str, Any]:
    """Everything the page shows: the coverage of every target by layer and capability with its
    verdicts, and per start its routes to the targets and the verified cuts."""
    findings = [find_start(graph, start, target, max_hops) for start in starts]
    coverage = coverage_data(coverage_rows(graph), catalog)
    accounts = {
        each["id"]: each["name"] for each in coverage["targets"] if each["kind"] == "account"
    }
    return {**catalog_data(catalog), "coverage": coverage, **attack_data(findings, accounts)}


def find_start(graph: Graph, start: str, target: str, max_hops: int) -> StartFindings:
    """One start's routes and cuts, from one read and one search (as `kg summary` does)."""
    found = paths.search(read_route_graph(graph, start, target), max_hops)
    return StartFindings(
        start, paths.routes_of(graph, found), tuple(chokepoints.chokepoints_of(graph, found))
    )


def catalog_data(catalog: Catalog) -> dict[str, Any]:
    """The layers (with their colours) and capabilities, in the catalog's order."""
    return {
        "layers": [
            {"id": layer.id, "title": layer.title, "colour": LAYER_COLOURS.get(layer.id, "")}
            for layer in sorted(catalog.layers, key=lambda layer: layer.order)
        ],
        "capabilities": [{"id": c.id, "title": c.title} for c in catalog.capabilities],
        "other_colour": OTHER_COLOUR,
    }


def coverage_data(rows: Sequence[Mapping[str, Any]], catalog: Catalog) -> dict[str, Any]:
    """The heatmap: one entry per target (the organization, each OU followed by its accounts and
    then its child OUs) with
    a tally per layer, per capability and overall; its verdicts to open in a cell; and each
    control's title, layer, capability and remediation, once."""
    by_target: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_target.setdefault(str(row["target_id"]), []).append(row)
    targets = []
    for target_id, own in by_target.items():
        first = own[0]
        targets.append(
            {
                "id": target_id,
                "kind": first["target_kind"],
                "name": _target_name(first),
                "ou_path": first["ou_path"],
                **summary(own, catalog),  # by_layer, by_capability, overall
            }
        )
    return {
        "targets": sorted(targets, key=_tree_order),
        "verdicts": {
            target_id: [{name: row.get(name) for name in VERDICT_FIELDS} for row in own]
            for target_id, own in by_target.items()
        },
        "controls": {
            row["control_id"]: {name: row.get(name) for name in CONTROL_FIELDS} for row in rows
        },
    }


def _tree_order(target: Mapping[str, Any]) -> tuple[tuple[str, ...], int, str]:
    """The organization, then each OU followed by its own accounts and then its child OUs."""
    if target["kind"] == "organization":
        return ((), 0, "")
    path = tuple(str(target["ou_path"] or "").split("/"))
    return (path, 0, "") if target["kind"] == "organizational_unit" else (path, 1, target["name"])


def _target_name(row: Mapping[str, Any]) -> str:
    if row["target_kind"] == "account":
        return str(row["account_name"] or row["account_id"])
    if row["target_kind"] == "organization":
        return "Organization"
    return str(row["ou_path"] or row["target_id"]).rsplit("/", 1)[-1]


def display_name(node: Node | None, key: str) -> str:
    """What a person calls a node: its name, or its ARN shortened to the resource's id (an
    interface's eni-..., a bucket) where it has no name of its own."""
    name = node.name if node is not None else key
    return short_arns(name) if name.startswith("arn:") else name


def attack_data(
    findings: Sequence[StartFindings], account_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The graph (every node and hop on a route shown, once), the routes by start as hop ids,
    the routes per target, and the verified fixes; every node by name, coloured by layer, and
    accounts by name where `account_names` (id to name) knows them."""
    accounts = account_names or {}
    node_layer = {label: node.layer for label, node in load_schema().nodes.items()}
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    routes: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    fixes: list[dict[str, Any]] = []

    def node(key: str, known: Mapping[str, Node]) -> str:
        if key not in nodes:
            found = known.get(key)
            label = found.label if found else ""
            nodes[key] = {
                "id": key,
                "name": display_name(found, key),
                "kind": label,
                "layer": node_layer.get(label, ""),
                "account_id": found.account_id if found else None,
                "account": _account(found.account_id if found else None, accounts),
                "target_reason": paths.target_reason(found) if found else "",
                "start": False,
            }
        return key

    def name(key: str, known: Mapping[str, Node]) -> str:
        return display_name(known.get(key), key)

    for finding in findings:
        known = finding.routes.nodes
        for number, path in enumerate(finding.routes.paths, start=1):
            hop_ids = []
            for hop in path.hops:
                if hop.key not in edges:
                    edges[hop.key] = {
                        "id": f"hop{len(edges)}",
                        "source": node(hop.source, known),
                        "target": node(hop.target, known),
                        "relation": hop.relation,
                        "layer": hop.layer,
                        "explanation": hop.explanation,
                        "controls": list(hop.controls),
                        "missing_controls": [
                            {**paths.missing_document(m), "summary": _missing(m, accounts)}
                            for m in hop.missing_controls
                        ],
                    }
                hop_ids.append(edges[hop.key]["id"])
            nodes[path.source]["start"] = True
            routes.append(
                {
                    "start": finding.start,
                    "number": number,
                    "source": name(path.source, known),
                    "entry": name(path.entry, known) if path.entry else "",
                    "target": name(path.target, known),
                    "target_reason": path.target_reason,
                    "score": path.score,
                    "layers": list(path.layers),
                    "hops": hop_ids,
                    "nodes": [path.source, *(hop.target for hop in path.hops)],
                }
            )
        targets += [
            {
                "start": finding.start,
                "target": name(each.target, known),
                "target_reason": each.target_reason,
                "entry_points": each.entries,
                "routes_shown": each.shown,
                "routes_total": each.total,
                "total_is_exact": each.complete,
            }
            for each in finding.routes.targets
        ]
        fixes += [_fix(finding.start, cut, known, node_layer) for cut in finding.cuts]
    return {
        "starts": [{"id": f.start, "words": START_WORDS.get(f.start, f.start)} for f in findings],
        "graph": {"nodes": list(nodes.values()), "edges": list(edges.values())},
        "routes": routes,
        "targets": targets,
        "fixes": fixes,
        "without": [text for f in findings for text in f.routes.without],
        "cut_off": [name(key, f.routes.nodes) for f in findings for key in f.routes.cut_off],
    }


def _account(account_id: str | None, names: Mapping[str, str]) -> str:
    """An account as the page names it: 'app-dev (111122223333)', or its id alone."""
    if not account_id:
        return ""
    name = names.get(account_id)
    return f"{name} ({account_id})" if name and name != account_id else account_id


def _missing(missing: MissingControl, accounts: Mapping[str, str]) -> str:
    """A missing control in one line, its account by name: 'NET-EC2-IMDSV2 (IMDSv2 required)
    missing in app-dev us-east-1'."""
    where = f"{accounts.get(missing.account_id, missing.account_id)} {', '.join(missing.regions)}"
    return f"{missing.control_id} ({missing.title}) {missing.status} in {where.strip()}"


def _fix(
    start: str,
    cut: chokepoints.Chokepoint,
    known: Mapping[str, Node],
    node_layer: Mapping[str, str],
) -> dict[str, Any]:
    """A verified cut as the page lists it: the change in words with ARNs shortened."""
    if cut.hop is not None:
        layer = cut.hop.layer
    else:
        found = known.get(cut.without)
        layer = node_layer.get(found.label, "") if found else ""
    return {
        "start": start,
        "change": [short_arns(line) for line in cut.fix],
        "protects": [display_name(known.get(key), key) for key in cut.disconnected],
        "layer": layer,
        "missing_controls": list(dict.fromkeys(m.control_id for m in cut.missing_controls)),
        "routes_removed": cut.routes_removed,
        "routes_total": cut.routes_total,
        "without": cut.without,
    }


def paths_page(routes: paths.Routes, start: str, title: str, drawn_nodes: int = DRAWN_NODES) -> str:
    """`kg paths --format html`: the report's graph and routes for one question's routes."""
    findings = [StartFindings(start, routes)]
    data = {**catalog_data(load_catalog()), "coverage": None, **attack_data(findings)}
    return render(data, title, drawn_nodes)
