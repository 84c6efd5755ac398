"""AWS Config recording and IAM Access Analyzer: what counts as on, off and unknown.

Config collects against moto; Access Analyzer against botocore's Stubber (moto does not implement
it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from ingest.aws import accessanalyzer, config
from tests.unit.ingest.security_snapshot import (
    MANAGEMENT,
    MOTO_ACCOUNT,
    OTHER_REGION,
    REGION,
    SnapshotBuilder,
    collected,
    moto_context,
    state,
    stubbed_context,
)


def _recorder(name: str = "default", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "roleARN": f"arn:aws:iam::{MANAGEMENT}:role/config",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        **extra,
    }


def _recorders(*recorders: dict[str, Any]) -> dict[str, Any]:
    return {"ConfigurationRecorders": list(recorders)}


def _statuses(**recording: bool) -> dict[str, Any]:
    return {
        "ConfigurationRecordersStatus": [
            {"name": name, "recording": on, "lastStatus": "SUCCESS" if on else "PENDING"}
            for name, on in recording.items()
        ]
    }


# AWS Config --------------------------------------------------------------------------------------


def test_config_recording_with_delivery_and_an_organization_aggregator(tmp_path: Path) -> None:
    aggregators = {
        "ConfigurationAggregators": [
            {
                "ConfigurationAggregatorName": "org",
                "ConfigurationAggregatorArn": "arn:aws:config:us-east-1:1:config-aggregator/x",
                "OrganizationAggregationSource": {"RoleArn": "r", "AllAwsRegions": True},
            }
        ]
    }
    snap = (
        SnapshotBuilder(tmp_path)
        .answer("config", "describe_configuration_recorders", _recorders(_recorder()))
        .answer("config", "describe_configuration_recorder_status", _statuses(default=True))
        .answer("config", "describe_configuration_aggregators", aggregators)
        .answer(
            "config",
            "describe_delivery_channels",
            {"DeliveryChannels": [{"name": "default", "s3BucketName": "config-logs"}]},
        )
        .open()
    )
    recorder = state(config.transform(snap), "ConfigRecorder")
    assert (recorder["status"], recorder["status_reason"]) == (
        "enabled",
        "recorder default recording",
    )
    assert recorder["recording_all_supported"] is True
    assert recorder["include_global_resource_types"] is True
    assert recorder["delivery_bucket_names"] == ["config-logs"]
    assert (recorder["aggregator_names"], recorder["has_organization_aggregator"]) == (
        ["org"],
        True,
    )


def test_config_stopped_missing_or_service_linked_only_is_disabled(tmp_path: Path) -> None:
    regions = [REGION, OTHER_REGION, "ap-south-1"]
    service_linked = _recorder(
        "AWSConfigurationRecorderForSecurityHub", servicePrincipal="securityhub.amazonaws.com"
    )
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: regions})
        .answer("config", "describe_configuration_recorders", _recorders(_recorder()))
        .answer("config", "describe_configuration_recorder_status", _statuses(default=False))
        .answer("config", "describe_configuration_recorders", _recorders(), region=OTHER_REGION)
        .answer(
            "config",
            "describe_configuration_recorders",
            _recorders(service_linked),
            region="ap-south-1",
        )
        .open()
    )
    records = config.transform(snap)
    reasons = {r: state(records, "ConfigRecorder", region=r)["status_reason"] for r in regions}
    assert reasons == {
        REGION: "recorder default not recording",
        OTHER_REGION: "no configuration recorder",
        "ap-south-1": "no configuration recorder",
    }
    assert {state(records, "ConfigRecorder", region=r)["status"] for r in regions} == {"disabled"}


def test_config_failed_status_call_is_unknown(tmp_path: Path) -> None:
    snap = (
        SnapshotBuilder(tmp_path)
        .answer("config", "describe_configuration_recorders", _recorders(_recorder()))
        .fail("config", "describe_configuration_recorder_status")
        .fail("config", "describe_configuration_aggregators")
        .open()
    )
    recorder = state(config.transform(snap), "ConfigRecorder")
    assert recorder["status"] == "unknown"
    assert recorder["status_reason"] == (
        "AccessDeniedException on config.describe_configuration_recorder_status"
    )
    assert "aggregator_names" not in recorder  # not observed: absent, not an empty list


def test_config_collector_against_moto(tmp_path: Path) -> None:
    with mock_aws():
        client = boto3.client("config", region_name=REGION)
        client.put_configuration_recorder(
            ConfigurationRecorder={
                "name": "default",
                "roleARN": f"arn:aws:iam::{MOTO_ACCOUNT}:role/config",
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
            }
        )
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="config-logs-kg")
        client.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": "config-logs-kg"}
        )
        client.start_configuration_recorder(ConfigurationRecorderName="default")
        ctx, writer = moto_context(tmp_path)
        # moto implements neither describe_organization_config_rules nor a conformance pack
        # list without names: the organization calls run against botocore's Stubber
        # (test_organization_views).
        config.collect_account(ctx)
    files = collected(writer, MOTO_ACCOUNT, REGION)
    status = files["config/describe_configuration_recorder_status"]
    assert status["ConfigurationRecordersStatus"][0]["recording"] is True
    assert files["config/describe_delivery_channels"]["DeliveryChannels"][0]["name"] == "default"
    assert files["config/describe_configuration_aggregators"] == {"ConfigurationAggregators": []}
    assert files["!failed"] == []


# IAM Access Analyzer -----------------------------------------------------------------------------


def _analyzer(name: str, kind: str, status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "arn": f"arn:aws:access-analyzer:{REGION}:{MANAGEMENT}:analyzer/{name}",
        "name": name,
        "type": kind,
        "status": status,
        "createdAt": "2026-01-01T00:00:00Z",
    }


def test_access_analyzer_counts_only_active_external_access_analyzers(tmp_path: Path) -> None:
    regions = [REGION, OTHER_REGION, "ap-south-1"]
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: regions})
        .answer(
            "accessanalyzer",
            "list_analyzers",
            {
                "analyzers": [
                    _analyzer("org", "ORGANIZATION"),
                    _analyzer("unused", "ACCOUNT_UNUSED_ACCESS"),
                ]
            },
        )
        .answer(
            "accessanalyzer",
            "list_analyzers",
            {
                "analyzers": [
                    _analyzer("unused", "ACCOUNT_UNUSED_ACCESS"),
                    _analyzer("old", "ACCOUNT", "DISABLED"),
                ]
            },
            region=OTHER_REGION,
        )
        .fail("accessanalyzer", "list_analyzers", region="ap-south-1")
        .open()
    )
    records = accessanalyzer.transform(snap)
    org = state(records, "AccessAnalyzerStatus")
    assert (org["status"], org["status_reason"]) == (
        "enabled",
        "analyzer org (ORGANIZATION) ACTIVE",
    )
    assert (org["has_organization_analyzer"], org["has_unused_access_analyzer"]) == (True, True)
    unused_only = state(records, "AccessAnalyzerStatus", region=OTHER_REGION)
    assert unused_only["status"] == "disabled"
    assert unused_only["analyzer_types"] == ["ACCOUNT_UNUSED_ACCESS"]
    assert state(records, "AccessAnalyzerStatus", region="ap-south-1")["status"] == "unknown"


def test_access_analyzer_collector(tmp_path: Path) -> None:
    """Stubber: moto does not implement IAM Access Analyzer."""
    ctx, session, writer = stubbed_context(tmp_path)
    session.stub("accessanalyzer").add_response(
        "list_analyzers", {"analyzers": [_analyzer("acct", "ACCOUNT")]}
    )
    accessanalyzer.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert files["accessanalyzer/list_analyzers"]["analyzers"][0]["type"] == "ACCOUNT"
