"""What an administrator runs for the organization, as the dual-scope services' transforms state
it: org_status configured, not_configured or unknown (a failed call is never "not configured"),
the organization-level resource, and ENROLLS relationships to the members it lists.

Collectors run against moto where it implements the calls (Inspector, Macie), otherwise against
botocore's Stubber (GuardDuty list_members, Access Analyzer, Config organization rules).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ingest.aws import (
    accessanalyzer,
    cloudtrail,
    config,
    guardduty,
    inspector2,
    macie2,
    securityhub,
)
from kg.errors import SnapshotError
from kg.graph.records import GraphRecords
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

THIRD = "333333333333"
OUTSIDER = "999999999999"  # in a member list, not in the organization
DETECTOR = "d-admin"
ORG_ANALYZER = f"arn:aws:access-analyzer:{REGION}:{MANAGEMENT}:analyzer/org"


def _enrolls(records: GraphRecords, label: str) -> dict[str, dict[str, Any]]:
    return {row["target"]: row["props"] for row in records.rels[("ENROLLS", label, "Account")]}


# IAM Access Analyzer -----------------------------------------------------------------------------


def _analyzer(name: str, kind: str, status: str = "ACTIVE") -> dict[str, Any]:
    arn = f"arn:aws:access-analyzer:{REGION}:{MANAGEMENT}:analyzer/{name}"
    return {"arn": arn, "name": name, "type": kind, "status": status, "createdAt": "2025-01-01"}


def test_an_active_organization_analyzer_covers_the_whole_organization(tmp_path: Path) -> None:
    snap = (
        SnapshotBuilder(tmp_path)
        .answer(
            "accessanalyzer", "list_analyzers", {"analyzers": [_analyzer("org", "ORGANIZATION")]}
        )
        .open()
    )
    status = state(accessanalyzer.transform(snap), "AccessAnalyzerStatus")
    assert (status["org_status"], status["org_zone"]) == ("configured", "organization")
    assert status["org_resource"] == f"analyzer {ORG_ANALYZER}"


@pytest.mark.parametrize(
    "analyzers",
    [[_analyzer("acct", "ACCOUNT")], [_analyzer("org", "ORGANIZATION", "DISABLED")], []],
    ids=["account-analyzer", "organization-analyzer-not-active", "none"],
)
def test_no_active_organization_analyzer_is_not_configured(
    tmp_path: Path, analyzers: list[dict[str, Any]]
) -> None:
    snap = (
        SnapshotBuilder(tmp_path)
        .answer("accessanalyzer", "list_analyzers", {"analyzers": analyzers})
        .open()
    )
    status = state(accessanalyzer.transform(snap), "AccessAnalyzerStatus")
    assert (status["org_status"], status["org_zone"]) == ("not_configured", None)


def test_an_unreadable_analyzer_list_is_an_unknown_organization_view(tmp_path: Path) -> None:
    snap = SnapshotBuilder(tmp_path).fail("accessanalyzer", "list_analyzers").open()
    status = state(accessanalyzer.transform(snap), "AccessAnalyzerStatus")
    assert status["org_status"] == "unknown"
    assert status["org_status_reason"] == "AccessDeniedException on accessanalyzer.list_analyzers"


# GuardDuty ---------------------------------------------------------------------------------------


def _member(account_id: str, relationship: str) -> dict[str, Any]:
    return {
        "AccountId": account_id,
        "MasterId": MANAGEMENT,
        "Email": f"{account_id}@example.com",
        "RelationshipStatus": relationship,
        "UpdatedAt": "2025-01-01T00:00:00Z",
    }


def _guardduty(tmp_path: Path) -> SnapshotBuilder:
    detector = {"Status": "ENABLED", "ServiceRole": "r", "Features": []}
    return (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION], THIRD: [REGION]})
        .answer("guardduty", "list_detectors", {"DetectorIds": [DETECTOR]})
        .answer("guardduty", "get_detector", detector, key=DETECTOR)
    )


def test_guardduty_administrator_enrolls_its_members_with_their_relationship(
    tmp_path: Path,
) -> None:
    members = {
        "Members": [
            _member(MEMBER, "Enabled"),
            _member(THIRD, "Invited"),
            _member(OUTSIDER, "Enabled"),
        ]
    }
    snap = (
        _guardduty(tmp_path)
        .answer(
            "guardduty",
            "describe_organization_configuration",
            {"AutoEnableOrganizationMembers": "ALL"},
            key=DETECTOR,
        )
        .answer("guardduty", "list_members", members, key=DETECTOR)
        .open()
    )
    records = guardduty.transform(snap)
    admin = state(records, "GuardDutyDetector")
    assert (admin["org_status"], admin["org_zone"]) == ("configured", "members")
    assert admin["org_resource"] == f"detector {DETECTOR}"
    assert admin["org_status_reason"] == "auto-enable ALL, 2 enabled members"
    enrolled = _enrolls(records, "GuardDutyDetector")
    assert {k: (v["enabled"], v["relationship"]) for k, v in enrolled.items()} == {
        MEMBER: (True, "Enabled"),
        THIRD: (False, "Invited"),
        OUTSIDER: (True, "Enabled"),
    }
    assert enrolled[MEMBER]["account_id"] == MANAGEMENT
    external = {
        row["account_id"]: row["external"] for row in records.refs["Account"] if "external" in row
    }
    assert external == {MEMBER: False, THIRD: False, OUTSIDER: True}  # never counted as a member


def test_guardduty_without_organization_configuration_or_members_is_not_configured(
    tmp_path: Path,
) -> None:
    snap = _guardduty(tmp_path).answer("guardduty", "list_members", {"Members": []}, key=DETECTOR)
    status = state(guardduty.transform(snap.open()), "GuardDutyDetector")
    assert status["org_status"] == "not_configured"


def test_guardduty_administrator_that_auto_enables_no_one_and_has_no_members_runs_nothing(
    tmp_path: Path,
) -> None:
    snap = (
        _guardduty(tmp_path)
        .answer(
            "guardduty",
            "describe_organization_configuration",
            {"AutoEnableOrganizationMembers": "NONE"},
            key=DETECTOR,
        )
        .answer(
            "guardduty", "list_members", {"Members": [_member(MEMBER, "Removed")]}, key=DETECTOR
        )
        .open()
    )
    status = state(guardduty.transform(snap), "GuardDutyDetector")
    assert (status["org_status"], status["org_status_reason"]) == (
        "not_configured",
        "auto-enable NONE, 0 enabled members",
    )


@pytest.mark.parametrize("failed", ["list_members", "describe_organization_configuration"])
def test_guardduty_failed_organization_calls_are_unknown_not_unconfigured(
    tmp_path: Path, failed: str
) -> None:
    snap = _guardduty(tmp_path)
    if failed != "list_members":
        snap.answer("guardduty", "list_members", {"Members": []}, key=DETECTOR)
    snap.fail("guardduty", failed, key=DETECTOR)
    status = state(guardduty.transform(snap.open()), "GuardDutyDetector")
    assert status["org_status"] == "unknown"
    assert (
        status["org_status_reason"] == f"AccessDeniedException on guardduty.{failed} ({DETECTOR})"
    )


def test_guardduty_member_list_missing_from_a_hand_made_snapshot_is_unknown(
    tmp_path: Path,
) -> None:
    snap = _guardduty(tmp_path)
    snap.writer.source = "file"  # a hand-made snapshot may simply lack the call
    status = state(guardduty.transform(snap.open()), "GuardDutyDetector")
    assert status["org_status"] == "unknown"
    assert "guardduty.list_members is not in the snapshot" in status["org_status_reason"]


def test_guardduty_malformed_member_list_names_the_file_and_field(tmp_path: Path) -> None:
    members = {"Members": [{"RelationshipStatus": "Enabled"}]}
    snap = _guardduty(tmp_path).answer("guardduty", "list_members", members, key=DETECTOR).open()
    with pytest.raises(SnapshotError) as error:
        guardduty.transform(snap)
    message = str(error.value)
    assert "list_members" in message and "Members[0]" in message and "AccountId" in message
    assert "\n" not in message


def test_guardduty_collector_lists_every_member_of_the_detector(tmp_path: Path) -> None:
    """Stubber: moto does not implement guardduty list_members."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("guardduty")
    stub.add_response("list_detectors", {"DetectorIds": [DETECTOR]})
    stub.add_response(
        "get_detector", {"Status": "ENABLED", "ServiceRole": "r"}, {"DetectorId": DETECTOR}
    )
    stub.add_response(
        "describe_organization_configuration",
        {"AutoEnable": True, "MemberAccountLimitReached": False},
        {"DetectorId": DETECTOR},
    )
    stub.add_response(
        "list_members",
        {"Members": [_member(MEMBER, "Enabled")]},
        {"DetectorId": DETECTOR, "OnlyAssociated": "false"},
    )
    stub.add_response("list_organization_admin_accounts", {"AdminAccounts": []})
    guardduty.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert files[f"guardduty/list_members/{DETECTOR}"]["Members"][0]["AccountId"] == MEMBER


