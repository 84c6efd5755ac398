"""The derived graph an attack path walks, read once from Neo4j and searched in memory.

Routes and cuts are questions about every path, not one shortest path per target: listing the
distinct routes, and proving that removing a hop leaves a target unreachable, both need the
whole graph the start reaches. One read brings it here: the nodes the start reaches in up to
`SEARCH_LIMIT` hops of the path relations (the breadth-first sweep of the named query
`attack-paths-shortest`) and their hops, less those into nodes that lead nowhere (a resource
that is not a target). Python then selects routes and recomputes reachability without a hop or
a node, as often as a question needs, without another query.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, LiteralString, cast

from kg import queries
from kg.graph.driver import Graph, query_rows

RELATIONS = (
    "CAN_REACH",
    "DELIVERS_TO",
    "SENDS_THROUGH",
    "RUNS_AS",
    "CAN_ASSUME",
    "CAN_ESCALATE_TO",
    "CAN_ACCESS",
)
SEARCH_LIMIT = 10  # hops: the longest route kg searches, and the bound a cut is verified at
_TYPES = "|".join(RELATIONS)

QUERY = "attack-paths-shortest"  # the named query whose starts this search shares
# Where the named query's start block ends (its first part: the starts, each a row `s`).
_STARTS_END = "// Which targets the start reaches at all"


def _starts() -> str:
    """The named query's start block, so that the two never disagree on where paths begin."""
    cypher = queries.get(QUERY).cypher
    if _STARTS_END not in cypher:
        raise ValueError(f"query {QUERY} lost the line {_STARTS_END!r} that ends its starts")
    return cypher.split(_STARTS_END, 1)[0]


def _is_target(var: str) -> str:
    """Whether node `var` is what `$target` asks for (as the named query decides it)."""
    return (
        f"(($target = 'crown-jewels' AND {var}:CrownJewel)"
        f" OR ($target = 'admin' AND {var}:Principal"
        f" AND ({var}.is_admin = true OR {var}.makes_itself_admin = true))"
        f" OR {var}.arn = $target OR {var}.account_id = $target)"
    )


# Every node the starts reach that is a start, a target or has a hop onwards, with those hops;
# a hop into a node that is no target and has no hop onwards leads nowhere and stays behind
# (most access edges: to ordinary resources), and so does the node (a third of the rows).
GRAPH = cast(
    LiteralString,
    _starts()
    + f"""
WITH collect(s) AS starts
CALL (starts) {{
  UNWIND starts AS n RETURN n, true AS start
  UNION
  UNWIND starts AS s
  MATCH (s)-[:{_TYPES}*1..{SEARCH_LIMIT}]->(n)
  RETURN DISTINCT n, false AS start
}}
WITH n, max(start) AS start
CALL (n) {{
  MATCH (n)-[r:{_TYPES}]->(m)
  WHERE {_is_target("m")} OR EXISTS {{ (m)-[:{_TYPES}]->() }}
  RETURN collect([type(r), elementId(m), elementId(r)]) AS out
}}
WITH n, start, out
WHERE start OR size(out) > 0 OR {_is_target("n")}
RETURN elementId(n) AS id, start, {_is_target("n")} AS target,
       coalesce(n.arn, n.name, n.account_id) AS key,
       [x IN labels(n) WHERE x <> 'CrownJewel'][0] AS label,
       coalesce(n.name, n.arn, n.account_id) AS name,
       n.account_id AS account_id, n.crown_jewel_reason AS crown_jewel_reason,
       coalesce(n.is_admin, false) OR coalesce(n.makes_itself_admin, false) AS is_admin, out
""",
)

# The properties a hop's explanation and fix read, for the hops an answer shows.
_HOP_DETAILS = """
UNWIND $ids AS id
MATCH (a)-[r]->(b) WHERE elementId(r) = id
RETURN id, r {.traffic, .controls, .via, .technique, .explanation, .permissions,
              .access_levels, .allowed_by, .conditional, .conditions} AS properties,
       a.instance_profile_arn AS instance_profile, b.trust_policy AS trust_policy
"""

Hop = tuple[int, str, int]  # (source node, relation, target node), by node index


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    name: str
    account_id: str | None
    crown_jewel_reason: str
    is_admin: bool  # admin-equivalent: admin's permissions, or can make itself admin alone
    target: bool


