"""Identity policies with resource policies: same account, cross account, trust and key policies."""

from kg.analysis.policy import (
    Outcome,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    evaluate,
)

from .builders import (
    ACCOUNT,
    ALICE,
    ANONYMOUS,
    BUCKET,
    DEPLOY_ROLE,
    EC2_SERVICE,
    KEY,
    OBJECT,
    OPS,
    OPS_ROLE_ARN,
    OTHER_ACCOUNT,
    PARTNER,
    ROOT,
    allow,
    boundary,
    identity,
    levels,
    on_resource,
    request,
    scp,
    session,
)

GET_OBJECT = request("s3:GetObject", OBJECT, ACCOUNT)
NO_S3_BOUNDARY = boundary(allow("ec2:*"))


def bucket_policy(principal: object) -> PolicySet:
    return PolicySet(
        resource=on_resource({**allow("s3:GetObject", f"{BUCKET}/*"), "Principal": principal})
    )


def test_same_account_resource_policy_naming_the_user_grants_without_identity_allow() -> None:
    assert evaluate(ALICE, GET_OBJECT, bucket_policy({"AWS": ALICE.arn})).outcome is Outcome.ALLOWED


def test_resource_policy_naming_a_user_is_not_limited_by_the_users_boundary() -> None:
    policies = bucket_policy({"AWS": ALICE.arn})
    bounded = PolicySet(resource=policies.resource, boundary=NO_S3_BOUNDARY)
    assert evaluate(ALICE, GET_OBJECT, bounded).outcome is Outcome.ALLOWED


def test_resource_policy_naming_a_role_is_limited_by_boundary_and_session_policies() -> None:
    resource = bucket_policy({"AWS": OPS_ROLE_ARN}).resource
    assert evaluate(OPS, GET_OBJECT, PolicySet(resource=resource)).outcome is Outcome.ALLOWED
    bounded = PolicySet(resource=resource, boundary=NO_S3_BOUNDARY)
    assert evaluate(OPS, GET_OBJECT, bounded).outcome is Outcome.IMPLICIT_DENY
    with_session = PolicySet(resource=resource, session=(session(allow("ec2:*")),))
    assert evaluate(OPS, GET_OBJECT, with_session).outcome is Outcome.IMPLICIT_DENY


def test_resource_policy_naming_the_role_session_is_not_limited_by_the_boundary() -> None:
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/nightly-report"
    policies = PolicySet(
        resource=bucket_policy({"AWS": session_arn}).resource, boundary=NO_S3_BOUNDARY
    )
    nightly = Principal(PrincipalKind.ROLE, OPS_ROLE_ARN, session_name="nightly-report")
    other = Principal(PrincipalKind.ROLE, OPS_ROLE_ARN, session_name="someone-else")
    assert evaluate(nightly, GET_OBJECT, policies).outcome is Outcome.ALLOWED
    assert evaluate(other, GET_OBJECT, policies).outcome is Outcome.IMPLICIT_DENY
    # Without the session name the graph cannot tell: conditional, saying on what.
    unknown = evaluate(OPS, GET_OBJECT, policies)
    assert unknown.outcome is Outcome.CONDITIONAL
    assert unknown.conditions[0].clauses[0].values == (session_arn,)


def test_resource_policy_naming_the_account_defers_to_identity_policies() -> None:
    for principal in (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT):
        policies = bucket_policy({"AWS": principal})
        assert evaluate(ALICE, GET_OBJECT, policies).outcome is Outcome.IMPLICIT_DENY
        with_identity = PolicySet(
            identity=(identity(allow("s3:GetObject")),), resource=policies.resource
        )
        assert evaluate(ALICE, GET_OBJECT, with_identity).outcome is Outcome.ALLOWED


def test_same_account_identity_allow_suffices_without_resource_policy_mention() -> None:
    policies = PolicySet(
        identity=(identity(allow("s3:GetObject")),),
        resource=bucket_policy({"AWS": PARTNER.arn}).resource,
    )
    assert evaluate(ALICE, GET_OBJECT, policies).outcome is Outcome.ALLOWED


