"""Chokepoints: the hops and nodes whose removal leaves targets unreachable, proven, with the fix.

Counting how many listed paths a hop lies on misleads: a hop on both listed paths to a bucket
is no fix when a third route, not listed, still gets there. A chokepoint here is a cut: a hop
(or an interface, instance or role) without which no route of up to SEARCH_LIMIT hops from the
start reaches a target, in the whole graph the start reaches, not only among the routes shown.
The candidates are what every counted route to a target shares (a hop only some routes use
cannot be a cut); each is then verified by recomputing reachability without it, and only what
the recomputation confirms is reported, with the targets it disconnects and the routes it
removes.

Each chokepoint names the change a person applies, read from the hop: the security group rules
that let the traffic in, the trust policy statements that let the caller assume the role, the
policy statements that grant the access or the permissions of the escalation, the instance
profile to detach; and the catalog controls that would have stopped the hop
(kg/catalog/hop_controls.yaml).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from kg.analysis import paths
from kg.analysis.hop_controls import MissingControl, MissingControls, read_nodes
from kg.analysis.route_graph import SEARCH_LIMIT, Hop, RouteGraph, Without, read_route_graph
from kg.catalog.loader import load_catalog
from kg.graph.driver import Graph

FIXES_LISTED = 10  # hops into a node whose fixes a node's chokepoint lists
# A security group's step on a network hop, as the reachability analysis words it.
_GROUP_RULE = re.compile(r"(?P<group>sg-\S+) allows (?P<traffic>.+) (?P<way>from|to) (?P<peer>.+)")


@dataclass(frozen=True)
class CatalogControl:
    control_id: str
    title: str


@dataclass(frozen=True)
class Chokepoint:
    """A verified cut: without it, the start reaches none of `disconnected`."""

    kind: Literal["hop", "node"]
    without: str  # what `kg paths --without` takes
    hop: paths.Hop | None  # the hop in words (kind hop)
    disconnected: tuple[str, ...]
    routes_removed: int
    routes_total: int
    routes_exact: bool  # False: a target had more routes than were counted
    fix: tuple[str, ...]
    catalog_controls: tuple[CatalogControl, ...]
    missing_controls: tuple[MissingControl, ...]


def find_chokepoints(
    graph: Graph, source: str = "internet", target: str = "crown-jewels", max_hops: int = 6
) -> list[Chokepoint]:
    """The cuts between the start and the targets it reaches within max_hops, each verified,
    most targets disconnected first."""
    paths.check_arguments(source, target, max_hops)
    route_graph = read_route_graph(graph, source, target)
    return chokepoints_of(graph, paths.search(route_graph, max_hops))


def chokepoints_of(graph: Graph, found: paths.Search) -> list[Chokepoint]:
    """The verified cuts of routes already searched (so a caller that also shows the routes
    reads and searches the graph once)."""
    route_graph = found.graph
    counted = [route for each in found.by_target.values() for route in each.counted]
    exact = all(each.complete for each in found.by_target.values())
    cuts = verified_cuts(route_graph, found)
    hops = {element for element in cuts if isinstance(element, tuple)}
    # A node whose one way in is itself a cut of the same targets says nothing more than it.
    nodes = {
        element
        for element in cuts
        if isinstance(element, int)
        and not any(
            door in hops and cuts[door].targets == cuts[element].targets
            for door in cuts[element].doors
        )
    }
    kept: list[Hop | int] = [*sorted(hops), *sorted(nodes)]
    uses = Counter(element for route in counted for element in _elements(route) & cuts.keys())
    words = _Words(graph, route_graph, {element: cuts[element].doors for element in kept})
    points = [
        Chokepoint(
            kind="hop" if isinstance(element, tuple) else "node",
            without=words.without(element),
            hop=words.hops.get(element) if isinstance(element, tuple) else None,
            disconnected=tuple(sorted(route_graph.nodes[t].key for t in cuts[element].targets)),
            routes_removed=uses[element],
            routes_total=len(counted),
            routes_exact=exact,
            fix=words.fix(element),
            catalog_controls=words.catalog(element),
            missing_controls=words.missing(element),
        )
        for element in kept
    ]
    return sorted(
        points,
        key=lambda p: (-len(p.disconnected), -p.routes_removed, p.kind, p.without),
    )


def _elements(route: Sequence[Hop]) -> set[Hop | int]:
    """What a route could be cut at: its hops and the nodes between its ends."""
    return {*route, *(hop[2] for hop in route[:-1])}


def verified_cuts(route_graph: RouteGraph, found: paths.Search) -> dict[Hop | int, Cut]:
    """Each candidate with the targets that recomputing reachability without it confirms it
    disconnects; a candidate that disconnects none is dropped."""
    candidates: dict[Hop | int, set[int]] = defaultdict(set)
    for target, each in found.by_target.items():
        shared: set[Hop | int] | None = None
        for route in each.counted:
            elements = _elements(route)
            shared = elements if shared is None else shared & elements
        for element in shared or ():
            candidates[element].add(target)
    # Every route of up to SEARCH_LIMIT hops to a target runs through its cone (the nodes a
    # start reaches and that reach the target in that many hops in all), so reachability
    # without a candidate is recomputed there, not over the whole graph each time.
    from_starts = route_graph.distances_from_starts()
    cones: dict[int, set[int]] = {}
    cuts: dict[Hop | int, Cut] = {}
    for element, targets in candidates.items():
        without = (
            Without(hops=frozenset({element}))
            if isinstance(element, tuple)
            else Without(nodes=frozenset({element}))
        )
        lost: set[int] = set()
        reached: set[int] = set()
        for target in sorted(targets):
            if target not in cones:
                cones[target] = set(route_graph.distances_to(target, SEARCH_LIMIT, from_starts))
            still = route_graph.distances_from_starts(without, within=cones[target])
            if target in still:
                continue
            lost.add(target)
            reached |= still.keys()
        if not lost:
            continue
        doors = (
            [element]
            if isinstance(element, tuple)
            else sorted((u, rel, element) for u, rel in route_graph.into[element] if u in reached)
        )
        cuts[element] = Cut(frozenset(lost), tuple(doors))
    return cuts


@dataclass(frozen=True)
class Cut:
    """What a verified cut disconnects, and the hops that must go to remove it: the hop itself,
    or those into the node from where the start still gets without it."""

    targets: frozenset[int]
    doors: tuple[Hop, ...]


class _Words:
    """The chokepoints' hops in words: explanations, fixes and catalog controls, read once."""

    def __init__(
        self, graph: Graph, route_graph: RouteGraph, doors: dict[Hop | int, tuple[Hop, ...]]
    ) -> None:
        self.route_graph = route_graph
        self.doors = doors
        wanted = sorted({hop for hops in doors.values() for hop in hops})
        self.details = route_graph.hop_details(graph, wanted)
        nodes = route_graph.nodes
        self.hops = {
            hop: paths.hop_from(nodes[hop[0]], nodes[hop[2]], hop[1], rows)
            for hop, rows in self.details.items()
        }
        keys_by_label: dict[str, set[str]] = defaultdict(set)
        for source, _, target in wanted:
            for node in (nodes[source], nodes[target]):
                keys_by_label[node.label].add(node.key)
        self.controls = MissingControls(
            graph, read_nodes(graph, keys_by_label), [h.key for h in self.hops.values()]
        )

    def without(self, element: Hop | int) -> str:
        nodes = self.route_graph.nodes
        if isinstance(element, int):
            return nodes[element].key
        return paths.hop_text(nodes[element[0]].key, element[1], nodes[element[2]].key)

    def fix(self, element: Hop | int) -> tuple[str, ...]:
        if isinstance(element, tuple):
            return self._fix(element)
        node = self.route_graph.nodes[element]
        into = self.doors[element]
        told = [
            f"{self.hops[hop].text}: {line}"
            for hop in into[:FIXES_LISTED]
            for line in self._fix(hop)
        ]
        more = len(into) - FIXES_LISTED
        head = f"cut every hop into {node.key} ({len(into)}), or remove it"
        return (head, *told, *([f"... and {more} more hops into it"] if more > 0 else []))

    def _fix(self, hop: Hop) -> tuple[str, ...]:
        source = self.route_graph.nodes[hop[0]]
        return hop_fix(self.hops[hop], self.details[hop], source.account_id)

    def catalog(self, element: Hop | int) -> tuple[CatalogControl, ...]:
        catalog = load_catalog()
        ids = dict.fromkeys(
            control_id
            for hop in self.doors[element]
            for control_id in self.controls.catalog(*self.hops[hop].key)
        )
        return tuple(CatalogControl(c, catalog.control(c).title) for c in ids)

    def missing(self, element: Hop | int) -> tuple[MissingControl, ...]:
        found: dict[tuple[str, str], MissingControl] = {}
        for hop in self.doors[element]:
            for missing in self.controls.of_hop(*self.hops[hop].key):
                found.setdefault((missing.control_id, missing.account_id), missing)
        return tuple(found.values())


