"""The snapshot contract: layout, manifest validation, and one-line errors for bad files."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingest.example.generate import SHIPPED
from ingest.load import transform_snapshot
from ingest.snapshot import Snapshot, SnapshotWriter
from kg.errors import SnapshotError, one_line


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
    with pytest.raises(
        SnapshotError, match=r"describe_vpcs\.json should be an object, found a list"
    ):
        snap.read_object("111111111111", "us-east-1", "ec2", "describe_vpcs")


def _failed_twice(manifest: dict[str, Any]) -> None:
    manifest["accounts"].append({**manifest["accounts"][0], "status": "failed"})


def _set(*path: str | int, to: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the manifest: the value at `path` becomes `to`."""

    def change(manifest: dict[str, Any]) -> None:
        parent = manifest
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = to

    return change


# _write_minimal's manifest: accounts[0] 111111111111 (us-east-1, eu-west-1), accounts[1]
# 222222222222 (failed), failures[0] a guardduty call of the first in eu-west-1.
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set("accounts", to={}), r"manifest\.json: accounts should be a list, found an object"),
        (lambda m: m.pop("accounts"), r"manifest\.json: missing required field 'accounts'"),
        (_set("format_version", to=7), "format_version 7 is not supported"),
        (_set("format_version", to=True), r"format_version should be an integer, found true"),
        (_set("source", to="ftp"), "source 'ftp' is not one of"),
        (_set("source", to="ftp\nx"), r"source 'ftp\\nx' is not one of"),
        (_set("created_at", to=None), r"manifest\.json: created_at should be a string, found null"),
        (_set("created_at", to="yesterday"), "created_at 'yesterday' is not an ISO-8601 timestamp"),
        (
            _set("caller_arn", to=7),
            r"manifest\.json: caller_arn should be a string, found an integ",
        ),
        (
            _set("organization_account_id", to=["111111111111"]),
            "organization_account_id should be a string, found a list",
        ),
        (
            _set("organization_account_id", to="333333333333"),
            "organization_account_id '333333333333' is not one of accounts",
        ),
        (_set("accounts", 0, to="111111111111"), r"accounts\[0\] should be an object, found a str"),
        (
            _set("accounts", 0, "account_id", to="12"),
            r"accounts\[0\]\.account_id: '12' is not a 12-digit account id",
        ),
        (
            _set("accounts", 0, "account_id", to=111111111111),
            r"accounts\[0\]\.account_id should be a string, found an integer",
        ),
        (lambda m: m["accounts"][0].pop("regions"), r"accounts\[0\]: missing required field 'reg"),
        (
            _set("accounts", 0, "regions", to="us-east-1"),
            r"accounts\[0\]\.regions should be a list, found a string",
        ),
        (
            _set("accounts", 0, "regions", 1, to=1),
            r"manifest\.json: accounts\[0\]\.regions\[1\] should be a string, found an integer",
        ),
        (
            _set("accounts", 0, "regions", 0, to="../.."),
            r"accounts\[0\]\.regions\[0\]: '\.\./\.\.' is not an AWS region name",
        ),
        (
            _set("accounts", 0, "regions", 1, to="us-east-1"),
            r"accounts\[0\]\.regions\[1\]: 'us-east-1' is listed twice "
            r"\(also accounts\[0\]\.regions\[0\]\)",
        ),
        (
            _set("accounts", 0, "status", to="broken"),
            r"accounts\[0\]\.status: 'broken' is not 'ok' or 'failed'",
        ),
        (
            _set("accounts", 1, "status", to=["failed"]),
            r"accounts\[1\]\.status should be a string, found a list",
        ),
        (
            _set("accounts", 1, "error", to={"code": "AccessDenied"}),
            r"accounts\[1\]\.error should be a string, found an object",
        ),
        (
            _failed_twice,
            r"accounts\[2\]\.account_id: '111111111111' is listed twice "
            r"\(also accounts\[0\]\.account_id\)",
        ),
        (_set("failures", to=3), r"manifest\.json: failures should be a list, found an integer"),
        (_set("failures", 0, to="x"), r"failures\[0\] should be an object, found a string"),
        (lambda m: m["failures"][0].pop("method"), r"failures\[0\]: missing required field 'meth"),
        (_set("failures", 0, "key", to=5), r"failures\[0\]\.key should be a string, found an int"),
        (
            _set("failures", 0, "message", to=["no"]),
            r"failures\[0\]\.message should be a string, found a list",
        ),
        (
            _set("failures", 0, "account_id", to="333333333333"),
            r"failures\[0\]\.account_id: '333333333333' is not one of accounts",
        ),
        (
            _set("failures", 0, "region", to="ap-south-1"),
            r"failures\[0\]\.region: 'ap-south-1' is not 'global' or one of the account's regions",
        ),
    ],
)
def test_manifest_validation_names_the_field(tmp_path: Path, change, message: str) -> None:
    _write_minimal(tmp_path)
    path = tmp_path / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match=message) as raised:
        Snapshot.open(tmp_path)
    assert len(str(raised.value).splitlines()) == 1


