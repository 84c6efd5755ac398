"""An organization as AWS Organizations returns it, for the organization and identity tests.

Root                      SCPs FullAWSAccess + deny-leave, RCP perimeter
  111111111111 management
  444444444444 suspended
  Workloads               SCP deny-regions
    Prod                  tag policy
      222222222222 prod   (delegated admin for GuardDuty and Security Hub)
  Sandbox
    333333333333 sandbox  SCP sandbox-guard
"""

from __future__ import annotations

import json
from collections.abc import Mapping
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


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def url_encoded(doc: dict[str, Any]) -> str:
    """A document as the raw IAM API returns it."""
    return quote(json.dumps(doc))


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


# (client, method, key) -> the response the management account got
ManagementCalls = dict[tuple[str, str, str | None], dict[str, Any]]


def organization_calls() -> ManagementCalls:
    """The organization's responses, as calls of the organizations client."""
    return {("organizations", m, k): data for (m, k), data in organization_responses().items()}


def management_snapshot(
    root: Path,
    calls: ManagementCalls,
    failed: tuple[tuple[str, str, str | None], ...] = (),
    source: str = "synthetic",
    *,
    regional: Mapping[tuple[str, str], ManagementCalls] | None = None,
    regional_failed: tuple[tuple[str, str, str, str, str | None], ...] = (),
    collected: Mapping[str, list[str]] | None = None,
) -> Snapshot:
    """A snapshot of the management account's calls; `failed` ones are recorded as
    AccessDenied instead. `regional` adds the calls of an (account, region), `regional_failed`
    the (account, region, client, method, key) calls that were denied there, and `collected`
    says which accounts were collected in which regions (the management account in us-east-1
    by default)."""
    writer = SnapshotWriter(root, source=source)
    for (client, method, key), data in calls.items():
        if (client, method, key) not in failed:
            writer.write(MANAGEMENT, GLOBAL_REGION, client, method, data, key)
    for client, method, key in failed:
        writer.record_failure(MANAGEMENT, GLOBAL_REGION, client, method, "AccessDenied", "", key)
    for (account_id, region), answers in (regional or {}).items():
        for (client, method, key), data in answers.items():
            if (account_id, region, client, method, key) not in regional_failed:
                writer.write(account_id, region, client, method, data, key)
    for account_id, region, client, method, key in regional_failed:
        writer.record_failure(account_id, region, client, method, "AccessDenied", "", key)
    for account_id, regions in (collected or {MANAGEMENT: ["us-east-1"]}).items():
        writer.set_account(account_id, regions)
    writer.finish(organization_account_id=MANAGEMENT, created_at=CREATED)
    return Snapshot.open(root)
