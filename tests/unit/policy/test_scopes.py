"""Decisions on scopes (a pattern of sub-resources such as a bucket's objects under a prefix),
on policy variables, and on ARNs below a resource. The policies are AWS's documented examples:
- IAM User Guide, "Amazon S3: Allows IAM users access to their S3 home directory,
  programmatically and in the console" (reference_policies_examples_s3_home-directory-console);
- IAM User Guide, "IAM policy elements: Variables and tags" (reference_policies_variables);
- DynamoDB Developer Guide, "IAM policy to grant access to a specific DynamoDB table and its
  indexes" (iam-policy-specific-table-indexes) and "IAM policy to read, write, update, and
  delete access on a DynamoDB table" (iam-policy-example-data-crud);
- KMS Developer Guide, "Use aliases to control access to KMS keys" (alias-authorization);
- Secrets Manager User Guide, "Limiting access to specific secrets"
  (permissions_grant-limited-resources), on the six random characters that end a secret's ARN."""

from __future__ import annotations

from typing import Any

import pytest

from kg.analysis.policy import (
    Extent,
    Outcome,
    Pattern,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    Resource,
    Style,
    evaluate,
)
from tests.unit.policy.builders import (
    ACCOUNT,
    OTHER_ACCOUNT,
    allow,
    boundary,
    deny,
    home_directory,
    identity,
    levels,
    on_resource,
    scp,
)

BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
ALICE = Principal(PrincipalKind.USER, f"arn:aws:iam::{ACCOUNT}:user/alice")
BOB = Principal(PrincipalKind.USER, f"arn:aws:iam::{ACCOUNT}:user/bob")
APP = Principal(PrincipalKind.ROLE, f"arn:aws:iam::{ACCOUNT}:role/app")
PARTNER = Principal(PrincipalKind.ROLE, f"arn:aws:iam::{OTHER_ACCOUNT}:role/PartnerReader")

HOME_DIRECTORY = home_directory(BUCKET)


def _on(arn: str, scope: bool = True, account: str | None = ACCOUNT) -> Resource:
    return Resource(arn, account, scope=scope)


def _decide(
    principal: Principal, action: str, resource: Resource, policies: PolicySet
) -> tuple[Outcome, tuple[str, ...]]:
    decision = evaluate(principal, Request(action, resource), policies)
    return decision.outcome, decision.excluded


@pytest.mark.parametrize(
    ("pattern", "scope", "extent"),
    [
        (f"{BUCKET}/*", f"{BUCKET}/home/*", Extent.ALL),
        ("*", f"{BUCKET}/home/*", Extent.ALL),
        ("arn:aws:s3:::*", f"{BUCKET}/home/*", Extent.ALL),
        ("arn:aws:s3:::*/home/*", f"{BUCKET}/home/*", Extent.ALL),
        ("arn:aws:s3:::amzn-s3-demo-*", f"{BUCKET}/logs/2026/*", Extent.ALL),
        (f"{BUCKET}/home/*", f"{BUCKET}/*", Extent.SOME),
        (f"{BUCKET}/home/*.txt", f"{BUCKET}/home/*", Extent.SOME),
        (f"{BUCKET}/logs/2026/*", f"{BUCKET}/logs/*", Extent.SOME),
        (f"{BUCKET}/logs/*", f"{BUCKET}/home/*", Extent.NONE),
        (f"{BUCKET}-2/*", f"{BUCKET}/*", Extent.NONE),
        (f"{BUCKET}/home/alice/*", f"{BUCKET}/home/alice/notes.txt", Extent.ALL),
        (f"{BUCKET}/home/alice/*", f"{BUCKET}/home/bob/notes.txt", Extent.NONE),
        # A wildcard in the region or account segment stays inside it.
        ("arn:aws:s3:*:*:amzn-s3-demo-bucket/*", f"{BUCKET}/home/*", Extent.ALL),
        ("arn:aws:s3:::amzn-s3-demo-bucket?home/*", f"{BUCKET}/home/*", Extent.ALL),
    ],
)
def test_how_much_of_a_scope_a_pattern_matches(pattern: str, scope: str, extent: Extent) -> None:
    compiled = Pattern.compile(pattern, Style.ARN)
    assert compiled.extent(Pattern.compile(scope, Style.ARN)) is extent


