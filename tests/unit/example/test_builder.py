"""The response builder's own rules: denied calls, derived identifiers, and the shape check."""

from __future__ import annotations

from pathlib import Path

from ingest.example.builder.ids import Ids
from ingest.example.builder.resources import KmsKey, RegionResources, render_resources
from ingest.example.builder.scope import Scope, iam_action
from ingest.snapshot import Snapshot, SnapshotWriter
from tests.unit.example.aws_shapes import response_errors

ACCOUNT = "123456789012"


def _snapshot(tmp_path: Path, denied: set[tuple[str, str]]) -> Snapshot:
    writer = SnapshotWriter(tmp_path, source="synthetic")
    scope = Scope(writer, Ids("test"), ACCOUNT, "us-east-1", denied)
    render_resources(scope, RegionResources(kms_keys=[KmsKey("app"), KmsKey("logs")]))
    writer.set_account(ACCOUNT, ["us-east-1"])
    writer.finish(created_at="2025-01-01T00:00:00Z")
    return Snapshot.open(tmp_path)


def test_a_denied_list_call_is_a_failure_and_nothing_below_it_is_written(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path, {("kms", "list_keys")})
    assert snap.read(ACCOUNT, "us-east-1", "kms", "list_keys") is None
    failure = snap.failure(ACCOUNT, "us-east-1", "kms", "list_keys")
    assert failure is not None and failure.error_code == "AccessDeniedException"
    assert "kms:ListKeys" in failure.message
    assert snap.keys(ACCOUNT, "us-east-1", "kms", "describe_key") == []
    assert snap.read(ACCOUNT, "us-east-1", "kms", "list_aliases") is not None  # not denied


def test_answered_calls_name_the_same_resources(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path, set())
    listed = snap.read(ACCOUNT, "us-east-1", "kms", "list_keys")["Keys"]
    assert snap.keys(ACCOUNT, "us-east-1", "kms", "describe_key") == sorted(
        k["KeyId"] for k in listed
    )
    assert snap.manifest.failures == ()


def test_ids_are_stable_per_namespace_and_distinct_per_name() -> None:
    assert Ids("a").ec2("sg", "x") == Ids("a").ec2("sg", "x")
    assert Ids("a").ec2("sg", "x") != Ids("b").ec2("sg", "x")
    assert Ids("a").ec2("sg", "x") != Ids("a").ec2("sg", "y")
    assert len(Ids("a").unique_id("AROA", "r")) == 21


def test_iam_action_names_the_permission_the_call_needs() -> None:
    assert iam_action("guardduty", "list_detectors") == "guardduty:ListDetectors"
    assert iam_action("elbv2", "describe_target_health") == (
        "elasticloadbalancing:DescribeTargetHealth"
    )


def test_the_shape_check_rejects_what_boto3_would_not_return() -> None:
    assert response_errors("guardduty", "list_detectors", {"DetectorIds": ["d"]}) == []
    assert response_errors("guardduty", "list_detectors", {"DetectorIds": "d"})
    assert response_errors("guardduty", "list_detectors", {"Detectors": []})
    assert response_errors("guardduty", "get_detector", {"Status": "ON", "ServiceRole": "r"})
    assert response_errors("ec2", "get_ebs_encryption_by_default", {"EbsEncryptionByDefault": 1})