def hop_fix(
    hop: paths.Hop, rows: Sequence[dict[str, Any]], source_account: str | None = None
) -> tuple[str, ...]:
    """The change that removes the hop, in words a person applies."""
    props = [row["properties"] for row in rows]
    first = props[0] if props else {}
    if hop.relation == "CAN_REACH":
        rules = [m for c in first.get("controls") or () if (m := _GROUP_RULE.fullmatch(c))]
        if not rules:
            return (
                f"block {first.get('traffic') or 'the traffic'} from {hop.source} to "
                f"{hop.target} (security group, network ACL or route)",
            )
        # Any one allowing rule lets the traffic through: each of one side must go.
        sides = (("inbound", "from"), ("outbound", "to"))
        return tuple(
            f"{'or ' if i else ''}remove or narrow every {side} rule that allows it: "
            + "; ".join(
                f"security group {m['group']} allows {m['traffic']} {way} {m['peer']}"
                for m in found
            )
            for i, (side, way, found) in enumerate(
                (side, way, [m for m in rules if m["way"] == way])
                for side, way in sides
                if any(m["way"] == way for m in rules)
            )
        )
    if hop.relation == "DELIVERS_TO":
        return (
            f"traffic to {hop.source} lands on {hop.target}: detach the interface, or cut "
            f"what reaches {hop.source}",
        )
    if hop.relation == "SENDS_THROUGH":
        return (f"detach {hop.target} from {hop.source}, or cut what it reaches",)
    if hop.relation == "RUNS_AS":
        profile = next((row["instance_profile"] for row in rows if row["instance_profile"]), None)
        if profile:
            return (
                f"detach the instance profile {profile} from {hop.source} (it runs as "
                f"{hop.target})",
            )
        return (f"give {hop.source} an execution role other than {hop.target}",)
    if hop.relation == "CAN_ASSUME":
        trust = next((row["trust_policy"] for row in rows if row["trust_policy"]), None)
        statements = trust_statements(trust, hop.source, source_account)
        named = f"statements {', '.join(statements)}" if statements else "statements"
        return (
            f"narrow the trust policy of {hop.target} ({named} letting {hop.source} assume "
            f"it), or remove sts:AssumeRole on it from {hop.source}'s policies",
        )
    if hop.relation == "CAN_ESCALATE_TO":
        return tuple(
            f"remove {', '.join(p.get('permissions') or ()) or 'the permissions'} from "
            f"{hop.source} (technique {p.get('technique')}"
            + (f" via {p['via']})" if p.get("via") else ")")
            for p in props
        )
    granted = [s for p in props for s in p.get("allowed_by") or ()]
    return tuple(
        f"remove or narrow the policy statement {s} (it grants {hop.source} access to {hop.target})"
        for s in dict.fromkeys(granted)
    ) or (f"remove the grant that lets {hop.source} access {hop.target}",)


