"""An organization and its IAM, as AWS returns them, for the organization and identity tests.

The organization (management account 111111111111):

    Root                      SCPs FullAWSAccess + deny-leave, RCP perimeter
      111111111111 management
      444444444444 suspended
      Workloads               SCP deny-regions
        Prod                  tag policy
          222222222222 prod   (delegated admin for GuardDuty and Security Hub)
      Sandbox
        333333333333 sandbox  SCP sandbox-guard

IAM of the prod account: a group with an inline (URL-encoded) and an AWS managed policy; alice
in the group with a permissions boundary, an attached customer policy and an inline policy;
bob alone; roles trusting another account, a role of the management account, a service, a SAML
provider, Cognito and everyone. The management account has one role, `ci`, with the same AWS
managed policy as prod's `deploy`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ingest.snapshot import GLOBAL_REGION, Snapshot, SnapshotWriter

MANAGEMENT = "111111111111"
PROD = "222222222222"
SANDBOX = "333333333333"
SUSPENDED = "444444444444"
EXTERNAL = "999999999999"
ORG_ID = "o-abcd1234ef"
ROOT_ID = "r-ab12"
WORKLOADS, PROD_OU, SANDBOX_OU = "ou-ab12-workload", "ou-ab12-prod", "ou-ab12-sandbox"
CREATED = "2026-11-28T12:00:00Z"


def org_arn(kind: str, *parts: str) -> str:
    return f"arn:aws:organizations::{MANAGEMENT}:{kind}/{ORG_ID}/" + "/".join(parts)


ORG_ARN = f"arn:aws:organizations::{MANAGEMENT}:organization/{ORG_ID}"
ROOT_ARN = org_arn("root", ROOT_ID)
OU_ARNS = {ou: org_arn("ou", ou) for ou in (WORKLOADS, PROD_OU, SANDBOX_OU)}
FULL_ACCESS_ARN = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"


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


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def url_encoded(doc: dict[str, Any]) -> str:
    """A document as the raw IAM API returns it."""
    return quote(json.dumps(doc))


# Organizations --------------------------------------------------------------------------------


def _account(account_id: str, name: str, state: str = "ACTIVE") -> dict[str, Any]:
    return {
        "Id": account_id,
        "Arn": org_arn("account", account_id),
        "Email": f"{name}@example.com",
        "Name": name,
        "Status": "SUSPENDED" if state != "ACTIVE" else "ACTIVE",
        "State": state,
        "JoinedMethod": "CREATED",
        "JoinedTimestamp": "2024-01-02T03:04:05Z",
    }


ACCOUNTS = {
    MANAGEMENT: _account(MANAGEMENT, "management"),
    PROD: _account(PROD, "prod"),
    SANDBOX: _account(SANDBOX, "sandbox"),
    SUSPENDED: _account(SUSPENDED, "old", state="SUSPENDED"),
}
CHILDREN = {  # parent -> (child OUs, accounts)
    ROOT_ID: ([(WORKLOADS, "Workloads"), (SANDBOX_OU, "Sandbox")], [MANAGEMENT, SUSPENDED]),
    WORKLOADS: ([(PROD_OU, "Prod")], []),
    PROD_OU: ([], [PROD]),
    SANDBOX_OU: ([], [SANDBOX]),
}
DENY_LEAVE = {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
TAG_CONTENT = {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}}}}
# policy id -> (type, name, aws managed, content, targets as (type, id))
POLICIES: dict[str, tuple[str, str, bool, Any, list[tuple[str, str]]]] = {
    "p-FullAWSAccess": (
        "SERVICE_CONTROL_POLICY",
        "FullAWSAccess",
        True,
        document(allow("*")),
        [("ROOT", ROOT_ID), ("ORGANIZATIONAL_UNIT", WORKLOADS), ("ACCOUNT", PROD)],
    ),
    "p-denyleave": (
        "SERVICE_CONTROL_POLICY",
        "deny-leave",
        False,
        {"Version": "2012-10-17", "Statement": DENY_LEAVE},  # one statement, not a list
        [("ROOT", ROOT_ID)],
    ),
    "p-regions": (
        "SERVICE_CONTROL_POLICY",
        "deny-regions",
        False,
        document({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
        [("ORGANIZATIONAL_UNIT", WORKLOADS)],
    ),
    "p-sandbox": (
        "SERVICE_CONTROL_POLICY",
        "sandbox-guard",
        False,
        document({"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}),
        [("ACCOUNT", SANDBOX)],
    ),
    "p-perimeter": (
        "RESOURCE_CONTROL_POLICY",
        "perimeter",
        False,
        document(
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        ),
        [("ROOT", ROOT_ID)],
    ),
    "p-tags": ("TAG_POLICY", "tags", False, TAG_CONTENT, [("ORGANIZATIONAL_UNIT", PROD_OU)]),
}


def policy_arn(policy_id: str) -> str:
    kind, _, aws_managed, _, _ = POLICIES[policy_id]
    if aws_managed:
        return FULL_ACCESS_ARN
    return org_arn("policy", kind.lower(), policy_id)


def _target(kind: str, target_id: str) -> dict[str, Any]:
    arns = {"ROOT": ROOT_ARN, "ACCOUNT": org_arn("account", target_id)}
    return {
        "TargetId": target_id,
        "Arn": arns.get(kind) or OU_ARNS[target_id],
        "Name": target_id,
        "Type": kind,
    }


def organization_responses() -> dict[tuple[str, str | None], dict[str, Any]]:
    """(method, key) -> the response the management account's organizations calls return."""
    root = {
        "Id": ROOT_ID,
        "Arn": ROOT_ARN,
        "Name": "Root",
        "PolicyTypes": [
            {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
            {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
            {"Type": "TAG_POLICY", "Status": "ENABLED"},
            {"Type": "BACKUP_POLICY", "Status": "PENDING_ENABLE"},
        ],
    }
    answers: dict[tuple[str, str | None], dict[str, Any]] = {
        ("describe_organization", None): {
            "Organization": {
                "Id": ORG_ID,
                "Arn": ORG_ARN,
                "FeatureSet": "ALL",
                "MasterAccountArn": org_arn("account", MANAGEMENT),
                "MasterAccountId": MANAGEMENT,
                "MasterAccountEmail": "management@example.com",
            }
        },
        ("list_roots", None): {"Roots": [root]},
        ("list_accounts", None): {"Accounts": list(ACCOUNTS.values())},
        ("list_delegated_administrators", None): {
            "DelegatedAdministrators": [
                {**ACCOUNTS[PROD], "DelegationEnabledDate": "2025-01-01T00:00:00Z"}
            ]
        },
        ("list_delegated_services_for_account", PROD): {
            "DelegatedServices": [
                {"ServicePrincipal": name, "DelegationEnabledDate": "2025-01-01T00:00:00Z"}
                for name in ("guardduty.amazonaws.com", "securityhub.amazonaws.com")
            ]
        },
        ("list_aws_service_access_for_organization", None): {
            "EnabledServicePrincipals": [
                {
                    "ServicePrincipal": "guardduty.amazonaws.com",
                    "DateEnabled": "2025-01-01T00:00:00Z",
                },
                {"ServicePrincipal": "sso.amazonaws.com", "DateEnabled": "2025-01-01T00:00:00Z"},
            ]
        },
    }
    for parent, (units, accounts) in CHILDREN.items():
        answers[("list_organizational_units_for_parent", parent)] = {
            "OrganizationalUnits": [
                {"Id": ou, "Arn": OU_ARNS[ou], "Name": name} for ou, name in units
            ]
        }
        answers[("list_accounts_for_parent", parent)] = {
            "Accounts": [ACCOUNTS[a] for a in accounts]
        }
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "TAG_POLICY"):
        answers[("list_policies", policy_type)] = {"Policies": []}
    for policy_id, (kind, name, aws_managed, content, targets) in POLICIES.items():
        summary = {
            "Id": policy_id,
            "Arn": policy_arn(policy_id),
            "Name": name,
            "Description": f"{name} policy",
            "Type": kind,
            "AwsManaged": aws_managed,
        }
        answers[("list_policies", kind)]["Policies"].append(summary)
        answers[("describe_policy", policy_id)] = {
            "Policy": {"PolicySummary": summary, "Content": json.dumps(content)}
        }
        answers[("list_targets_for_policy", policy_id)] = {
            "Targets": [_target(kind, target) for kind, target in targets]
        }
    return answers


# IAM ------------------------------------------------------------------------------------------


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


def summary(mfa: int, keys: int) -> dict[str, Any]:
    return {"SummaryMap": {"Users": 2, "AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys}}


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
    writer.write(
        MANAGEMENT,
        GLOBAL_REGION,
        "iam",
        "list_organizations_features",
        {"OrganizationId": ORG_ID, "EnabledFeatures": ["RootCredentialsManagement"]},
    )
    write = iam_writer(writer, MANAGEMENT)
    write("get_account_authorization_details", management_authorization_details())
    write("get_account_summary", summary(mfa=0, keys=1))


def identity_snapshot(
    root: Path,
    *,
    accounts: tuple[str, ...] = (MANAGEMENT, PROD),
    without_roles: tuple[str, ...] = (),
    source: str = "synthetic",
) -> Snapshot:
    """A snapshot of the management account (organization and IAM) and prod (IAM)."""
    writer = SnapshotWriter(root, source=source)
    if MANAGEMENT in accounts:
        write_management(writer)
    if PROD in accounts:
        write_prod_iam(writer, without_roles=without_roles)
    for account_id in accounts:
        writer.set_account(account_id, ["us-east-1"])
    writer.finish(MANAGEMENT if MANAGEMENT in accounts else None, created_at=CREATED)
    return Snapshot.open(root)
