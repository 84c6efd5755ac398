"""A role's trust policy spelled out as (Role)-[:TRUSTS]->(who may assume it).

Each Allow statement links the role to every principal it names: an account (its id or root
ARN) as the Account node, marked external when the organization does not list it; a user or role
ARN as that principal (a reference when it lives in another account); a service as its
ServicePrincipal; a federated identity provider; and "*" as the single AnyPrincipal node. An
Allow with NotPrincipal lets everyone but the listed principals in, so it links to AnyPrincipal
with the exclusions on the relationship. Deny statements only narrow; they stay in the role's
`trust_policy` for the evaluator, as do principals named by unique id or role-session ARN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from kg.analysis.policy.errors import PolicyError
from kg.analysis.policy.principals import PrincipalSpec
from kg.errors import SnapshotError
from kg.graph.records import GraphRecords, NodeRef

EVERYONE = "everyone"
_IAM_PRINCIPAL = re.compile(r"^arn:[a-z0-9-]+:iam::(?P<account>\d{12}):(?P<kind>user|role)/")
_PROVIDER_ACCOUNT = re.compile(r"^arn:[a-z0-9-]+:iam::(\d{12}):(saml|oidc)-provider/")
_LABELS = {"user": "User", "role": "Role"}


@dataclass(frozen=True)
class TrustContext:
    """Who states the trust and which accounts it knows.

    `members` are the accounts of the organization (and of the snapshot): an account named in a
    trust policy outside them is external. `collected` are the accounts the snapshot covers: a
    principal of any other account is linked to its account here, as no load of its own will.
    """

    records: GraphRecords
    account_id: str
    members: Collection[str]
    collected: Collection[str]


def _strings(statement: dict[str, Any], element: str, where: str) -> list[str] | None:
    value = statement.get(element)
    if value is None:
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise SnapshotError(f"{where}.{element}: expected a string or a list of strings")
    return values


def _principal_spec(element: Any, where: str) -> PrincipalSpec:
    try:
        return PrincipalSpec.parse(element, where)
    except PolicyError as exc:
        raise SnapshotError(str(exc)) from None


def _account(ctx: TrustContext, account_id: str) -> NodeRef:
    ctx.records.ref("Account", account_id=account_id, external=account_id not in ctx.members)
    return ("Account", account_id)


def _principal(ctx: TrustContext, arn: str) -> NodeRef | None:
    """The user or role an ARN names (None for session ARNs and unique ids)."""
    match = _IAM_PRINCIPAL.match(arn)
    if match is None:
        return None
    label, owner = _LABELS[match["kind"]], match["account"]
    ctx.records.ref(label, arn=arn, account_id=owner, name=arn.rsplit("/", 1)[-1])
    if owner not in ctx.collected:
        account = _account(ctx, owner)
        ctx.records.rel("BELONGS_TO", (label, arn), account, account_id=ctx.account_id)
    return (label, arn)


def _federated(ctx: TrustContext, name: str) -> NodeRef:
    provider = _PROVIDER_ACCOUNT.match(name)
    kind = provider.group(2) if provider else "web_identity"
    owner = provider.group(1) if provider else None
    ctx.records.ref("FederatedProvider", name=name, kind=kind, account_id=owner)
    return ("FederatedProvider", name)


def _service(ctx: TrustContext, name: str) -> NodeRef:
    ctx.records.ref("ServicePrincipal", name=name)
    return ("ServicePrincipal", name)


def _anyone(ctx: TrustContext) -> NodeRef:
    ctx.records.ref("AnyPrincipal", name=EVERYONE)
    return ("AnyPrincipal", EVERYONE)


def _trusted(ctx: TrustContext, spec: PrincipalSpec) -> list[NodeRef]:
    if spec.everyone:
        return [_anyone(ctx)]
    named = [_account(ctx, account) for account in sorted(spec.accounts)]
    named += [ref for arn in sorted(spec.arns) if (ref := _principal(ctx, arn)) is not None]
    named += [_service(ctx, service) for service in sorted(spec.services)]
    named += [_federated(ctx, provider) for provider in sorted(spec.federated)]
    return named


def add_trusts(ctx: TrustContext, role: NodeRef, trust_policy: str, where: str) -> None:
    """TRUSTS relationships for a role's normalized trust policy (JSON text)."""
    for index, statement in enumerate(json.loads(trust_policy)["Statement"]):
        if statement.get("Effect") != "Allow":
            continue
        at = f"{where}.Statement[{index}]"
        props: dict[str, Any] = {
            "statement": index,
            "actions": _strings(statement, "Action", at),
            "not_actions": _strings(statement, "NotAction", at),
            "condition": (
                json.dumps(statement["Condition"], sort_keys=True)
                if statement.get("Condition")
                else None
            ),
        }
        if "NotPrincipal" in statement:
            _principal_spec(statement["NotPrincipal"], f"{at}.NotPrincipal")
            props["not_principal"] = json.dumps(statement["NotPrincipal"], sort_keys=True)
            targets = [_anyone(ctx)]
        elif "Principal" in statement:
            targets = _trusted(ctx, _principal_spec(statement["Principal"], f"{at}.Principal"))
        else:
            raise SnapshotError(f"{at}: an Allow statement of a trust policy names no Principal")
        for target in targets:
            ctx.records.rel("TRUSTS", role, target, account_id=ctx.account_id, **props)
