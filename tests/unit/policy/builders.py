"""Realistic AWS policy fixtures for the policy evaluation tests."""

from __future__ import annotations

from typing import Any

from kg.analysis.policy import (
    OrgLevel,
    Policy,
    PolicyKind,
    Principal,
    PrincipalKind,
    Request,
    Resource,
)

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
MANAGEMENT_ACCOUNT = "999988887777"
ORG_ID = "o-a1b2c3d4e5"
ROOT_ID = "r-ab12"
OU_ID = "ou-ab12-11111111"

ALICE = Principal(PrincipalKind.USER, f"arn:aws:iam::{ACCOUNT}:user/alice")
OPS_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Ops"
OPS = Principal(PrincipalKind.ROLE, OPS_ROLE_ARN)
PARTNER = Principal(PrincipalKind.ROLE, f"arn:aws:iam::{OTHER_ACCOUNT}:role/PartnerReader")
ROOT = Principal(PrincipalKind.ROOT, f"arn:aws:iam::{ACCOUNT}:root")
EC2_SERVICE = Principal(PrincipalKind.SERVICE, "ec2.amazonaws.com")
ANONYMOUS = Principal(PrincipalKind.ANONYMOUS, "*")

BUCKET = "arn:aws:s3:::example-reports"
OBJECT = f"{BUCKET}/2026/q1.csv"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Deploy"


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def identity(*statements: dict[str, Any], name: str = "Test") -> Policy:
    return Policy.parse(
        document(*statements),
        policy_id=f"arn:aws:iam::{ACCOUNT}:policy/{name}",
        kind=PolicyKind.IDENTITY,
    )


def boundary(*statements: dict[str, Any]) -> Policy:
    return Policy.parse(
        document(*statements),
        policy_id=f"arn:aws:iam::{ACCOUNT}:policy/Boundary",
        kind=PolicyKind.BOUNDARY,
    )


def session(*statements: dict[str, Any]) -> Policy:
    return Policy.parse(document(*statements), policy_id="session", kind=PolicyKind.SESSION)


def on_resource(*statements: dict[str, Any], resource_id: str = BUCKET) -> Policy:
    return Policy.parse(
        document(*statements), policy_id=f"{resource_id}/policy", kind=PolicyKind.RESOURCE
    )


def scp(*statements: dict[str, Any], name: str = "p-examplescp") -> Policy:
    return Policy.parse(
        document(*statements),
        policy_id=f"arn:aws:organizations::{MANAGEMENT_ACCOUNT}:policy/{ORG_ID}/"
        f"service_control_policy/{name}",
        kind=PolicyKind.SCP,
    )


def rcp(*statements: dict[str, Any], name: str = "p-examplercp") -> Policy:
    return Policy.parse(
        document(*statements),
        policy_id=f"arn:aws:organizations::{MANAGEMENT_ACCOUNT}:policy/{ORG_ID}/"
        f"resource_control_policy/{name}",
        kind=PolicyKind.RCP,
    )


FULL_AWS_ACCESS = Policy.parse(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    policy_id="arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    kind=PolicyKind.SCP,
)
RCP_FULL_AWS_ACCESS = Policy.parse(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    },
    policy_id="arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
    kind=PolicyKind.RCP,
)


def levels(
    *extra_by_level: tuple[Policy, ...], full: Policy = FULL_AWS_ACCESS
) -> tuple[OrgLevel, ...]:
    """Root, OU and account levels, each with the full-access policy plus the given extras."""
    targets = (ROOT_ID, OU_ID, ACCOUNT)
    padded = list(extra_by_level) + [()] * (len(targets) - len(extra_by_level))
    return tuple(
        OrgLevel(target, (full, *extra)) for target, extra in zip(targets, padded, strict=True)
    )


def request(action: str, arn: str = "*", account: str | None = None) -> Request:
    return Request(action, Resource(arn, account))


def home_directory(bucket: str) -> tuple[dict[str, Any], ...]:
    """AWS's home-directory example (IAM User Guide, "Amazon S3: Allows IAM users access to
    their S3 home directory, programmatically and in the console"): the console statements, the
    listing under a prefix, and everything in the user's own folder of `bucket`."""
    return (
        {
            "Sid": "S3ConsoleAccess",
            "Effect": "Allow",
            "Action": [
                "s3:GetAccountPublicAccessBlock",
                "s3:GetBucketAcl",
                "s3:GetBucketLocation",
                "s3:GetBucketPolicyStatus",
                "s3:GetBucketPublicAccessBlock",
                "s3:ListAccessPoints",
                "s3:ListAllMyBuckets",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ListObjectsInBucket",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket,
            "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}},
        },
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": [f"{bucket}/home/${{aws:username}}", f"{bucket}/home/${{aws:username}}/*"],
        },
    )
