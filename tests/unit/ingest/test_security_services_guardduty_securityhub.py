"""GuardDuty and Security Hub: detector and hub state, features, standards, organization view.

Transforms are tested from AWS-shaped responses; collectors against moto where it implements the
calls, otherwise against botocore's Stubber (each such test says which calls moto lacks).
"""

from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws

from ingest.aws import guardduty, securityhub
from tests.unit.ingest.security_snapshot import (
    MANAGEMENT,
    MEMBER,
    MOTO_ACCOUNT,
    OTHER_REGION,
    REGION,
    SnapshotBuilder,
    collected,
    moto_context,
    state,
    stubbed_context,
)

DETECTOR = "12abc34d567e8fa901bc2d34e56789f0"


def _detector(status: str = "ENABLED") -> dict[str, object]:
    return {
        "Status": status,
        "FindingPublishingFrequency": "SIX_HOURS",
        "ServiceRole": f"arn:aws:iam::{MANAGEMENT}:role/aws-service-role/guardduty.amazonaws.com/x",
        "CreatedAt": "2026-01-01T00:00:00.000Z",
        "Features": [
            {"Name": "CLOUD_TRAIL", "Status": "ENABLED"},
            {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
            {"Name": "RUNTIME_MONITORING", "Status": "DISABLED"},
        ],
    }


# GuardDuty ---------------------------------------------------------------------------------------


def test_guardduty_enabled_detector_with_its_features(tmp_path: Path) -> None:
    snap = (
        SnapshotBuilder(tmp_path)
        .answer("guardduty", "list_detectors", {"DetectorIds": [DETECTOR]})
        .answer("guardduty", "get_detector", _detector(), key=DETECTOR)
        .open()
    )
    detector = state(guardduty.transform(snap), "GuardDutyDetector")
    assert detector["status"] == "enabled"
    assert detector["status_reason"] == f"detector {DETECTOR} status ENABLED"
    assert detector["id"] == f"{MANAGEMENT}|{REGION}|guardduty"
    assert detector["enabled_features"] == ["CLOUD_TRAIL", "S3_DATA_EVENTS"]
    assert detector["disabled_features"] == ["RUNTIME_MONITORING"]


def test_guardduty_no_detector_or_a_suspended_one_is_disabled(tmp_path: Path) -> None:
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION]})
        .answer("guardduty", "list_detectors", {"DetectorIds": []})
        .answer("guardduty", "list_detectors", {"DetectorIds": [DETECTOR]}, region=OTHER_REGION)
        .answer(
            "guardduty", "get_detector", _detector("DISABLED"), key=DETECTOR, region=OTHER_REGION
        )
        .open()
    )
    records = guardduty.transform(snap)
    assert state(records, "GuardDutyDetector")["status_reason"] == "no detector"
    suspended = state(records, "GuardDutyDetector", region=OTHER_REGION)
    assert (suspended["status"], suspended["status_reason"]) == (
        "disabled",
        f"detector {DETECTOR} status DISABLED",
    )


def test_guardduty_failed_or_uncollected_call_is_unknown_never_disabled(tmp_path: Path) -> None:
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION]})
        .fail("guardduty", "list_detectors")
        .open()
    )
    records = guardduty.transform(snap)
    denied = state(records, "GuardDutyDetector")
    assert denied["status"] == "unknown"
    assert denied["status_reason"] == "AccessDeniedException on guardduty.list_detectors"
    missing = state(records, "GuardDutyDetector", account_id=MEMBER)
    assert missing["status"] == "unknown"
    assert "not in the snapshot" in missing["status_reason"]


def test_guardduty_organization_auto_enable_and_delegated_admins(tmp_path: Path) -> None:
    org_config = {
        "AutoEnable": True,
        "AutoEnableOrganizationMembers": "ALL",
        "MemberAccountLimitReached": False,
        "Features": [
            {"Name": "S3_DATA_EVENTS", "AutoEnable": "NEW"},
            {"Name": "EKS_AUDIT_LOGS", "AutoEnable": "NONE"},
        ],
    }
    admins = {"AdminAccounts": [{"AdminAccountId": MEMBER, "AdminStatus": "ENABLED"}]}
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION]})
        .answer("guardduty", "list_detectors", {"DetectorIds": [DETECTOR]})
        .answer("guardduty", "get_detector", _detector(), key=DETECTOR)
        .answer("guardduty", "list_organization_admin_accounts", admins)
        .answer("guardduty", "list_detectors", {"DetectorIds": ["d2"]}, account_id=MEMBER)
        .answer("guardduty", "get_detector", _detector(), key="d2", account_id=MEMBER)
        .answer(
            "guardduty",
            "describe_organization_configuration",
            org_config,
            key="d2",
            account_id=MEMBER,
        )
        .open()
    )
    records = guardduty.transform(snap)
    management = state(records, "GuardDutyDetector")
    assert management["delegated_admin_account_ids"] == [MEMBER]
    assert "org_auto_enable_members" not in management  # not visible outside the administrator
    admin = state(records, "GuardDutyDetector", account_id=MEMBER)
    assert admin["org_auto_enable_members"] == "ALL"
    assert admin["org_auto_enable_features"] == ["S3_DATA_EVENTS:NEW"]
    assert admin["delegated_admin_account_ids"] is None  # the member cannot list administrators


