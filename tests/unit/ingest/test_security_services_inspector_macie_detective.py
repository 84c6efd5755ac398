"""Inspector, Macie and Detective: scanning status per resource type, the Macie "not enabled"
quirk, and behavior graph membership seen from the administrator.

Collectors run against moto where it implements the calls, otherwise against botocore's Stubber
(each such test says which calls moto lacks).
"""

from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws

from ingest.aws import detective, inspector2, macie2
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

GRAPH = f"arn:aws:detective:{REGION}:{MANAGEMENT}:graph:0123456789abcdef"


def _account_status(account_id: str, status: str, lambda_status: str) -> dict[str, object]:
    enabled = {"status": "ENABLED"}
    return {
        "accounts": [
            {
                "accountId": account_id,
                "state": {"status": status},
                "resourceState": {
                    "ec2": enabled,
                    "ecr": enabled,
                    "lambda": {"status": lambda_status},
                    "lambdaCode": {"status": "DISABLED"},
                },
            }
        ],
        "failedAccounts": [],
    }


# Inspector ---------------------------------------------------------------------------------------


def test_inspector_status_per_resource_type_and_organization_view(tmp_path: Path) -> None:
    auto_enable = {"autoEnable": {"ec2": True, "ecr": True, "lambda": False, "lambdaCode": False}}
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION]})
        .answer(
            "inspector2",
            "batch_get_account_status",
            _account_status(MANAGEMENT, "ENABLED", "ENABLED"),
        )
        .answer(
            "inspector2",
            "get_delegated_admin_account",
            {"delegatedAdmin": {"accountId": MANAGEMENT}},
        )
        .answer("inspector2", "describe_organization_configuration", auto_enable)
        .answer(
            "inspector2",
            "batch_get_account_status",
            _account_status(MANAGEMENT, "DISABLED", "DISABLED"),
            region=OTHER_REGION,
        )
        .open()
    )
    records = inspector2.transform(snap)
    on = state(records, "InspectorStatus")
    assert (on["status"], on["status_reason"]) == ("enabled", "account status ENABLED")
    assert (on["ec2_status"], on["lambda_code_status"]) == ("ENABLED", "DISABLED")
    assert on["delegated_admin_account_id"] == MANAGEMENT
    assert on["org_auto_enable_resource_types"] == ["ec2", "ecr"]
    off = state(records, "InspectorStatus", region=OTHER_REGION)
    assert (off["status"], off["lambda_status"]) == ("disabled", "DISABLED")


def test_inspector_account_in_failed_accounts_is_unknown(tmp_path: Path) -> None:
    failed = {
        "accounts": [],
        "failedAccounts": [
            {"accountId": MANAGEMENT, "errorCode": "ACCESS_DENIED", "errorMessage": "denied"}
        ],
    }
    snap = SnapshotBuilder(tmp_path).answer("inspector2", "batch_get_account_status", failed).open()
    unknown = state(inspector2.transform(snap), "InspectorStatus")
    assert unknown["status"] == "unknown"
    assert unknown["status_reason"] == "ACCESS_DENIED on inspector2.batch_get_account_status"


def test_inspector_collector_against_moto(tmp_path: Path) -> None:
    """moto lacks get_delegated_admin_account: it answers 404, recorded as a failure."""
    with mock_aws():
        boto3.client("inspector2", region_name=REGION).enable(
            accountIds=[MOTO_ACCOUNT], resourceTypes=["EC2"]
        )
        ctx, writer = moto_context(tmp_path)
        inspector2.collect(ctx)
    files = collected(writer, MOTO_ACCOUNT, REGION)
    accounts = files["inspector2/batch_get_account_status"]["accounts"]
    assert accounts[0]["resourceState"]["ec2"]["status"] == "ENABLED"
    assert files["!failed"] == ["inspector2.get_delegated_admin_account:404"]