def test_cross_account_needs_identity_and_resource_policy() -> None:
    reader = identity(allow("s3:GetObject", f"{BUCKET}/*"))
    resource = bucket_policy({"AWS": PARTNER.arn}).resource
    only_identity = PolicySet(identity=(reader,))
    only_resource = PolicySet(resource=resource)
    both = PolicySet(identity=(reader,), resource=resource)
    assert evaluate(PARTNER, GET_OBJECT, only_identity).outcome is Outcome.IMPLICIT_DENY
    missing = evaluate(PARTNER, GET_OBJECT, only_resource)
    assert missing.outcome is Outcome.IMPLICIT_DENY
    assert missing.reason == "no identity policy allows it"
    allowed = evaluate(PARTNER, GET_OBJECT, both)
    assert allowed.outcome is Outcome.ALLOWED
    assert {ref.policy_kind for ref in allowed.statements} == {
        PolicyKind.IDENTITY,
        PolicyKind.RESOURCE,
    }


def test_cross_account_resource_policy_naming_the_account_needs_the_callers_identity_allow() -> (
    None
):
    resource = bucket_policy({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}).resource
    reader = identity(allow("s3:GetObject"))
    assert (
        evaluate(PARTNER, GET_OBJECT, PolicySet(resource=resource)).outcome is Outcome.IMPLICIT_DENY
    )
    assert (
        evaluate(PARTNER, GET_OBJECT, PolicySet(identity=(reader,), resource=resource)).outcome
        is Outcome.ALLOWED
    )