def test_a_manifest_that_is_not_an_object(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("[]")
    with pytest.raises(SnapshotError, match=r"manifest\.json should be an object, found a list"):
        Snapshot.open(tmp_path)


def test_optional_manifest_fields_may_be_null_or_absent(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    path = tmp_path / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(caller_arn=None, organization_account_id=None)
    del manifest["accounts"][0]["status"]
    manifest["failures"][0].update(key=None, message=None)
    path.write_text(json.dumps(manifest))
    snap = Snapshot.open(tmp_path)
    assert snap.manifest.caller_arn is None
    assert snap.account_ids() == ["111111111111"]
    assert snap.manifest.failures[0].message == ""


VPCS = "111111111111/us-east-1/ec2/describe_vpcs.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"Vpcs": ' + "[" * 5000 + "]" * 5000 + "}", "JSON nested more than 100 levels deep"),
        ('{"Vpcs": ' + "[" * 100 + "]" * 100 + "}", "JSON nested more than 100 levels deep"),
        ('{"Vpcs": [{"VpcId": NaN}]}', "invalid JSON: NaN is not a JSON number"),
        ('{"Count": ' + "9" * 5000 + "}", "invalid JSON: a number with too many digits"),
        ('{"Vpcs": [{"VpcId": "vpc-\\udc00"}]}', "a string holds a lone UTF-16 surrogate"),
    ],
)
def test_json_a_load_could_not_store_is_refused_in_one_line(
    tmp_path: Path, text: str, message: str
) -> None:
    _write_minimal(tmp_path)
    (tmp_path / VPCS).write_text(text)
    snap = Snapshot.open(tmp_path)
    with pytest.raises(SnapshotError, match=rf"describe_vpcs\.json: {message}") as raised:
        snap.read("111111111111", "us-east-1", "ec2", "describe_vpcs")
    assert len(str(raised.value).splitlines()) == 1


