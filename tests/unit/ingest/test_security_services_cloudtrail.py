"""CloudTrail: trails listed in every region they log (shadow trails) become one node each,
organization trails cover member accounts, and a trail whose status was not seen makes the
region unknown rather than logged or not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ingest.aws import cloudtrail
from ingest.aws._shapes import Item
from kg.errors import SnapshotError
from tests.unit.ingest.security_snapshot import (
    MANAGEMENT,
    MEMBER,
    MOTO_ACCOUNT,
    OTHER_REGION,
    REGION,
    SnapshotBuilder,
    collected,
    moto_context,
    node,
    rel_ends,
    state,
)


def _trail(
    name: str, account_id: str = MANAGEMENT, home: str = REGION, **settings: Any
) -> dict[str, Any]:
    return {
        "Name": name,
        "TrailARN": f"arn:aws:cloudtrail:{home}:{account_id}:trail/{name}",
        "HomeRegion": home,
        "S3BucketName": "org-trail-logs",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": settings.get("multi_region", True),
        "IsOrganizationTrail": settings.get("organization", False),
        "LogFileValidationEnabled": settings.get("validation", True),
        "KmsKeyId": settings.get("kms"),
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
    }


DEFAULT_SELECTORS = {
    "EventSelectors": [
        {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}
    ]
}


def test_a_multi_region_trail_listed_in_two_regions_is_one_node(tmp_path: Path) -> None:
    trail = _trail("main", kms="arn:aws:kms:us-east-1:111111111111:key/k1")
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION]})
        .answer("cloudtrail", "describe_trails", {"trailList": [trail]})
        .answer("cloudtrail", "describe_trails", {"trailList": [trail]}, region=OTHER_REGION)
        .answer("cloudtrail", "get_trail_status", {"IsLogging": True}, key="main")
        .answer("cloudtrail", "get_event_selectors", DEFAULT_SELECTORS, key="main")
        .open()
    )
    records = cloudtrail.transform(snap)
    assert len(records.nodes["CloudTrailTrail"]) == 1
    main = node(records, "CloudTrailTrail", trail["TrailARN"])
    assert (main["home_region"], main["is_logging"], main["management_events"]) == (
        REGION,
        True,
        "all",
    )
    assert main["kms_key_id"] == "arn:aws:kms:us-east-1:111111111111:key/k1"
    for region in (REGION, OTHER_REGION):
        logged = state(records, "CloudTrailStatus", region=region)
        assert (logged["status"], logged["status_reason"]) == ("enabled", "trail main logging")
        assert logged["has_multi_region_trail"] is True
    assert rel_ends(records, "INCLUDES", "CloudTrailStatus", "CloudTrailTrail") == {
        (f"{MANAGEMENT}|{REGION}|cloudtrail", trail["TrailARN"]),
        (f"{MANAGEMENT}|{OTHER_REGION}|cloudtrail", trail["TrailARN"]),
    }


def test_an_organization_trail_logs_member_accounts_and_belongs_to_management(
    tmp_path: Path,
) -> None:
    org_trail = _trail("org", organization=True)
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION]})
        .answer("cloudtrail", "describe_trails", {"trailList": [org_trail]})
        .answer("cloudtrail", "get_trail_status", {"IsLogging": True}, key="org")
        .answer("cloudtrail", "describe_trails", {"trailList": [org_trail]}, account_id=MEMBER)
        .open()
    )
    records = cloudtrail.transform(snap)
    member = state(records, "CloudTrailStatus", account_id=MEMBER)
    assert (member["status"], member["has_organization_trail"]) == ("enabled", True)
    trail = node(records, "CloudTrailTrail", org_trail["TrailARN"])
    assert (trail["account_id"], trail["is_organization_trail"]) == (MANAGEMENT, True)
    assert rel_ends(records, "BELONGS_TO", "CloudTrailTrail", "Account") == {
        (org_trail["TrailARN"], MANAGEMENT)
    }


def test_a_trail_seen_only_from_a_member_is_referenced_not_restated(tmp_path: Path) -> None:
    """The management account failed to collect: its trail's logging status is unknown."""
    org_trail = _trail("org", organization=True)
    builder = SnapshotBuilder(tmp_path, {MEMBER: [REGION]})
    builder.writer.set_account(MANAGEMENT, [REGION], status="failed", error="AccessDenied")
    snap = builder.answer(
        "cloudtrail", "describe_trails", {"trailList": [org_trail]}, account_id=MEMBER
    ).open()
    records = cloudtrail.transform(snap)
    assert records.nodes["CloudTrailTrail"] == []
    assert [r["arn"] for r in records.refs["CloudTrailTrail"]] == [org_trail["TrailARN"]]
    member = state(records, "CloudTrailStatus", account_id=MEMBER)
    assert member["status"] == "unknown"
    assert member["status_reason"] == (
        "logging status of trail org unknown: cloudtrail.get_trail_status is not in the snapshot"
    )