def test_inspector_collector_reads_auto_enable_only_in_the_administrator(tmp_path: Path) -> None:
    """Stubber: moto lacks get_delegated_admin_account."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("inspector2")
    stub.add_response(
        "batch_get_account_status",
        {"accounts": [], "failedAccounts": []},
        {"accountIds": [MANAGEMENT]},
    )
    stub.add_response(
        "get_delegated_admin_account",
        {"delegatedAdmin": {"accountId": MANAGEMENT, "relationshipStatus": "ENABLED"}},
    )
    stub.add_response(
        "describe_organization_configuration",
        {"autoEnable": {"ec2": True, "ecr": False}, "maxAccountLimitReached": False},
    )
    inspector2.collect(ctx)
    session.assert_all_answered()
    assert "inspector2/describe_organization_configuration" in collected(writer, MANAGEMENT, REGION)


# Macie -------------------------------------------------------------------------------------------


def test_macie_enabled_paused_and_the_not_enabled_access_denied_quirk(tmp_path: Path) -> None:
    regions = [REGION, OTHER_REGION, "ap-south-1", "sa-east-1"]
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: regions})
        .answer(
            "macie2",
            "get_macie_session",
            {"status": "ENABLED", "findingPublishingFrequency": "SIX_HOURS"},
        )
        .answer("macie2", "get_macie_session", {"status": "PAUSED"}, region=OTHER_REGION)
        .fail("macie2", "get_macie_session", message="Macie is not enabled.", region="ap-south-1")
        .fail(
            "macie2",
            "get_macie_session",
            message="User: arn:aws:sts::1:assumed-role/Audit is not authorized to perform: "
            "macie2:GetMacieSession",
            region="sa-east-1",
        )
        .open()
    )
    records = macie2.transform(snap)
    statuses = {
        region: (state(records, "MacieSession", region=region)["status"]) for region in regions
    }
    assert statuses == {
        REGION: "enabled",
        OTHER_REGION: "disabled",
        "ap-south-1": "disabled",
        "sa-east-1": "unknown",
    }
    assert state(records, "MacieSession", region="ap-south-1")["status_reason"] == (
        "Macie is not enabled"
    )


def test_macie_collector_against_moto(tmp_path: Path) -> None:
    with mock_aws():
        boto3.client("macie2", region_name=REGION).enable_macie()
        ctx, writer = moto_context(tmp_path / "on")
        macie2.collect(ctx)
    with mock_aws():
        boto3.client("macie2", region_name=REGION).disable_macie()
        off_ctx, off_writer = moto_context(tmp_path / "off")
        macie2.collect(off_ctx)
    session = collected(writer, MOTO_ACCOUNT, REGION)["macie2/get_macie_session"]
    assert session["status"] == "ENABLED"
    # moto answers ResourceNotFoundException where Macie is off: not configured, not a failure
    assert collected(off_writer, MOTO_ACCOUNT, REGION) == {"!failed": []}


# Detective ---------------------------------------------------------------------------------------


def _members(*statuses: tuple[str, str]) -> dict[str, object]:
    return {
        "MemberDetails": [
            {"AccountId": account, "GraphArn": GRAPH, "Status": status, "EmailAddress": "a@b.c"}
            for account, status in statuses
        ]
    }


def test_detective_administrator_enrolls_its_members_and_members_own_no_graph(
    tmp_path: Path,
) -> None:
    """A member's coverage comes from the administrator's graph (ENROLLS), not from its own
    state: what the member runs itself is no graph at all."""
    third = "333333333333"
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION], third: [REGION]})
        .answer("detective", "list_graphs", {"GraphList": [{"Arn": GRAPH}]})
        .answer(
            "detective",
            "list_members",
            _members((MEMBER, "ENABLED"), (third, "INVITED")),
            key=GRAPH,
        )
        .answer("detective", "list_graphs", {"GraphList": []}, account_id=MEMBER)
        .answer("detective", "list_graphs", {"GraphList": []}, account_id=third)
        .open()
    )
    records = detective.transform(snap)
    admin = state(records, "DetectiveGraph")
    assert (admin["status"], admin["role"], admin["member_account_ids"]) == (
        "enabled",
        "administrator",
        [MEMBER],
    )
    assert (admin["org_status"], admin["org_resource"]) == ("configured", f"behavior graph {GRAPH}")
    enrolled = {
        row["target"]: row["props"]["enabled"]
        for row in records.rels[("ENROLLS", "DetectiveGraph", "Account")]
    }
    assert enrolled == {MEMBER: True, third: False}
    member = state(records, "DetectiveGraph", account_id=MEMBER)
    assert (member["status"], member["status_reason"]) == (
        "disabled",
        "no behavior graph of its own",
    )
    assert member["org_status"] == "not_configured"


def test_detective_member_list_that_failed_is_an_unknown_organization_view(
    tmp_path: Path,
) -> None:
    snap = (
        SnapshotBuilder(tmp_path)
        .answer("detective", "list_graphs", {"GraphList": [{"Arn": GRAPH}]})
        .fail("detective", "list_members", key=GRAPH)
        .open()
    )
    admin = state(detective.transform(snap), "DetectiveGraph")
    assert (admin["status"], admin["member_account_ids"]) == ("enabled", None)
    assert admin["org_status"] == "unknown"


def test_detective_collector_lists_members_of_owned_graphs(tmp_path: Path) -> None:
    """Stubber: moto does not implement Detective."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("detective")
    stub.add_response("list_graphs", {"GraphList": [{"Arn": GRAPH}]})
    stub.add_response(
        "list_members", _members((MEMBER, "ENABLED")), {"GraphArn": GRAPH, "MaxResults": 200}
    )
    detective.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert files[f"detective/list_members/{GRAPH}"]["MemberDetails"][0]["AccountId"] == MEMBER
