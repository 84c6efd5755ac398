"""CAN_ACCESS properties and the admin flag, decided from small in-memory policies."""

from __future__ import annotations

import json
from typing import Any

from kg.analysis.access import access_edge, is_admin
from kg.analysis.iam_view import Actor, Target
from kg.analysis.policy import OrgLevel, Policy, PolicyKind, PolicySet, Principal, PrincipalKind

ACCOUNT = "111111111111"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
BUCKET = "arn:aws:s3:::records"


def _policy(kind: PolicyKind, *statements: dict[str, Any]) -> Policy:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return Policy.parse(document, policy_id=f"{kind}-policy", kind=kind)


def _actor(*statements: dict[str, Any], scp: Policy | None = None, arn: str = ROLE) -> Actor:
    identity = (_policy(PolicyKind.IDENTITY, *statements),) if statements else ()
    scps = (OrgLevel("r-root", (scp,)),) if scp else None
    return Actor("Role", Principal(PrincipalKind.ROLE, arn), PolicySet(identity, scps=scps))


def _bucket(*statements: dict[str, Any]) -> Target:
    policy = _policy(PolicyKind.RESOURCE, *statements) if statements else None
    return Target("S3Bucket", BUCKET, ACCOUNT, policy, None)


def _allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def test_object_reads_granted_by_the_identity_policy_are_listed_with_their_level() -> None:
    edge = access_edge(_actor(_allow("s3:GetObject", f"{BUCKET}/*")), _bucket())
    assert edge is not None
    assert edge["actions"] == ["s3:GetObject"]
    assert edge["access_levels"] == ["Read"]
    assert edge["conditional"] is False


def test_no_permission_and_no_bucket_policy_gives_no_edge() -> None:
    assert access_edge(_actor(_allow("sqs:SendMessage")), _bucket()) is None


def test_a_bucket_policy_naming_the_role_grants_on_its_own() -> None:
    statement = {**_allow("s3:PutObject", f"{BUCKET}/*"), "Principal": {"AWS": ROLE}}
    edge = access_edge(_actor(), _bucket(statement))
    assert edge is not None
    assert edge["actions"] == ["s3:PutObject"]


def test_an_undecidable_condition_makes_the_edge_conditional_with_its_text() -> None:
    statement = {
        **_allow("s3:GetObject", f"{BUCKET}/*"),
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    }
    edge = access_edge(_actor(statement), _bucket())
    assert edge is not None
    assert edge["conditional"] is True
    assert "aws:SourceIp" in json.loads(edge["conditions"])[0]["condition"]["IpAddress"]


def test_a_deny_of_plain_http_does_not_stop_an_attacker_using_tls() -> None:
    deny_http = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": f"{BUCKET}/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    edge = access_edge(_actor(_allow("s3:GetObject", f"{BUCKET}/*")), _bucket(deny_http))
    assert edge is not None
    assert edge["conditional"] is False


def test_admin_needs_everything_on_everything() -> None:
    assert is_admin(_actor(_allow("*")))
    assert not is_admin(_actor(_allow("s3:*"), _allow("iam:*")))