# Inspector ---------------------------------------------------------------------------------------


def _scan(account_id: str, *enabled: str) -> dict[str, Any]:
    """An account's status as AWS returns it, the given resource types ENABLED."""

    def status(on: bool) -> dict[str, str]:
        code = "ALREADY_ENABLED" if on else "RESOURCE_NOT_FOUND"
        return {"status": "ENABLED" if on else "DISABLED", "errorCode": code, "errorMessage": "-"}

    types = ("ec2", "ecr", "lambda", "lambdaCode")
    return {
        "accountId": account_id,
        "state": status(True),
        "resourceState": {name: status(name in enabled) for name in types},
    }


def _inspector_admin(tmp_path: Path) -> SnapshotBuilder:
    own = {"accounts": [_scan(MANAGEMENT, "ec2", "ecr")], "failedAccounts": []}
    return (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION], THIRD: [REGION]})
        .answer("inspector2", "batch_get_account_status", own)
        .answer(
            "inspector2",
            "get_delegated_admin_account",
            {"delegatedAdmin": {"accountId": MANAGEMENT, "relationshipStatus": "ENABLED"}},
        )
    )


def test_inspector_administrator_enrolls_members_with_the_types_it_scans_for_them(
    tmp_path: Path,
) -> None:
    members = {
        "members": [
            {"accountId": MEMBER, "relationshipStatus": "ENABLED"},
            {"accountId": THIRD, "relationshipStatus": "DISABLED"},
        ]
    }
    scans = {"accounts": [_scan(MEMBER, "ec2", "lambda")]}
    snap = (
        _inspector_admin(tmp_path)
        .answer("inspector2", "list_members", members)
        .answer("inspector2", "batch_get_account_status", scans, key="members-0")
        .open()
    )
    records = inspector2.transform(snap)
    admin = state(records, "InspectorStatus")
    assert (admin["org_status"], admin["org_zone"]) == ("configured", "members")
    assert admin["enabled_features"] == ["ec2", "ecr"]
    enrolled = _enrolls(records, "InspectorStatus")
    assert enrolled[MEMBER]["features_on"] == ["ec2", "lambda"]
    assert (enrolled[THIRD]["enabled"], enrolled[THIRD]["features_on"]) == (False, None)


