"""AWS Config: whether each account and region records its configuration, where it delivers, and
the aggregators defined there.

Only customer-managed recorders count: a service-linked recorder records what its service needs,
not the account's configuration.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    Answer,
    State,
    read_call,
    regional_scopes,
    state_records,
)
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "config"
CALLS = (
    "describe_configuration_recorders",
    "describe_configuration_recorder_status",
    "describe_configuration_aggregators",
    "describe_delivery_channels",
)


def collect(ctx: CallContext) -> None:
    for method in CALLS:
        ctx.call(CLIENT, method)


def _aggregators(answer: Answer) -> dict[str, Any]:
    if answer.data is None:
        return {}
    aggregators = answer.entries("ConfigurationAggregators")
    return {
        "aggregator_names": sorted(str(a["ConfigurationAggregatorName"]) for a in aggregators),
        "has_organization_aggregator": any(
            a.get("OrganizationAggregationSource") for a in aggregators
        ),
    }


def _delivery_buckets(answer: Answer) -> list[str] | None:
    if answer.data is None:
        return None
    return sorted(str(c["s3BucketName"]) for c in answer.entries("DeliveryChannels"))


def recorder_state(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[State, dict[str, Any]]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    props: dict[str, Any] = {
        "delivery_bucket_names": _delivery_buckets(call("describe_delivery_channels")),
        **_aggregators(call("describe_configuration_aggregators")),
    }
    listed = call("describe_configuration_recorders")
    if listed.data is None:
        return listed.unanswered(), props
    recorders = [
        r for r in listed.entries("ConfigurationRecorders") if not r.get("servicePrincipal")
    ]
    names = sorted(str(r["name"]) for r in recorders)
    props["recorder_names"] = names
    if not recorders:
        return State(DISABLED, "no configuration recorder"), props
    statuses = call("describe_configuration_recorder_status")
    if statuses.data is None:
        return statuses.unanswered(), props
    status_by_name = {str(s["name"]): s for s in statuses.entries("ConfigurationRecordersStatus")}
    recording = [r for r in recorders if status_by_name.get(r["name"], {}).get("recording")]
    groups = [r.get("recordingGroup") or {} for r in recording]
    props.update(
        recording_all_supported=any(g.get("allSupported") for g in groups),
        include_global_resource_types=any(g.get("includeGlobalResourceTypes") for g in groups),
        last_status=status_by_name.get(names[0], {}).get("lastStatus"),
    )
    if recording:
        return State(ENABLED, f"recorder {recording[0]['name']} recording"), props
    return State(DISABLED, f"recorder {', '.join(names)} not recording"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        regional_scopes(snapshot),
        "ConfigRecorder",
        service="config",
        title="AWS Config",
        read_state=recorder_state,
    )
