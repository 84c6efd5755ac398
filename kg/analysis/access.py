"""Effective access: who can assume which role, reach which resource, and who is admin.

Reads the loaded principals, their identity policies (own and their groups'), permissions
boundaries, the SCP and RCP levels above each account, trust and resource policies, decides with
the policy engine, and rewrites the derived RUNS_AS, CAN_ASSUME and CAN_ACCESS relationships and
the principals' `is_admin` flag. Only the actions of each resource's own service are evaluated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kg.analysis.policy import (
    ConditionContext,
    Decision,
    OrgLevel,
    Outcome,
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    Resource,
    action_catalog,
    evaluate,
    evaluate_actions,
)
from kg.errors import KgError
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema
from kg.model.access import RESOURCE_LABELS

ACCESS_REL_TYPES = ("RUNS_AS", "CAN_ASSUME", "CAN_ACCESS")
MAX_LISTED_ACTIONS = 50
# A principal is admin-equivalent when every one of these is allowed on every resource: they
# span identity, compute, data and keys, so a policy short of "*" on "*" rarely passes them all.
# (sts:AssumeRole is left out: it always needs the target role's trust policy as well.)
ADMIN_SENTINELS = (
    "iam:PutRolePolicy",
    "iam:AttachUserPolicy",
    "iam:PassRole",
    "iam:CreateAccessKey",
    "iam:CreateRole",
    "ec2:RunInstances",
    "s3:GetObject",
    "s3:PutBucketPolicy",
    "kms:Decrypt",
    "secretsmanager:GetSecretValue",
    "lambda:UpdateFunctionCode",
)
_ASSUME_ACTIONS = {
    PrincipalKind.FEDERATED: ("sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"),
}
_ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


# Requests an attacker makes go through the AWS SDKs and CLI, which always use TLS: a policy
# denying plain-HTTP requests does not stand in their way.
ATTACKER_CONTEXT = ConditionContext.of({"aws:SecureTransport": True})


class AccessAnalysisError(KgError):
    """A policy stored in the graph could not be read."""


@dataclass(frozen=True)
class Actor:
    """A user or role with every policy that bears on its requests (no resource policy yet)."""

    label: str
    principal: Principal
    policies: PolicySet

    @property
    def arn(self) -> str:
        return self.principal.arn

    def with_resource(self, resource_policy: Policy | None) -> PolicySet:
        base = self.policies
        return PolicySet(
            identity=base.identity,
            resource=resource_policy,
            scps=base.scps,
            rcps=base.rcps,
            boundary=base.boundary,
            management_account_id=base.management_account_id,
        )


@dataclass(frozen=True)
class Target:
    """A resource-labelled node (or a role, for assumption) and its resource policy."""

    label: str
    arn: str
    account_id: str
    policy: Policy | None
    rcps: tuple[OrgLevel, ...] | None


@dataclass(frozen=True)
class IamView:
    actors: dict[str, Actor]
    roles: dict[str, Target]  # role ARN -> its trust policy as the resource policy
    resources: list[Target]
    management_account_id: str | None


def parse(document: Any, policy_id: str, kind: PolicyKind) -> Policy:
    try:
        return Policy.parse(document, policy_id=policy_id, kind=kind)
    except PolicyError as exc:
        raise AccessAnalysisError(f"graph policy {policy_id}: {exc}") from None


_ORG_QUERY = """
MATCH (o:Organization)
OPTIONAL MATCH (root:OrganizationRoot)-[:IN]->(o)
RETURN o.id AS org_id, o.management_account_id AS management,
       coalesce(root.enabled_policy_types, []) AS enabled
LIMIT 1
"""
_LEVELS_QUERY = """
MATCH (a:Account) WHERE NOT coalesce(a.external, false)
OPTIONAL MATCH path = (a)-[:IN*1..12]->(:OrganizationRoot)
WITH a, CASE WHEN path IS NULL THEN [] ELSE nodes(path) END AS chain
RETURN a.account_id AS account_id,
       [n IN chain | {target: coalesce(n.id, n.account_id),
        policies: [(p:OrgPolicy)-[:ATTACHED_TO]->(n) |
                   {arn: p.arn, type: p.policy_type, document: p.document}]}] AS levels