def test_inspector_member_status_that_failed_leaves_its_features_unreported(
    tmp_path: Path,
) -> None:
    members = {"members": [{"accountId": MEMBER, "relationshipStatus": "ENABLED"}]}
    snap = (
        _inspector_admin(tmp_path)
        .answer("inspector2", "list_members", members)
        .fail("inspector2", "batch_get_account_status", key="members-0")
        .open()
    )
    enrolled = _enrolls(inspector2.transform(snap), "InspectorStatus")
    assert (enrolled[MEMBER]["enabled"], enrolled[MEMBER]["features_on"]) == (True, None)


def test_inspector_outside_the_administrator_is_not_configured_and_a_failure_unknown(
    tmp_path: Path,
) -> None:
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION]})
        .answer(
            "inspector2",
            "get_delegated_admin_account",
            {"delegatedAdmin": {"accountId": MEMBER, "relationshipStatus": "ENABLED"}},
        )
        .fail("inspector2", "get_delegated_admin_account", account_id=MEMBER)
        .open()
    )
    records = inspector2.transform(snap)
    assert state(records, "InspectorStatus")["org_status"] == "not_configured"
    assert state(records, "InspectorStatus", account_id=MEMBER)["org_status"] == "unknown"


def test_inspector_administrator_whose_member_list_failed_is_unknown(tmp_path: Path) -> None:
    snap = _inspector_admin(tmp_path).fail("inspector2", "list_members").open()
    admin = state(inspector2.transform(snap), "InspectorStatus")
    assert admin["org_status"] == "unknown"
    assert "inspector2.list_members" in admin["org_status_reason"]