def test_an_scp_denying_iam_takes_admin_away() -> None:
    scp = _policy(
        PolicyKind.SCP, _allow("*"), {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    )
    assert not is_admin(_actor(_allow("*"), scp=scp))


def _deny(action: str, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": "*", **extra}


# The AWS documentation's region-lock SCP: everything outside two regions is denied but the
# global services.
REGION_LOCK = _policy(
    PolicyKind.SCP,
    _allow("*"),
    {
        "Effect": "Deny",
        "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
    },
)


def test_guardrails_binding_the_whole_account_are_its_admins_ceiling() -> None:
    """A region lock or a service denied to everyone in the account does not stop its
    administrator being admin-equivalent; what its own policies leave out does."""
    no_lambda = _policy(PolicyKind.SCP, _allow("*"), _deny("lambda:*"))
    for scp in (REGION_LOCK, no_lambda):
        assert is_admin(_actor(_allow("*"), scp=scp))
        assert not is_admin(_actor(_allow("iam:*"), _allow("s3:*"), scp=scp))
        assert not is_admin(_actor(_allow("*"), _deny("kms:*"), scp=scp))


def test_a_condition_of_its_own_policies_keeps_a_principal_short_of_admin() -> None:
    with_mfa = {**_allow("*"), "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    assert not is_admin(_actor(with_mfa))
    assert not is_admin(_actor(with_mfa, scp=REGION_LOCK))


def test_an_scp_that_leaves_iam_to_one_role_makes_only_that_role_admin() -> None:
    """Everyone but the break-glass role is denied everything: the others' ceiling leaves them
    no IAM, so they are not admin however much their own policies grant."""
    break_glass = f"arn:aws:iam::{ACCOUNT}:role/break-glass"
    only_break_glass = _policy(
        PolicyKind.SCP,
        _allow("*"),
        _deny("*", Condition={"ArnNotEquals": {"aws:PrincipalArn": break_glass}}),
    )
    assert not is_admin(_actor(_allow("*"), scp=only_break_glass))
    assert is_admin(_actor(_allow("*"), scp=only_break_glass, arn=break_glass))
    assert not is_admin(_actor(_allow("*"), scp=_policy(PolicyKind.SCP, _deny("*"))))


def test_a_permissions_boundary_keeps_a_principal_short_of_admin() -> None:
    actor = _actor(_allow("*"))
    bounded = PolicySet(
        actor.policies.identity, boundary=_policy(PolicyKind.BOUNDARY, _allow("s3:*"))
    )
    assert not is_admin(Actor("Role", actor.principal, bounded))


def _foreign_bucket(*statements: dict[str, Any]) -> Target:
    policy = _policy(PolicyKind.RESOURCE, *statements) if statements else None
    return Target("S3Bucket", BUCKET, "222222222222", policy, None)


def test_across_accounts_the_identity_policy_alone_grants_nothing() -> None:
    assert access_edge(_actor(_allow("s3:GetObject")), _foreign_bucket()) is None


def test_across_accounts_a_bucket_policy_for_the_callers_account_completes_the_grant() -> None:
    statement = {
        **_allow("s3:GetObject", f"{BUCKET}/*"),
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    }
    edge = access_edge(_actor(_allow("s3:GetObject")), _foreign_bucket(statement))
    assert edge is not None
    assert edge["actions"] == ["s3:GetObject"]
    assert access_edge(_actor(_allow("s3:ListBucket")), _foreign_bucket(statement)) is None


KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _key(principal: object) -> Target:
    statement = {**_allow("kms:*"), "Principal": principal}
    return Target("KmsKey", KEY, ACCOUNT, _policy(PolicyKind.RESOURCE, statement), None)


def test_a_key_policy_naming_the_account_defers_to_the_identity_policies() -> None:
    account_key = _key({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    assert access_edge(_actor(), account_key) is None
    assert access_edge(_actor(_allow("s3:*")), account_key) is None
    assert (
        access_edge(_actor(_allow("kms:Decrypt", "arn:aws:kms:*:*:key/other")), account_key) is None
    )
    edge = access_edge(_actor(_allow("kms:Decrypt", "arn:aws:kms:*:*:key/*")), account_key)
    assert edge is not None
    assert edge["actions"] == ["kms:Decrypt"]


def test_a_key_policy_naming_the_role_or_everyone_grants_without_identity_policies() -> None:
    for principal in ({"AWS": ROLE}, "*"):
        edge = access_edge(_actor(), _key(principal))
        assert edge is not None
        assert "kms:Decrypt" in edge["actions"]


def test_across_accounts_an_identity_policy_for_other_resources_grants_nothing() -> None:
    open_to_all = {**_allow("s3:GetObject", f"{BUCKET}/*"), "Principal": "*"}
    elsewhere = _allow("s3:GetObject", "arn:aws:s3:::elsewhere/*")
    assert access_edge(_actor(elsewhere), _foreign_bucket(open_to_all)) is None
    edge = access_edge(_actor(_allow("s3:GetObject", f"{BUCKET}/*")), _foreign_bucket(open_to_all))
    assert edge is not None
    assert edge["actions"] == ["s3:GetObject"]


def _named_bucket(name: str) -> Target:
    return Target("S3Bucket", f"arn:aws:s3:::{name}", ACCOUNT, None, None)


def _shared_edges(actor: Actor, names: list[str]) -> dict[str, Any]:
    """One requester's edges to buckets decided in a row, reusing decisions as access_records
    does."""
    shared: dict[Any, Any] = {}
    return {name: access_edge(actor, _named_bucket(name), shared=shared) for name in names}


def test_reused_decisions_still_tell_apart_buckets_a_resource_pattern_separates() -> None:
    actor = _actor(_allow("s3:GetObject", "arn:aws:s3:::logs-*/*"), _allow("s3:ListBucket"))
    edges = _shared_edges(actor, ["logs-a", "data-b", "logs-c"])
    assert edges["logs-a"] is not None and edges["logs-c"] is not None
    assert edges["logs-a"]["actions"] == ["s3:GetObject", "s3:ListBucket"]
    assert edges["data-b"] is not None and edges["data-b"]["actions"] == ["s3:ListBucket"]
    assert edges == {name: access_edge(actor, _named_bucket(name)) for name in edges}


def test_a_resource_pattern_with_a_policy_variable_is_decided_bucket_by_bucket() -> None:
    user = f"arn:aws:iam::{ACCOUNT}:user/alice"
    identity = _policy(
        PolicyKind.IDENTITY, _allow("s3:GetObject", "arn:aws:s3:::${aws:username}-*/*")
    )
    actor = Actor("User", Principal(PrincipalKind.USER, user), PolicySet((identity,)))
    edges = _shared_edges(actor, ["alice-home", "bob-home", "alice-work"])
    assert edges["bob-home"] is None
    assert edges["alice-home"] is not None and edges["alice-work"] is not None


def test_a_deny_that_singles_out_principals_limits_them_rather_than_the_account() -> None:
    """Only the data-admin role may touch data (an SCP Deny on everyone else's ARN): a role with
    iam:* alone cannot reach what data-admin reaches, so it is not admin-equivalent, while
    data-admin with Allow * is."""
    data_admin = f"arn:aws:iam::{ACCOUNT}:role/data-admin"
    only_data_admin = _policy(
        PolicyKind.SCP,
        _allow("*"),
        _deny(
            ["s3:*", "kms:*", "secretsmanager:*", "ec2:*", "lambda:*"],
            Condition={"ArnNotEquals": {"aws:PrincipalArn": data_admin}},
        ),
    )
    assert not is_admin(_actor(_allow("iam:*"), scp=only_data_admin))
    assert not is_admin(_actor(_allow("*"), scp=only_data_admin))
    assert is_admin(_actor(_allow("*"), scp=only_data_admin, arn=data_admin))