"""
_ACTORS_QUERY = """
MATCH (p:Principal) WHERE p:User OR p:Role
OPTIONAL MATCH (own:IAMPolicy)-[:ATTACHED_TO]->(p)
WITH p, collect(DISTINCT own {.arn, .document}) AS own
OPTIONAL MATCH (p)-[:MEMBER_OF]->(:Group)<-[:ATTACHED_TO]-(inherited:IAMPolicy)
WITH p, own, collect(DISTINCT inherited {.arn, .document}) AS inherited
OPTIONAL MATCH (boundary:IAMPolicy)-[:BOUNDS]->(p)
RETURN CASE WHEN p:User THEN 'User' ELSE 'Role' END AS label, p.arn AS arn,
       p.account_id AS account_id, coalesce(p.service_linked, false) AS service_linked,
       p.trust_policy AS trust_policy, own + inherited AS policies,
       boundary {.arn, .document} AS boundary
"""
_RESOURCES_QUERY = """
MATCH (r:Resource)
RETURN [label IN labels(r) WHERE label IN $labels][0] AS label, r.arn AS arn,
       r.account_id AS account_id, r.policy AS policy
"""
RUNS_AS_QUERY = """
MATCH (i:Ec2Instance)-[:HAS_PROFILE]->(:InstanceProfile)-[:FOR_ROLE]->(r:Role)
RETURN 'Ec2Instance' AS label, i.arn AS source, r.arn AS role
UNION
MATCH (f:LambdaFunction)-[:HAS_EXECUTION_ROLE]->(r:Role)
RETURN 'LambdaFunction' AS label, f.arn AS source, r.arn AS role
"""
_OUTSIDERS_QUERY = """
MATCH (r:Role)-[:TRUSTS]->(x)
WHERE x:ServicePrincipal OR x:FederatedProvider OR x:AnyPrincipal
   OR (x:Account AND coalesce(x.external, false))
RETURN DISTINCT r.arn AS role, [l IN labels(x) WHERE l IN $labels][0] AS label,
       coalesce(x.name, x.account_id) AS key
"""


def _org_levels(
    rows: Sequence[dict[str, Any]], enabled: Sequence[str], kind: PolicyKind
) -> dict[str, tuple[OrgLevel, ...] | None]:
    """Per account, the levels from the root down with their policies of one kind."""
    type_name = {
        PolicyKind.SCP: "SERVICE_CONTROL_POLICY",
        PolicyKind.RCP: "RESOURCE_CONTROL_POLICY",
    }
    wanted = type_name[kind]
    levels: dict[str, tuple[OrgLevel, ...] | None] = {}
    for row in rows:
        if not row["levels"] or wanted not in enabled:
            levels[row["account_id"]] = None
            continue
        levels[row["account_id"]] = tuple(
            OrgLevel(
                level["target"],
                tuple(
                    parse(p["document"], p["arn"], kind)
                    for p in level["policies"]
                    if p["type"] == wanted and p["document"]
                ),
            )
            for level in reversed(row["levels"])
        )
    return levels


def load_view(graph: Graph) -> IamView:
    """Everything the decisions need, read once from the graph."""
    org = graph.read(_ORG_QUERY)
    org_id = org[0]["org_id"] if org else None
    management = org[0]["management"] if org else None
    enabled = org[0]["enabled"] if org else []
    level_rows = graph.read(_LEVELS_QUERY)
    scps = _org_levels(level_rows, enabled, PolicyKind.SCP)
    rcps = _org_levels(level_rows, enabled, PolicyKind.RCP)
    actors: dict[str, Actor] = {}
    roles: dict[str, Target] = {}
    for row in graph.read(_ACTORS_QUERY):
        kind = PrincipalKind.USER if row["label"] == "User" else PrincipalKind.ROLE
        account = row["account_id"]
        principal = Principal(
            kind, row["arn"], account, org_id=org_id, service_linked=row["service_linked"]
        )
        boundary = row["boundary"]
        actors[row["arn"]] = Actor(
            row["label"],
            principal,
            PolicySet(
                identity=tuple(
                    parse(p["document"], p["arn"], PolicyKind.IDENTITY)
                    for p in row["policies"]
                    if p["document"]
                ),
                scps=scps.get(account),
                boundary=parse(boundary["document"], boundary["arn"], PolicyKind.BOUNDARY)
                if boundary and boundary["document"]
                else None,
                management_account_id=management,
            ),
        )
        if kind is PrincipalKind.ROLE and row["trust_policy"]:
            trust = parse(row["trust_policy"], f"{row['arn']} trust policy", PolicyKind.RESOURCE)
            roles[row["arn"]] = Target("Role", row["arn"], account, trust, rcps.get(account))
    resources = [
        Target(
            row["label"],
            row["arn"],
            row["account_id"],
            parse(row["policy"], f"{row['arn']} policy", PolicyKind.RESOURCE)
            if row["policy"]
            else None,
            rcps.get(row["account_id"]),
        )
        for row in graph.read(_RESOURCES_QUERY, labels=list(RESOURCE_LABELS))
        if row["label"]
    ]
    return IamView(actors, roles, resources, management)


def decide(actor: Actor, action: str, target: Target) -> Decision:
    """One action of an actor on a target, with the target's policy and RCPs in force."""
    return evaluate_actions(
        actor.principal,
        (action,),
        Resource(target.arn, target.account_id),
        _policies(actor, target),
        ATTACKER_CONTEXT,
    )[action]


