"""The snapshot contract: layout, manifest validation, and one-line errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.snapshot import Snapshot, SnapshotWriter
from kg.errors import SnapshotError


def _write_minimal(root: Path) -> SnapshotWriter:
    writer = SnapshotWriter(root, source="demo", caller_arn="arn:aws:iam::111111111111:role/Audit")
    writer.write(
        "111111111111",
        "us-east-1",
        "ec2",
        "describe_vpcs",
        {"Vpcs": [{"VpcId": "vpc-1"}], "ResponseMetadata": {"RequestId": "x"}},
    )
    writer.write("111111111111", "global", "s3", "get_bucket_policy", {"Policy": "{}"}, key="a/b c")
    writer.record_failure(
        "111111111111", "eu-west-1", "guardduty", "list_detectors", "AccessDeniedException", "no"
    )
    writer.set_account("111111111111", ["us-east-1", "eu-west-1"])
    writer.set_account("222222222222", ["us-east-1"], status="failed", error="AccessDenied")
    writer.finish(organization_account_id="111111111111", created_at="2026-01-01T00:00:00Z")
    return writer


def test_round_trip_keeps_layout_and_drops_response_metadata(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    assert (tmp_path / "111111111111/us-east-1/ec2/describe_vpcs.json").is_file()
    snap = Snapshot.open(tmp_path)
    vpcs = snap.read("111111111111", "us-east-1", "ec2", "describe_vpcs")
    assert vpcs == {"Vpcs": [{"VpcId": "vpc-1"}]}
    assert snap.keys("111111111111", "global", "s3", "get_bucket_policy") == ["a/b c"]
    assert snap.read("111111111111", "global", "s3", "get_bucket_policy", "a/b c") == {
        "Policy": "{}"
    }
    assert snap.read("111111111111", "us-east-1", "ec2", "describe_subnets") is None


def test_failures_and_account_status_are_kept_apart_from_absence(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    snap = Snapshot.open(tmp_path)
    failure = snap.failure("111111111111", "eu-west-1", "guardduty", "list_detectors")
    assert failure is not None and failure.error_code == "AccessDeniedException"
    assert snap.failure("111111111111", "us-east-1", "guardduty", "list_detectors") is None
    assert snap.account_ids() == ["111111111111"]
    assert snap.failed_account_ids() == ["222222222222"]
    assert snap.regions("111111111111") == ["us-east-1", "eu-west-1"]


def test_missing_manifest_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match=r"manifest\.json: missing required file"):
        Snapshot.open(tmp_path)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not a snapshot folder"):
        Snapshot.open(tmp_path / "nope")


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    bad = tmp_path / "111111111111/us-east-1/ec2/describe_vpcs.json"
    bad.write_text('{"Vpcs": [\n  {"VpcId": }\n]}')
    snap = Snapshot.open(tmp_path)
    with pytest.raises(SnapshotError, match=r"describe_vpcs\.json: invalid JSON at line 2"):
        snap.read("111111111111", "us-east-1", "ec2", "describe_vpcs")


def test_response_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    (tmp_path / "111111111111/us-east-1/ec2/describe_vpcs.json").write_text("[1, 2]")
    snap = Snapshot.open(tmp_path)
    with pytest.raises(SnapshotError, match="expected a JSON object, found list"):
        snap.read_object("111111111111", "us-east-1", "ec2", "describe_vpcs")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.pop("accounts"), "missing required field 'accounts'"),
        (lambda m: m.update(format_version=7), "format_version 7 is not supported"),
        (lambda m: m.update(source="ftp"), "source 'ftp' is not one of"),
        (
            lambda m: m["accounts"][0].update(account_id="12"),
            r"accounts\[0\]: account_id '12' is not a 12-digit account id",
        ),
        (lambda m: m["failures"][0].pop("method"), r"failures\[0\]: missing required field"),
    ],
)
def test_manifest_validation_names_the_field(tmp_path: Path, change, message: str) -> None:
    _write_minimal(tmp_path)
    path = tmp_path / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match=message):
        Snapshot.open(tmp_path)
