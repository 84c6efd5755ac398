"""CAN_ACCESS on a bucket's objects by scope: the prefixes a grant covers, the actions per
scope, what a Deny takes out of a scope, and what everyone's edge already says."""

from __future__ import annotations

import json
from typing import Any

from kg.analysis.access import EVERYONE, access_edge, access_records
from kg.analysis.iam_view import Actor, IamView, Target
from kg.analysis.policy import Policy, PolicyKind, PolicySet, Principal, PrincipalKind
from kg.graph.records import GraphRecords

ACCOUNT = "111111111111"
BUCKET = "arn:aws:s3:::home-dirs"


def _policy(kind: PolicyKind, *statements: dict[str, Any], name: str = "p") -> Policy:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Policy.parse(document, policy_id=f"{kind}-{name}", kind=kind)


def _actor(kind: PrincipalKind, name: str, *statements: dict[str, Any]) -> Actor:
    label = "User" if kind is PrincipalKind.USER else "Role"
    principal = Principal(kind, f"arn:aws:iam::{ACCOUNT}:{label.lower()}/{name}", tags=())
    identity = (_policy(PolicyKind.IDENTITY, *statements),) if statements else ()
    return Actor(label, principal, PolicySet(identity))


def _bucket(*statements: dict[str, Any]) -> Target:
    policy = _policy(PolicyKind.RESOURCE, *statements, name="bucket") if statements else None
    return Target("S3Bucket", BUCKET, ACCOUNT, policy, None)


def _allow(actions: str | list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def _deny(actions: str | list[str], resource: str) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": actions, "Resource": resource}


def _detail(edge: dict[str, Any]) -> list[dict[str, Any]]:
    return list(json.loads(edge["scope_detail"]))


HOME = _allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/home/${{aws:username}}/*")


def test_a_users_home_folder_is_its_scope() -> None:
    edge = access_edge(_actor(PrincipalKind.USER, "alice", HOME), _bucket())
    assert edge is not None
    assert edge["scope"] == ["home/alice/*"]
    assert edge["actions"] == ["s3:GetObject", "s3:PutObject"]
    assert _detail(edge) == [
        {"scope": "home/alice/*", "actions": ["s3:GetObject", "s3:PutObject"], "excluding": []}
    ]


def test_a_role_gets_nothing_from_a_home_folder_grant() -> None:
    assert access_edge(_actor(PrincipalKind.ROLE, "app", HOME), _bucket()) is None


def test_grants_on_several_prefixes_are_listed_with_their_actions() -> None:
    reports = _allow("s3:GetObject", [f"{BUCKET}/logs/2026/*", f"{BUCKET}/reports/*"])
    uploads = _allow("s3:PutObject", f"{BUCKET}/reports/*")
    edge = access_edge(_actor(PrincipalKind.ROLE, "etl", reports, uploads), _bucket())
    assert edge is not None
    assert edge["scope"] == ["logs/2026/*", "reports/*"]
    assert _detail(edge) == [
        {"scope": "logs/2026/*", "actions": ["s3:GetObject"], "excluding": []},
        {"scope": "reports/*", "actions": ["s3:GetObject", "s3:PutObject"], "excluding": []},
    ]


def test_a_narrower_grant_under_an_unconditional_wider_one_is_not_listed_again() -> None:
    everything = _allow("s3:GetObject", f"{BUCKET}/*")
    logs = _allow(["s3:GetObject", "s3:DeleteObject"], f"{BUCKET}/logs/*")
    edge = access_edge(_actor(PrincipalKind.ROLE, "ops", everything, logs), _bucket())
    assert edge is not None
    assert _detail(edge) == [
        {"scope": "*", "actions": ["s3:GetObject"], "excluding": []},
        {"scope": "logs/*", "actions": ["s3:DeleteObject"], "excluding": []},
    ]


def test_a_deny_on_a_narrower_prefix_shows_as_an_exclusion_of_the_wider_scope() -> None:
    everything = _allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*")
    secrets = {**_deny("s3:GetObject", f"{BUCKET}/home/secret/*"), "Principal": "*"}
    edge = access_edge(_actor(PrincipalKind.ROLE, "ops", everything), _bucket(secrets))
    assert edge is not None
    assert edge["scope"] == ["*"]
    # The read of the whole bucket does not claim the denied prefix; the write is untouched.
    assert _detail(edge) == [
        {"scope": "*", "actions": ["s3:PutObject"], "excluding": []},
        {"scope": "*", "actions": ["s3:GetObject"], "excluding": ["home/secret/*"]},
    ]
    assert edge["conditional"] is False


def test_a_deny_on_the_whole_granted_prefix_leaves_no_scope() -> None:
    logs = _allow("s3:GetObject", f"{BUCKET}/logs/*")
    edge = access_edge(
        _actor(PrincipalKind.ROLE, "ops", logs, _deny("s3:GetObject", f"{BUCKET}/*")), _bucket()
    )
    assert edge is None


def test_bucket_actions_have_no_scope() -> None:
    listing = _allow("s3:ListBucket", BUCKET)
    edge = access_edge(_actor(PrincipalKind.ROLE, "lister", listing), _bucket())
    assert edge is not None
    assert edge["actions"] == ["s3:ListBucket"]
    assert edge["scope"] is None and edge["scope_detail"] is None


def _edges(target: Target, *actors: Actor) -> dict[str, dict[str, Any]]:
    view = IamView(
        {actor.arn: actor for actor in actors}, {}, [target], None, None, frozenset({ACCOUNT})
    )
    records = GraphRecords()
    access_records(view, records)
    return {
        row["source"]: row["props"]
        for (rel_type, _, _), rows in records.rels.items()
        for row in rows
        if rel_type == "CAN_ACCESS"
    }


PUBLIC_SITE = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": f"{BUCKET}/site/*",
}


def test_everyones_scope_is_not_said_again_for_a_principal_whose_grant_it_holds() -> None:
    site_reader = _actor(PrincipalKind.ROLE, "web", _allow("s3:GetObject", f"{BUCKET}/site/css/*"))
    home_reader = _actor(PrincipalKind.ROLE, "backup", _allow("s3:GetObject", f"{BUCKET}/home/*"))
    edges = _edges(_bucket(PUBLIC_SITE), site_reader, home_reader)
    # What the web role may read, everyone may: everyone's edge says it for it.
    assert set(edges) == {EVERYONE, home_reader.arn}
    assert edges[EVERYONE]["scope"] == ["site/*"]
    # An edge of its own lists all it may do, what everyone may as well.
    assert edges[home_reader.arn]["scope"] == ["home/*", "site/*"]


def test_outside_the_account_a_principal_gets_only_what_everyone_gets_there() -> None:
    """Everyone reads site/*: a role of another account the policy does not name, allowed the
    whole bucket by its own policy, gets no more than that (no edge of its own), while a role
    of the bucket's account allowed the whole bucket keeps its scope."""
    anything = _allow("s3:GetObject", f"{BUCKET}/*")
    elsewhere = Actor(
        "Role",
        Principal(PrincipalKind.ROLE, "arn:aws:iam::222222222222:role/ops", tags=()),
        PolicySet((_policy(PolicyKind.IDENTITY, anything),)),
    )
    here = _actor(PrincipalKind.ROLE, "ops", anything)
    edges = _edges(_bucket(PUBLIC_SITE), elsewhere, here)
    assert set(edges) == {EVERYONE, here.arn}
    assert edges[here.arn]["scope"] == ["*"]