def _policies(actor: Actor, target: Target) -> PolicySet:
    base = actor.with_resource(target.policy)
    return PolicySet(
        identity=base.identity,
        resource=base.resource,
        scps=base.scps,
        rcps=target.rcps,
        boundary=base.boundary,
        management_account_id=base.management_account_id,
    )


def conditions_json(decisions: Iterable[Decision], limit: int = 10) -> str | None:
    seen = list(
        dict.fromkeys(
            json.dumps(c.to_json(), sort_keys=True) for d in decisions for c in d.conditions
        )
    )
    return "[" + ", ".join(seen[:limit]) + "]" if seen else None


def is_admin(actor: Actor) -> bool:
    resource = Resource("*")
    policies = actor.policies
    return all(
        evaluate(actor.principal, Request(action, resource, ATTACKER_CONTEXT), policies).allowed
        for action in ADMIN_SENTINELS
    )


def _mentions(policy: Policy, actor: Actor) -> bool:
    """A cheap pre-check: can the trust policy name this actor at all?"""
    text = json.dumps(policy.document)
    return any(
        needle in text
        for needle in (
            actor.arn,
            f'"{actor.principal.account_id}"',
            f":{actor.principal.account_id}:root",
            '"*"',
        )
    )


def _assume_records(view: IamView, records: GraphRecords) -> None:
    for role in view.roles.values():
        assert role.policy is not None
        for actor in view.actors.values():
            if actor.arn == role.arn or not _mentions(role.policy, actor):
                continue
            decision = decide(actor, "sts:AssumeRole", role)
            if decision.possibly_allowed:
                records.rel(
                    "CAN_ASSUME",
                    (actor.label, actor.arn),
                    ("Role", role.arn),
                    via="sts:AssumeRole",
                    conditional=decision.outcome is Outcome.CONDITIONAL,
                    conditions=conditions_json([decision]),
                )


def _outsider(label: str, key: str) -> tuple[Principal, tuple[str, ...]] | None:
    if label == "ServicePrincipal":
        return Principal(PrincipalKind.SERVICE, key), ("sts:AssumeRole",)
    if label == "FederatedProvider":
        return Principal(PrincipalKind.FEDERATED, key), _ASSUME_ACTIONS[PrincipalKind.FEDERATED]
    if label == "Account":
        return Principal(PrincipalKind.ROOT, f"arn:aws:iam::{key}:root"), ("sts:AssumeRole",)
    return None  # everyone: the trust edge itself says it; no single requester to evaluate


