"""IAM: users, groups, roles, managed and inline policies, and the account's IAM settings.

get_account_authorization_details is rendered as boto3 returns it: policy documents already
decoded into dicts (botocore decodes IAM's URL-encoded JSON), AWS managed policies listed only
when something in the account attaches them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.example.builder.policies import AWS_MANAGED, Document
from ingest.example.builder.scope import Place, Scope

CLIENT = "iam"


def customer_policy_arn(account_id: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:policy{path}{name}"


def instance_profile_ref(scope: Place, name: str) -> dict[str, str]:
    """The instance profile as EC2 names it (same id as in IAM's answer)."""
    return {
        "Arn": f"arn:aws:iam::{scope.account_id}:instance-profile/{name}",
        "Id": scope.ids.unique_id("AIPA", scope.account_id, "instance-profile", name),
    }


@dataclass(frozen=True)
class ManagedPolicy:
    name: str
    document: Document
    path: str = "/"
    description: str = ""


@dataclass(frozen=True)
class Role:
    name: str
    trust: Document
    managed: tuple[str, ...] = ()  # policy ARNs
    inline: dict[str, Document] = field(default_factory=dict)
    path: str = "/"
    boundary: str | None = None  # policy ARN
    instance_profile: bool = False  # an instance profile of the same name holds the role
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = ()
    managed: tuple[str, ...] = ()
    inline: dict[str, Document] = field(default_factory=dict)
    console: bool = False  # has a login profile (a console password)
    mfa: bool = False
    access_keys: int = 0
    path: str = "/"
    boundary: str | None = None


@dataclass(frozen=True)
class Group:
    name: str
    managed: tuple[str, ...] = ()
    inline: dict[str, Document] = field(default_factory=dict)
    path: str = "/"


STRONG_PASSWORD_POLICY: dict[str, Any] = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "ExpirePasswords": False,
    "PasswordReusePrevention": 24,
    "HardExpiry": False,
}


@dataclass
class Iam:
    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    policies: list[ManagedPolicy] = field(default_factory=list)
    password_policy: dict[str, Any] | None = field(
        default_factory=lambda: dict(STRONG_PASSWORD_POLICY)
    )
    root_mfa: bool = True
    root_access_keys: bool = False
    root_password: bool = True
    # Centralized root access: answered only in the organization's management account.
    organization_id: str | None = None
    organization_features: tuple[str, ...] = ()


def _attached(arns: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in arns]


def _inline(policies: dict[str, Document]) -> list[dict[str, Any]]:
    return [{"PolicyName": name, "PolicyDocument": doc} for name, doc in policies.items()]


def _boundary(arn: str | None) -> dict[str, Any]:
    if arn is None:
        return {}
    return {
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    }


def _role_detail(scope: Scope, role: Role) -> dict[str, Any]:
    acct = scope.account_id
    base = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": scope.ids.unique_id("AROA", acct, "role", role.name),
        "Arn": f"arn:aws:iam::{acct}:role{role.path}{role.name}",
        "CreateDate": scope.created("role", role.name),
        "AssumeRolePolicyDocument": role.trust,
    }
    profiles = []
    if role.instance_profile:
        ref = instance_profile_ref(scope, role.name)
        profiles.append(
            {
                "Path": "/",
                "InstanceProfileName": role.name,
                "InstanceProfileId": ref["Id"],
                "Arn": ref["Arn"],
                "CreateDate": scope.created("instance-profile", role.name),
                "Roles": [base | {"Description": role.description, "MaxSessionDuration": 3600}],
            }
        )
    return base | {
        "InstanceProfileList": profiles,
        "RolePolicyList": _inline(role.inline),
        "AttachedManagedPolicies": _attached(role.managed),
        **_boundary(role.boundary),
        "Tags": [{"Key": k, "Value": v} for k, v in role.tags.items()],
        "RoleLastUsed": {},
    }


def _user_detail(scope: Scope, user: User) -> dict[str, Any]:
    acct = scope.account_id
    return {
        "Path": user.path,
        "UserName": user.name,
        "UserId": scope.ids.unique_id("AIDA", acct, "user", user.name),
        "Arn": f"arn:aws:iam::{acct}:user{user.path}{user.name}",
        "CreateDate": scope.created("user", user.name),
        "UserPolicyList": _inline(user.inline),
        "GroupList": list(user.groups),
        "AttachedManagedPolicies": _attached(user.managed),
        **_boundary(user.boundary),
        "Tags": [],
    }


def _group_detail(scope: Scope, group: Group) -> dict[str, Any]:
    acct = scope.account_id
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": scope.ids.unique_id("AGPA", acct, "group", group.name),
        "Arn": f"arn:aws:iam::{acct}:group{group.path}{group.name}",
        "CreateDate": scope.created("group", group.name),
        "GroupPolicyList": _inline(group.inline),
        "AttachedManagedPolicies": _attached(group.managed),
    }