def test_nesting_up_to_the_limit_and_paired_surrogates_are_read(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    (tmp_path / VPCS).write_text('{"Vpcs": ' + "[" * 99 + "]" * 99 + ', "Name": "\\ud83d\\ude00"}')
    snap = Snapshot.open(tmp_path)
    assert snap.read("111111111111", "us-east-1", "ec2", "describe_vpcs")["Name"] == "😀"


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    (tmp_path / VPCS).write_bytes(b'{"Vpcs": [{"VpcId": "\xff"}]}')
    with pytest.raises(SnapshotError, match=r"describe_vpcs\.json: not UTF-8 text"):
        Snapshot.open(tmp_path).read("111111111111", "us-east-1", "ec2", "describe_vpcs")


def test_a_manifest_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").mkdir()
    with pytest.raises(SnapshotError, match=r"manifest\.json: a folder where a JSON file belongs"):
        Snapshot.open(tmp_path)


def test_a_response_that_is_a_folder_is_refused_not_read_as_absent(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    (tmp_path / "111111111111/us-east-1/ec2/describe_subnets.json").mkdir()
    with pytest.raises(SnapshotError, match=r"describe_subnets\.json: a folder where a JSON file"):
        Snapshot.open(tmp_path)


def test_a_symbolic_link_is_refused_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text('{"Subnets": []}')
    _write_minimal(tmp_path / "snap")
    (tmp_path / "snap/111111111111/us-east-1/ec2/describe_subnets.json").symlink_to(outside)
    with pytest.raises(SnapshotError, match=r"describe_subnets\.json: a symbolic link"):
        Snapshot.open(tmp_path / "snap")


def test_a_snapshot_reached_through_a_symbolic_link_is_read(tmp_path: Path) -> None:
    _write_minimal(tmp_path / "snap")
    (tmp_path / "latest").symlink_to(tmp_path / "snap")
    assert Snapshot.open(tmp_path / "latest").account_ids() == ["111111111111"]


def test_a_special_file_is_refused(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    os.mkfifo(tmp_path / "111111111111/us-east-1/ec2/describe_subnets.json")
    with pytest.raises(SnapshotError, match=r"describe_subnets\.json: not a regular file"):
        Snapshot.open(tmp_path)


AS_ROOT = "permissions do not stop root: an unreadable file reads fine when running as root"


@pytest.mark.skipif(os.geteuid() == 0, reason=AS_ROOT)
def test_an_unreadable_file_names_the_file(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    (tmp_path / VPCS).chmod(0)
    snap = Snapshot.open(tmp_path)
    with pytest.raises(SnapshotError, match=r"describe_vpcs\.json: cannot read \(Permission"):
        snap.read("111111111111", "us-east-1", "ec2", "describe_vpcs")


@pytest.mark.skipif(os.geteuid() == 0, reason=AS_ROOT)
def test_an_unreadable_folder_is_an_error_not_an_empty_folder(tmp_path: Path) -> None:
    _write_minimal(tmp_path)
    (tmp_path / "111111111111/us-east-1/ec2").chmod(0)
    try:
        with pytest.raises(SnapshotError, match=r"us-east-1/ec2: cannot read folder \(Permission"):
            Snapshot.open(tmp_path)
    finally:
        (tmp_path / "111111111111/us-east-1/ec2").chmod(0o755)


@pytest.mark.parametrize(
    ("stray", "reason"),
    [
        (
            "111111111111/us-east-1/ec2/describe_security_group.json",
            "no such AWS call is collected",
        ),
        ("111111111111/us-east-1/ec3/describe_vpcs.json", "no such AWS call is collected"),
        ("333333333333/us-east-1/ec2/describe_vpcs.json", "account not in manifest.json"),
        (
            "222222222222/us-east-1/ec2/describe_vpcs.json",
            "the account's collection failed, per manifest.json",
        ),
        (
            "111111111111/ap-south-1/ec2/describe_vpcs.json",
            "region not in the account's regions in manifest.json",
        ),
        (
            "111111111111/global/ec2/describe_vpcs.json",
            "the call is read in other accounts or regions only",
        ),
        ("111111111111/global/s3/get_bucket_policy/gone.json", "no listed resource has this key"),
        ("111111111111/us-east-1/ec2/notes.txt", "not a response file of the snapshot layout"),
        ("README.md", "not a response file of the snapshot layout"),
        ("111111111111/us-east-1/ec2/two\nlines.json", "no such AWS call is collected"),
    ],
)
def test_files_nothing_read_are_named_with_the_likely_reason(
    tmp_path: Path, stray: str, reason: str
) -> None:
    _write_minimal(tmp_path)
    (tmp_path / VPCS).write_text('{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}')
    (tmp_path / stray).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / stray).write_text("{}")
    snap = Snapshot.open(tmp_path)
    transform_snapshot(snap)
    assert one_line(f"{stray} ({reason})") in snap.unread_files()


def test_every_file_of_the_demo_is_read() -> None:
    snap = Snapshot.open(SHIPPED)
    transform_snapshot(snap)
    assert snap.unread_files() == []
