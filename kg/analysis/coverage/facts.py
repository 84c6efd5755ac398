"""What the coverage checks look at, read from the graph once per derive.

Reading everything up front (a few queries, each one pass over a label) keeps the checks plain
Python over plain data: easy to test, and one derive costs the same whatever the catalog size.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, LiteralString, cast

from kg.errors import SchemaError
from kg.graph.driver import Graph
from kg.model import load_schema

GLOBAL = "global"
# The loader's bookkeeping timestamps: no check reads them, and turning a Neo4j datetime into a
# Python one costs more than the rest of a node, so fact queries leave them out.
_BOOKKEEPING = ("first_seen", "last_updated")


def _props(variable: str) -> str:
    """A node's properties without the bookkeeping timestamps (a Cypher map projection)."""
    return variable + " {.*, " + ", ".join(f"{name}: null" for name in _BOOKKEEPING) + "}"


def _fact(props: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in props.items() if name not in _BOOKKEEPING}


_ORGANIZATION = """
MATCH (org:Organization)
OPTIONAL MATCH (root:OrganizationRoot)-[:IN]->(org)
RETURN org.arn AS arn, org.management_account_id AS management_account_id,
       root.arn AS root_arn, coalesce(root.unknown, []) + coalesce(org.unknown, []) AS unknown
LIMIT 1
"""

_OUS = """
MATCH (ou:OrganizationalUnit)-[:IN]->(parent)
RETURN ou.arn AS arn, ou.name AS name, ou.path AS path, parent.arn AS parent_arn
ORDER BY ou.path
"""

_ACCOUNTS = """
MATCH (a:Account)
WHERE NOT coalesce(a.external, false)
OPTIONAL MATCH (a)-[:IN]->(parent)
RETURN a.account_id AS account_id, a.name AS name, a.ou_path AS ou_path,
       parent.arn AS parent_arn
ORDER BY a.ou_path, a.name, a.account_id
"""

_POLICIES = """
MATCH (p:OrgPolicy)-[:ATTACHED_TO]->(target)
RETURN p.arn AS arn, p.name AS name, p.policy_type AS policy_type, p.document AS document,
       coalesce(target.arn, target.account_id) AS target
ORDER BY target, arn
"""

_DELEGATED_ADMINS = """
MATCH (a:Account)-[:DELEGATED_ADMIN_FOR]->(sp:ServicePrincipal)
RETURN sp.name AS service_principal, a.account_id AS account_id
ORDER BY service_principal, account_id
"""

_ENROLLMENTS = """
MATCH (s:SecurityControlState)-[e:ENROLLS]->(a:Account)
RETURN s.id AS state_id, a.account_id AS account_id, e.enabled AS enabled,
       e.relationship AS relationship, e.features_on AS features_on,
       e.compliance AS compliance
ORDER BY state_id, account_id
"""

_STATES = f"""
MATCH (s:SecurityControlState)
RETURN labels(s) AS labels, {_props("s")} AS props
ORDER BY s.id
"""


@dataclass(frozen=True)
class OrgPolicy:
    arn: str
    name: str
    policy_type: str
    statements: tuple[dict[str, Any], ...]  # control policies (SCP, RCP)
    content: dict[str, Any]  # the whole document (management policies: @@assign grammar)


@dataclass(frozen=True)
class Target:
    """Something coverage is judged for: the organization, an OU or an account."""

    kind: str  # Organization, OrganizationalUnit or Account (the graph label)
    key: str  # its key in the graph: arn, or account_id for accounts
    name: str
    ou_path: str
    path_keys: tuple[str, ...]  # root first, then the OUs down to it, then itself


