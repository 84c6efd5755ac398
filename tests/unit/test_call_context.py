"""CallContext: every answer stored, every failure recorded, "not configured" kept apart."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot, SnapshotWriter

ACCOUNT = "111111111111"


def _context(tmp_path: Path, client: str) -> tuple[CallContext, Stubber, SnapshotWriter]:
    writer = SnapshotWriter(tmp_path, source="aws")
    session = boto3.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    )
    ctx = CallContext(session, ACCOUNT, "us-east-1", writer)
    stubber = Stubber(ctx.client(client))
    stubber.activate()
    return ctx, stubber, writer


def test_token_pages_are_followed_and_merged(tmp_path: Path) -> None:
    # detective.list_members has no boto3 paginator: the context follows NextToken itself.
    ctx, stub, writer = _context(tmp_path, "detective")
    graph = "arn:aws:detective:us-east-1:111111111111:graph:abc"
    member = {"AccountId": "222222222222", "Status": "ENABLED"}
    stub.add_response(
        "list_members", {"MemberDetails": [member], "NextToken": "t1"}, {"GraphArn": graph}
    )
    stub.add_response(
        "list_members", {"MemberDetails": [{**member, "AccountId": "333333333333"}]},
        {"GraphArn": graph, "NextToken": "t1"},
    )  # fmt: skip
    result = ctx.call("detective", "list_members", key="abc", GraphArn=graph)
    assert result is not None
    assert [m["AccountId"] for m in result["MemberDetails"]] == ["222222222222", "333333333333"]
    assert "NextToken" not in result
    writer.set_account(ACCOUNT, ["us-east-1"])
    writer.finish()
    stored = Snapshot.open(tmp_path).read(ACCOUNT, "us-east-1", "detective", "list_members", "abc")
    assert stored == result


def test_an_error_is_recorded_as_a_failure_and_returns_none(tmp_path: Path) -> None:
    ctx, stub, writer = _context(tmp_path, "guardduty")
    stub.add_client_error("list_detectors", "AccessDeniedException", "not allowed")
    assert ctx.call("guardduty", "list_detectors") is None
    [failure] = writer.failures
    assert (failure.client, failure.method, failure.error_code) == (
        "guardduty", "list_detectors", "AccessDeniedException",
    )  # fmt: skip


def test_not_configured_is_not_a_failure(tmp_path: Path) -> None:
    ctx, stub, writer = _context(tmp_path, "s3")
    stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", "none")
    result = ctx.call(
        "s3", "get_bucket_policy", key="b", not_configured=("NoSuchBucketPolicy",), Bucket="b"
    )
    assert result is None and writer.failures == []
    assert not list(tmp_path.rglob("get_bucket_policy"))


def test_only_read_only_calls_are_allowed(tmp_path: Path) -> None:
    ctx, _, _ = _context(tmp_path, "s3")
    with pytest.raises(ValueError, match="not a read-only call"):
        ctx.call("s3", "delete_bucket", Bucket="b")
