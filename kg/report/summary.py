"""The answer on one screen: coverage per layer, the fixes that matter, the worst paths, and
where to look next (`kg summary`, and what `kg demo` prints).

A summary must not say more than the detailed commands would: the fixes are `kg chokepoints`'
verified cuts, the paths `kg paths`' worst routes, the counts those of `kg coverage` and
`kg privesc`. It only chooses what to show first, and says how much more there is. Each start
(the internet, accounts outside the organization) is read and searched once, for its routes and
its cuts alike.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import queries
from kg.analysis import chokepoints, paths
from kg.analysis.coverage.report import cell_text, coverage_matrix, matrix_tally
from kg.analysis.route_graph import read_route_graph
from kg.catalog import Catalog
from kg.graph.driver import Graph
from kg.model import load_schema

STARTS = ("internet", "external")
TARGET = "crown-jewels"
MAX_HOPS = 6
WEAKEST_ACCOUNTS = 3
FIX_GROUPS = 3  # groups of fixes shown (a group: the alternatives that cut off the same targets)
FIXES_PER_GROUP = 3
PATHS_SHOWN = 1  # worst routes shown per start
WIDTH = 100  # the widest a summary line gets, whatever the terminal

_START_WORDS = {"internet": "the internet", "external": "accounts outside the organization"}


@dataclass(frozen=True)
class LayerCoverage:
    layer: str
    title: str
    tally: dict[str, Any]


@dataclass(frozen=True)
class Fix:
    """One verified cut: the change to apply, what it cuts off, the layer it restores."""

    change: tuple[str, ...]
    protects: tuple[str, ...]  # the targets it disconnects, by name
    layer: str
    missing_controls: tuple[str, ...]  # catalog controls missing on it (ids)
    routes_removed: int


@dataclass(frozen=True)
class StartSummary:
    """What one start reaches, the fixes that cut it off, and its worst routes."""

    start: str
    targets: int
    routes: int
    routes_exact: bool
    fixes: tuple[Fix, ...]
    worst: tuple[paths.AttackPath, ...]
    names: dict[str, str]  # the name of each node key the worst routes start or end at


@dataclass(frozen=True)
class Summary:
    accounts: int
    layers: tuple[LayerCoverage, ...]
    overall: dict[str, Any]
    weakest: tuple[tuple[str, dict[str, Any]], ...]  # (account name, its tally), worst first
    starts: tuple[StartSummary, ...]
    escalating_principals: int  # principals that can become admin-equivalent as deployed
    undecided_escalations: int  # latent, conditional or unknown techniques (kg privesc --latent)


def build_summary(graph: Graph, catalog: Catalog) -> Summary:
    layer_ids = [layer.id for layer in catalog.layers]
    entries = coverage_matrix(graph, layer_ids, "layer")
    accounts = [
        (who["name"], cells["overall"]) for who, cells in entries if who["kind"] == "account"
    ]
    weakest = sorted(
        (entry for entry in accounts if entry[1]["in_place_percent"] is not None),
        key=lambda entry: (entry[1]["in_place_percent"], entry[0]),
    )[:WEAKEST_ACCOUNTS]
    layers = tuple(
        LayerCoverage(layer.id, layer.title, matrix_tally(entries, layer.id))
        for layer in catalog.layers
    )
    escalations = queries.run(graph, "privesc", principal=None, account=None)
    undecided = queries.run(graph, "privesc-latent", principal=None, account=None)
    return Summary(
        accounts=len(accounts),
        layers=layers,
        overall=matrix_tally(entries),
        weakest=tuple(weakest),
        starts=tuple(_start_summary(graph, start) for start in STARTS),
        escalating_principals=len({row["principal"] for row in escalations}),
        undecided_escalations=len(undecided),
    )


def _start_summary(graph: Graph, start: str) -> StartSummary:
    route_graph = read_route_graph(graph, start, TARGET)
    found = paths.search(route_graph, MAX_HOPS, per_target=1)
    name_of = {node.key: node.name for node in route_graph.nodes}
    label_of = {node.key: node.label for node in route_graph.nodes}
    node_layers = {label: node.layer for label, node in load_schema().nodes.items()}
    fixes = tuple(
        Fix(
            change=point.fix,
            protects=tuple(name_of.get(key, key) for key in point.disconnected),
            layer=point.hop.layer if point.hop else node_layers.get(label_of[point.without], ""),
            missing_controls=tuple(dict.fromkeys(m.control_id for m in point.missing_controls)),
            routes_removed=point.routes_removed,
        )
        for point in chokepoints.chokepoints_of(graph, found)
    )
    counted = list(found.by_target.values())
    worst = tuple(paths.worst_routes(graph, found, PATHS_SHOWN))
    return StartSummary(
        start=start,
        targets=len(counted),
        routes=sum(len(each.counted) for each in counted),
        routes_exact=all(each.complete for each in counted),
        fixes=fixes,
        worst=worst,
        names={key: name_of[key] for path in worst for key in (path.source, path.target)},
    )


# An ARN in a sentence, up to the punctuation around it.
_ARN = re.compile(
    r"arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):[a-z0-9-]*:(?P<account>\d{12}|aws)?:"
    r"(?P<resource>[^\s,;()'\"]+)"
)
# Resource types whose name alone says what it is in a sentence (the role dev-bastion, the
# instance i-0abc); other types keep their type (key/1234abcd, policy/...).
_NAMED_TYPES = frozenset(
    {"role", "user", "group", "instance", "network-interface", "instance-profile", "function"}
)


def short_arns(text: str) -> str:
    """A sentence with its ARNs shortened to what a person calls them: the bucket, the role's
    name, the instance id, the account id for an account's root."""

    def short(match: re.Match[str]) -> str:
        resource = match["resource"]
        if match["service"] == "s3":
            return resource
        if resource == "root":
            return match["account"] or resource
        kind, _, rest = resource.partition("/")
        return rest if rest and kind in _NAMED_TYPES else resource

    return _ARN.sub(short, text)


