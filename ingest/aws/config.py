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
    state_records,
)
from ingest.aws._shapes import account_regions
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
    if answer.item is None:
        return {}
    aggregators = answer.entries("ConfigurationAggregators")
    return {
        "aggregator_names": sorted(a.string("ConfigurationAggregatorName") for a in aggregators),
        "has_organization_aggregator": any(
            a.child("OrganizationAggregationSource").data for a in aggregators
        ),
    }


def _delivery_buckets(answer: Answer) -> list[str] | None:
    if answer.item is None:
        return None
    return sorted(c.string("s3BucketName") for c in answer.entries("DeliveryChannels"))


def recorder_state(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[State, dict[str, Any]]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    props: dict[str, Any] = {
        "delivery_bucket_names": _delivery_buckets(call("describe_delivery_channels")),
        **_aggregators(call("describe_configuration_aggregators")),
    }
    listed = call("describe_configuration_recorders")
    if listed.item is None:
        return listed.unanswered(), props
    recorders = {
        r.string("name"): r
        for r in listed.entries("ConfigurationRecorders")
        if not r.optional_string("servicePrincipal")
    }
    names = sorted(recorders)
    props["recorder_names"] = names
    if not recorders:
        return State(DISABLED, "no configuration recorder"), props
    statuses = call("describe_configuration_recorder_status")
    if statuses.item is None:
        return statuses.unanswered(), props
    status_by_name = {s.string("name"): s for s in statuses.entries("ConfigurationRecordersStatus")}
    recording = [n for n in names if n in status_by_name and status_by_name[n].flag("recording")]
    groups = [recorders[n].child("recordingGroup") for n in recording]
    first = status_by_name.get(names[0])
    props.update(
        recording_all_supported=any(g.flag("allSupported") for g in groups),
        include_global_resource_types=any(g.flag("includeGlobalResourceTypes") for g in groups),
        last_status=first.optional_string("lastStatus") if first is not None else None,
    )
    if recording:
        return State(ENABLED, f"recorder {recording[0]} recording"), props
    return State(DISABLED, f"recorder {', '.join(names)} not recording"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "ConfigRecorder",
        service="config",
        title="AWS Config",
        read_state=recorder_state,
    )
