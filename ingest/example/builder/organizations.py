"""AWS Organizations: the organization, its OU tree, accounts, policies and delegated admins.

OUs are named by their path below the root ("Workloads/Prod"); a policy target is "root", an OU
path, or an account id. The renderer answers every organization call the collector makes, once,
in the management account's "global" scope.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from ingest.example.builder.ids import Ids
from ingest.example.builder.policies import Document, allow, deny, document
from ingest.example.builder.scope import Scope

CLIENT = "organizations"
SCP = "SERVICE_CONTROL_POLICY"
ROOT = "root"
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS_ARN = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"


@dataclass(frozen=True)
class OrgAccount:
    account_id: str
    name: str
    email: str
    joined_method: str = "CREATED"


@dataclass
class OrgUnit:
    """An OU (or the root) with the accounts directly in it and its child OUs."""

    name: str
    accounts: list[str] = field(default_factory=list)
    children: list[OrgUnit] = field(default_factory=list)


@dataclass(frozen=True)
class OrgPolicy:
    name: str
    description: str
    document: Document
    targets: tuple[str, ...]  # "root", an OU path, or an account id
    policy_type: str = SCP


@dataclass
class Organization:
    """An organization; FullAWSAccess is attached everywhere, as AWS does by default."""

    ids: Ids
    management: str
    accounts: list[OrgAccount]
    root: OrgUnit
    policies: list[OrgPolicy]
    delegated_admins: dict[str, tuple[str, ...]]  # account id -> service principals
    trusted_services: tuple[str, ...]

    @property
    def org_id(self) -> str:
        return "o-" + self.ids.lower(10, "organization")

    @property
    def root_id(self) -> str:
        return "r-" + self.ids.lower(4, "root")

    @property
    def arn(self) -> str:
        return f"arn:aws:organizations::{self.management}:organization/{self.org_id}"

    def root_arn(self) -> str:
        return f"arn:aws:organizations::{self.management}:root/{self.org_id}/{self.root_id}"

    def ou_id(self, path: str) -> str:
        return f"ou-{self.root_id[2:]}-" + self.ids.lower(8, "ou", path)

    def ou_arn(self, path: str) -> str:
        return f"arn:aws:organizations::{self.management}:ou/{self.org_id}/{self.ou_id(path)}"

    def account_arn(self, account_id: str) -> str:
        return f"arn:aws:organizations::{self.management}:account/{self.org_id}/{account_id}"

    def policy_id(self, policy: OrgPolicy) -> str:
        return "p-" + self.ids.lower(8, "policy", policy.name)

    def policy_arn(self, policy: OrgPolicy) -> str:
        kind = policy.policy_type.lower()
        return (
            f"arn:aws:organizations::{self.management}:policy/{self.org_id}/{kind}/"
            f"{self.policy_id(policy)}"
        )

    def units(self) -> Iterator[tuple[str, OrgUnit]]:
        """Every OU with its path, parents before children (the root has path "")."""
        pending = [("", self.root)]
        while pending:
            path, unit = pending.pop(0)
            yield path, unit
            for child in unit.children:
                pending.append((f"{path}/{child.name}".lstrip("/"), child))

    @cached_property
    def _accounts_by_id(self) -> dict[str, OrgAccount]:
        return {a.account_id: a for a in self.accounts}

    def account(self, account_id: str) -> OrgAccount:
        return self._accounts_by_id[account_id]

    def joined(self, account_id: str) -> str:
        return self.ids.timestamp("joined", account_id)


def protect_security_services() -> Document:
    """The SCP that stops member accounts from switching off the security services."""
    return document(
        deny(
            [
                "guardduty:DeleteDetector",
                "guardduty:DisassociateFromAdministratorAccount",
                "guardduty:UpdateDetector",
                "securityhub:DisableSecurityHub",
                "securityhub:DisassociateFromAdministratorAccount",
                "config:DeleteConfigurationRecorder",
                "config:StopConfigurationRecorder",
                "config:DeleteDeliveryChannel",
                "cloudtrail:DeleteTrail",
                "cloudtrail:StopLogging",
                "cloudtrail:UpdateTrail",
                "access-analyzer:DeleteAnalyzer",
            ],
            sid="ProtectSecurityServices",
            condition={
                "ArnNotLike": {
                    "aws:PrincipalARN": "arn:aws:iam::*:role/OrganizationAccountAccessRole"
                }
            },
        )
    )


def deny_leave_organization() -> Document:
    return document(deny("organizations:LeaveOrganization", sid="DenyLeaveOrganization"))


def _account_entry(org: Organization, account_id: str) -> dict[str, object]:
    account = org.account(account_id)
    return {
        "Id": account_id,
        "Arn": org.account_arn(account_id),
        "Email": account.email,
        "Name": account.name,
        "Status": "ACTIVE",
        "State": "ACTIVE",
        "JoinedMethod": account.joined_method,
        "JoinedTimestamp": org.joined(account_id),
    }


def _target(org: Organization, target: str, paths: dict[str, OrgUnit]) -> dict[str, str]:
    if target == ROOT:
        return {"TargetId": org.root_id, "Arn": org.root_arn(), "Name": "Root", "Type": "ROOT"}
    if target in paths:
        return {
            "TargetId": org.ou_id(target),
            "Arn": org.ou_arn(target),
            "Name": paths[target].name,
            "Type": "ORGANIZATIONAL_UNIT",
        }
    return {
        "TargetId": target,
        "Arn": org.account_arn(target),
        "Name": org.account(target).name,
        "Type": "ACCOUNT",
    }


def _policies(scope: Scope, org: Organization, paths: dict[str, OrgUnit]) -> None:
    everywhere = (ROOT, *(p for p in paths if p), *(a.account_id for a in org.accounts))
    full = OrgPolicy(
        "FullAWSAccess", "Allows access to every operation", document(allow("*", "*")), everywhere
    )
    summaries = []
    for policy in [full, *org.policies]:
        aws_managed = policy is full
        policy_id = FULL_AWS_ACCESS_ID if aws_managed else org.policy_id(policy)
        summary = {
            "Id": policy_id,
            "Arn": FULL_AWS_ACCESS_ARN if aws_managed else org.policy_arn(policy),
            "Name": policy.name,
            "Description": policy.description,
            "Type": policy.policy_type,
            "AwsManaged": aws_managed,
        }
        summaries.append(summary)
        content = json.dumps(policy.document, indent=2)  # AWS returns the text as it was typed
        scope.answer(
            CLIENT,
            "describe_policy",
            {"Policy": {"PolicySummary": summary, "Content": content}},
            policy_id,
        )
        targets = [_target(org, t, paths) for t in policy.targets]
        scope.answer(CLIENT, "list_targets_for_policy", {"Targets": targets}, policy_id)
    scope.answer(CLIENT, "list_policies", {"Policies": summaries}, SCP)


def render_organization(scope: Scope, org: Organization) -> None:
    """Every organization call, answered in the management account's global scope."""
    paths = dict(org.units())
    scope.answer(
        CLIENT,
        "describe_organization",
        {
            "Organization": {
                "Id": org.org_id,
                "Arn": org.arn,
                "FeatureSet": "ALL",
                "MasterAccountArn": org.account_arn(org.management),
                "MasterAccountId": org.management,
                "MasterAccountEmail": org.account(org.management).email,
                "AvailablePolicyTypes": [{"Type": SCP, "Status": "ENABLED"}],
            }
        },
    )
    scope.answer(
        CLIENT,
        "list_roots",
        {
            "Roots": [
                {
                    "Id": org.root_id,
                    "Arn": org.root_arn(),
                    "Name": "Root",
                    "PolicyTypes": [{"Type": SCP, "Status": "ENABLED"}],
                }
            ]
        },
    )
    for path, unit in paths.items():
        parent = org.ou_id(path) if path else org.root_id
        children = [
            {
                "Id": org.ou_id(f"{path}/{c.name}".lstrip("/")),
                "Arn": org.ou_arn(f"{path}/{c.name}".lstrip("/")),
                "Name": c.name,
            }
            for c in unit.children
        ]
        scope.answer(
            CLIENT,
            "list_organizational_units_for_parent",
            {"OrganizationalUnits": children},
            parent,
        )
        accounts = [_account_entry(org, a) for a in unit.accounts]
        scope.answer(CLIENT, "list_accounts_for_parent", {"Accounts": accounts}, parent)
    scope.answer(
        CLIENT,
        "list_accounts",
        {"Accounts": [_account_entry(org, a.account_id) for a in org.accounts]},
    )
    _policies(scope, org, paths)
    _delegation(scope, org)


def _delegation(scope: Scope, org: Organization) -> None:
    admins = []
    for account_id, services in sorted(org.delegated_admins.items()):
        entry = _account_entry(org, account_id)
        admins.append(entry | {"DelegationEnabledDate": org.ids.timestamp("delegated", account_id)})
        delegated = [
            {"ServicePrincipal": s, "DelegationEnabledDate": org.ids.timestamp("delegated", s)}
            for s in services
        ]
        scope.answer(
            CLIENT,
            "list_delegated_services_for_account",
            {"DelegatedServices": delegated},
            account_id,
        )
    scope.answer(CLIENT, "list_delegated_administrators", {"DelegatedAdministrators": admins})
    enabled = [
        {"ServicePrincipal": s, "DateEnabled": org.ids.timestamp("trusted", s)}
        for s in org.trusted_services
    ]
    scope.answer(
        CLIENT, "list_aws_service_access_for_organization", {"EnabledServicePrincipals": enabled}
    )