def test_inspector_collector_reads_members_and_their_status_in_batches(tmp_path: Path) -> None:
    """Stubber: moto lacks get_delegated_admin_account, which decides whether members are read."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("inspector2")
    own = {"accounts": [_scan(MANAGEMENT, "ec2")], "failedAccounts": []}
    stub.add_response("batch_get_account_status", own, {"accountIds": [MANAGEMENT]})
    stub.add_response(
        "get_delegated_admin_account",
        {"delegatedAdmin": {"accountId": MANAGEMENT, "relationshipStatus": "ENABLED"}},
    )
    stub.add_response(
        "describe_organization_configuration", {"autoEnable": {"ec2": True, "ecr": False}}
    )
    members = [f"{n:012d}" for n in range(1, 13)]  # twelve enabled members: two batches
    listed = [{"accountId": a, "relationshipStatus": "ENABLED"} for a in members]
    listed.append({"accountId": THIRD, "relationshipStatus": "INVITED"})
    stub.add_response("list_members", {"members": listed}, {"onlyAssociated": False})
    for batch in (members[:10], members[10:]):
        answer = {"accounts": [_scan(a, "ec2") for a in batch], "failedAccounts": []}
        stub.add_response("batch_get_account_status", answer, {"accountIds": batch})
    inspector2.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert len(files["inspector2/batch_get_account_status/members-1"]["accounts"]) == 2
    snap = SnapshotBuilder(tmp_path / "loaded")
    for name, data in files.items():
        if name != "!failed":
            client, method, *key = name.split("/")
            snap.answer(client, method, data, key=key[0] if key else None)
    enrolled = _enrolls(inspector2.transform(snap.open()), "InspectorStatus")
    assert {a for a, e in enrolled.items() if e["features_on"] == ["ec2"]} == set(members)
    assert enrolled[THIRD]["enabled"] is False


# Macie -------------------------------------------------------------------------------------------


def _macie_session(tmp_path: Path) -> SnapshotBuilder:
    return SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION]}).answer(
        "macie2", "get_macie_session", {"status": "ENABLED"}
    )


def test_macie_administrator_enrolls_its_members(tmp_path: Path) -> None:
    members = {
        "members": [
            {"accountId": MEMBER, "relationshipStatus": "Enabled"},
            {"accountId": THIRD, "relationshipStatus": "Paused"},
        ]
    }
    snap = _macie_session(tmp_path).answer("macie2", "list_members", members).open()
    records = macie2.transform(snap)
    admin = state(records, "MacieSession")
    assert (admin["org_status"], admin["org_resource"]) == (
        "configured",
        f"Macie administrator {MANAGEMENT}",
    )
    enrolled = _enrolls(records, "MacieSession")
    assert {k: v["enabled"] for k, v in enrolled.items()} == {MEMBER: True, THIRD: False}


def test_macie_without_members_or_off_is_not_configured_and_a_failure_unknown(
    tmp_path: Path,
) -> None:
    snap = (
        _macie_session(tmp_path)
        .answer("macie2", "list_members", {"members": []})
        .fail(
            "macie2",
            "get_macie_session",
            message="Macie is not enabled.",
            account_id=MEMBER,
        )
        .open()
    )
    records = macie2.transform(snap)
    assert state(records, "MacieSession")["org_status"] == "not_configured"
    assert state(records, "MacieSession", account_id=MEMBER)["org_status"] == "not_configured"
    failed = _macie_session(tmp_path / "failed").fail("macie2", "list_members").open()
    assert state(macie2.transform(failed), "MacieSession")["org_status"] == "unknown"


def test_macie_collector_lists_members_where_macie_is_on_against_moto(tmp_path: Path) -> None:
    with mock_aws():
        boto3.client("macie2", region_name=REGION).enable_macie()
        ctx, writer = moto_context(tmp_path)
        macie2.collect(ctx)
    files = collected(writer, MOTO_ACCOUNT, REGION)
    assert files["macie2/list_members"]["members"] == []
    assert "macie2.list_members" not in " ".join(files["!failed"])


# CloudTrail --------------------------------------------------------------------------------------


def _org_trail(multi_region: bool) -> dict[str, Any]:
    return {
        "Name": "org",
        "TrailARN": f"arn:aws:cloudtrail:{REGION}:{MANAGEMENT}:trail/org",
        "HomeRegion": REGION,
        "S3BucketName": "org-trail-logs",
        "IsMultiRegionTrail": multi_region,
        "IsOrganizationTrail": True,
    }


def _trail_snapshot(tmp_path: Path, multi_region: bool, logging: bool | None) -> SnapshotBuilder:
    trail = _org_trail(multi_region)
    snap = SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION], MEMBER: [REGION]})
    snap.answer("cloudtrail", "describe_trails", {"trailList": [trail]})
    listed_elsewhere = {"trailList": [trail] if multi_region else []}
    snap.answer("cloudtrail", "describe_trails", listed_elsewhere, region=OTHER_REGION)
    snap.answer("cloudtrail", "describe_trails", {"trailList": [trail]}, account_id=MEMBER)
    if logging is None:
        snap.fail("cloudtrail", "get_trail_status", key="org")
    else:
        snap.answer("cloudtrail", "get_trail_status", {"IsLogging": logging}, key="org")
    return snap


def test_a_logging_organization_trail_covers_the_organization_where_it_applies(
    tmp_path: Path,
) -> None:
    records = cloudtrail.transform(_trail_snapshot(tmp_path, False, True).open())
    home = state(records, "CloudTrailStatus")
    assert (home["org_status"], home["org_zone"]) == ("configured", "organization")
    assert (
        home["org_resource"]
        == f"organization trail arn:aws:cloudtrail:{REGION}:{MANAGEMENT}:trail/org"
    )
    elsewhere = state(records, "CloudTrailStatus", region=OTHER_REGION)
    assert elsewhere["org_status"] == "not_configured"  # a single-region trail
    member = state(records, "CloudTrailStatus", account_id=MEMBER)
    assert member["org_status"] == "not_configured"  # the member does not own the trail


def test_an_organization_trail_not_logging_or_not_read_is_not_configured_or_unknown(
    tmp_path: Path,
) -> None:
    stopped = cloudtrail.transform(_trail_snapshot(tmp_path / "stopped", True, False).open())
    assert state(stopped, "CloudTrailStatus")["org_status"] == "not_configured"
    unread = cloudtrail.transform(_trail_snapshot(tmp_path / "unread", True, None).open())
    status = state(unread, "CloudTrailStatus", region=OTHER_REGION)
    assert status["org_status"] == "unknown"
    assert "AccessDeniedException on cloudtrail.get_trail_status" in status["org_status_reason"]
    failed = SnapshotBuilder(tmp_path / "failed").fail("cloudtrail", "describe_trails").open()
    assert state(cloudtrail.transform(failed), "CloudTrailStatus")["org_status"] == "unknown"


# Security Hub ------------------------------------------------------------------------------------

HUB = {"HubArn": f"arn:aws:securityhub:{REGION}:{MANAGEMENT}:hub/default"}
AGGREGATOR = f"arn:aws:securityhub:{REGION}:{MANAGEMENT}:finding-aggregator/a1"


def _hub_admin(tmp_path: Path, kind: str, regions: list[str] | None = None) -> SnapshotBuilder:
    org = {"AutoEnable": kind == "LOCAL", "OrganizationConfiguration": {"ConfigurationType": kind}}
    snap = SnapshotBuilder(tmp_path, {MANAGEMENT: regions or [REGION], MEMBER: [REGION]})
    for region in regions or [REGION]:
        snap.answer("securityhub", "describe_hub", HUB, region=region)
        snap.answer("securityhub", "describe_organization_configuration", org, region=region)
    return snap


def _association(account_id: str, policy: str, status: str = "SUCCESS") -> dict[str, Any]:
    return {
        "ConfigurationPolicyId": policy,
        "TargetId": account_id,
        "TargetType": "ACCOUNT",
        "AssociationType": "INHERITED",
        "AssociationStatus": status,
    }


POLICIES = {
    "ConfigurationPolicySummaries": [
        {"Id": "p-on", "Name": "baseline", "ServiceEnabled": True},
        {"Id": "p-off", "Name": "opt-out", "ServiceEnabled": False},
    ]
}


def _central(tmp_path: Path, mode: str, linked: list[str]) -> SnapshotBuilder:
    snap = _hub_admin(tmp_path, "CENTRAL", [REGION, OTHER_REGION])
    for region in (REGION, OTHER_REGION):
        snap.answer(
            "securityhub",
            "list_finding_aggregators",
            {"FindingAggregators": [{"FindingAggregatorArn": AGGREGATOR}]},
            region=region,
        )
        linking = {
            "FindingAggregatorArn": AGGREGATOR,
            "FindingAggregationRegion": REGION,
            "RegionLinkingMode": mode,
            "Regions": linked,
        }
        snap.answer("securityhub", "get_finding_aggregator", linking, key=AGGREGATOR, region=region)
    associations = {
        "ConfigurationPolicyAssociationSummaries": [
            _association(MEMBER, "p-on"),
            _association(THIRD, "p-off"),
            _association(OUTSIDER, "p-on", "FAILED"),
            {**_association("ou-x", "p-on"), "TargetType": "ORGANIZATIONAL_UNIT"},
        ]
    }
    snap.answer("securityhub", "list_configuration_policies", POLICIES)
    snap.answer("securityhub", "list_configuration_policy_associations", associations)
    return snap


def test_security_hub_central_configuration_enrolls_accounts_of_an_enabling_policy(
    tmp_path: Path,
) -> None:
    records = securityhub.transform(_central(tmp_path, "ALL_REGIONS", []).open())
    for region in (REGION, OTHER_REGION):  # the linked region is covered from the home region
        admin = state(records, "SecurityHub", region=region)
        assert (admin["org_status"], admin["org_resource"]) == (
            "configured",
            f"configuration policy baseline (home region {REGION})",
        )
    enrolled = _enrolls(records, "SecurityHub")
    assert {k: v["enabled"] for k, v in enrolled.items()} == {
        MEMBER: True,
        THIRD: False,  # its policy turns Security Hub off
        OUTSIDER: False,  # the association failed
    }
    assert enrolled[THIRD]["relationship"] == "INHERITED p-off SUCCESS"


def test_security_hub_central_configuration_does_not_reach_an_unlinked_region(
    tmp_path: Path,
) -> None:
    records = securityhub.transform(_central(tmp_path, "SPECIFIED_REGIONS", []).open())
    assert state(records, "SecurityHub")["org_status"] == "configured"
    other = state(records, "SecurityHub", region=OTHER_REGION)
    assert (other["org_status"], other["org_status_reason"]) == (
        "not_configured",
        f"central configuration does not reach {OTHER_REGION}",
    )


def test_security_hub_central_associations_unreadable_are_unknown(tmp_path: Path) -> None:
    snap = _hub_admin(tmp_path, "CENTRAL")
    snap.answer("securityhub", "list_configuration_policies", POLICIES)
    snap.fail("securityhub", "list_configuration_policy_associations")
    admin = state(securityhub.transform(snap.open()), "SecurityHub")
    assert admin["org_status"] == "unknown"
    assert "list_configuration_policy_associations" in admin["org_status_reason"]


def test_security_hub_local_configuration_enrolls_its_enabled_members(tmp_path: Path) -> None:
    members = {
        "Members": [
            {"AccountId": MEMBER, "MemberStatus": "Enabled"},
            {"AccountId": THIRD, "MemberStatus": "Invited"},
        ]
    }
    snap = _hub_admin(tmp_path, "LOCAL").answer("securityhub", "list_members", members).open()
    records = securityhub.transform(snap)
    admin = state(records, "SecurityHub")
    assert (admin["org_status"], admin["org_zone"]) == ("configured", "members")
    assert {k: v["enabled"] for k, v in _enrolls(records, "SecurityHub").items()} == {
        MEMBER: True,
        THIRD: False,
    }
    member = state(records, "SecurityHub", account_id=MEMBER)
    assert member["org_status"] == "not_configured"  # not subscribed: no hub, no organization


def test_security_hub_collector_reads_central_configuration_in_the_home_region(
    tmp_path: Path,
) -> None:
    """Stubber: moto lacks the configuration policy and finding aggregator calls."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("securityhub")
    stub.add_response("describe_hub", HUB)
    stub.add_response("get_enabled_standards", {"StandardsSubscriptions": []})
    central = {"OrganizationConfiguration": {"ConfigurationType": "CENTRAL"}}
    stub.add_response("describe_organization_configuration", central)
    aggregators = {"FindingAggregators": [{"FindingAggregatorArn": AGGREGATOR}]}
    stub.add_response("list_finding_aggregators", aggregators)
    linking = {"FindingAggregationRegion": REGION, "RegionLinkingMode": "ALL_REGIONS"}
    stub.add_response("get_finding_aggregator", linking, {"FindingAggregatorArn": AGGREGATOR})
    stub.add_response("list_configuration_policies", POLICIES)
    associations = {"ConfigurationPolicyAssociationSummaries": [_association(MEMBER, "p-on")]}
    stub.add_response("list_configuration_policy_associations", associations)
    stub.add_response("list_organization_admin_accounts", {"AdminAccounts": []})
    securityhub.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert "securityhub/list_configuration_policy_associations" in files
    assert f"securityhub/get_finding_aggregator/{AGGREGATOR}" in files


