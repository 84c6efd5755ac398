"""The least-privilege, read-only IAM policy the collector needs, derived from what it calls.

The calls come from a snapshot the collectors' layout describes (the demo covers every call), and
botocore names each call's API operation; IAM action names follow the operation name except where
AWS chose otherwise (EXCEPTIONS).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
from botocore import xform_name

from ingest.snapshot import MANIFEST, read_json

IAM_PREFIX = {
    "elbv2": "elasticloadbalancing",
    "sso-admin": "sso",
    "s3control": "s3",
    "accessanalyzer": "access-analyzer",
}
EXCEPTIONS = {
    ("s3", "list_buckets"): "s3:ListAllMyBuckets",
    ("s3", "get_bucket_encryption"): "s3:GetEncryptionConfiguration",
    ("s3", "get_public_access_block"): "s3:GetBucketPublicAccessBlock",
    ("s3control", "get_public_access_block"): "s3:GetAccountPublicAccessBlock",
}
# Calls the orchestrator makes itself, outside any service module.
ORCHESTRATOR_ACTIONS = ("ec2:DescribeRegions",)
# Calls on collector branches the demo organization does not take: its Security Hub
# administrator uses local configuration, not central configuration; its Config rules
# administrator deploys an organization rule but no conformance pack.
UNDEMONSTRATED_CALLS = (
    ("config", "get_organization_conformance_pack_detailed_status"),
    ("securityhub", "list_finding_aggregators"),
    ("securityhub", "get_finding_aggregator"),
    ("securityhub", "list_configuration_policies"),
    ("securityhub", "list_configuration_policy_associations"),
    # Workloads the demo organization does not run: Glue jobs, ECS clusters and tasks, EC2
    # launch templates and Auto Scaling groups (each read for privilege escalation).
    ("glue", "get_jobs"),
    ("ecs", "list_clusters"),
    ("ecs", "list_tasks"),
    ("ecs", "describe_tasks"),
    ("ecs", "describe_task_definition"),
    ("ec2", "describe_launch_templates"),
    ("ec2", "describe_launch_template_versions"),
    ("autoscaling", "describe_auto_scaling_groups"),
)


@cache
def _operations(client: str) -> dict[str, str]:
    model = botocore.session.get_session().get_service_model(client)
    return {xform_name(name): name for name in model.operation_names}


def iam_action(client: str, method: str) -> str:
    if (client, method) in EXCEPTIONS:
        return EXCEPTIONS[(client, method)]
    operation = _operations(client)[method]
    return f"{IAM_PREFIX.get(client, client)}:{operation}"


def snapshot_calls(root: Path) -> set[tuple[str, str]]:
    """Every (client, method) a snapshot holds an answer or a failure for."""
    calls = set()
    for path in root.glob("*/*/*/*.json"):
        calls.add((path.parent.name, path.stem))
    for path in root.glob("*/*/*/*/*.json"):
        calls.add((path.parent.parent.name, path.parent.name))
    manifest = read_json(root / MANIFEST)
    calls |= {(f["client"], f["method"]) for f in manifest.get("failures", [])}
    return calls


def collector_policy(calls: Iterable[tuple[str, str]], role_name: str) -> dict[str, Any]:
    every_call = {*calls, *UNDEMONSTRATED_CALLS}
    actions = sorted({iam_action(c, m) for c, m in every_call} | set(ORCHESTRATOR_ACTIONS))
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "KgReadOnlyCollection", "Effect": "Allow", "Action": actions, "Resource": "*"},
            {
                "Sid": "KgReachMemberAccounts",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::*:role/{role_name}",
            },
        ],
    }
