"""IAM Access Analyzer: the analyzers of each account and region.

The control is external-access analysis: an ACTIVE analyzer of type ACCOUNT or ORGANIZATION.
Unused-access and internal-access analyzers are recorded but do not make it enabled. An
organization analyzer lives in the management or delegated administrator account; its zone of
trust is the whole organization, so the state's organization view (zone organization) covers
every member in that region: coverage weighs it with each member's own analyzers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    OrgView,
    State,
    read_call,
    state_records,
    unread_view,
)
from ingest.aws._shapes import account_regions
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords
from kg.model.security_services import ORG_CONFIGURED, ORG_NOT_CONFIGURED, ZONE_ORGANIZATION

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
        state = listed.unanswered()
        return state, unread_view(state).props()
    active = [a for a in listed.entries("analyzers") if a.optional_string("status") == "ACTIVE"]
    types = sorted({a.string("type") for a in active})
    organization = [a for a in active if a.string("type") == "ORGANIZATION"]
    if organization:
        arn = organization[0].string("arn")
        view = OrgView(
            ORG_CONFIGURED, "ACTIVE organization analyzer", f"analyzer {arn}", ZONE_ORGANIZATION
        )
    else:
        view = OrgView(ORG_NOT_CONFIGURED, "no ACTIVE organization analyzer")
    props = {
        "analyzer_names": sorted(a.string("name") for a in active),
        "analyzer_types": types,
        "has_organization_analyzer": bool(organization),
        "has_unused_access_analyzer": any(t.endswith("_UNUSED_ACCESS") for t in types),
        **view.props(),
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