# Malformed organization responses: one line naming the file and the field ------------------------


# AWS Config organization rules and conformance packs ---------------------------------------------

RULE, PACK = "required-tags", "operational-best-practices"


def _config_admin(
    tmp_path: Path,
    rule: list[dict[str, Any]],
    pack: list[dict[str, Any]],
    failed: str | None = None,
) -> SnapshotBuilder:
    """The management account deploys one organization rule and one conformance pack; the
    `failed` call was denied."""
    accounts = {MANAGEMENT: [REGION], MEMBER: [REGION], THIRD: [REGION]}
    builder = SnapshotBuilder(tmp_path, accounts)
    calls = (
        (
            "describe_organization_config_rules",
            {"OrganizationConfigRules": [{"OrganizationConfigRuleName": RULE}]},
            None,
        ),
        (
            "get_organization_config_rule_detailed_status",
            {"OrganizationConfigRuleDetailedStatus": rule},
            RULE,
        ),
        (
            "describe_organization_conformance_packs",
            {"OrganizationConformancePacks": [{"OrganizationConformancePackName": PACK}]},
            None,
        ),
        (
            "get_organization_conformance_pack_detailed_status",
            {"OrganizationConformancePackDetailedStatuses": pack},
            PACK,
        ),
    )
    for method, data, key in calls:
        if method == failed:
            builder.fail("config", method, key=key)
        else:
            builder.answer("config", method, data, key=key)
    return builder


