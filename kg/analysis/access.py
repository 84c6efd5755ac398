"""Effective access: who can assume which role, reach which resource, and who is admin.

Reads the loaded principals, their identity policies (own and their groups'), permissions
boundaries, the SCP and RCP levels above each account, trust and resource policies, decides with
the policy engine, and rewrites the derived RUNS_AS, CAN_ASSUME and CAN_ACCESS relationships and
the principals' `is_admin` flag. Only the actions of each resource's own service are evaluated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kg.analysis.iam_view import (
    RUNS_AS_QUERY,
    Actor,
    IamView,
    Target,
    load_view,
    parse,
)
from kg.analysis.policy import (
    ConditionContext,
    Decision,
    Outcome,
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
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema

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


_OUTSIDERS_QUERY = """
MATCH (r:Role)-[:TRUSTS]->(x)
WHERE x:ServicePrincipal OR x:FederatedProvider OR x:AnyPrincipal
   OR (x:Account AND coalesce(x.external, false))
RETURN DISTINCT r.arn AS role, [l IN labels(x) WHERE l IN $labels][0] AS label,
       coalesce(x.name, x.account_id) AS key
"""


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


def _mentions(target: Target, actor: Actor) -> bool:
    """A cheap pre-check: can the target's policy name this actor at all?"""
    return any(
        needle in target.policy_text
        for needle in (
            actor.arn,
            f'"{actor.principal.account_id}"',
            f":{actor.principal.account_id}:root",
            '"*"',
        )
    )


def _assume_records(view: IamView, records: GraphRecords) -> None:
    for role in view.roles.values():
        for actor in view.actors.values():
            if actor.arn == role.arn or not _mentions(role, actor):
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
    covered = _covers_service(actor, service)
    if target.account_id == actor.principal.account_id:
        if target.policy is None and not covered:
            return None
    elif not (covered and _mentions(target, actor)):
        return None  # across accounts both the identity side and the resource policy must allow
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