def test_cross_account_grant_is_limited_by_the_callers_boundary_and_scps() -> None:
    resource = bucket_policy({"AWS": PARTNER.arn}).resource
    reader = identity(allow("s3:GetObject"))
    bounded = PolicySet(identity=(reader,), resource=resource, boundary=NO_S3_BOUNDARY)
    assert evaluate(PARTNER, GET_OBJECT, bounded).outcome is Outcome.IMPLICIT_DENY
    fenced = PolicySet(
        identity=(reader,),
        resource=resource,
        scps=levels((scp({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),)),
    )
    assert evaluate(PARTNER, GET_OBJECT, fenced).outcome is Outcome.DENIED


def trust(principal: object) -> PolicySet:
    return PolicySet(
        identity=(identity(allow("sts:AssumeRole", DEPLOY_ROLE)),),
        resource=on_resource(
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"},
            resource_id=DEPLOY_ROLE,
        ),
    )


ASSUME_DEPLOY = request("sts:AssumeRole", DEPLOY_ROLE, ACCOUNT)


def test_assuming_a_role_needs_its_trust_policy_even_in_the_same_account() -> None:
    policies = trust({"AWS": PARTNER.arn})
    decision = evaluate(OPS, ASSUME_DEPLOY, policies)
    assert decision.outcome is Outcome.IMPLICIT_DENY
    assert "resource policy" in decision.reason


def test_trust_in_the_account_root_lets_principals_whose_policies_allow_assume() -> None:
    policies = trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    assert evaluate(OPS, ASSUME_DEPLOY, policies).outcome is Outcome.ALLOWED
    without_identity = PolicySet(resource=policies.resource)
    assert evaluate(OPS, ASSUME_DEPLOY, without_identity).outcome is Outcome.IMPLICIT_DENY


def test_trust_naming_the_role_directly_is_enough_in_the_same_account() -> None:
    policies = PolicySet(resource=trust({"AWS": OPS_ROLE_ARN}).resource)
    assert evaluate(OPS, ASSUME_DEPLOY, policies).outcome is Outcome.ALLOWED


def test_cross_account_trust_in_an_external_root_expands_to_its_allowed_principals() -> None:
    policies = trust({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"})
    assert evaluate(PARTNER, ASSUME_DEPLOY, policies).outcome is Outcome.ALLOWED
    unprivileged = PolicySet(resource=policies.resource)
    assert evaluate(PARTNER, ASSUME_DEPLOY, unprivileged).outcome is Outcome.IMPLICIT_DENY


def test_service_principal_assumes_a_role_through_the_trust_policy_alone() -> None:
    policies = trust({"Service": "ec2.amazonaws.com"})
    assert evaluate(EC2_SERVICE, ASSUME_DEPLOY, policies).outcome is Outcome.ALLOWED
    lambda_service = Principal(PrincipalKind.SERVICE, "lambda.amazonaws.com")
    assert evaluate(lambda_service, ASSUME_DEPLOY, policies).outcome is Outcome.IMPLICIT_DENY


def test_federated_principal_assumes_a_role_with_web_identity() -> None:
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    policies = PolicySet(
        resource=on_resource(
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example/*"}
                },
            },
            resource_id=DEPLOY_ROLE,
        )
    )
    github = Principal(PrincipalKind.FEDERATED, provider)
    decision = evaluate(
        github, request("sts:AssumeRoleWithWebIdentity", DEPLOY_ROLE, ACCOUNT), policies
    )
    # Which repository presents the token is not in the graph: conditional, with the test.
    assert decision.outcome is Outcome.CONDITIONAL
    assert decision.conditions[0].clauses[0].key == "token.actions.githubusercontent.com:sub"


def test_kms_key_policy_must_allow_even_for_same_account_principals() -> None:
    decrypt = request("kms:Decrypt", KEY, ACCOUNT)
    key_admins_only = on_resource(
        {
            "Sid": "KeyAdministrators",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/KeyAdmin"},
            "Action": "kms:*",
            "Resource": "*",
        },
        resource_id=KEY,
    )
    enable_iam = on_resource(
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        resource_id=KEY,
    )
    decryptor = identity(allow("kms:Decrypt", KEY))
    assert (
        evaluate(OPS, decrypt, PolicySet(identity=(decryptor,), resource=key_admins_only)).outcome
        is Outcome.IMPLICIT_DENY
    )
    assert (
        evaluate(OPS, decrypt, PolicySet(identity=(decryptor,), resource=enable_iam)).outcome
        is Outcome.ALLOWED
    )


def test_root_user_has_full_access_to_its_account_within_scps() -> None:
    assert evaluate(ROOT, GET_OBJECT, PolicySet()).outcome is Outcome.ALLOWED
    fenced = PolicySet(scps=levels((scp({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),)))
    assert evaluate(ROOT, GET_OBJECT, fenced).outcome is Outcome.DENIED


def test_public_bucket_policy_grants_anonymous_callers() -> None:
    for everyone in ("*", {"AWS": "*"}):
        assert evaluate(ANONYMOUS, GET_OBJECT, bucket_policy(everyone)).outcome is Outcome.ALLOWED
    assert evaluate(ANONYMOUS, GET_OBJECT, PolicySet()).outcome is Outcome.IMPLICIT_DENY


def test_canonical_user_grants_do_not_reach_iam_principals() -> None:
    canonical = {
        "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    }
    assert evaluate(ALICE, GET_OBJECT, bucket_policy(canonical)).outcome is Outcome.IMPLICIT_DENY


def test_deny_with_not_principal_spares_only_the_listed_principal_and_account() -> None:
    deny_others = on_resource(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"},
        {
            "Sid": "OnlyAlice",
            "Effect": "Deny",
            "NotPrincipal": {"AWS": [ALICE.arn, f"arn:aws:iam::{ACCOUNT}:root"]},
            "Action": "s3:*",
            "Resource": f"{BUCKET}/*",
        },
    )
    assert evaluate(ALICE, GET_OBJECT, PolicySet(resource=deny_others)).outcome is Outcome.ALLOWED
    assert evaluate(OPS, GET_OBJECT, PolicySet(resource=deny_others)).outcome is Outcome.DENIED
    # AWS documents that such a Deny always applies to principals with a boundary.
    bounded = PolicySet(resource=deny_others, boundary=boundary(allow("*")))
    assert evaluate(ALICE, GET_OBJECT, bounded).outcome is Outcome.DENIED


def test_not_resource_allow_covers_every_other_resource() -> None:
    everything_but_secrets = identity(
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secrets/*"}
    )
    policies = PolicySet(identity=(everything_but_secrets,))
    assert evaluate(ALICE, GET_OBJECT, policies).outcome is Outcome.ALLOWED
    secret = request("s3:GetObject", "arn:aws:s3:::secrets/key.pem", ACCOUNT)
    assert evaluate(ALICE, secret, policies).outcome is Outcome.IMPLICIT_DENY