def _rule_status(account_id: str, status: str) -> dict[str, Any]:
    return {"AccountId": account_id, "ConfigRuleName": RULE, "MemberAccountRuleStatus": status}


def _pack_status(account_id: str, status: str) -> dict[str, Any]:
    return {"AccountId": account_id, "ConformancePackName": PACK, "Status": status}


def test_config_administrator_enrolls_members_every_rule_and_pack_deployed_to(
    tmp_path: Path,
) -> None:
    rule = [
        _rule_status(MEMBER, "CREATE_SUCCESSFUL"),
        _rule_status(THIRD, "CREATE_FAILED"),
        _rule_status(MANAGEMENT, "CREATE_SUCCESSFUL"),
    ]
    pack = [_pack_status(MEMBER, "UPDATE_SUCCESSFUL")]
    records = config.transform(_config_admin(tmp_path, rule, pack).open())
    status = state(records, "ConfigRecorder")
    assert (status["org_status"], status["org_zone"]) == ("configured", "recorded")
    assert status["org_resource"] == f"organization conformance pack {PACK}, rule {RULE}"
    enrolls = _enrolls(records, "ConfigRecorder")
    assert (enrolls[MEMBER]["enabled"], enrolls[MEMBER]["relationship"]) == (True, "deployed")
    assert enrolls[THIRD]["enabled"] is False
    assert enrolls[MANAGEMENT]["relationship"] == f"conformance pack {PACK} absent"
    assert enrolls[THIRD]["relationship"] == (
        f"conformance pack {PACK} absent; rule {RULE} CREATE_FAILED"
    )


