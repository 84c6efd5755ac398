"""Attack paths: every way an attacker gets from where they start to what matters, ranked.

A path joins the derived facts of the other analyses: network reach (CAN_REACH; DELIVERS_TO from
an interface to the instance it belongs to, SENDS_THROUGH from an instance to its interfaces),
workload identity (RUNS_AS), role assumption (CAN_ASSUME), privilege escalation (CAN_ESCALATE_TO)
and effective access (CAN_ACCESS), every hop walked forward.

One shortest path per target hides the others: a second public server leading to the same
bucket would go unseen. So for each target kg lists its distinct routes (simple paths from a
start, within --max-hops), worst first, up to --per-target, and always the worst route of each
entry point (each exposed interface or load balancer, each outside account or principal, each
principal of a start account); it says how many routes it did not show. Routes are searched in
the graph the start reaches, read once (kg.analysis.route_graph); `kg paths --without` asks the
same question with hops or nodes taken away.

Routes rank worst first: fewer distinct defensive layers on the way, then a more valuable target,
then fewer hops. Each hop carries the controls evaluated on it and the catalog controls that
could have stopped it but are missing where it runs (kg.analysis.hop_controls).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from typing import Any

from kg.analysis import names
from kg.analysis.hop_controls import MissingControl, MissingControls, read_nodes
from kg.analysis.route_graph import (
    RELATIONS,
    SEARCH_LIMIT,
    Node,
    RouteGraph,
    Without,
    read_route_graph,
)
from kg.analysis.route_graph import Hop as HopKey
from kg.errors import ConfigError, UnknownNameError
from kg.graph.driver import Graph
from kg.model import load_schema

MAX_HOPS_LIMIT = SEARCH_LIMIT
PER_TARGET = 5  # routes shown per target by default (more where there are more entry points)
ROUTES_COUNTED = 200  # routes counted per target; beyond, the count says "at least"
SOURCE_KINDS = ("internet", "external")
TARGET_KINDS = ("crown-jewels", "admin")
# An account as a start stands for the credentials of any of its users and roles, and as an
# end for anything of it a path reaches (docs/paths.md); any other node is named by its ARN, and
# users, roles, groups and resources by their names too. A bucket's object is its bucket.
SOURCES = names.Accepts(
    "internet, external, an account, or a node",
    keywords=SOURCE_KINDS,
    accounts="any",
    by_arn=names.ARN_LABELS,
    by_name=names.NAMED_LABELS,
)
TARGETS = names.Accepts(
    "crown-jewels, admin, an account, or a node",
    keywords=TARGET_KINDS,
    accounts="any",
    by_arn=names.ARN_LABELS,
    by_name=names.NAMED_LABELS,
    sub_resources=True,
)


# What `--without` takes: the nodes --from and --to name (internet and everyone too); a hop is
# written as `kg chokepoints` prints it, "<from> -[RELATION]-> <to>".
WITHOUT = names.Accepts(
    "a hop ('<from> -[RELATION]-> <to>') or a node",
    keywords=("internet", "everyone"),
    accounts="any",
    by_arn=names.ARN_LABELS,
    by_name=names.NAMED_LABELS,
)
_HOP_TEXT = re.compile(r"(?P<source>\S+)\s+-\[(?P<relation>[A-Z_]+)\]->\s+(?P<target>\S+)")


@dataclass(frozen=True)
class Hop:
    """One step of a path: `source` -[relation]-> `target`, why it holds, what was evaluated."""

    source: str
    target: str
    relation: str
    layer: str
    explanation: str
    controls: tuple[str, ...] = ()
    missing_controls: tuple[MissingControl, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.relation, self.target)

    @property
    def text(self) -> str:
        """How `--without` names the hop."""
        return hop_text(self.source, self.relation, self.target)


def hop_text(source: str, relation: str, target: str) -> str:
    return f"{source} -[{relation}]-> {target}"


@dataclass(frozen=True)
class AttackPath:
    source: str
    target: str
    target_reason: str
    target_value: int
    hops: tuple[Hop, ...]
    entry: str = ""  # the exposed interface or load balancer, or the start

    @property
    def layers(self) -> tuple[str, ...]:
        """The distinct defensive layers the path crosses (each could have stopped it)."""
        return tuple(sorted({hop.layer for hop in self.hops}))

    @property
    def score(self) -> int:
        """How many layers of defense stand on the path: lower is worse."""
        return len(self.layers)

    def rank_key(self) -> tuple[int, int, int, str]:
        return worst_first(self.score, self.target_value, len(self.hops), self.target)


def worst_first(layers: int, value: int, hops: int, target: str) -> tuple[int, int, int, str]:
    """How routes rank, worst first: fewest layers of defense, most valuable target, fewest
    hops (a route in words and a route not yet put in words rank alike)."""
    return (layers, -value, hops, target)


@dataclass(frozen=True)
class TargetRoutes:
    """How many routes reach one target, and how many of them are shown."""

    target: str
    target_reason: str
    shown: int
    total: int
    complete: bool  # False: counting stopped at ROUTES_COUNTED, so `total` is a lower bound
    entries: int

    @property
    def beyond(self) -> int:
        return self.total - self.shown


@dataclass(frozen=True)
class Routes:
    """The answer of `kg paths`: the routes shown, worst first, and the count per target."""

    paths: list[AttackPath]
    targets: list[TargetRoutes]
    without: tuple[str, ...] = ()
    cut_off: tuple[str, ...] = ()  # targets reached without `without`, unreachable with it
    # The nodes the routes cross and the targets counted, by key: their names and kinds, for
    # pages that show names rather than ARNs (kg.report.html).
    nodes: dict[str, Node] = field(default_factory=dict)


@dataclass
class TargetSearch:
    """The routes to one target, by node index: every one counted, and the ones to show."""

    target: int
    counted: list[tuple[HopKey, ...]]
    complete: bool
    shown: list[tuple[HopKey, ...]]
    entries: int


@dataclass
class Search:
    """One question's routes, before they are put in words."""

    graph: RouteGraph
    by_target: dict[int, TargetSearch] = field(default_factory=dict)