@dataclass(frozen=True)
class Without:
    """What a question takes away: hops and nodes, as if they were not in the graph."""

    hops: frozenset[Hop] = frozenset()
    nodes: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.hops or self.nodes)


@dataclass
class RouteGraph:
    """The nodes a start reaches and the hops between them, by node index."""

    nodes: list[Node]
    starts: list[int]
    out: list[list[tuple[int, str]]]
    into: list[list[tuple[int, str]]]
    rel_ids: dict[Hop, list[str]]
    index: dict[str, int] = field(default_factory=dict)
    _doors: dict[int, dict[int, str]] = field(default_factory=dict)

    @property
    def targets(self) -> list[int]:
        return [i for i, node in enumerate(self.nodes) if node.target]

    def distances_from_starts(
        self, without: Without = Without(), within: Collection[int] | None = None
    ) -> dict[int, int]:
        """Hops from the nearest start to each node it reaches, within SEARCH_LIMIT (and, with
        `within`, through those nodes only)."""
        starts = [
            s for s in self.starts if s not in without.nodes and (within is None or s in within)
        ]
        return _breadth_first(starts, self.out, without, SEARCH_LIMIT, forward=True, within=within)

    def distances_to(
        self, target: int, limit: int, from_starts: dict[int, int], without: Without = Without()
    ) -> dict[int, int]:
        """Hops from each node to `target` on routes of at most `limit` hops from a start: only
        nodes a start reaches soon enough to still arrive in time."""
        if target in without.nodes or target not in from_starts:
            return {}
        return _breadth_first(
            [target], self.into, without, limit, forward=False, budget=from_starts
        )

    def routes(
        self, target: int, limit: int, to_target: dict[int, int], cap: int
    ) -> tuple[list[tuple[Hop, ...]], bool]:
        """The simple routes from the starts to `target` of at most `limit` hops, shorter
        branches first, up to `cap` of them; and whether that is all of them."""
        found: list[tuple[Hop, ...]] = []
        onwards = _Onwards(self.out, to_target)
        for start in sorted(s for s in self.starts if s in to_target):
            if start == target:
                continue
            for route in self._from(start, target, limit, onwards):
                found.append(route)
                if len(found) > cap:
                    return found[:cap], False
        return found, True

    def _from(
        self, start: int, target: int, limit: int, onwards: _Onwards
    ) -> Iterator[tuple[Hop, ...]]:
        """Depth-first, never into a node that cannot reach the target in the hops left."""
        hops: list[Hop] = []
        on_route = {start}
        branches = [onwards(start, limit)]
        while branches:
            step = next(branches[-1], None)
            if step is None:
                branches.pop()
                if hops:
                    on_route.discard(hops.pop()[2])
                continue
            node, relation = step
            if node in on_route:
                continue
            hop = (hops[-1][2] if hops else start, relation, node)
            if node == target:
                yield (*hops, hop)
                continue
            hops.append(hop)
            on_route.add(node)
            branches.append(onwards(node, limit - len(hops)))

    def doors(self, start: int) -> dict[int, str]:
        """The nodes one hop from a start (the internet's exposed interfaces), with the hop."""
        if start not in self._doors:
            self._doors[start] = {other: rel for other, rel in reversed(self.out[start])}
        return self._doors[start]

    def shortest(self, start: int, to_target: dict[int, int]) -> tuple[Hop, ...]:
        """One shortest route from `start` (in `to_target`), the first node by key at each step."""
        hops: list[Hop] = []
        node = start
        while to_target[node] > 0:
            nxt, relation = min(
                (
                    (m, rel)
                    for m, rel in self.out[node]
                    if to_target.get(m, -1) == to_target[node] - 1
                ),
                key=lambda step: (self._key(step[0]), step[1]),
            )
            hops.append((node, relation, nxt))
            node = nxt
        return tuple(hops)

    def _key(self, node: int) -> str:
        return self.nodes[node].key

    def removing(self, without: Without) -> RouteGraph:
        """The graph as if those hops and nodes were not in it (`kg paths --without`)."""
        if not without:
            return self

        def kept(edges: list[tuple[int, str]], node: int, forward: bool) -> list[tuple[int, str]]:
            if node in without.nodes:
                return []
            return [
                (other, rel)
                for other, rel in edges
                if other not in without.nodes
                and ((node, rel, other) if forward else (other, rel, node)) not in without.hops
            ]

        return RouteGraph(
            nodes=self.nodes,
            starts=[s for s in self.starts if s not in without.nodes],
            out=[kept(edges, i, True) for i, edges in enumerate(self.out)],
            into=[kept(edges, i, False) for i, edges in enumerate(self.into)],
            rel_ids=self.rel_ids,
            index=self.index,
        )

    def hop_details(self, graph: Graph, hops: Iterable[Hop]) -> dict[Hop, list[dict[str, Any]]]:
        """The stored properties of each hop (one row per relationship: parallel ones too)."""
        found: dict[Hop, list[dict[str, Any]]] = {hop: [] for hop in hops}
        wanted = {rel_id: hop for hop in found for rel_id in self.rel_ids.get(hop, ())}
        if not wanted:
            return found
        for row in graph.read(_HOP_DETAILS, ids=sorted(wanted)):
            found[wanted[row["id"]]].append(row)
        for rows in found.values():
            rows.sort(key=lambda row: str(row["id"]))
        return found