def test_config_outside_the_administrator_is_not_configured(tmp_path: Path) -> None:
    """Organization errors are the account's role, collected as no file: not configured."""
    records = config.transform(SnapshotBuilder(tmp_path).open())
    status = state(records, "ConfigRecorder")
    assert (status["org_status"], status["org_zone"]) == ("not_configured", None)
    assert _enrolls(records, "ConfigRecorder") == {}


@pytest.mark.parametrize(
    "method",
    ["describe_organization_config_rules", "get_organization_conformance_pack_detailed_status"],
)
def test_config_organization_calls_that_failed_are_unknown_and_enroll_no_one(
    tmp_path: Path, method: str
) -> None:
    rule = [_rule_status(MEMBER, "CREATE_SUCCESSFUL")]
    records = config.transform(_config_admin(tmp_path, rule, [], method).open())
    status = state(records, "ConfigRecorder")
    assert status["org_status"] == "unknown"
    assert status["org_status_reason"].startswith(f"AccessDeniedException on config.{method}")
    assert _enrolls(records, "ConfigRecorder") == {}


def test_config_own_rules_leave_out_those_the_organization_deployed(tmp_path: Path) -> None:
    rules = {
        "ConfigRules": [
            {"ConfigRuleName": "mine", "Source": {"Owner": "AWS"}},
            {
                "ConfigRuleName": f"OrgConfigRule-{RULE}-x",
                "Source": {"Owner": "AWS"},
                "CreatedBy": config.ORGANIZATION_PRINCIPAL,
            },
        ]
    }
    snap = SnapshotBuilder(tmp_path).answer("config", "describe_config_rules", rules).open()
    status = state(config.transform(snap), "ConfigRecorder")
    assert (status["rule_names"], status["has_config_rules"]) == (["mine"], True)