def _wrapped(text: str, indent: str, hanging: str, width: int) -> list[str]:
    return textwrap.wrap(
        short_arns(text),
        width=width,
        initial_indent=indent,
        subsequent_indent=hanging,
        break_on_hyphens=False,
        break_long_words=True,
    )


def _names(items: Sequence[str], shown: int = 3) -> str:
    listed = ", ".join(short_arns(item) for item in items[:shown])
    more = len(items) - shown
    return listed + (f" and {more} more" if more > 0 else "")


def coverage_lines(summary: Summary) -> list[str]:
    width = max(len(layer.title) for layer in summary.layers) + 2
    lines = [
        f"  {layer.title:<{width}}{cell_text(layer.tally)}"
        for layer in summary.layers
        if layer.tally["applicable"]
    ]
    lines.append(f"  {'All layers':<{width}}{cell_text(summary.overall)}")
    if summary.weakest:
        weakest = ", ".join(f"{name} {t['in_place_percent']:.0f}%" for name, t in summary.weakest)
        lines.append(f"  Weakest accounts: {weakest}")
    return lines


def fix_groups(summary: Summary) -> list[tuple[str, tuple[str, ...], list[Fix]]]:
    """(start, targets cut off, the fixes that each cut them all off): each start's largest
    group, then the largest of the rest, FIX_GROUPS in all, in the order of the starts."""
    groups: list[tuple[str, tuple[str, ...], list[Fix]]] = []
    for start in summary.starts:
        by_targets: dict[tuple[str, ...], list[Fix]] = {}
        for fix in start.fixes:  # most targets disconnected first
            by_targets.setdefault(fix.protects, []).append(fix)
        groups += [(start.start, protects, fixes) for protects, fixes in by_targets.items()]
    firsts = {
        next(i for i, g in enumerate(groups) if g[0] == start.start)
        for start in summary.starts
        if start.fixes
    }
    ranked = sorted(range(len(groups)), key=lambda i: (i not in firsts, -len(groups[i][1]), i))
    chosen = set(ranked[:FIX_GROUPS])
    return [groups[i] for i in sorted(chosen)] + [
        group for i, group in enumerate(groups) if i not in chosen
    ]


def fix_lines(summary: Summary, width: int) -> list[str]:
    groups = fix_groups(summary)
    if not groups:
        return ["  None: nothing reaches a crown jewel from the internet or from outside."]
    lines: list[str] = []
    for start, protects, fixes in groups[:FIX_GROUPS]:
        one_of = "any one of these" if len(fixes) > 1 else "this"
        lines += _wrapped(
            f"Cut {_START_WORDS[start]} off from {_names(protects)}: {one_of}", "  ", "    ", width
        )
        for fix in fixes[:FIXES_PER_GROUP]:
            missing = fix.missing_controls[:3]
            told = f" (missing: {', '.join(missing)})" if missing else ""
            lines += _wrapped(f"- [{fix.layer}] {fix.change[0]}{told}", "    ", "      ", width)
    shown = sum(len(fixes[:FIXES_PER_GROUP]) for _, _, fixes in groups[:FIX_GROUPS])
    total = sum(len(fixes) for _, _, fixes in groups)
    if total > shown:
        lines.append(
            f"  ({total - shown} more verified fixes: kg chokepoints --from internet|external)"
        )
    return lines