def rank(paths: Iterable[AttackPath]) -> list[AttackPath]:
    return sorted(paths, key=AttackPath.rank_key)


def search(route_graph: RouteGraph, max_hops: int, per_target: int = PER_TARGET) -> Search:
    """Every target the starts reach within max_hops, with its routes counted and chosen."""
    found = Search(route_graph)
    order = _route_rank(route_graph)
    from_starts = route_graph.distances_from_starts()
    for target in route_graph.targets:
        if from_starts.get(target, max_hops + 1) > max_hops:
            continue
        to_target = route_graph.distances_to(target, max_hops, from_starts)
        counted, complete = route_graph.routes(target, max_hops, to_target, ROUTES_COUNTED)
        ranks = {route: order(route) for route in counted}
        worst = _worst_by_entry(route_graph, target, max_hops, to_target, ranks, order)
        ranked = sorted(ranks, key=ranks.__getitem__)
        shown = set(worst.values())
        for route in ranked:
            if len(shown) >= per_target:
                break
            shown.add(route)
        found.by_target[target] = TargetSearch(
            target, ranked, complete, sorted(shown, key=ranks.__getitem__), len(worst)
        )
    return found


def _entry(route_graph: RouteGraph, route: Sequence[HopKey]) -> int:
    """Where a route comes in: past the internet, the interface or load balancer it reaches."""
    first = route[0]
    return first[2] if route_graph.nodes[first[0]].label == "Internet" else first[0]


def _worst_by_entry(
    route_graph: RouteGraph,
    target: int,
    max_hops: int,
    to_target: dict[int, int],
    ranks: dict[tuple[HopKey, ...], Any],
    order: Any,
) -> dict[int, tuple[HopKey, ...]]:
    """The worst route of each entry point: of those counted, else a shortest one, so an entry
    point the count did not get to is still shown (and counted: it joins `ranks`)."""
    worst: dict[int, tuple[HopKey, ...]] = {}
    for route in ranks:
        entry = _entry(route_graph, route)
        if entry not in worst or ranks[route] < ranks[worst[entry]]:
            worst[entry] = route
    for start in route_graph.starts:
        if start == target or start not in to_target:
            continue
        if route_graph.nodes[start].label != "Internet":
            if start not in worst:
                worst[start] = route_graph.shortest(start, to_target)
            continue
        for entry in route_graph.doors(start).keys() & to_target.keys():
            if to_target[entry] < max_hops and entry not in worst:
                relation = route_graph.doors(start)[entry]
                worst[entry] = ((start, relation, entry), *route_graph.shortest(entry, to_target))
    for route in worst.values():
        ranks.setdefault(route, order(route))
    return worst