def test_failed_status_call_is_unknown_and_stopped_or_absent_trails_are_disabled(
    tmp_path: Path,
) -> None:
    regions = [REGION, OTHER_REGION, "ap-south-1", "sa-east-1"]
    stopped = _trail("stopped", home=OTHER_REGION, multi_region=False)
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: regions})
        .answer("cloudtrail", "describe_trails", {"trailList": [_trail("main")]})
        .fail("cloudtrail", "get_trail_status", key="main")
        .answer("cloudtrail", "describe_trails", {"trailList": [stopped]}, region=OTHER_REGION)
        .answer(
            "cloudtrail",
            "get_trail_status",
            {"IsLogging": False},
            key="stopped",
            region=OTHER_REGION,
        )
        .answer("cloudtrail", "describe_trails", {"trailList": []}, region="ap-south-1")
        .fail(
            "cloudtrail", "describe_trails", region="sa-east-1", code="UnrecognizedClientException"
        )
        .open()
    )
    records = cloudtrail.transform(snap)
    reasons = {
        region: (
            state(records, "CloudTrailStatus", region=region)["status"],
            state(records, "CloudTrailStatus", region=region)["status_reason"],
        )
        for region in regions
    }
    assert reasons == {
        REGION: (
            "unknown",
            "logging status of trail main unknown: "
            "AccessDeniedException on cloudtrail.get_trail_status (main)",
        ),
        OTHER_REGION: ("disabled", "trail stopped not logging"),
        "ap-south-1": ("disabled", "no trail logs this region"),
        "sa-east-1": ("unknown", "UnrecognizedClientException on cloudtrail.describe_trails"),
    }
    assert node(records, "CloudTrailTrail", _trail("main")["TrailARN"])["is_logging"] is None


def _management_events(selectors: dict[str, Any]) -> str:
    return cloudtrail.management_events(Item(selectors, "get_event_selectors.json"))


def test_management_events_from_basic_and_advanced_selectors() -> None:
    def advanced(*fields: dict[str, Any]) -> dict[str, Any]:
        return {"AdvancedEventSelectors": [{"Name": "m", "FieldSelectors": list(fields)}]}

    def basic(read_write: str, management: bool) -> dict[str, Any]:
        selector = {"ReadWriteType": read_write, "IncludeManagementEvents": management}
        return {"EventSelectors": [selector]}

    management = {"Field": "eventCategory", "Equals": ["Management"]}
    read_only = {"Field": "readOnly", "Equals": ["true"]}
    data_only = {"Field": "eventCategory", "Equals": ["Data"]}
    assert _management_events(DEFAULT_SELECTORS) == "all"
    assert _management_events(basic("WriteOnly", True)) == "write_only"
    assert _management_events(basic("All", False)) == "none"
    assert _management_events(advanced(management)) == "all"
    assert _management_events(advanced(management, read_only)) == "read_only"
    assert _management_events(advanced(data_only)) == "none"


def test_malformed_trail_is_a_one_line_snapshot_error(tmp_path: Path) -> None:
    trail = _trail("main")
    del trail["TrailARN"]
    snap = SnapshotBuilder(tmp_path).answer("cloudtrail", "describe_trails", {"trailList": [trail]})
    expected = r"describe_trails\.json\W+trailList\[0\]\W+missing required field 'TrailARN'"
    with pytest.raises(SnapshotError, match=expected):
        cloudtrail.transform(snap.open())


def test_cloudtrail_collector_reads_status_only_in_the_home_region(tmp_path: Path) -> None:
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="trail-logs-kg")
        client = boto3.client("cloudtrail", region_name=REGION)
        client.create_trail(Name="main", S3BucketName="trail-logs-kg", IsMultiRegionTrail=True)
        client.start_logging(Name="main")
        home_ctx, home_writer = moto_context(tmp_path / "home")
        cloudtrail.collect(home_ctx)
        shadow_ctx, shadow_writer = moto_context(tmp_path / "shadow", OTHER_REGION)
        cloudtrail.collect(shadow_ctx)
    home = collected(home_writer, MOTO_ACCOUNT, REGION)
    assert home["cloudtrail/get_trail_status/main"]["IsLogging"] is True
    assert "cloudtrail/get_event_selectors/main" in home
    shadow = collected(shadow_writer, MOTO_ACCOUNT, OTHER_REGION)
    assert set(shadow) == {"cloudtrail/describe_trails", "!failed"}
    assert shadow["cloudtrail/describe_trails"]["trailList"][0]["HomeRegion"] == REGION
