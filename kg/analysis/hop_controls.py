"""The controls that could have stopped a hop of an attack path, and are not in force there.

Which catalog controls stop (or detect) which kind of hop is data: kg/catalog/hop_controls.yaml.
For the hops of the found paths, this module reads the nodes at their ends and the coverage
(HAS_COVERAGE) of their accounts, and names the controls the coverage reports missing or partial.
A control judged node by node (node_property) is judged on the hop's own node instead, so
"Instances require IMDSv2" speaks of the instance the path goes through, not of its account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, LiteralString, cast

from kg.analysis.coverage.properties import judge_nodes
from kg.analysis.coverage.verdicts import MISSING, PARTIAL
from kg.catalog._entries import Entry, read_entries
from kg.catalog.loader import CATALOG_PACKAGE, load_catalog
from kg.graph.driver import Graph
from kg.model import load_schema

RULES_FILE = "hop_controls.yaml"
ENDS = ("source", "target")
CROSSINGS = ("account", "organization")


@dataclass(frozen=True)
class HopRule:
    relation: str
    source_label: str | None
    target_label: str | None
    crossing: str | None
    at: str
    controls: tuple[str, ...]


@dataclass(frozen=True)
class MissingControl:
    """A catalog control that would stop or detect the hop, not (fully) in force where it runs."""

    control_id: str
    title: str
    status: str  # missing or partial
    account_id: str
    regions: tuple[str, ...]
    evidence: str

    def summary(self) -> str:
        """One line without the evidence, e.g. 'NET-EC2-IMDSV2 (...) missing in 5555 us-east-1'."""
        where = f"{self.account_id} {', '.join(self.regions)}".strip()
        return f"{self.control_id} ({self.title}) {self.status} in {where}"


def _rule(entry: Entry, labels: frozenset[str], rel_types: set[str]) -> HopRule:
    entry.only_fields(("relation", "from", "to", "crossing", "at", "controls"))
    catalog = load_catalog()
    ends = {}
    for field in ("from", "to"):
        label = entry.optional_string(field)
        if label is not None and label not in labels:
            raise entry.error(field, f"{label!r} is not a label of the schema")
        ends[field] = label
    crossing = entry.choice("crossing", CROSSINGS) if "crossing" in entry.data else None
    controls = entry.strings("controls")
    for control_id in controls:
        catalog.control(control_id)  # a CatalogError names an unknown id
    return HopRule(
        relation=entry.choice("relation", rel_types),
        source_label=ends["from"],
        target_label=ends["to"],
        crossing=crossing,
        at=entry.choice("at", ENDS) if "at" in entry.data else "target",
        controls=controls,
    )


@cache
def rules() -> tuple[HopRule, ...]:
    """The shipped rules, checked against the schema and the catalog."""
    schema = load_schema()
    rel_types = {rel.type for rel in schema.rels.values()}
    entries = read_entries(files(CATALOG_PACKAGE), RULES_FILE)
    return tuple(_rule(entry, schema.labels, rel_types) for entry in entries)


@dataclass(frozen=True)
class HopNode:
    """One end of a hop: its labels and properties as the graph holds them."""

    key: str
    labels: frozenset[str]
    props: Mapping[str, Any]

    @property
    def account_id(self) -> str | None:
        value = self.props.get("account_id")
        return str(value) if value else None

    @property
    def outside(self) -> bool:
        """Outside the organization: an external account, or everyone."""
        return "AnyPrincipal" in self.labels or bool(self.props.get("external"))


def account_id_of(key: str) -> str:
    """An account node's id from its path key (its Organizations ARN ends with the id)."""
    return key.rsplit("/", 1)[-1]


# What the rules read of a hop's end: its account, region and whether it is outside, and the
# name the evidence gives a node (properties.name_of).
_HOP_PROPERTIES = ("account_id", "region", "external", "arn", "id", "name")


@cache
def read_properties() -> tuple[str, ...]:
    """The node properties the rules' controls judge a hop's node by, and `_HOP_PROPERTIES`:
    a path's nodes are read with these only (a bucket's policy text stays in the graph)."""
    catalog = load_catalog()
    judged = {
        condition["property"]
        for rule in rules()
        for control_id in rule.controls
        if (check := catalog.control(control_id).check).kind == "node_property"
        for field in ("where", "expect", "expect_any")
        for condition in check.params.get(field) or ()
    }
    return tuple(dict.fromkeys([*_HOP_PROPERTIES, *sorted(judged)]))