def test_guardduty_collector_against_moto(tmp_path: Path) -> None:
    """moto lacks describe_organization_configuration and list_members: it answers 404,
    recorded as a failure."""
    with mock_aws():
        client = boto3.client("guardduty", region_name=REGION)
        detector_id = client.create_detector(
            Enable=True, Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}]
        )["DetectorId"]
        client.enable_organization_admin_account(AdminAccountId=MEMBER)
        ctx, writer = moto_context(tmp_path)
        guardduty.collect(ctx)
    files = collected(writer, MOTO_ACCOUNT, REGION)
    assert files["guardduty/list_detectors"] == {"DetectorIds": [detector_id]}
    assert files[f"guardduty/get_detector/{detector_id}"]["Status"] == "ENABLED"
    assert (
        files["guardduty/list_organization_admin_accounts"]["AdminAccounts"][0]["AdminAccountId"]
        == MEMBER
    )
    assert files["!failed"] == [
        "guardduty.describe_organization_configuration:404",
        "guardduty.list_members:404",
    ]


def test_guardduty_collector_organization_calls_outside_the_admin_record_nothing(
    tmp_path: Path,
) -> None:
    """Stubber: moto does not implement describe_organization_configuration."""
    ctx, session, writer = stubbed_context(tmp_path, MEMBER)
    stub = session.stub("guardduty")
    stub.add_response("list_detectors", {"DetectorIds": [DETECTOR]})
    stub.add_response(
        "get_detector", {"Status": "ENABLED", "ServiceRole": "r"}, {"DetectorId": DETECTOR}
    )
    not_admin = "The request is rejected because the current account is not the administrator."
    stub.add_client_error(
        "describe_organization_configuration", "BadRequestException", not_admin, 400
    )
    stub.add_response(
        "list_members", {"Members": []}, {"DetectorId": DETECTOR, "OnlyAssociated": "false"}
    )
    stub.add_client_error("list_organization_admin_accounts", "BadRequestException", not_admin, 400)
    guardduty.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MEMBER, REGION)
    assert set(files) == {
        "guardduty/list_detectors",
        f"guardduty/get_detector/{DETECTOR}",
        f"guardduty/list_members/{DETECTOR}",
        "!failed",
    }
    assert files["!failed"] == []


# Security Hub ------------------------------------------------------------------------------------


def test_security_hub_enabled_with_ready_standards_and_org_configuration(tmp_path: Path) -> None:
    hub_arn = f"arn:aws:securityhub:{REGION}:{MANAGEMENT}:hub/default"
    fsbp = (
        f"arn:aws:securityhub:{REGION}::standards/aws-foundational-security-best-practices/v/1.0.0"
    )
    cis = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
    standards = {
        "StandardsSubscriptions": [
            {"StandardsArn": fsbp, "StandardsStatus": "READY", "StandardsSubscriptionArn": "s1"},
            {"StandardsArn": cis, "StandardsStatus": "DELETING", "StandardsSubscriptionArn": "s2"},
        ]
    }
    org = {
        "AutoEnable": True,
        "AutoEnableStandards": "DEFAULT",
        "OrganizationConfiguration": {"ConfigurationType": "CENTRAL", "Status": "ENABLED"},
    }
    snap = (
        SnapshotBuilder(tmp_path)
        .answer("securityhub", "describe_hub", {"HubArn": hub_arn, "AutoEnableControls": True})
        .answer("securityhub", "get_enabled_standards", standards)
        .answer("securityhub", "describe_organization_configuration", org)
        .open()
    )
    hub = state(securityhub.transform(snap), "SecurityHub")
    assert (hub["status"], hub["status_reason"]) == ("enabled", f"hub {hub_arn}")
    assert hub["enabled_standards"] == [fsbp]
    assert (hub["org_auto_enable"], hub["org_auto_enable_standards"]) == (True, "DEFAULT")
    assert hub["org_configuration_type"] == "CENTRAL"


def test_security_hub_off_is_disabled_and_a_failure_is_unknown(tmp_path: Path) -> None:
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION]})
        .fail("securityhub", "describe_hub", region=OTHER_REGION)
        .open()
    )
    records = securityhub.transform(snap)
    off = state(records, "SecurityHub")
    assert (off["status"], off["status_reason"]) == ("disabled", "not subscribed to Security Hub")
    assert state(records, "SecurityHub", region=OTHER_REGION)["status"] == "unknown"


def test_security_hub_collector_not_subscribed_is_not_a_failure(tmp_path: Path) -> None:
    """Stubber: moto lacks get_enabled_standards and list_organization_admin_accounts."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("securityhub")
    not_subscribed = f"Account {MANAGEMENT} is not subscribed to AWS Security Hub"
    stub.add_client_error("describe_hub", "InvalidAccessException", not_subscribed, 401)
    stub.add_response("list_organization_admin_accounts", {"AdminAccounts": []})
    securityhub.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert files == {
        "securityhub/list_organization_admin_accounts": {"AdminAccounts": []},
        "!failed": [],
    }


def test_security_hub_collector_reads_standards_of_an_enabled_hub(tmp_path: Path) -> None:
    """Stubber: moto lacks get_enabled_standards and list_organization_admin_accounts."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("securityhub")
    stub.add_response("describe_hub", {"HubArn": "arn:aws:securityhub:us-east-1:1:hub/default"})
    stub.add_response("get_enabled_standards", {"StandardsSubscriptions": []})
    stub.add_response("describe_organization_configuration", {"AutoEnable": False})
    stub.add_response("list_members", {"Members": []}, {"OnlyAssociated": False})
    stub.add_client_error("list_organization_admin_accounts", "AccessDeniedException", "no", 403)
    securityhub.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert "securityhub/get_enabled_standards" in files
    assert files["!failed"] == [
        "securityhub.list_organization_admin_accounts:AccessDeniedException"
    ]