def _route_rank(route_graph: RouteGraph) -> Any:
    """Worst first: fewer layers, more hops cheaper to read last, then by node keys."""
    layers = _layer_of()

    def key(route: Sequence[HopKey]) -> tuple[int, int, tuple[str, ...]]:
        crossed = {layers.get(relation, "network") for _, relation, _ in route}
        names_ = tuple(route_graph.nodes[hop[2]].key for hop in route)
        return (len(crossed), len(route), (route_graph.nodes[route[0][0]].key, *names_))

    return key


def find_paths(
    graph: Graph,
    source: str = "internet",
    target: str = "crown-jewels",
    max_hops: int = 6,
    per_target: int = PER_TARGET,
    without: Sequence[str] = (),
) -> Routes:
    """The routes from the source to each target, worst first (`without`: as if those hops and
    nodes, named as `--without` takes them, were not in the graph)."""
    check_arguments(source, target, max_hops)
    check_per_target(per_target)
    route_graph = read_route_graph(graph, source, target)
    removed = resolve_without(graph, route_graph, without)
    found = search(route_graph.removing(removed), max_hops, per_target)
    cut_off: tuple[str, ...] = ()
    if removed:
        before = route_graph.distances_from_starts()
        cut_off = tuple(
            sorted(
                route_graph.nodes[t].key
                for t in route_graph.targets
                if before.get(t, max_hops + 1) <= max_hops and t not in found.by_target
            )
        )
    return routes_of(graph, found, tuple(without), cut_off)


def routes_of(
    graph: Graph, found: Search, without: tuple[str, ...] = (), cut_off: tuple[str, ...] = ()
) -> Routes:
    """The routes shown of a search, in words, with the nodes they name."""
    shown = described(graph, found)
    targets = target_summaries(found)
    keys = {key for path in shown for key in (path.source, *(hop.target for hop in path.hops))}
    keys |= {each.target for each in targets} | set(cut_off)
    nodes = {node.key: node for node in found.graph.nodes if node.key in keys}
    return Routes(shown, targets, without, cut_off, nodes)


def target_summaries(found: Search) -> list[TargetRoutes]:
    nodes = found.graph.nodes
    return sorted(
        (
            TargetRoutes(
                nodes[t].key,
                target_reason(nodes[t]),
                len(each.shown),
                len(each.counted),
                each.complete,
                each.entries,
            )
            for t, each in found.by_target.items()
        ),
        key=lambda summary: summary.target,
    )


def described(graph: Graph, found: Search) -> list[AttackPath]:
    """The routes shown, in words, with each hop's controls and missing controls, worst first."""
    routes = [route for each in found.by_target.values() for route in each.shown]
    return rank(in_words(graph, found.graph, routes))


def worst_routes(graph: Graph, found: Search, count: int) -> list[AttackPath]:
    """The worst shown route of each of the `count` worst-off targets, in words (only those
    are read: a summary of a thousand accounts' routes puts a handful in words)."""
    nodes = found.graph.nodes
    layers = _layer_of()

    def rank_key(route: Sequence[HopKey]) -> tuple[int, int, int, str]:
        end = nodes[route[-1][2]]
        crossed = {layers.get(relation, "network") for _, relation, _ in route}
        return worst_first(len(crossed), target_value(end), len(route), end.key)

    worst = sorted(
        (min(each.shown, key=rank_key) for each in found.by_target.values() if each.shown),
        key=rank_key,
    )
    return rank(in_words(graph, found.graph, worst[:count]))


def in_words(
    graph: Graph, route_graph: RouteGraph, routes: Sequence[Sequence[HopKey]]
) -> list[AttackPath]:
    """AttackPaths from routes by node index, reading the properties of their hops once."""
    details = route_graph.hop_details(graph, (hop for route in routes for hop in route))
    hops = {
        hop: hop_from(route_graph.nodes[hop[0]], route_graph.nodes[hop[2]], hop[1], rows)
        for hop, rows in details.items()
    }
    found = []
    for route in routes:
        end = route_graph.nodes[route[-1][2]]
        found.append(
            AttackPath(
                route_graph.nodes[route[0][0]].key,
                end.key,
                target_reason(end),
                target_value(end),
                tuple(hops[hop] for hop in route),
                route_graph.nodes[_entry(route_graph, route)].key,
            )
        )
    return with_missing_controls(graph, route_graph, found)