def read_nodes(graph: Graph, keys_by_label: Mapping[str, Iterable[str]]) -> dict[str, HopNode]:
    """The nodes of the paths by key, read label by label through the schema's keys."""
    schema = load_schema()
    found: dict[str, HopNode] = {}
    for label, keys in keys_by_label.items():
        keys = sorted(set(keys))
        node = schema.nodes.get(label)
        if node is None or node.key not in ("arn", "account_id"):
            found |= {key: HopNode(key, frozenset({label}), {}) for key in keys}
            continue
        lookup = {account_id_of(key) if node.key == "account_id" else key: key for key in keys}
        query = cast(
            LiteralString,
            f"MATCH (n:{node.label}) WHERE n.{node.key} IN $keys "
            f"RETURN n.{node.key} AS key, labels(n) AS labels, "
            "[name IN $properties WHERE n[name] IS NOT NULL | [name, n[name]]] AS props",
        )
        for row in graph.read(query, keys=sorted(lookup), properties=list(read_properties())):
            key = lookup[row["key"]]
            found[key] = HopNode(key, frozenset(row["labels"]), dict(row["props"]))
    return found


_COVERAGE = """
UNWIND $wanted AS wanted
MATCH (:Account {account_id: wanted.account_id})-[c:HAS_COVERAGE]->
      (control:Control {id: wanted.control_id})
WHERE c.status IN $statuses
RETURN wanted.account_id AS account_id, control.id AS control_id, c.status AS status,
       c.region AS region, c.evidence AS evidence
ORDER BY account_id, control_id, region
"""


class MissingControls:
    """The missing controls of the given hops, from one read of the coverage they need."""

    def __init__(
        self, graph: Graph, nodes: Mapping[str, HopNode], hops: Iterable[tuple[str, str, str]]
    ) -> None:
        self.nodes = nodes
        wanted = sorted(
            {
                (account, control_id)
                for hop in hops
                for control_id, node in self._checks(*hop)
                if (account := node.account_id) and not _judged_on_node(control_id, node)
            }
        )
        self.coverage: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        if not wanted:
            return
        rows = graph.read(
            _COVERAGE,
            wanted=[{"account_id": a, "control_id": c} for a, c in wanted],
            statuses=[MISSING, PARTIAL],
        )
        for row in rows:
            self.coverage[(row["account_id"], row["control_id"])].append(row)

    def _checks(self, source: str, relation: str, target: str) -> Iterable[tuple[str, HopNode]]:
        """Each control of the rules the hop matches, with the end it is judged at."""
        start, end = self.nodes.get(source), self.nodes.get(target)
        if start is None or end is None:
            return
        for rule in rules():
            if rule_matches(rule, start, relation, end):
                node = start if rule.at == "source" else end
                yield from ((control_id, node) for control_id in rule.controls)

    def catalog(self, source: str, relation: str, target: str) -> tuple[str, ...]:
        """Every catalog control the rules name for the hop, in force or not."""
        return tuple(dict.fromkeys(c for c, _ in self._checks(source, relation, target)))

    def of_hop(self, source: str, relation: str, target: str) -> tuple[MissingControl, ...]:
        found: dict[str, MissingControl] = {}
        for control_id, node in self._checks(source, relation, target):
            if control_id not in found and (missing := self._judge(control_id, node)):
                found[control_id] = missing
        return tuple(found.values())

    def _judge(self, control_id: str, node: HopNode) -> MissingControl | None:
        control = load_catalog().control(control_id)
        account = node.account_id
        if account is None:
            return None
        params = control.check.params
        region = node.props.get("region")
        if _judged_on_node(control_id, node):
            seen = judge_nodes([node.props], params["label"], params)
            if seen.status not in (MISSING, PARTIAL):
                return None
            where = (region,) if region else ()
            return MissingControl(control_id, control.title, MISSING, account, where, seen.evidence)
        rows = [
            row
            for row in self.coverage.get((account, control_id), [])
            if not region or row["region"] in (region, "global", None)
        ]
        if not rows:
            return None
        status = MISSING if any(row["status"] == MISSING for row in rows) else PARTIAL
        regions = tuple(dict.fromkeys(row["region"] or "global" for row in rows))
        evidence = str(rows[0]["evidence"] or "")
        return MissingControl(control_id, control.title, status, account, regions, evidence)


def _judged_on_node(control_id: str, node: HopNode) -> bool:
    """A node_property control about the node's label is judged on the node itself."""
    check = load_catalog().control(control_id).check
    return check.kind == "node_property" and check.params["label"] in node.labels


def rule_matches(rule: HopRule, start: HopNode, relation: str, end: HopNode) -> bool:
    if rule.relation != relation:
        return False
    if rule.source_label is not None and rule.source_label not in start.labels:
        return False
    if rule.target_label is not None and rule.target_label not in end.labels:
        return False
    if rule.crossing == "organization":
        return start.outside
    if rule.crossing == "account":
        crosses = start.account_id is not None and start.account_id != end.account_id
        return start.outside or crosses
    return True