@dataclass
class Facts:
    organization_arn: str | None = None
    management_account_id: str | None = None
    root_arn: str | None = None
    org_unknown: tuple[str, ...] = ()
    ous: list[Target] = field(default_factory=list)
    accounts: list[Target] = field(default_factory=list)
    # target key -> policies attached to it
    attached: dict[str, list[OrgPolicy]] = field(default_factory=lambda: defaultdict(list))
    delegated_admins: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # (account_id, region) -> state nodes' properties, each with a "label" entry
    states: dict[tuple[str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    # administrator's state id -> member account id -> the ENROLLS relationship's properties
    enrollments: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    # label -> properties of every node of that label (the labels node_property controls name)
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # control id -> its label's nodes, each with "related": the nodes at the other end of the
    # control's relationship (resource_relationship controls)
    related: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def regions(self, account_id: str) -> list[str]:
        """The regions collected for the account (those holding any control state)."""
        return sorted({r for (a, r) in self.states if a == account_id and r != GLOBAL})

    def account_ids(self) -> list[str]:
        return [account.key for account in self.accounts]


def _policy(row: Mapping[str, Any]) -> OrgPolicy:
    parsed = json.loads(row["document"]) if row["document"] else {}
    content = parsed if isinstance(parsed, dict) else {}
    statements = content.get("Statement", [])
    return OrgPolicy(
        row["arn"],
        row["name"],
        row["policy_type"],
        tuple(s for s in statements if isinstance(s, dict)) if isinstance(statements, list) else (),
        content,
    )


def _paths(parents: dict[str, str | None], key: str, root_arn: str | None) -> tuple[str, ...]:
    chain = [key]
    parent = parents.get(key)
    while parent is not None and parent not in chain:
        chain.append(parent)
        parent = parents.get(parent)
    if root_arn is not None and root_arn not in chain:
        chain.append(root_arn)
    return tuple(reversed(chain))


def _declared(label: str) -> str:
    """The label, once checked against the schema (labels cannot be query parameters)."""
    if label not in load_schema().labels:
        raise SchemaError(f"coverage: label {label!r} is not declared in the graph model")
    return label


def _key(label: str) -> str:
    """The label's key property: reads in its order judge the same nodes in the same order on
    every load, so evidence that lists some of them reads the same."""
    return load_schema().node(_declared(label)).key


def _declared_rel(rel_type: str) -> str:
    if rel_type not in {rel.type for rel in load_schema().rels.values()}:
        raise SchemaError(f"coverage: relationship {rel_type!r} is not declared in the graph model")
    return rel_type


def _related_query(params: Mapping[str, Any]) -> str:
    """Each node of the label with the nodes at the other end of the relationship."""
    rel = f"[:{_declared_rel(params['relationship'])}]"
    arrow = f"<-{rel}-" if params["direction"] == "in" else f"-{rel}->"
    return (
        f"MATCH (n:{_declared(params['label'])})\n"
        f"OPTIONAL MATCH (n){arrow}(o:{_declared(params['other_label'])})\n"
        f"RETURN {_props('n')} AS props, [x IN collect(o) | {_props('x')}] AS related\n"
        f"ORDER BY props.{_key(params['label'])}"
    )


def read_facts(
    graph: Graph,
    labels: Iterable[str] = (),
    relationships: Mapping[str, Mapping[str, Any]] | None = None,
) -> Facts:
    """Read the organization, policies, delegated admins, control states and the members their
    administrators enroll, the nodes of the given labels and, per control id, the
    relationships its params name; one pass each."""
    facts = Facts()
    for label in sorted(set(labels)):
        query = f"MATCH (n:{_declared(label)}) RETURN {_props('n')} AS props"
        query += f" ORDER BY n.{_key(label)}"
        facts.nodes[label] = [_fact(row["props"]) for row in graph.read(cast(LiteralString, query))]
    for control_id, params in (relationships or {}).items():
        rows = graph.read(cast(LiteralString, _related_query(params)))
        facts.related[control_id] = [
            {**_fact(row["props"]), "related": [_fact(other) for other in row["related"]]}
            for row in rows
        ]
    for row in graph.read(_ORGANIZATION):
        facts.organization_arn = row["arn"]
        facts.management_account_id = row["management_account_id"]
        facts.root_arn = row["root_arn"]
        facts.org_unknown = tuple(row["unknown"])
    parents: dict[str, str | None] = {}
    ou_rows = graph.read(_OUS)
    account_rows = graph.read(_ACCOUNTS)
    for row in ou_rows:
        parents[row["arn"]] = row["parent_arn"]
    for row in account_rows:
        parents[row["account_id"]] = row["parent_arn"]
    facts.ous = [
        Target(
            "OrganizationalUnit",
            row["arn"],
            row["name"],
            row["path"] or row["name"],
            _paths(parents, row["arn"], facts.root_arn),
        )
        for row in ou_rows
    ]
    facts.accounts = [
        Target(
            "Account",
            row["account_id"],
            row["name"] or row["account_id"],
            row["ou_path"] or "",
            _paths(parents, row["account_id"], facts.root_arn),
        )
        for row in account_rows
    ]
    for row in graph.read(_POLICIES):
        facts.attached[row["target"]].append(_policy(row))
    for row in graph.read(_DELEGATED_ADMINS):
        facts.delegated_admins[row["service_principal"]].append(row["account_id"])
    for row in graph.read(_ENROLLMENTS):
        facts.enrollments[row["state_id"]][row["account_id"]] = {
            "enabled": row["enabled"],
            "relationship": row["relationship"],
            "features_on": row["features_on"],
            "compliance": row["compliance"],
        }
    for row in graph.read(_STATES):
        props = _fact(row["props"])
        props["label"] = next(label for label in row["labels"] if label != "SecurityControlState")
        facts.states[(props["account_id"], props.get("region") or GLOBAL)].append(props)
    return facts