def test_an_allow_on_a_prefix_grants_that_prefix_and_not_the_whole_bucket() -> None:
    policies = PolicySet(identity=(identity(allow("s3:GetObject", f"{BUCKET}/logs/2026/*")),))
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/logs/2026/*"), policies)[0] is (
        Outcome.ALLOWED
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/logs/*"), policies)[0] is (
        Outcome.IMPLICIT_DENY
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/*"), policies)[0] is Outcome.IMPLICIT_DENY


def test_a_deny_on_a_narrower_prefix_is_listed_as_excluded_from_the_allowed_scope() -> None:
    policies = PolicySet(
        identity=(
            identity(
                allow("s3:GetObject", f"{BUCKET}/*"),
                deny("s3:GetObject", f"{BUCKET}/home/secret/*"),
            ),
        )
    )
    outcome, excluded = _decide(APP, "s3:GetObject", _on(f"{BUCKET}/home/*"), policies)
    assert outcome is Outcome.ALLOWED
    assert excluded == (f"{BUCKET}/home/secret/*",)
    # The denied prefix itself, and an object under it, are denied outright.
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/home/secret/*"), policies)[0] is (
        Outcome.DENIED
    )
    secret_object = _on(f"{BUCKET}/home/secret/keys.txt", scope=False)
    assert _decide(APP, "s3:GetObject", secret_object, policies)[0] is Outcome.DENIED
    # A Deny on another action, or on another prefix, excludes nothing.
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/logs/*"), policies) == (
        Outcome.ALLOWED,
        (),
    )


def test_a_deny_that_applies_to_other_principals_excludes_nothing() -> None:
    bucket_policy = on_resource(
        {
            **deny("s3:GetObject", f"{BUCKET}/home/secret/*"),
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"},
        }
    )
    policies = PolicySet(
        identity=(identity(allow("s3:GetObject", f"{BUCKET}/*")),), resource=bucket_policy
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/*"), policies) == (Outcome.ALLOWED, ())


def test_a_conditional_deny_on_a_narrower_prefix_is_excluded_too() -> None:
    on_the_network = {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    policies = PolicySet(
        identity=(
            identity(
                allow("s3:GetObject", f"{BUCKET}/*"),
                deny("s3:GetObject", f"{BUCKET}/payroll/*", Condition=on_the_network),
            ),
        )
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/*"), policies) == (
        Outcome.ALLOWED,
        (f"{BUCKET}/payroll/*",),
    )


def test_a_not_resource_deny_excludes_everything_but_its_patterns() -> None:
    only_public = {
        "Effect": "Deny",
        "Action": "s3:GetObject",
        "NotResource": f"{BUCKET}/public/*",
    }
    policies = PolicySet(identity=(identity(allow("s3:GetObject", f"{BUCKET}/*"), only_public),))
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/*"), policies) == (
        Outcome.ALLOWED,
        (f"not {BUCKET}/public/*",),
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/public/*"), policies) == (
        Outcome.ALLOWED,
        (),
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/home/*"), policies)[0] is Outcome.DENIED


def test_home_directory_example_resolves_the_user_name_of_each_user() -> None:
    policies = PolicySet(identity=(identity(*HOME_DIRECTORY),))
    own = _on(f"{BUCKET}/home/alice/*")
    assert _decide(ALICE, "s3:GetObject", own, policies)[0] is Outcome.ALLOWED
    assert _decide(ALICE, "s3:PutObject", own, policies)[0] is Outcome.ALLOWED
    assert _decide(BOB, "s3:GetObject", own, policies)[0] is Outcome.IMPLICIT_DENY
    assert _decide(ALICE, "s3:GetObject", _on(f"{BUCKET}/home/*"), policies)[0] is (
        Outcome.IMPLICIT_DENY
    )
    folder = _on(f"{BUCKET}/home/alice", scope=False)
    assert _decide(ALICE, "s3:PutObject", folder, policies)[0] is Outcome.ALLOWED


def test_home_directory_example_gives_a_role_no_objects() -> None:
    """AWS: the policy does not work for roles, whose requests carry no aws:username."""
    policies = PolicySet(identity=(identity(*HOME_DIRECTORY),))
    for scope in (f"{BUCKET}/home/app/*", f"{BUCKET}/home/*", f"{BUCKET}/*"):
        assert _decide(APP, "s3:GetObject", _on(scope), policies)[0] is Outcome.IMPLICIT_DENY
    written = _on(f"{BUCKET}/home/${{aws:username}}/*")
    assert _decide(APP, "s3:GetObject", written, policies)[0] is Outcome.IMPLICIT_DENY
    # Its console statement still applies to the bucket itself.
    bucket = Resource(BUCKET, ACCOUNT)
    assert evaluate(APP, Request("s3:GetBucketAcl", bucket), policies).allowed


def _userid_folders() -> PolicySet:
    folders = allow("s3:GetObject", f"{BUCKET}/home/${{aws:userid}}/*")
    return PolicySet(identity=(identity(folders),))


def test_aws_userid_resolves_for_a_user_whose_unique_id_is_known() -> None:
    known = Principal(PrincipalKind.USER, ALICE.arn, user_id="AIDAJQABLZS4A3QDU576Q")
    scope = _on(f"{BUCKET}/home/AIDAJQABLZS4A3QDU576Q/*")
    assert _decide(known, "s3:GetObject", scope, _userid_folders())[0] is Outcome.ALLOWED
    other = _on(f"{BUCKET}/home/AIDAOTHER0000000000/*")
    assert _decide(known, "s3:GetObject", other, _userid_folders())[0] is Outcome.IMPLICIT_DENY


def test_aws_userid_of_a_role_session_stays_a_condition() -> None:
    """A role session's aws:userid is ROLE-ID:SESSION-NAME: kg does not know the session."""
    written = _on(f"{BUCKET}/home/${{aws:userid}}/*")
    decision = evaluate(APP, Request("s3:GetObject", written), _userid_folders())
    assert decision.outcome is Outcome.CONDITIONAL
    [undecided] = decision.conditions
    assert undecided.to_json()["condition"] == {
        "Resource": {"${aws:userid}": [f"{BUCKET}/home/${{aws:userid}}/*"]}
    }
    # It never grants the whole home folder, nor a folder it names.
    for scope in (f"{BUCKET}/home/*", f"{BUCKET}/home/AROAEXAMPLE:alice/*"):
        assert _decide(APP, "s3:GetObject", _on(scope), _userid_folders())[0] is (
            Outcome.IMPLICIT_DENY
        )


def test_principal_tag_variables_resolve_when_the_tags_are_known() -> None:
    by_team = PolicySet(
        identity=(identity(allow("s3:GetObject", f"{BUCKET}/teams/${{aws:PrincipalTag/team}}/*")),)
    )
    tagged = Principal(PrincipalKind.USER, ALICE.arn, tags=(("team", "payments"),))
    untagged = Principal(PrincipalKind.USER, ALICE.arn, tags=())
    own = _on(f"{BUCKET}/teams/payments/*")
    assert _decide(tagged, "s3:GetObject", own, by_team)[0] is Outcome.ALLOWED
    assert _decide(untagged, "s3:GetObject", own, by_team)[0] is Outcome.IMPLICIT_DENY
    # Unknown tags (a role, whose sessions may carry tags of their own): a condition.
    written = _on(f"{BUCKET}/teams/${{aws:PrincipalTag/team}}/*")
    assert _decide(APP, "s3:GetObject", written, by_team)[0] is Outcome.CONDITIONAL


def test_a_cross_account_prefix_needs_both_sides_to_cover_it() -> None:
    bucket_policy = on_resource(
        {**allow("s3:GetObject", f"{BUCKET}/exchange/*"), "Principal": {"AWS": PARTNER.arn}}
    )
    policies = PolicySet(identity=(identity(allow("s3:*", "*")),), resource=bucket_policy)
    assert _decide(PARTNER, "s3:GetObject", _on(f"{BUCKET}/exchange/*"), policies)[0] is (
        Outcome.ALLOWED
    )
    assert _decide(PARTNER, "s3:GetObject", _on(f"{BUCKET}/*"), policies)[0] is (
        Outcome.IMPLICIT_DENY
    )


def test_an_scp_allowing_one_prefix_limits_the_scopes_and_a_boundary_too() -> None:
    public_only = scp(allow("s3:GetObject", f"{BUCKET}/public/*"))
    with_scp = PolicySet(
        identity=(identity(allow("s3:*", "*")),), scps=levels((), (), (), full=public_only)
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/public/*"), with_scp)[0] is (Outcome.ALLOWED)
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/*"), with_scp)[0] is Outcome.IMPLICIT_DENY
    bounded = PolicySet(
        identity=(identity(allow("s3:*", "*")),),
        boundary=boundary(allow("s3:GetObject", f"{BUCKET}/reports/*")),
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/reports/2026/*"), bounded)[0] is (
        Outcome.ALLOWED
    )
    assert _decide(APP, "s3:GetObject", _on(f"{BUCKET}/*"), bounded)[0] is Outcome.IMPLICIT_DENY


TABLE = "arn:aws:dynamodb:us-west-2:123456789012:table/Books"
TABLE_AND_INDEXES: dict[str, Any] = {
    "Sid": "AccessTableAllIndexesOnBooks",
    "Effect": "Allow",
    "Action": [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Scan",
        "dynamodb:Query",
        "dynamodb:ConditionCheckItem",
    ],
    "Resource": [TABLE, f"{TABLE}/index/*"],
}
INDEX_AND_STREAM: dict[str, Any] = {
    "Sid": "DynamoDBIndexAndStreamAccess",
    "Effect": "Allow",
    "Action": [
        "dynamodb:GetShardIterator",
        "dynamodb:Scan",
        "dynamodb:Query",
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:ListStreams",
    ],
    "Resource": [f"{TABLE}/index/*", f"{TABLE}/stream/*"],
}
DYNAMO_USER = Principal(PrincipalKind.USER, "arn:aws:iam::123456789012:user/reader")


def _dynamo(statement: dict[str, Any], arn: str, action: str, scope: bool = False) -> Outcome:
    policies = PolicySet(identity=(identity(statement),))
    return evaluate(DYNAMO_USER, Request(action, _on(arn, scope, None)), policies).outcome


def test_dynamodb_table_policy_covers_the_indexes_it_names_and_not_the_streams() -> None:
    index = f"{TABLE}/index/ByAuthor"
    stream = f"{TABLE}/stream/2026-01-01T00:00:00.000"
    assert _dynamo(TABLE_AND_INDEXES, index, "dynamodb:Query") is Outcome.ALLOWED
    assert _dynamo(TABLE_AND_INDEXES, f"{TABLE}/index/*", "dynamodb:Query", True) is (
        Outcome.ALLOWED
    )
    assert _dynamo(TABLE_AND_INDEXES, stream, "dynamodb:GetRecords") is Outcome.IMPLICIT_DENY
    assert _dynamo(TABLE_AND_INDEXES, f"{TABLE}-archive/index/x", "dynamodb:Query") is (
        Outcome.IMPLICIT_DENY
    )


def test_dynamodb_index_and_stream_statement_does_not_cover_the_table_itself() -> None:
    stream = f"{TABLE}/stream/2026-01-01T00:00:00.000"
    assert _dynamo(INDEX_AND_STREAM, stream, "dynamodb:GetRecords") is Outcome.ALLOWED
    assert _dynamo(INDEX_AND_STREAM, TABLE, "dynamodb:Scan") is Outcome.IMPLICIT_DENY
    assert _dynamo(INDEX_AND_STREAM, f"{TABLE}/*", "dynamodb:Scan", True) is (Outcome.IMPLICIT_DENY)


KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/finance"


def test_a_kms_alias_in_resource_governs_the_alias_not_the_key() -> None:
    """AWS: when an alias is the value of Resource, the policy applies to the alias resource,
    not to a KMS key associated with it."""
    by_alias = PolicySet(identity=(identity(allow(["kms:Decrypt", "kms:UpdateAlias"], ALIAS_ARN)),))
    key = Resource(KEY_ARN, ACCOUNT)
    assert evaluate(ALICE, Request("kms:Decrypt", key), by_alias).outcome is (Outcome.IMPLICIT_DENY)
    alias = Resource(ALIAS_ARN, ACCOUNT)
    assert evaluate(ALICE, Request("kms:UpdateAlias", alias), by_alias).allowed


SECRETS = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret"


@pytest.mark.parametrize(
    ("written", "secret", "covered"),
    [
        (f"{SECRETS}:prod/db-??????", f"{SECRETS}:prod/db-AbCdEf", True),
        # Six question marks keep a longer name out; a star does not.
        (f"{SECRETS}:prod/db-??????", f"{SECRETS}:prod/db-admin-AbCdEf", False),
        (f"{SECRETS}:prod/db*", f"{SECRETS}:prod/db-admin-AbCdEf", True),
        # The name without its suffix is not the secret's ARN.
        (f"{SECRETS}:prod/db", f"{SECRETS}:prod/db-AbCdEf", False),
    ],
)
def test_secret_arns_end_with_six_random_characters(
    written: str, secret: str, covered: bool
) -> None:
    policies = PolicySet(identity=(identity(allow("secretsmanager:GetSecretValue", written)),))
    decision = evaluate(
        ALICE, Request("secretsmanager:GetSecretValue", Resource(secret, ACCOUNT)), policies
    )
    assert decision.allowed is covered