def trust_statements(trust_policy: str | None, source: str, account_id: str | None) -> list[str]:
    """The Allow statements of a trust policy that name `source` (its ARN, its account, or
    everyone), by Sid or position: the ones to narrow."""
    try:
        document = json.loads(trust_policy or "{}")
    except json.JSONDecodeError:
        return []
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    names = {source, "*"}
    if account_id:
        names |= {account_id, f"arn:aws:iam::{account_id}:root"}
    found = []
    for index, statement in enumerate(statements or ()):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if names & set(_principals(statement.get("Principal"))):
            found.append(str(statement.get("Sid") or f"Statement[{index}]"))
    return found


def _principals(principal: Any) -> Iterable[str]:
    if isinstance(principal, str):
        yield principal
    elif isinstance(principal, dict):
        for value in principal.values():
            yield from _principals(value)
    elif isinstance(principal, list):
        for value in principal:
            yield from _principals(value)


def chokepoints_document(found: Sequence[Chokepoint]) -> dict[str, Any]:
    """The stable JSON shape of `kg chokepoints --format json` (docs/paths.md)."""
    return {
        "verified_within_hops": SEARCH_LIMIT,
        "chokepoints": [
            {
                "kind": point.kind,
                "without": point.without,
                "hop": paths.hop_document(point.hop) if point.hop else None,
                "targets_disconnected": len(point.disconnected),
                "disconnected": list(point.disconnected),
                "routes_removed": point.routes_removed,
                "routes_total": point.routes_total,
                "routes_exact": point.routes_exact,
                "fix": list(point.fix),
                "catalog_controls": [asdict(c) for c in point.catalog_controls],
                "missing_controls": [paths.missing_document(m) for m in point.missing_controls],
            }
            for point in found
        ],
    }
