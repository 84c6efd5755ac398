"""IAM Access Analyzer: the analyzers of each account and region.

The control is external-access analysis: an ACTIVE analyzer of type ACCOUNT or ORGANIZATION.
Unused-access and internal-access analyzers are recorded but do not make it enabled. An
organization analyzer lives in the management or delegated administrator account; coverage of
member accounts through it is the coverage engine's inference, not this node's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
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
CLIENT = "accessanalyzer"
EXTERNAL_ACCESS_TYPES = ("ACCOUNT", "ORGANIZATION")


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "list_analyzers")


def analyzer_state(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[State, dict[str, Any]]:
    listed = read_call(snapshot, account_id, region, CLIENT, "list_analyzers")
    if listed.item is None:
        return listed.unanswered(), {}
    active = [a for a in listed.entries("analyzers") if a.optional_string("status") == "ACTIVE"]
    types = sorted({a.string("type") for a in active})
    props = {
        "analyzer_names": sorted(a.string("name") for a in active),
        "analyzer_types": types,
        "has_organization_analyzer": "ORGANIZATION" in types,
        "has_unused_access_analyzer": any(t.endswith("_UNUSED_ACCESS") for t in types),
    }
    for analyzer in active:
        if analyzer.string("type") in EXTERNAL_ACCESS_TYPES:
            reason = f"analyzer {analyzer.string('name')} ({analyzer.string('type')}) ACTIVE"
            return State(ENABLED, reason), props
    return State(DISABLED, "no ACTIVE external-access analyzer"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "AccessAnalyzerStatus",
        service="access-analyzer",
        title="IAM Access Analyzer",
        read_state=analyzer_state,
    )
