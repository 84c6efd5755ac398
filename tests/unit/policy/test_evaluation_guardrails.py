"""Explicit denies, SCPs, RCPs, permissions boundaries and session policies."""

import pytest

from kg.analysis.policy import (
    OrgLevel,
    Outcome,
    Policy,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    Resource,
    evaluate,
)

from .builders import (
    ACCOUNT,
    ALICE,
    BUCKET,
    MANAGEMENT_ACCOUNT,
    OBJECT,
    OPS,
    OTHER_ACCOUNT,
    OU_ID,
    PARTNER,
    RCP_FULL_AWS_ACCESS,
    allow,
    boundary,
    deny,
    identity,
    levels,
    on_resource,
    rcp,
    request,
    scp,
    session,
)

READ_REPORTS = identity(allow(["s3:GetObject", "s3:ListBucket"], [BUCKET, f"{BUCKET}/*"]))
GET_OBJECT = request("s3:GetObject", OBJECT, ACCOUNT)


def test_no_policy_means_implicit_deny() -> None:
    decision = evaluate(ALICE, GET_OBJECT, PolicySet())
    assert decision.outcome is Outcome.IMPLICIT_DENY
    assert "no identity policy allows it" in decision.reason


def test_identity_allow_grants_and_names_the_statement() -> None:
    decision = evaluate(ALICE, GET_OBJECT, PolicySet(identity=(READ_REPORTS,)))
    assert decision.outcome is Outcome.ALLOWED
    assert [str(ref) for ref in decision.statements] == [
        f"arn:aws:iam::{ACCOUNT}:policy/Test#Statement[0]"
    ]


def test_identity_deny_overrides_identity_allow() -> None:
    deny_reports = identity({**deny("s3:*", f"{BUCKET}/*"), "Sid": "NoReports"}, name="DenyReports")
    decision = evaluate(ALICE, GET_OBJECT, PolicySet(identity=(READ_REPORTS, deny_reports)))
    assert decision.outcome is Outcome.DENIED
    assert [ref.sid for ref in decision.statements] == ["NoReports"]


def test_resource_policy_deny_overrides_identity_allow() -> None:
    bucket_policy = on_resource(
        {**deny("s3:GetObject", f"{BUCKET}/*"), "Principal": {"AWS": ALICE.arn}}
    )
    decision = evaluate(
        ALICE, GET_OBJECT, PolicySet(identity=(READ_REPORTS,), resource=bucket_policy)
    )
    assert decision.outcome is Outcome.DENIED


def test_identity_deny_overrides_resource_policy_allow() -> None:
    bucket_policy = on_resource(
        {**allow("s3:GetObject", f"{BUCKET}/*"), "Principal": {"AWS": ALICE.arn}}
    )
    decision = evaluate(
        ALICE, GET_OBJECT, PolicySet(identity=(identity(deny("s3:*")),), resource=bucket_policy)
    )
    assert decision.outcome is Outcome.DENIED


@pytest.mark.parametrize(
    "policies",
    [
        PolicySet(identity=(READ_REPORTS,), boundary=boundary(allow("*"), deny("s3:Get*"))),
        PolicySet(identity=(READ_REPORTS,), session=(session(allow("*"), deny("s3:*")),)),
        PolicySet(identity=(READ_REPORTS,), scps=levels((), (scp(deny("s3:GetObject")),))),
        PolicySet(
            identity=(READ_REPORTS,),
            rcps=levels((rcp({**deny("s3:*"), "Principal": "*"}),), full=RCP_FULL_AWS_ACCESS),
        ),
    ],
    ids=["boundary", "session", "scp", "rcp"],
)
def test_deny_in_any_guardrail_denies(policies: PolicySet) -> None:
    assert evaluate(OPS, GET_OBJECT, policies).outcome is Outcome.DENIED


def test_every_scp_level_must_allow() -> None:
    # The OU replaced FullAWSAccess with an allow list of S3 and CloudWatch.
    ou_allow_list = scp(allow(["s3:*", "cloudwatch:*"]), name="p-allowlist")
    root, _, account = levels()
    chain = (root, OrgLevel(OU_ID, (ou_allow_list,)), account)
    policies = PolicySet(identity=(identity(allow("*")),), scps=chain)
    assert evaluate(OPS, GET_OBJECT, policies).outcome is Outcome.ALLOWED
    denied = evaluate(OPS, request("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x"), policies)
    assert denied.outcome is Outcome.IMPLICIT_DENY
    assert denied.reason == f"no SCP attached to {OU_ID} allows it"


def test_scps_never_grant() -> None:
    policies = PolicySet(scps=levels())
    assert evaluate(OPS, GET_OBJECT, policies).outcome is Outcome.IMPLICIT_DENY


