"""The candidate index: the targets worth deciding for a requester, without visiting every pair.
It must keep every pair that can produce an edge: deciding only the candidates gives the same
edges as deciding every target."""

from __future__ import annotations

from typing import Any

from kg.analysis.access import Candidates, access_edge, outsider
from kg.analysis.iam_view import Actor, IamView, Target
from kg.analysis.policy import Policy, PolicyKind, PolicySet, Principal, PrincipalKind

ORG_ID = "o-ours12345"
CALLER = "111111111111"
OWNER = "222222222222"
OTHER = "333333333333"
PARTNER = "999988887777"
ROLE = f"arn:aws:iam::{CALLER}:role/reader"


def _policy(
    policy_id: str, *statements: dict[str, Any], kind: PolicyKind = PolicyKind.RESOURCE
) -> Policy:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Policy.parse(document, policy_id=policy_id, kind=kind)


def _bucket(name: str, account: str, principal: Any = None, **extra: Any) -> Target:
    arn = f"arn:aws:s3:::{name}"
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn}/*", **extra}
    policy = _policy(f"{arn} policy", {**statement, "Principal": principal}) if principal else None
    return Target("S3Bucket", arn, account, policy, None)


BUCKETS = [
    _bucket("own", CALLER),
    _bucket("by-account-id", OWNER, {"AWS": CALLER}),
    _bucket("by-account-root", OWNER, {"AWS": f"arn:aws:iam::{CALLER}:root"}),
    _bucket("by-principal-arn", OWNER, {"AWS": ROLE}),
    _bucket(
        "everyone-in-org",
        OWNER,
        "*",
        Condition={"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
    ),
    _bucket("partner-only", OWNER, {"AWS": f"arn:aws:iam::{PARTNER}:root"}),
    _bucket(
        "denies-plain-http",
        OWNER,
        "*",
        Effect="Deny",
        Condition={"Bool": {"aws:SecureTransport": "false"}},
    ),
    _bucket("other-account", OTHER, {"AWS": [OTHER, f"arn:aws:iam::{OTHER}:role/x"]}, Resource="*"),
]


def _reader() -> Actor:
    allow = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    identity = _policy("reader", allow, kind=PolicyKind.IDENTITY)
    principal = Principal(PrincipalKind.ROLE, ROLE, org_id=ORG_ID)
    return Actor("Role", principal, PolicySet(identity=(identity,)))


def _names(targets: list[Target]) -> list[str]:
    return [target.arn.removeprefix("arn:aws:s3:::") for target in targets]


def _edges(actor: Actor, targets: list[Target]) -> list[str]:
    return _names([target for target in targets if access_edge(actor, target) is not None])


def test_candidates_are_the_callers_account_and_the_policies_that_name_it() -> None:
    candidates = Candidates(BUCKETS).reachable(_reader())
    assert _names(candidates) == [
        "own",
        "by-account-id",
        "by-account-root",
        "by-principal-arn",
        "everyone-in-org",
    ]


def test_deciding_only_the_candidates_gives_every_edge() -> None:
    reader = _reader()
    candidates = Candidates(BUCKETS).reachable(reader)
    assert _edges(reader, candidates) == _edges(reader, BUCKETS) == _names(candidates)


def test_an_external_account_is_a_candidate_only_where_a_policy_names_it() -> None:
    view = IamView({}, {}, BUCKETS, None, ORG_ID, frozenset({CALLER, OWNER, OTHER}))
    partner = outsider("Account", PARTNER, view)
    candidates = Candidates(BUCKETS).reachable(partner)
    assert _names(candidates) == ["partner-only"]
    assert _edges(partner, candidates) == _edges(partner, BUCKETS) == ["partner-only"]


def test_roles_whose_trust_policy_names_the_caller_are_candidates() -> None:
    trust = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    roles = [
        Target("Role", f"arn:aws:iam::{OWNER}:role/{name}", OWNER, policy, None)
        for name, policy in [
            ("trusts-caller", _policy("t1", {**trust, "Principal": {"AWS": CALLER}})),
            ("trusts-other", _policy("t2", {**trust, "Principal": {"AWS": OTHER}})),
            ("trusts-anyone", _policy("t3", {**trust, "Principal": "*"})),
        ]
    ]
    named = Candidates(roles).naming(_reader())
    assert [role.arn.rpartition("/")[2] for role in named] == ["trusts-caller", "trusts-anyone"]
