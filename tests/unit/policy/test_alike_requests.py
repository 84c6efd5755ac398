"""AlikeRequests lets a caller decide one action over many resources once per key: two
resources with one key must get the same decision, whatever the policies make of their names,
accounts, tags and condition keys. These policies try to tell resources apart in every way the
evaluation can."""

from __future__ import annotations

import pytest

from kg.analysis.policy import (
    AlikeRequests,
    ConditionContext,
    PolicySet,
    Request,
    Resource,
    evaluate,
)

from .builders import (
    ACCOUNT,
    ALICE,
    OTHER_ACCOUNT,
    RCP_FULL_AWS_ACCESS,
    allow,
    boundary,
    deny,
    identity,
    levels,
    rcp,
    scp,
)

ACTIONS = ("iam:AttachRolePolicy", "iam:PassRole", "sts:AssumeRole", "s3:GetObject")


def _role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


RESOURCES = [
    Resource(_role(account, name), account, tags=tags)
    for account in (ACCOUNT, OTHER_ACCOUNT)
    for name in ("app-a", "app-b", "app-secret", "alice-ops", "bob-ops", "ops/app-c", "other")
    for tags in (None, (("team", "red"),), (("team", "blue"),))
] + [
    Resource("*"),
    Resource("arn:aws:s3:::reports/home/alice/q1.csv", ACCOUNT),
    Resource("arn:aws:s3:::reports/home/bob/q1.csv", ACCOUNT),
    Resource(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234", ACCOUNT),
    Resource(f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app", ACCOUNT),
    Resource(f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234", ACCOUNT),
]

POLICY_SETS = {
    "wildcards and a Deny one level down": PolicySet(
        identity=(
            identity(
                allow(["iam:AttachRolePolicy", "iam:PassRole"], _role("*", "app-*")),
                allow("sts:AssumeRole", "*"),
            ),
        ),
        boundary=boundary(allow("*"), deny("*", _role("*", "app-secret"))),
    ),
    "policy variables and NotResource": PolicySet(
        identity=(
            identity(
                allow("*", _role(ACCOUNT, "${aws:username}-*")),
                allow("s3:GetObject", "arn:aws:s3:::reports/home/${aws:username}/*"),
                {"Effect": "Deny", "Action": "iam:*", "NotResource": _role("*", "*-ops")},
            ),
        ),
    ),
    "conditions on the resource's account and tags": PolicySet(
        identity=(
            identity(
                allow("*", "*", Condition={"StringEquals": {"aws:ResourceTag/team": "red"}}),
                allow(
                    "iam:PassRole",
                    "*",
                    Condition={"StringEquals": {"aws:ResourceAccount": ACCOUNT}},
                ),
            ),
        ),
        scps=levels(
            (scp(deny("*", "*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})),)
        ),
        rcps=levels(
            (
                rcp(
                    {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "sts:AssumeRole",
                        "Resource": _role(OTHER_ACCOUNT, "*"),
                    }
                ),
            ),
            full=RCP_FULL_AWS_ACCESS,
        ),
        management_account_id="999988887777",
    ),
}


@pytest.mark.parametrize("policies", POLICY_SETS.values(), ids=POLICY_SETS.keys())
@pytest.mark.parametrize("action", ACTIONS)
def test_resources_with_one_key_get_one_decision(policies: PolicySet, action: str) -> None:
    alike = AlikeRequests(ALICE, policies, ConditionContext())
    by_key: dict[object, set[tuple[object, ...]]] = {}
    for resource in RESOURCES:
        decision = evaluate(ALICE, Request(action, resource), policies)
        by_key.setdefault(alike.key(action, resource), set()).add(
            (decision.outcome, decision.allowed)
        )
    assert all(len(decisions) == 1 for decisions in by_key.values()), by_key
    # The keys do share work: the roles named alike by every statement fall together.
    assert len(by_key) < len(RESOURCES)


def test_the_key_tells_apart_what_the_statements_tell_apart() -> None:
    policies = POLICY_SETS["wildcards and a Deny one level down"]
    alike = AlikeRequests(ALICE, policies, ConditionContext())
    key = {
        name: alike.key("iam:PassRole", Resource(_role(ACCOUNT, name), ACCOUNT))
        for name in ("app-a", "app-b", "app-secret", "other")
    }
    assert key["app-a"] == key["app-b"]
    assert len({key["app-a"], key["app-secret"], key["other"]}) == 3
    other_account = alike.key(
        "iam:PassRole", Resource(_role(OTHER_ACCOUNT, "app-a"), OTHER_ACCOUNT)
    )
    assert other_account != key["app-a"]


def test_a_scope_has_no_key() -> None:
    alike = AlikeRequests(ALICE, PolicySet(), ConditionContext())
    scope = Resource("arn:aws:s3:::reports/home/*", ACCOUNT, scope=True)
    assert alike.key("s3:GetObject", scope) is None