def test_management_account_is_exempt_from_scps() -> None:
    admin = Principal(PrincipalKind.ROLE, f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:role/OrgAdmin")
    policies = PolicySet(
        identity=(identity(allow("*")),),
        scps=levels((scp(deny("*")),)),
        management_account_id=MANAGEMENT_ACCOUNT,
    )
    action = request("iam:CreateUser", f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:user/x")
    assert evaluate(admin, action, policies).outcome is Outcome.ALLOWED
    assert evaluate(OPS, request("iam:CreateUser"), policies).outcome is Outcome.DENIED


def test_service_linked_roles_are_exempt_from_scps() -> None:
    linked = Principal(
        PrincipalKind.ROLE,
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/guardduty.amazonaws.com/"
        "AWSServiceRoleForAmazonGuardDuty",
        service_linked=True,
    )
    policies = PolicySet(
        identity=(identity(allow("ec2:Describe*")),), scps=levels((scp(deny("*")),))
    )
    assert evaluate(linked, request("ec2:DescribeInstances"), policies).outcome is Outcome.ALLOWED


def test_principals_account_scps_apply_to_cross_account_requests() -> None:
    partner_bucket = "arn:aws:s3:::partner-data"
    bucket_policy = on_resource(
        {**allow("s3:GetObject", f"{partner_bucket}/*"), "Principal": {"AWS": OPS.arn}},
        resource_id=partner_bucket,
    )
    policies = PolicySet(
        identity=(identity(allow("s3:GetObject")),),
        resource=bucket_policy,
        scps=levels((scp(deny("s3:*", f"{partner_bucket}/*")),)),
    )
    cross = request("s3:GetObject", f"{partner_bucket}/a.csv", OTHER_ACCOUNT)
    assert evaluate(OPS, cross, policies).outcome is Outcome.DENIED


def _perimeter_rcp() -> Policy:
    """AWS's data-perimeter example: only principals of the organization, or AWS services."""
    return rcp(
        {
            "Sid": "EnforceOrgIdentities",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"],
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        },
        name="p-perimeter",
    )


def _shared_bucket_policies(resource_account_is_management: bool = False) -> PolicySet:
    bucket_policy = on_resource(
        {**allow("s3:GetObject", f"{BUCKET}/*"), "Principal": {"AWS": PARTNER.arn}}
    )
    return PolicySet(
        identity=(identity(allow("s3:GetObject")),),
        resource=bucket_policy,
        rcps=levels((_perimeter_rcp(),), full=RCP_FULL_AWS_ACCESS),
        management_account_id=ACCOUNT if resource_account_is_management else MANAGEMENT_ACCOUNT,
    )


def test_rcp_denies_principals_outside_the_organization() -> None:
    outsider = Principal(PrincipalKind.ROLE, PARTNER.arn, org_id="o-zzzzzzzzzz")
    decision = evaluate(outsider, GET_OBJECT, _shared_bucket_policies())
    assert decision.outcome is Outcome.DENIED
    assert [ref.sid for ref in decision.statements] == ["EnforceOrgIdentities"]


def test_rcp_with_unknown_organization_makes_the_access_conditional() -> None:
    decision = evaluate(PARTNER, GET_OBJECT, _shared_bucket_policies())
    assert decision.outcome is Outcome.CONDITIONAL
    (pending,) = decision.conditions
    assert pending.to_json()["condition"] == {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}
    }
    assert pending.to_json()["effect"] == "Deny"


def test_rcps_do_not_bind_management_account_resources() -> None:
    outsider = Principal(PrincipalKind.ROLE, PARTNER.arn, org_id="o-zzzzzzzzzz")
    policies = _shared_bucket_policies(resource_account_is_management=True)
    assert evaluate(outsider, GET_OBJECT, policies).outcome is Outcome.ALLOWED


def test_rcps_only_bind_the_services_that_support_them() -> None:
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:report"
    policies = PolicySet(
        identity=(identity(allow("lambda:InvokeFunction")),),
        rcps=levels((rcp({**deny("*"), "Principal": "*"}),), full=RCP_FULL_AWS_ACCESS),
    )
    decision = evaluate(OPS, request("lambda:InvokeFunction", function, ACCOUNT), policies)
    assert decision.outcome is Outcome.ALLOWED


def test_permissions_boundary_limits_identity_grants() -> None:
    s3_only = boundary(allow("s3:*"))
    policies = PolicySet(identity=(identity(allow("*")),), boundary=s3_only)
    assert evaluate(OPS, GET_OBJECT, policies).outcome is Outcome.ALLOWED
    decision = evaluate(OPS, request("iam:CreateUser"), policies)
    assert decision.outcome is Outcome.IMPLICIT_DENY
    assert "permissions boundary does not allow it" in decision.reason


def test_boundary_alone_grants_nothing() -> None:
    policies = PolicySet(boundary=boundary(allow("*")))
    assert evaluate(OPS, GET_OBJECT, policies).outcome is Outcome.IMPLICIT_DENY


def test_session_policy_limits_the_role_session() -> None:
    policies = PolicySet(identity=(identity(allow("*")),), session=(session(allow("s3:Get*")),))
    assert evaluate(OPS, GET_OBJECT, policies).outcome is Outcome.ALLOWED
    put = evaluate(OPS, request("s3:PutObject", OBJECT, ACCOUNT), policies)
    assert put.outcome is Outcome.IMPLICIT_DENY


def test_a_region_restriction_is_decided_by_the_region_a_resource_lives_in() -> None:
    eu_only = scp(deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}))
    policies = PolicySet(identity=(identity(allow("*")),), scps=levels((eu_only,)))
    topic = f"arn:aws:sns:{{}}:{ACCOUNT}:alerts"

    def outcome(action: str, arn: str) -> Outcome:
        return evaluate(ALICE, request(action, arn, ACCOUNT), policies).outcome

    assert outcome("sns:Publish", topic.format("eu-west-1")) is Outcome.ALLOWED
    assert outcome("sns:Publish", topic.format("us-east-1")) is Outcome.DENIED
    # A bucket's ARN names no region: its location decides, and without one nothing does.
    assert outcome("s3:GetObject", OBJECT) is Outcome.CONDITIONAL
    in_eu = Request("s3:GetObject", Resource(OBJECT, ACCOUNT, region="eu-west-1"))
    assert evaluate(ALICE, in_eu, policies).outcome is Outcome.ALLOWED