def test_config_collector_reads_each_organization_rule_and_pack_status(tmp_path: Path) -> None:
    """Stubber: moto does not implement describe_organization_config_rules."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("config")
    for method in config.CALLS:
        stub.add_response(method, {})
    arn = f"arn:aws:config:{REGION}:{MANAGEMENT}:organization-config-rule/{RULE}-x"
    stub.add_response(
        "describe_organization_config_rules",
        {
            "OrganizationConfigRules": [
                {"OrganizationConfigRuleName": RULE, "OrganizationConfigRuleArn": arn}
            ]
        },
    )
    stub.add_response(
        "get_organization_config_rule_detailed_status",
        {"OrganizationConfigRuleDetailedStatus": [_rule_status(MEMBER, "CREATE_SUCCESSFUL")]},
        {"OrganizationConfigRuleName": RULE},
    )
    stub.add_client_error(
        "describe_organization_conformance_packs", "OrganizationAccessDeniedException"
    )
    config.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    rule = files[f"config/get_organization_config_rule_detailed_status/{RULE}"]
    assert rule["OrganizationConfigRuleDetailedStatus"][0]["AccountId"] == MEMBER
    assert "config/describe_organization_conformance_packs" not in files
    assert not writer.failures


def _malformed_inspector(tmp_path: Path) -> Any:
    members = {"members": [{"relationshipStatus": "ENABLED"}]}
    return _inspector_admin(tmp_path).answer("inspector2", "list_members", members).open()


def _malformed_macie(tmp_path: Path) -> Any:
    members = {"members": [{"accountId": 7, "relationshipStatus": "Enabled"}]}
    return _macie_session(tmp_path).answer("macie2", "list_members", members).open()


def _malformed_security_hub(tmp_path: Path) -> Any:
    snap = _hub_admin(tmp_path, "CENTRAL")
    policies = {"ConfigurationPolicySummaries": [{"ServiceEnabled": True}]}
    snap.answer("securityhub", "list_configuration_policies", policies)
    snap.answer(
        "securityhub",
        "list_configuration_policy_associations",
        {"ConfigurationPolicyAssociationSummaries": []},
    )
    return snap.open()


@pytest.mark.parametrize(
    ("build", "module", "where"),
    [
        (_malformed_inspector, inspector2, ("list_members", "members[0]", "accountId")),
        (_malformed_macie, macie2, ("list_members", "members[0]", "accountId")),
        (
            _malformed_security_hub,
            securityhub,
            ("list_configuration_policies", "ConfigurationPolicySummaries[0]", "Id"),
        ),
    ],
    ids=["inspector", "macie", "securityhub"],
)
def test_malformed_organization_responses_name_the_file_and_field(
    tmp_path: Path, build: Any, module: Any, where: tuple[str, ...]
) -> None:
    with pytest.raises(SnapshotError) as error:
        module.transform(build(tmp_path))
    message = str(error.value)
    assert all(part in message for part in where), message
    assert "\n" not in message
