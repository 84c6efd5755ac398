"""The IAM of the test organization (organization_fixtures) as AWS returns it, and snapshots of
both for the organization and identity tests.

IAM of the prod account: a group with an inline (URL-encoded) and an AWS managed policy; alice
in the group with a permissions boundary, an attached customer policy and an inline policy;
bob alone; roles trusting another account, a role of the management account, a service, a SAML
provider, Cognito and everyone. The management account has one role, `ci`, with the same AWS
managed policy as prod's `deploy`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from ingest.snapshot import GLOBAL_REGION, Snapshot, SnapshotWriter
from tests.unit.ingest.organization_fixtures import (
    CREATED,
    EXTERNAL,
    MANAGEMENT,
    ORG_ID,
    PROD,
    allow,
    document,
    organization_responses,
    url_encoded,
)


def iam_arn(account: str, resource: str) -> str:
    return f"arn:aws:iam::{account}:{resource}"


ALICE = iam_arn(PROD, "user/alice")
BOB = iam_arn(PROD, "user/bob")
DEVELOPERS = iam_arn(PROD, "group/eng/developers")
DEPLOY = iam_arn(PROD, "role/deploy")
PUBLIC = iam_arn(PROD, "role/public")
WEB = iam_arn(PROD, "role/web-identity")
SUPPORT = iam_arn(PROD, "role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport")
CI = iam_arn(MANAGEMENT, "role/ci")
S3_READ = iam_arn(PROD, "policy/s3-read")
BOUNDARY = iam_arn(PROD, "policy/dev-boundary")
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SAML = iam_arn(PROD, "saml-provider/okta")
DEPLOY_PROFILE = iam_arn(PROD, "instance-profile/deploy-profile")


def _managed(arn: str, doc: Any, attachments: int = 1) -> dict[str, Any]:
    return {
        "PolicyName": arn.rsplit("/", 1)[-1],
        "PolicyId": "ANPA" + arn.rsplit("/", 1)[-1].upper().replace("-", ""),
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v2",
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": "2024-01-01T00:00:00Z",
        "UpdateDate": "2024-02-01T00:00:00Z",
        "PolicyVersionList": [
            {"Document": document(allow("s3:DeleteBucket")), "VersionId": "v1",
             "IsDefaultVersion": False},
            {"Document": doc, "VersionId": "v2", "IsDefaultVersion": True},
        ],
    }  # fmt: skip


def _role(arn: str, trust: Any, path: str = "/", **extra: Any) -> dict[str, Any]:
    return {
        "Path": path,
        "RoleName": arn.rsplit("/", 1)[-1],
        "RoleId": "AROA" + arn.rsplit("/", 1)[-1].upper().replace("-", ""),
        "Arn": arn,
        "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
        "RoleLastUsed": {},
        **extra,
    }


ASSUME = "sts:AssumeRole"
DEPLOY_TRUST = document(
    {
        "Effect": "Allow",
        "Principal": {"AWS": [EXTERNAL, CI]},
        "Action": ASSUME,
        "Condition": {"StringEquals": {"sts:ExternalId": "deploy-42"}},
    },
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ASSUME},
    {"Effect": "Allow", "Principal": {"Federated": SAML}, "Action": "sts:AssumeRoleWithSAML"},
    {"Effect": "Deny", "Principal": {"AWS": iam_arn(EXTERNAL, "root")}, "Action": ASSUME},
)


def prod_authorization_details(*, without_roles: tuple[str, ...] = ()) -> dict[str, Any]:
    """The prod account's get_account_authorization_details, as boto3 returns it (with the
    documents the raw API would URL-encode left encoded in two places)."""
    alice = {
        "Path": "/",
        "UserName": "alice",
        "UserId": "AIDAALICE",
        "Arn": ALICE,
        "CreateDate": "2024-01-01T00:00:00Z",
        "UserPolicyList": [
            {
                "PolicyName": "alice-inline",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": allow("sqs:*")},
            }
        ],
        "GroupList": ["developers"],
        "AttachedManagedPolicies": [{"PolicyName": "s3-read", "PolicyArn": S3_READ}],
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": BOUNDARY,
        },
        "Tags": [{"Key": "team", "Value": "eng"}],
    }
    bob = {
        "Path": "/",
        "UserName": "bob",
        "UserId": "AIDABOB",
        "Arn": BOB,
        "CreateDate": "2024-01-01T00:00:00Z",
        "UserPolicyList": [],
        "GroupList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
    }
    group = {
        "Path": "/eng/",
        "GroupName": "developers",
        "GroupId": "AGPADEV",
        "Arn": DEVELOPERS,
        "CreateDate": "2024-01-01T00:00:00Z",
        "GroupPolicyList": [
            {"PolicyName": "dev-inline", "PolicyDocument": url_encoded(document(allow("ec2:*")))}
        ],
        "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY}],
    }
    profile = {
        "Path": "/",
        "InstanceProfileName": "deploy-profile",
        "InstanceProfileId": "AIPADEPLOY",
        "Arn": DEPLOY_PROFILE,
        "CreateDate": "2024-01-01T00:00:00Z",
        "Roles": [],
    }
    roles = [
        _role(
            DEPLOY,
            DEPLOY_TRUST,
            InstanceProfileList=[profile],
            RolePolicyList=[
                {"PolicyName": "deploy-inline", "PolicyDocument": url_encoded(document(allow("*")))}
            ],
            AttachedManagedPolicies=[{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}],
            PermissionsBoundary={"PermissionsBoundaryType": "Policy",
                                 "PermissionsBoundaryArn": BOUNDARY},
            RoleLastUsed={"LastUsedDate": "2026-11-01T00:00:00Z", "Region": "us-east-1"},
        ),
        _role(
            PUBLIC,
            document(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ASSUME,
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
                }
            ),
        ),
        _role(
            WEB,
            url_encoded(
                document(
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                    }
                )
            ),
        ),
        _role(
            SUPPORT,
            document(
                {"Effect": "Allow", "Principal": {"Service": "support.amazonaws.com"},
                 "Action": ASSUME}
            ),
            path="/aws-service-role/support.amazonaws.com/",
        ),
    ]  # fmt: skip
    return {
        "UserDetailList": [alice, bob],
        "GroupDetailList": [group],
        "RoleDetailList": [r for r in roles if r["RoleName"] not in without_roles],
        "Policies": [
            _managed(S3_READ, url_encoded(document(allow("s3:GetObject")))),
            _managed(BOUNDARY, document(allow(["s3:*", "sqs:*", "ec2:*"])), attachments=0),
            _managed(READ_ONLY, document(allow(["s3:Get*", "ec2:Describe*"]))),
            _managed(ADMIN, document(allow("*"))),
        ],
    }


def management_authorization_details() -> dict[str, Any]:
    ci = _role(
        CI,
        document({"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
                  "Action": ASSUME}),
        AttachedManagedPolicies=[{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}],
    )  # fmt: skip
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [ci],
        "Policies": [_managed(ADMIN, document(allow("*")))],
    }


def iam_writer(writer: SnapshotWriter, account_id: str) -> Callable[..., Path]:
    """Writes one IAM response of the account: (method, data, key=None)."""
    return partial(writer.write, account_id, GLOBAL_REGION, "iam")


def summary(mfa: int, keys: int, password: int = 1) -> dict[str, Any]:
    return {
        "SummaryMap": {
            "Users": 2,
            "AccountMFAEnabled": mfa,
            "AccountAccessKeysPresent": keys,
            "AccountPasswordPresent": password,
            "AccountSigningCertificatesPresent": 0,
        }
    }


def write_prod_iam(writer: SnapshotWriter, *, without_roles: tuple[str, ...] = ()) -> None:
    """Prod's IAM calls: alice has a console password, an MFA device and one active key of
    two; bob has no console password, no MFA, and listing his keys was denied."""
    details = prod_authorization_details(without_roles=without_roles)
    write = iam_writer(writer, PROD)
    write("get_account_authorization_details", details)
    write("get_account_summary", summary(mfa=1, keys=0))
    write(
        "get_account_password_policy",
        {"PasswordPolicy": {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24,
                            "RequireSymbols": True, "ExpirePasswords": False}},
    )  # fmt: skip
    write("get_login_profile", {"LoginProfile": {"UserName": "alice"}}, "alice")
    write("list_mfa_devices", {"MFADevices": [{"SerialNumber": "arn:mfa/alice"}]}, "alice")
    write(
        "list_access_keys",
        {"AccessKeyMetadata": [{"Status": "Active"}, {"Status": "Inactive"}]},
        "alice",
    )
    write("list_mfa_devices", {"MFADevices": []}, "bob")
    writer.record_failure(
        PROD, GLOBAL_REGION, "iam", "list_access_keys", "AccessDenied", "denied", "bob"
    )


def write_management(writer: SnapshotWriter) -> None:
    """The management account: the organization calls, and IAM without a password policy."""
    for (method, key), data in organization_responses().items():
        writer.write(MANAGEMENT, GLOBAL_REGION, "organizations", method, data, key)
    write = iam_writer(writer, MANAGEMENT)
    write(
        "list_organizations_features",
        {"OrganizationId": ORG_ID, "EnabledFeatures": ["RootCredentialsManagement"]},
    )
    write("get_account_authorization_details", management_authorization_details())
    write("get_account_summary", summary(mfa=0, keys=1))


def identity_snapshot(
    root: Path,
    *,
    accounts: tuple[str, ...] = (MANAGEMENT, PROD),
    failed: tuple[str, ...] = (),
    without_roles: tuple[str, ...] = (),
    source: str = "synthetic",
) -> Snapshot:
    """A snapshot of the management account (organization and IAM) and prod (IAM); `failed`
    accounts are listed as failed to collect, with no responses."""
    writer = SnapshotWriter(root, source=source)
    if MANAGEMENT in accounts:
        write_management(writer)
    if PROD in accounts:
        write_prod_iam(writer, without_roles=without_roles)
    for account_id in accounts:
        writer.set_account(account_id, ["us-east-1"])
    for account_id in failed:
        writer.set_account(account_id, ["us-east-1"], "failed", "AccessDenied: sts:AssumeRole")
    writer.finish(MANAGEMENT if MANAGEMENT in accounts else None, created_at=CREATED)
    return Snapshot.open(root)
