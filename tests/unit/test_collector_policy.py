"""The shipped read-only policy covers every call the collectors make, with real IAM actions."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.aws.permissions import collector_policy, iam_action, snapshot_calls
from ingest.example.generate import SHIPPED
from kg.analysis.policy import action_catalog

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_POLICY = ROOT / "docs" / "iam" / "kg-collector-policy.json"


def test_shipped_policy_is_generated_from_the_collected_calls() -> None:
    expected = collector_policy(snapshot_calls(SHIPPED), "OrganizationAccountAccessRole")
    assert json.loads(SHIPPED_POLICY.read_text()) == expected


def test_every_action_is_a_real_read_only_iam_action() -> None:
    catalog = action_catalog()
    actions = json.loads(SHIPPED_POLICY.read_text())["Statement"][0]["Action"]
    for action in actions:
        assert catalog.expand(action), f"{action} is not an IAM action"
        verb = action.split(":")[1]
        assert verb.startswith(("List", "Get", "Describe", "BatchGet")), action


def test_names_that_differ_from_the_api_operation_are_mapped() -> None:
    assert iam_action("s3", "list_buckets") == "s3:ListAllMyBuckets"
    assert iam_action("s3control", "get_public_access_block") == "s3:GetAccountPublicAccessBlock"
    assert iam_action("elbv2", "describe_load_balancers") == (
        "elasticloadbalancing:DescribeLoadBalancers"
    )