def with_missing_controls(
    graph: Graph, route_graph: RouteGraph, found: Sequence[AttackPath]
) -> list[AttackPath]:
    """The paths with each hop's missing controls, from one read of the nodes on them."""
    keys_by_label: dict[str, set[str]] = defaultdict(set)
    for path in found:
        for key in (path.source, *(hop.target for hop in path.hops)):
            keys_by_label[route_graph.nodes[route_graph.index[key]].label].add(key)
    missing = MissingControls(
        graph, read_nodes(graph, keys_by_label), [hop.key for p in found for hop in p.hops]
    )
    return [
        replace(
            path,
            hops=tuple(
                replace(hop, missing_controls=missing.of_hop(hop.source, hop.relation, hop.target))
                for hop in path.hops
            ),
        )
        for path in found
    ]


def resolve_without(graph: Graph, route_graph: RouteGraph, texts: Sequence[str]) -> Without:
    """The hops and nodes `--without` names, by index; a name not in the graph exits 2, and so
    does a hop that is not on the routes searched (removing it would change nothing)."""
    hops: set[HopKey] = set()
    nodes: set[int] = set()
    for text in texts:
        written = _HOP_TEXT.fullmatch(text.strip())
        if written is None:
            node = _node_of(route_graph, names.resolve(graph, "--without", text, WITHOUT))
            if node is not None:
                nodes.add(node)
            continue
        relation = written["relation"]
        if relation not in RELATIONS:
            raise ConfigError(
                f"--without {text!r}: {relation} is not a hop of an attack path "
                f"(one of {', '.join(RELATIONS)})"
            )
        ends = [
            _node_of(route_graph, names.resolve(graph, "--without", written[end], WITHOUT))
            for end in ("source", "target")
        ]
        start, end = ends
        if start is None or end is None or (start, relation, end) not in route_graph.rel_ids:
            raise UnknownNameError(
                f"--without {text!r}: no such hop on the routes searched from this start"
            )
        hops.add((start, relation, end))
    return Without(frozenset(hops), frozenset(nodes))


def _node_of(route_graph: RouteGraph, named: names.Named) -> int | None:
    """The node a resolved name is, if the start reaches it (an account by its id)."""
    if named.kind == "account":
        return next(
            (
                i
                for i, node in enumerate(route_graph.nodes)
                if node.label == "Account" and node.account_id == named.key
            ),
            None,
        )
    return route_graph.index.get(named.key)


def check_arguments(source: str, target: str, max_hops: int) -> None:
    """The keys the query takes; names resolve to them first (`SOURCES`, `TARGETS`)."""
    if source not in SOURCE_KINDS and not _is_key(source):
        raise ConfigError(
            f"--from {source!r}: expected internet, external, an account id or an ARN"
        )
    if target not in TARGET_KINDS and not _is_key(target):
        raise ConfigError(f"--to {target!r}: expected crown-jewels, admin, an account id or an ARN")
    check_max_hops(max_hops)


def _is_key(text: str) -> bool:
    return text.startswith("arn:") or names.ACCOUNT_ID.fullmatch(text) is not None


def check_max_hops(max_hops: int) -> None:
    if not 1 <= max_hops <= MAX_HOPS_LIMIT:
        raise ConfigError(f"--max-hops {max_hops}: expected 1 to {MAX_HOPS_LIMIT}")


def check_per_target(per_target: int) -> None:
    if per_target < 1:
        raise ConfigError(f"--per-target {per_target}: expected 1 or more")


def target_reason(node: Node) -> str:
    return node.crown_jewel_reason or ("admin-equivalent" if node.is_admin else "")


def target_value(node: Node) -> int:
    """Admin-equivalent principals and the management account over other crown jewels."""
    if node.is_admin or "management account" in node.crown_jewel_reason:
        return 3
    return 2 if node.crown_jewel_reason else 1


@cache
def _layer_of() -> dict[str, str]:
    """The layer of each relationship type on a path, as the schema declares it."""
    return {rel.type: rel.layer for rel in load_schema().rels.values()}