def path_lines(path: paths.AttackPath, names: dict[str, str], width: int) -> list[str]:
    """A route as the README shows it: a header, then one numbered line per hop."""
    ends = f"{names.get(path.source, path.source)} -> {names.get(path.target, path.target)}"
    lines = _wrapped(
        f"{ends}  (layers on it: {', '.join(path.layers)})", "  path: ", "        ", width
    )
    for number, hop in enumerate(path.hops, start=1):
        lines += _wrapped(
            f"{number}. {hop.relation} [{hop.layer}] {hop.explanation}", "    ", "       ", width
        )
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def worst_path_lines(summary: Summary, width: int) -> list[str]:
    lines: list[str] = []
    for start in summary.starts:
        where = f"From {_START_WORDS[start.start]}"
        if not start.targets:
            lines.append(f"  {where}: no crown jewel reached.")
            continue
        routes = _count(start.routes, "route") + ("" if start.routes_exact else " or more")
        lines.append(
            f"  {where}: {_count(start.targets, 'crown jewel')} reached by {routes}; the worst:"
        )
        for path in start.worst:
            lines += path_lines(path, start.names, width)
    return lines


def next_lines(summary: Summary, browser_url: str | None, report: Path | None) -> list[str]:
    admins = _count(summary.escalating_principals, "principal")
    undecided = _count(summary.undecided_escalations, "technique")
    places = [
        (
            f"{report} (written now)" if report else "kg report -o report.html",
            "all of it in one page: the heatmap, the attack graph",
        ),
        ("kg coverage --account NAME", "one account's controls, with evidence"),
        ("kg paths, kg chokepoints", "every route and every verified cut"),
        ("kg privesc", f"{admins} can become admin, {undecided} undecided (--latent)"),
    ]
    if browser_url:
        places.append(("Neo4j Browser", f"{browser_url} (docs/browser.md)"))
    width = max(len(where) for where, _ in places)
    return [f"  {where:<{width}}  {what}" for where, what in places]


def summary_text(
    summary: Summary,
    width: int = WIDTH,
    browser_url: str | None = None,
    report: Path | None = None,
) -> str:
    """The summary as lines of at most `width` columns, top-down."""
    width = min(width, WIDTH)
    sections = [
        (f"Controls in place by layer ({summary.accounts} accounts)", coverage_lines(summary)),
        (
            "Top fixes, each verified: without it the start reaches none of them",
            fix_lines(summary, width),
        ),
        ("Worst attack paths (fewest layers of defense first)", worst_path_lines(summary, width)),
        ("Where to look next", next_lines(summary, browser_url, report)),
    ]
    lines: list[str] = []
    for title, body in sections:
        lines += [title, *body, ""]
    return "\n".join(fitted for line in lines[:-1] for fitted in _fit(line, width))


def _fit(line: str, width: int) -> list[str]:
    """A line as it is when it fits, else wrapped under its own indent (on narrow terminals)."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    return _wrapped(line.strip(), indent, indent + "    ", width)


def summary_document(summary: Summary) -> dict[str, Any]:
    """The stable JSON shape of `kg summary --format json` (docs/summary.md)."""
    return {
        "accounts": summary.accounts,
        "coverage": {
            "by_layer": {layer.layer: layer.tally for layer in summary.layers},
            "overall": summary.overall,
            "weakest_accounts": [{"account": name, **tally} for name, tally in summary.weakest],
        },
        "starts": [
            {
                "start": start.start,
                "targets_reached": start.targets,
                "routes": start.routes,
                "routes_exact": start.routes_exact,
                "fixes": [
                    {
                        "change": list(fix.change),
                        "protects": list(fix.protects),
                        "layer": fix.layer,
                        "missing_controls": list(fix.missing_controls),
                        "routes_removed": fix.routes_removed,
                    }
                    for fix in start.fixes
                ],
                "worst_paths": paths.paths_document(paths.Routes(list(start.worst), []))["paths"],
            }
            for start in summary.starts
        ],
        "privesc": {
            "escalating_principals": summary.escalating_principals,
            "undecided_techniques": summary.undecided_escalations,
        },
    }
