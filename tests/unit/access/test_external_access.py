"""CAN_ACCESS from outside the organization: an external account a resource policy names, and
everyone, decided by the same function and policy engine as in-organization principals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kg.analysis.access import EVERYONE, access_edge, access_records, outsider, outsiders
from kg.analysis.iam_view import Actor, IamView, Target
from kg.analysis.policy import OrgLevel, Policy, PolicyKind, PolicySet, Principal, PrincipalKind
from kg.graph.records import GraphRecords

ORG_ID = "o-ours12345"
MEMBER = "111111111111"
PARTNER = "999988887777"
BUCKET = "arn:aws:s3:::partner-exchange"
READ = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": [BUCKET, f"{BUCKET}/*"],
    "Sid": "PartnerRead",
}


def _policy(kind: PolicyKind, *statements: dict[str, Any]) -> Policy:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Policy.parse(document, policy_id=f"{BUCKET} policy", kind=kind)


def _bucket(*statements: dict[str, Any], rcp: Policy | None = None) -> Target:
    rcps = (OrgLevel("r-root", (rcp,)),) if rcp else None
    return Target("S3Bucket", BUCKET, MEMBER, _policy(PolicyKind.RESOURCE, *statements), rcps)


def _view(*resources: Target) -> IamView:
    return IamView({}, {}, list(resources), None, ORG_ID, frozenset({MEMBER}))


def _partner() -> Actor:
    return outsider("Account", PARTNER, _view())


def test_an_external_account_named_by_a_bucket_policy_gets_what_it_grants() -> None:
    edge = access_edge(_partner(), _bucket(READ))
    assert edge is not None
    assert edge["actions"] == ["s3:GetObject", "s3:ListBucket"]
    assert edge["access_levels"] == ["List", "Read"]
    assert edge["conditional"] is False
    assert edge["allowed_by"] == [f"{BUCKET} policy#PartnerRead"]


def test_an_explicit_deny_in_the_bucket_policy_takes_it_away() -> None:
    deny = {**READ, "Effect": "Deny", "Action": "s3:*", "Sid": "NoPartner"}
    assert access_edge(_partner(), _bucket(READ, deny)) is None


def test_a_data_perimeter_rcp_on_the_buckets_account_takes_it_away() -> None:
    full_access = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    perimeter = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }
    rcp = _policy(PolicyKind.RCP, full_access, perimeter)
    assert access_edge(_partner(), _bucket(READ, rcp=rcp)) is None
    # Our SCPs do not bind the external account: the RCP is what stops it.
    assert access_edge(_partner(), _bucket(READ, rcp=_policy(PolicyKind.RCP, full_access)))


def test_an_organization_id_condition_shuts_out_an_account_outside_the_organization() -> None:
    in_org_only = {**READ, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}}
    assert access_edge(_partner(), _bucket(in_org_only)) is None


def test_a_condition_the_graph_cannot_decide_makes_the_access_conditional() -> None:
    from_office = {**READ, "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
    edge = access_edge(_partner(), _bucket(from_office))
    assert edge is not None
    assert edge["conditional"] is True
    conditions = json.loads(edge["conditions"])
    assert conditions[0]["condition"] == {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}
    assert conditions[0]["statement"] == "PartnerRead"


PUBLIC = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}


def test_everyone_gets_what_a_policy_grants_to_star() -> None:
    everyone = outsider("AnyPrincipal", EVERYONE, _view())
    edge = access_edge(everyone, _bucket(PUBLIC))
    assert edge is not None
    assert edge["actions"] == ["s3:GetObject"]
    assert edge["conditional"] is False
    assert everyone.node == ("AnyPrincipal", EVERYONE)


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
        {"StringEquals": {"aws:PrincipalAccount": MEMBER}},
    ],
)
def test_a_condition_on_the_callers_organization_or_account_shuts_out_everyone(
    condition: dict[str, Any],
) -> None:
    everyone = outsider("AnyPrincipal", EVERYONE, _view())
    assert access_edge(everyone, _bucket({**PUBLIC, "Condition": condition})) is None


def test_an_external_account_is_not_credited_with_what_everyone_gets() -> None:
    assert access_edge(_partner(), _bucket(PUBLIC)) is None


def test_outsiders_are_the_accounts_policies_name_outside_the_organization_and_everyone() -> None:
    member_read = {**READ, "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:root"}}
    view = _view(_bucket(READ, member_read))
    found = outsiders(view)
    assert [actor.node for actor in found] == [
        ("Account", PARTNER),
        ("AnyPrincipal", EVERYONE),
    ]
    partner = found[0]
    assert partner.principal.account_id == PARTNER
    assert partner.policies.scps is None


MEMBER_ROLE = f"arn:aws:iam::{MEMBER}:role/reader"
OTHER_MEMBER = "222222222222"
OTHER_ROLE = f"arn:aws:iam::{OTHER_MEMBER}:role/reader"


def _member(arn: str, *actions: str) -> Actor:
    """A role of the organization whose identity policy allows `actions` on everything."""
    allow = {"Effect": "Allow", "Action": list(actions), "Resource": "*"}
    principal = Principal(PrincipalKind.ROLE, arn, org_id=ORG_ID)
    return Actor("Role", principal, PolicySet((_policy(PolicyKind.IDENTITY, allow),)))


def _edges(
    *statements: dict[str, Any], actors: list[Actor], target: Target | None = None
) -> dict[str, list[str]]:
    view = IamView(
        {actor.arn: actor for actor in actors},
        {},
        [target or _bucket(*statements)],
        None,
        ORG_ID,
        frozenset({MEMBER, OTHER_MEMBER}),
    )
    records = GraphRecords()
    access_records(view, records)
    return {
        row["source"]: row["props"]["actions"]
        for (rel_type, _, _), rows in records.rels.items()
        for row in rows
        if rel_type == "CAN_ACCESS"
    }


def test_a_principal_gets_an_edge_only_for_what_it_may_do_beyond_everyone() -> None:
    readers = [
        _member(MEMBER_ROLE, "s3:GetObject"),
        _member(OTHER_ROLE, "s3:GetObject"),
        _member(f"arn:aws:iam::{MEMBER}:role/writer", "s3:GetObject", "s3:PutObject"),
    ]
    edges = _edges(PUBLIC, actors=readers)
    # Both readers may read the objects, as everyone may: everyone's edge says it for them.
    assert edges == {
        EVERYONE: ["s3:GetObject"],
        f"arn:aws:iam::{MEMBER}:role/writer": ["s3:GetObject", "s3:PutObject"],
    }


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    ],
)
def test_a_grant_to_everyone_that_holds_only_under_a_condition_leaves_each_principals_edge(
    condition: dict[str, Any],
) -> None:
    reader = _member(OTHER_ROLE, "s3:GetObject")
    edges = _edges({**PUBLIC, "Condition": condition}, actors=[reader])
    assert edges[OTHER_ROLE] == ["s3:GetObject"]


def test_a_principal_outside_the_account_still_gets_what_a_grant_to_everyone_with_more_allows() -> (
    None
):
    # Everyone may read; the organization's principals may also write (a condition everyone
    # fails): a principal of another account is decided, and its edge lists both.
    org_write = {
        **PUBLIC,
        "Action": "s3:PutObject",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
    }
    writer = _member(OTHER_ROLE, "s3:GetObject", "s3:PutObject")
    edges = _edges(PUBLIC, org_write, actors=[writer])
    assert edges == {EVERYONE: ["s3:GetObject"], OTHER_ROLE: ["s3:GetObject", "s3:PutObject"]}


TOPIC = f"arn:aws:sns:us-east-1:{MEMBER}:alerts"


def _topic(condition: dict[str, Any]) -> Target:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "SNS:Publish",
        "Resource": TOPIC,
        "Condition": condition,
    }
    return Target("SnsTopic", TOPIC, MEMBER, _policy(PolicyKind.RESOURCE, statement), None)


@pytest.mark.parametrize(
    ("condition", "edge"),
    [
        # SNS's default topic policy: the caller's account must be the owner.
        ({"StringEquals": {"AWS:SourceOwner": MEMBER}}, None),
        ({"StringEquals": {"aws:PrincipalAccount": [MEMBER, OTHER_MEMBER]}}, ["sns:Publish"]),
        (
            {
                "StringNotEquals": {"aws:PrincipalAccount": MEMBER},
                "StringEquals": {"aws:PrincipalOrgID": ORG_ID},
            },
            ["sns:Publish"],
        ),
        ({"StringEqualsIfExists": {"aws:SourceAccount": MEMBER}}, ["sns:Publish"]),
    ],
)
def test_a_grant_to_everyone_limited_to_listed_accounts_admits_exactly_those(
    condition: dict[str, Any], edge: list[str] | None
) -> None:
    publishers = [_member(arn, "sns:Publish") for arn in (MEMBER_ROLE, OTHER_ROLE)]
    edges = _edges(actors=publishers, target=_topic(condition))
    assert edges.get(OTHER_ROLE) == edge


def test_a_bucket_policy_naming_a_session_of_a_role_in_another_account_lets_that_role_in() -> None:
    session = f"arn:aws:sts::{OTHER_MEMBER}:assumed-role/reader/nightly-export"
    grant = {**READ, "Principal": {"AWS": session}, "Sid": "ExportSession"}
    reader = _member(OTHER_ROLE, "s3:GetObject")
    assert _edges(grant, actors=[reader]) == {OTHER_ROLE: ["s3:GetObject"]}
    # Only that session is let in, and which session the role runs as is not in the graph.
    edge = access_edge(reader, _bucket(grant))
    assert edge is not None and edge["conditional"] is True
