"""Attack paths: how an attacker gets from where they start to what matters, hop by hop.

A path joins the derived facts of the other analyses: network reach (CAN_REACH; DELIVERS_TO from
an interface to the instance it belongs to, SENDS_THROUGH from an instance to its interfaces),
workload identity (RUNS_AS), role assumption (CAN_ASSUME), privilege escalation (CAN_ESCALATE_TO)
and effective access (CAN_ACCESS), every hop walked forward. The search is the named query
`attack-paths-shortest` (the same text runs in Neo4j Browser).

Paths rank worst first: fewer distinct defensive layers on the way, then a more valuable target,
then fewer hops. `chokepoints` finds the hops whose removal breaks the most paths. Each hop
carries the controls evaluated on it and the catalog controls that could have stopped it but are
missing where it runs (kg.analysis.hop_controls).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any

from kg import queries
from kg.analysis import names
from kg.analysis.hop_controls import MissingControl, MissingControls, read_nodes
from kg.errors import ConfigError
from kg.graph.driver import Graph
from kg.model import load_schema

QUERY = "attack-paths-shortest"
MAX_HOPS_LIMIT = 10  # the bound written in the query's pattern
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


@dataclass(frozen=True)
class AttackPath:
    source: str
    target: str
    target_reason: str
    target_value: int
    hops: tuple[Hop, ...]

    @property
    def layers(self) -> tuple[str, ...]:
        """The distinct defensive layers the path crosses (each could have stopped it)."""
        return tuple(sorted({hop.layer for hop in self.hops}))

    @property
    def score(self) -> int:
        """How many layers of defense stand on the path: lower is worse."""
        return len(self.layers)

    def rank_key(self) -> tuple[int, int, int, str]:
        return (self.score, -self.target_value, len(self.hops), self.target)


@dataclass(frozen=True)
class Chokepoint:
    hop: Hop
    paths_broken: int
    paths_total: int


def rank(paths: Iterable[AttackPath]) -> list[AttackPath]:
    return sorted(paths, key=AttackPath.rank_key)


def chokepoints(paths: Sequence[AttackPath]) -> list[Chokepoint]:
    """Hops by how many of the paths removing them would break (most first)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    first_seen: dict[tuple[str, str, str], Hop] = {}
    for path in paths:
        for hop in {hop.key: hop for hop in path.hops}.values():
            counts[hop.key] += 1
            first_seen.setdefault(hop.key, hop)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Chokepoint(first_seen[key], count, len(paths)) for key, count in ordered]


def find_paths(
    graph: Graph, source: str = "internet", target: str = "crown-jewels", max_hops: int = 6
) -> list[AttackPath]:
    """The shortest path from the source to each target, ranked worst first."""
    check_arguments(source, target, max_hops)
    rows = queries.run(graph, QUERY, source=source, target=target, max_hops=max_hops)
    return rank(with_missing_controls(graph, rows, [path_from_row(row) for row in rows]))


def with_missing_controls(
    graph: Graph, rows: Sequence[dict[str, Any]], found: Sequence[AttackPath]
) -> list[AttackPath]:
    """The paths with each hop's missing controls, from one read of the nodes on them."""
    keys_by_label: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for node in row["nodes"]:
            keys_by_label[node["label"]].add(node["key"])
    hops = [hop.key for path in found for hop in path.hops]
    missing = MissingControls(graph, read_nodes(graph, keys_by_label), hops)
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


def path_from_row(row: dict[str, Any]) -> AttackPath:
    """An AttackPath from one row of the query: its nodes and the relationships between them."""
    nodes = row["nodes"]
    hops = tuple(
        hop_from(nodes[i], nodes[i + 1], rel["relation"], rel["properties"])
        for i, rel in enumerate(row["rels"])
    )
    end = nodes[-1]
    reason = end.get("crown_jewel_reason") or ("admin-equivalent" if end.get("is_admin") else "")
    return AttackPath(nodes[0]["key"], end["key"], reason, target_value(end), hops)


def target_value(node: dict[str, Any]) -> int:
    """Admin-equivalent principals and the management account over other crown jewels."""
    reason = node.get("crown_jewel_reason") or ""
    if node.get("is_admin") or "management account" in reason:
        return 3
    return 2 if reason else 1


@cache
def _layer_of() -> dict[str, str]:
    """The layer of each relationship type on a path, as the schema declares it."""
    return {rel.type: rel.layer for rel in load_schema().rels.values()}


def hop_from(
    start: dict[str, Any], end: dict[str, Any], relation: str, props: dict[str, Any]
) -> Hop:
    """One hop in words, with the controls evaluated on it."""
    layer = _layer_of().get(relation, "network")
    explanation, controls = _explain(start["name"], end["name"], relation, props)
    return Hop(start["key"], end["key"], relation, layer, explanation, controls)


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
        "missing_controls": [
            {**asdict(missing), "regions": list(missing.regions)}
            for missing in hop.missing_controls
        ],
    }


def paths_document(paths: Sequence[AttackPath]) -> dict[str, Any]:
    """The stable JSON shape of `kg paths --format json` (documented in docs/paths.md)."""
    return {
        "paths": [
            {
                "source": path.source,
                "target": path.target,
                "target_reason": path.target_reason,
                "score": path.score,
                "layers": list(path.layers),
                "hops": [hop_document(hop) for hop in path.hops],
            }
            for path in paths
        ]
    }


def chokepoints_document(found: Sequence[Chokepoint]) -> dict[str, Any]:
    """The stable JSON shape of `kg chokepoints --format json`."""
    return {
        "chokepoints": [
            {**hop_document(c.hop), "paths_broken": c.paths_broken, "paths_total": c.paths_total}
            for c in found
        ]
    }
