"""CAN_ASSUME from small in-memory views: which trust policies need the identity side too."""

from __future__ import annotations

from typing import Any

from kg.analysis.access import _assume_records
from kg.analysis.iam_view import Actor, IamView, Target
from kg.analysis.policy import Policy, PolicyKind, PolicySet, Principal, PrincipalKind
from kg.graph.records import GraphRecords

ACCOUNT = "111111111111"
OTHER = "222222222222"
TARGET = f"arn:aws:iam::{ACCOUNT}:role/target"
ASSUME_TARGET = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": TARGET}


def _policy(kind: PolicyKind, *statements: dict[str, Any]) -> Policy:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Policy.parse(document, policy_id=f"{kind}-policy", kind=kind)


def _role(name: str, *statements: dict[str, Any], account: str = ACCOUNT) -> Actor:
    identity = (_policy(PolicyKind.IDENTITY, *statements),) if statements else ()
    principal = Principal(PrincipalKind.ROLE, f"arn:aws:iam::{account}:role/{name}")
    return Actor("Role", principal, PolicySet(identity))


def _assumers(trusted: object, *actors: Actor) -> set[str]:
    trust = _policy(
        PolicyKind.RESOURCE,
        {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"},
    )
    roles = {TARGET: Target("Role", TARGET, ACCOUNT, trust, None)}
    view = IamView(
        {actor.arn: actor for actor in actors}, roles, [], None, None, frozenset({ACCOUNT, OTHER})
    )
    records = GraphRecords()
    _assume_records(view, records)
    return {row["source"] for row in records.rels[("CAN_ASSUME", "Role", "Role")]}


def test_a_trust_policy_naming_the_account_needs_an_identity_policy_allowing_it() -> None:
    allowed = _role("allowed", ASSUME_TARGET)
    elsewhere = _role("elsewhere", {**ASSUME_TARGET, "Resource": f"{TARGET}-other"})
    bare = _role("bare")
    assert _assumers(f"arn:aws:iam::{ACCOUNT}:root", allowed, elsewhere, bare) == {allowed.arn}


def test_a_trust_policy_naming_the_role_needs_no_identity_policy() -> None:
    bare = _role("bare")
    assert _assumers(bare.arn, bare) == {bare.arn}


def test_across_accounts_the_identity_policy_must_allow_as_well() -> None:
    allowed = _role("allowed", ASSUME_TARGET, account=OTHER)
    bare = _role("bare", account=OTHER)
    assert _assumers(f"arn:aws:iam::{OTHER}:root", allowed, bare) == {allowed.arn}
    assert _assumers(bare.arn, bare) == set()