class _Onwards:
    """The hops onwards from a node toward one target, nearest first (then by node key: node
    indices follow keys), sorted once per node and cut to the hops left at each visit."""

    def __init__(self, out: list[list[tuple[int, str]]], to_target: dict[int, int]) -> None:
        self.out = out
        self.to_target = to_target
        self.sorted: dict[int, list[tuple[int, int, str]]] = {}

    def __call__(self, node: int, left: int) -> Iterator[tuple[int, str]]:
        steps = self.sorted.get(node)
        if steps is None:
            to_target = self.to_target
            steps = sorted((to_target[m], m, rel) for m, rel in self.out[node] if m in to_target)
            self.sorted[node] = steps
        for distance, other, relation in steps:
            if distance >= left:
                return
            yield other, relation


def _breadth_first(
    sources: Iterable[int],
    edges: list[list[tuple[int, str]]],
    without: Without,
    limit: int,
    forward: bool,
    budget: dict[int, int] | None = None,
    within: Collection[int] | None = None,
) -> dict[int, int]:
    """Hops from the sources along `edges` (forward: out; else: into), skipping what `without`
    takes away; with `budget` (hops from the starts), only nodes at most `limit` hops from a
    start through this one; with `within`, only those nodes."""
    seen = {source: 0 for source in sources}
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        depth = seen[node] + 1
        if depth > limit:
            continue
        for other, relation in edges[node]:
            if other in seen or other in without.nodes:
                continue
            if within is not None and other not in within:
                continue
            hop = (node, relation, other) if forward else (other, relation, node)
            if hop in without.hops:
                continue
            if budget is not None and budget.get(other, limit + 1) + depth > limit:
                continue
            seen[other] = depth
            queue.append(other)
    return seen


def read_route_graph(graph: Graph, source: str, target: str) -> RouteGraph:
    """The graph the start reaches (`source` and `target` are the query's keys), in one read."""
    rows = graph.execute_read(
        lambda tx: query_rows(tx, GRAPH, {"source": source, "target": target}), "attack paths"
    )
    return build(rows)


def build(rows: Collection[dict[str, Any]]) -> RouteGraph:
    index = {row["id"]: i for i, row in enumerate(sorted(rows, key=lambda row: str(row["key"])))}
    nodes: list[Node] = [None] * len(index)  # type: ignore[list-item]
    out: list[list[tuple[int, str]]] = [[] for _ in index]
    into: list[list[tuple[int, str]]] = [[] for _ in index]
    rel_ids: dict[Hop, list[str]] = {}
    starts = []
    for row in rows:
        i = index[row["id"]]
        nodes[i] = Node(
            key=str(row["key"]),
            label=str(row["label"]),
            name=str(row["name"]),
            account_id=row["account_id"],
            crown_jewel_reason=row["crown_jewel_reason"] or "",
            is_admin=bool(row["is_admin"]),
            target=bool(row["target"]),
        )
        if row["start"]:
            starts.append(i)
        for relation, other, rel_id in row["out"]:
            if other not in index:
                continue
            hop = (i, relation, index[other])
            if hop not in rel_ids:
                out[i].append((index[other], relation))
                into[index[other]].append((i, relation))
            rel_ids.setdefault(hop, []).append(rel_id)
    return RouteGraph(
        nodes=nodes,
        starts=sorted(starts),
        out=out,
        into=into,
        rel_ids=rel_ids,
        index={node.key: i for i, node in enumerate(nodes)},
    )