def hop_from(start: Node, end: Node, relation: str, rows: Sequence[dict[str, Any]]) -> Hop:
    """One hop in words, with the controls evaluated on it (of its first relationship, where
    several techniques lead the same way)."""
    layer = _layer_of().get(relation, "network")
    props = rows[0]["properties"] if rows else {}
    explanation, controls = _explain(start.name, end.name, relation, props)
    return Hop(start.key, end.key, relation, layer, explanation, controls)


def _explain(
    start: str, end: str, relation: str, props: dict[str, Any]
) -> tuple[str, tuple[str, ...]]:
    conditions = _conditions(props)
    if relation == "CAN_REACH":
        traffic = props.get("traffic") or "some traffic"
        return f"{start} can connect to {end} on {traffic}", tuple(props.get("controls") or ())
    if relation == "DELIVERS_TO":
        return f"traffic to {start} lands on {end}", ()
    if relation == "SENDS_THROUGH":
        return f"code on {start} can send traffic through {end}", ()
    if relation == "RUNS_AS":
        return f"code on {start} runs with the credentials of {end}", ()
    if relation == "CAN_ASSUME":
        via = props.get("via") or "sts:AssumeRole"
        return f"{start} can assume {end} ({via}); its trust policy allows it", conditions
    if relation == "CAN_ESCALATE_TO":
        told = props.get("explanation") or props.get("technique") or "privilege escalation"
        return f"{start} can gain the power of {end}: {told}", conditions
    levels = ", ".join(props.get("access_levels") or ()) or "some"
    statements = ", ".join(props.get("allowed_by") or ())
    allowed_by = f"; allowed by {statements}" if statements else ""
    scope = _scope_words(props.get("scope_detail"))
    return f"{start} has {levels} access to {end}{scope}{allowed_by}", conditions


def _scope_words(detail: str | None) -> str:
    """A CAN_ACCESS edge's scopes in words:
    ' (scope home/*, except home/secret/* for s3:GetObject; logs/*)'."""
    if not detail:
        return ""
    exceptions: dict[str, list[str]] = {}
    for entry in json.loads(detail):
        excluded = exceptions.setdefault(entry["scope"], [])
        if entry.get("excluding"):
            taken = ", ".join(entry["excluding"])
            excluded.append(f"{taken} for {', '.join(entry['actions'])}")
    words = [
        scope + (f", except {' and '.join(excluded)}" if excluded else "")
        for scope, excluded in exceptions.items()
    ]
    return f" (scope {'; '.join(words)})"


def _conditions(props: dict[str, Any]) -> tuple[str, ...]:
    """The undecided conditions of a conditional edge, as controls that could still stop it."""
    if not props.get("conditional"):
        return ()
    try:
        found = json.loads(props.get("conditions") or "[]")
    except json.JSONDecodeError:
        return ("holds only if its policy conditions are met",)
    items = found if isinstance(found, list) else [found]
    return tuple(f"condition: {json.dumps(item, sort_keys=True)}" for item in items)


def hop_document(hop: Hop) -> dict[str, Any]:
    return {
        "from": hop.source,
        "to": hop.target,
        "relation": hop.relation,
        "layer": hop.layer,
        "explanation": hop.explanation,
        "controls": list(hop.controls),
        "missing_controls": [missing_document(missing) for missing in hop.missing_controls],
    }


def missing_document(missing: MissingControl) -> dict[str, Any]:
    return {**asdict(missing), "regions": list(missing.regions)}


def paths_document(routes: Routes) -> dict[str, Any]:
    """The stable JSON shape of `kg paths --format json` (documented in docs/paths.md)."""
    return {
        "paths": [
            {
                "source": path.source,
                "entry": path.entry,
                "target": path.target,
                "target_reason": path.target_reason,
                "score": path.score,
                "layers": list(path.layers),
                "hops": [hop_document(hop) for hop in path.hops],
            }
            for path in routes.paths
        ],
        "targets": [
            {
                "target": each.target,
                "target_reason": each.target_reason,
                "entry_points": each.entries,
                "routes_shown": each.shown,
                "routes_total": each.total,
                "routes_beyond": each.beyond,
                "total_is_exact": each.complete,
            }
            for each in routes.targets
        ],
        "without": list(routes.without),
        "cut_off": list(routes.cut_off),
    }