def _policy_details(scope: Scope, iam: Iam) -> list[dict[str, Any]]:
    """Customer managed policies, then the AWS managed ones the account attaches."""
    attachments: dict[str, int] = {}
    boundaries: dict[str, int] = {}
    holders: list[User | Group | Role] = [*iam.users, *iam.groups, *iam.roles]
    for arn in (arn for holder in holders for arn in holder.managed):
        attachments[arn] = attachments.get(arn, 0) + 1
    bounded: list[User | Role] = [*iam.users, *iam.roles]
    for arn in (b.boundary for b in bounded if b.boundary is not None):
        boundaries[arn] = boundaries.get(arn, 0) + 1
    details = []
    for policy in iam.policies:
        arn = customer_policy_arn(scope.account_id, policy.name, policy.path)
        created = scope.created("policy", policy.name)
        details.append(
            {
                "PolicyName": policy.name,
                "PolicyId": scope.ids.unique_id("ANPA", scope.account_id, "policy", policy.name),
                "Arn": arn,
                "Path": policy.path,
                "DefaultVersionId": "v1",
                "AttachmentCount": attachments.get(arn, 0),
                "PermissionsBoundaryUsageCount": boundaries.get(arn, 0),
                "IsAttachable": True,
                **({"Description": policy.description} if policy.description else {}),
                "CreateDate": created,
                "UpdateDate": created,
                "PolicyVersionList": [
                    {
                        "Document": policy.document,
                        "VersionId": "v1",
                        "IsDefaultVersion": True,
                        "CreateDate": created,
                    }
                ],
            }
        )
    for aws in sorted(AWS_MANAGED.values(), key=lambda p: p.name):
        if aws.arn not in attachments and aws.arn not in boundaries:
            continue
        details.append(
            {
                "PolicyName": aws.name,
                "PolicyId": aws.policy_id,
                "Arn": aws.arn,
                "Path": aws.path,
                "DefaultVersionId": aws.version,
                "AttachmentCount": attachments.get(aws.arn, 0),
                "PermissionsBoundaryUsageCount": boundaries.get(aws.arn, 0),
                "IsAttachable": True,
                "Description": aws.description,
                "CreateDate": aws.created,
                "UpdateDate": aws.updated,
                "PolicyVersionList": [
                    {
                        "Document": aws.document,
                        "VersionId": aws.version,
                        "IsDefaultVersion": True,
                        "CreateDate": aws.updated,
                    }
                ],
            }
        )
    return details


def _summary(iam: Iam, policy_count: int) -> dict[str, int]:
    mfa_users = sum(u.mfa for u in iam.users)
    return {
        "Users": len(iam.users),
        "Groups": len(iam.groups),
        "Roles": len(iam.roles),
        "Policies": policy_count,
        "PolicyVersionsInUse": policy_count,
        "InstanceProfiles": sum(r.instance_profile for r in iam.roles),
        "MFADevices": mfa_users + iam.root_mfa,
        "MFADevicesInUse": mfa_users + iam.root_mfa,
        "AccountMFAEnabled": int(iam.root_mfa),
        "AccountAccessKeysPresent": int(iam.root_access_keys),
        "AccountPasswordPresent": int(iam.root_password),
        "AccountSigningCertificatesPresent": 0,
        "Providers": 1,
        "ServerCertificates": 0,
        "UsersQuota": 5000,
        "GroupsQuota": 300,
        "RolesQuota": 1000,
        "PoliciesQuota": 1500,
        "GroupsPerUserQuota": 10,
        "AttachedPoliciesPerUserQuota": 10,
        "AttachedPoliciesPerGroupQuota": 10,
        "AttachedPoliciesPerRoleQuota": 10,
        "PolicySizeQuota": 6144,
        "UserPolicySizeQuota": 2048,
        "GroupPolicySizeQuota": 5120,
        "RolePolicySizeQuota": 10240,
        "AssumeRolePolicySizeQuota": 2048,
        "VersionsPerPolicyQuota": 5,
        "PolicyVersionsInUseQuota": 10000,
        "AccessKeysPerUserQuota": 2,
        "SigningCertificatesPerUserQuota": 2,
        "ServerCertificatesQuota": 20,
        "GlobalEndpointTokenVersion": 1,
    }


def _credentials(scope: Scope, user: User) -> None:
    """Per-user calls: console password, MFA devices and access keys."""
    acct = scope.account_id
    if user.console:
        scope.answer(
            CLIENT,
            "get_login_profile",
            {
                "LoginProfile": {
                    "UserName": user.name,
                    "CreateDate": scope.created("login", user.name),
                    "PasswordResetRequired": False,
                }
            },
            user.name,
        )
    devices = (
        [
            {
                "UserName": user.name,
                "SerialNumber": f"arn:aws:iam::{acct}:mfa/{user.name}",
                "EnableDate": scope.created("mfa", user.name),
            }
        ]
        if user.mfa
        else []
    )
    scope.answer(
        CLIENT, "list_mfa_devices", {"MFADevices": devices, "IsTruncated": False}, user.name
    )
    keys = [
        {
            "UserName": user.name,
            "Status": "Active",
            "AccessKeyId": scope.ids.unique_id("AKIA", acct, "key", user.name, str(i)),
            "CreateDate": scope.created("key", user.name, str(i)),
        }
        for i in range(user.access_keys)
    ]
    scope.answer(
        CLIENT, "list_access_keys", {"AccessKeyMetadata": keys, "IsTruncated": False}, user.name
    )


def render_iam(scope: Scope, iam: Iam) -> None:
    """Every IAM call for one account (global scope)."""
    policies = _policy_details(scope, iam)
    scope.answer(
        CLIENT,
        "get_account_authorization_details",
        {
            "UserDetailList": [_user_detail(scope, u) for u in iam.users],
            "GroupDetailList": [_group_detail(scope, g) for g in iam.groups],
            "RoleDetailList": [_role_detail(scope, r) for r in iam.roles],
            "Policies": policies,
            "IsTruncated": False,
        },
    )
    if iam.password_policy is not None:  # otherwise IAM answers NoSuchEntity: not set
        scope.answer(CLIENT, "get_account_password_policy", {"PasswordPolicy": iam.password_policy})
    scope.answer(CLIENT, "get_account_summary", {"SummaryMap": _summary(iam, len(iam.policies))})
    if iam.organization_id is not None:
        scope.answer(
            CLIENT,
            "list_organizations_features",
            {
                "OrganizationId": iam.organization_id,
                "EnabledFeatures": list(iam.organization_features),
            },
        )
    for user in iam.users:
        _credentials(scope, user)