def _outsider_records(graph: Graph, view: IamView, records: GraphRecords) -> None:
    """Services, identity providers and external accounts a trust policy lets in.

    An external account's own policies are not in the graph: its administrator can grant what
    it likes, so only the trust policy (and the RCPs) decide.
    """
    allow_all = parse(_ALLOW_ALL, "external account administrator", PolicyKind.IDENTITY)
    labels = ["ServicePrincipal", "FederatedProvider", "Account", "AnyPrincipal"]
    for row in graph.read(_OUTSIDERS_QUERY, labels=labels):
        role = view.roles.get(row["role"])
        found = _outsider(row["label"], row["key"])
        if role is None or found is None:
            continue
        principal, actions = found
        identity = (allow_all,) if principal.kind is PrincipalKind.ROOT else ()
        policies = PolicySet(
            identity=identity,
            resource=role.policy,
            rcps=role.rcps,
            management_account_id=view.management_account_id,
        )
        decisions = evaluate_actions(
            principal, actions, Resource(role.arn, role.account_id), policies, ATTACKER_CONTEXT
        )
        for action, decision in decisions.items():
            if decision.possibly_allowed:
                records.rel(
                    "CAN_ASSUME",
                    (row["label"], row["key"]),
                    ("Role", role.arn),
                    via=action,
                    conditional=decision.outcome is Outcome.CONDITIONAL,
                    conditions=conditions_json([decision]),
                )
                break


def _covers_service(actor: Actor, service: str) -> bool:
    return any(
        statement.actions_negated or statement.actions.may_cover_service(service)
        for policy in actor.policies.identity
        for statement in policy.statements
    )


def access_edge(actor: Actor, target: Target) -> dict[str, Any] | None:
    """The CAN_ACCESS properties of an actor on a resource (and its objects), or None."""
    catalog = action_catalog()
    service = target.arn.split(":")[2]
    if target.policy is None and not _covers_service(actor, service):
        return None
    arns = [target.arn] + ([f"{target.arn}/*"] if target.label == "S3Bucket" else [])
    decisions: dict[str, Decision] = {}
    for arn in arns:
        decisions.update(
            evaluate_actions(
                actor.principal,
                catalog.actions_on(arn),
                Resource(arn, target.account_id),
                _policies(actor, target),
                ATTACKER_CONTEXT,
            )
        )
    allowed = sorted(a for a, d in decisions.items() if d.allowed)
    maybe = sorted(a for a, d in decisions.items() if d.outcome is Outcome.CONDITIONAL)
    granted = allowed or maybe
    if not granted:
        return None
    levels = sorted({str(catalog.access_level(a)) for a in granted if catalog.access_level(a)})
    return {
        "access_levels": levels,
        "actions": granted[:MAX_LISTED_ACTIONS],
        "action_count": len(granted),
        "conditional": not allowed,
        "conditions": None if allowed else conditions_json(decisions[a] for a in maybe),
    }


def derive(graph: Graph) -> int:
    """Rewrite RUNS_AS, CAN_ASSUME, CAN_ACCESS and `is_admin`; return how many edges it wrote."""
    view = load_view(graph)
    records = GraphRecords()
    for row in graph.read(RUNS_AS_QUERY):
        records.rel("RUNS_AS", (row["label"], row["source"]), ("Role", row["role"]))
    _assume_records(view, records)
    _outsider_records(graph, view, records)
    for actor in view.actors.values():
        for target in view.resources:
            edge = access_edge(actor, target)
            if edge is not None:
                records.rel(
                    "CAN_ACCESS", (actor.label, actor.arn), (target.label, target.arn), **edge
                )
    summary = GraphWriter(graph, load_schema()).replace_derived(records, rel_types=ACCESS_REL_TYPES)
    admins = sorted(arn for arn, actor in view.actors.items() if is_admin(actor))
    graph.write("MATCH (p:Principal) SET p.is_admin = p.arn IN $admins", admins=admins)
    return summary.relationships
