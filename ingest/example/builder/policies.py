"""Policy documents for generated snapshots, and the AWS managed policies they may attach.

Documents are plain dicts in the shape IAM and resource policies use, so the same helpers write
identity policies, trust policies, SCPs and bucket or key policies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

VERSION = "2012-10-17"
Document = dict[str, Any]
Statement = dict[str, Any]


def document(*statements: Statement) -> Document:
    return {"Version": VERSION, "Statement": list(statements)}


def statement(
    effect: str,
    actions: str | list[str],
    resources: str | list[str] | None = "*",
    *,
    sid: str | None = None,
    principal: str | dict[str, Any] | None = None,
    condition: dict[str, Any] | None = None,
    not_actions: bool = False,
) -> Statement:
    """One statement; `principal` only for resource and trust policies."""
    body: Statement = {"Effect": effect}
    if sid:
        body["Sid"] = sid
    if principal is not None:
        body["Principal"] = principal
    body["NotAction" if not_actions else "Action"] = actions
    if resources is not None:
        body["Resource"] = resources
    if condition:
        body["Condition"] = condition
    return body


def allow(
    actions: str | list[str], resources: str | list[str] | None = "*", **kw: Any
) -> Statement:
    return statement("Allow", actions, resources, **kw)


def deny(actions: str | list[str], resources: str | list[str] | None = "*", **kw: Any) -> Statement:
    return statement("Deny", actions, resources, **kw)


def account_root(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def role_arn(account_id: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:role{path}{name}"


def trust(
    principal: dict[str, Any],
    action: str | list[str] = "sts:AssumeRole",
    condition: dict[str, Any] | None = None,
) -> Document:
    """A role trust policy with one statement."""
    body: Statement = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        body["Condition"] = condition
    return document(body)


def service_trust(service: str) -> Document:
    return trust({"Service": service})


def policy_text(policy: Document) -> str:
    """A policy as services that store it as text return it."""
    return json.dumps(policy, separators=(",", ":"))


def has_public_grant(policy: Document) -> bool:
    """Whether an Allow statement names everyone without a condition (what S3 calls public)."""
    for stmt in policy.get("Statement", []):
        principal = stmt.get("Principal")
        everyone = principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*")
        if stmt.get("Effect") == "Allow" and everyone and not stmt.get("Condition"):
            return True
    return False


@dataclass(frozen=True)
class AwsManagedPolicy:
    """An AWS managed policy as get_account_authorization_details lists it."""

    name: str
    path: str
    policy_id: str
    version: str
    created: str
    updated: str
    description: str
    document: Document

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"


_SSM_CORE_ACTIONS = [
    "ssm:DescribeAssociation",
    "ssm:GetDeployablePatchSnapshotForInstance",
    "ssm:GetDocument",
    "ssm:DescribeDocument",
    "ssm:GetManifest",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:ListAssociations",
    "ssm:ListInstanceAssociations",
    "ssm:PutInventory",
    "ssm:PutComplianceItems",
    "ssm:PutConfigurePackageResult",
    "ssm:UpdateAssociationStatus",
    "ssm:UpdateInstanceAssociationStatus",
    "ssm:UpdateInstanceInformation",
]
_MESSAGING_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]
_EC2_MESSAGES_ACTIONS = [
    "ec2messages:AcknowledgeMessage",
    "ec2messages:DeleteMessage",
    "ec2messages:FailMessage",
    "ec2messages:GetEndpoint",
    "ec2messages:GetMessages",
    "ec2messages:SendReply",
]

AWS_MANAGED: dict[str, AwsManagedPolicy] = {
    p.name: p
    for p in (
        AwsManagedPolicy(
            "AdministratorAccess",
            "/",
            "ANPAIWMBCKSKIEE64ZLYK",
            "v1",
            "2015-02-06T18:39:46Z",
            "2015-02-06T18:39:46Z",
            "Provides full access to AWS services and resources.",
            document(allow("*", "*")),
        ),
        AwsManagedPolicy(
            "PowerUserAccess",
            "/",
            "ANPAJYRXTHIB4FOVS3ZXS",
            "v5",
            "2015-02-06T18:39:47Z",
            "2023-07-06T22:04:00Z",
            "Provides full access to AWS services and resources, but does not allow management "
            "of Users and groups.",
            document(
                allow(["iam:*", "organizations:*", "account:*"], "*", not_actions=True),
                allow(
                    [
                        "account:GetAccountInformation",
                        "account:GetPrimaryEmail",
                        "account:ListRegions",
                        "iam:CreateServiceLinkedRole",
                        "iam:DeleteServiceLinkedRole",
                        "iam:ListRoles",
                        "organizations:DescribeOrganization",
                    ]
                ),
            ),
        ),
        AwsManagedPolicy(
            "AmazonS3ReadOnlyAccess",
            "/",
            "ANPAIZTJ4DXE7G6AGAE6M",
            "v3",
            "2015-02-06T18:40:59Z",
            "2023-08-10T21:31:39Z",
            "Provides read only access to all buckets via the AWS Management Console.",
            document(
                allow(
                    [
                        "s3:Get*",
                        "s3:List*",
                        "s3:Describe*",
                        "s3-object-lambda:Get*",
                        "s3-object-lambda:List*",
                    ]
                )
            ),
        ),
        AwsManagedPolicy(
            "AWSLambdaBasicExecutionRole",
            "/service-role/",
            "ANPAJNCQGXC42545SKXIK",
            "v1",
            "2015-04-09T15:03:43Z",
            "2015-04-09T15:03:43Z",
            "Provides write permissions to CloudWatch Logs.",
            document(allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])),
        ),
        AwsManagedPolicy(
            "AmazonSSMManagedInstanceCore",
            "/",
            "ANPAIXSHM2BNB2D3AXXRU",
            "v2",
            "2019-03-15T17:22:12Z",
            "2019-05-23T16:54:21Z",
            "The policy for Amazon EC2 Role to enable AWS Systems Manager service core "
            "functionality.",
            document(
                allow(_SSM_CORE_ACTIONS), allow(_MESSAGING_ACTIONS), allow(_EC2_MESSAGES_ACTIONS)
            ),
        ),
    )
}


def aws_policy_arn(name: str) -> str:
    return AWS_MANAGED[name].arn
