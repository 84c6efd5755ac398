"""Amazon Detective: the behavior graph each account and region runs, and whom it covers.

Only the administrator account owns a behavior graph (list_graphs); its member list
(list_members) says which accounts the graph covers. That is the organization scope: the
administrator's state carries the organization view (configured where it owns a graph) and
ENROLLS relationships to its members, a member counting when its status is ENABLED. A member's
own state says only what the member runs itself (no graph of its own: disabled); coverage weighs
both.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    Answer,
    Enrollment,
    OrgView,
    State,
    read_call,
    state_records,
    unread_view,
)
from ingest.aws._shapes import account_regions
from ingest.aws.organizations import organization_members
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords
from kg.model.security_services import ORG_CONFIGURED, ORG_NOT_CONFIGURED, ZONE_ADMINISTERED

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "detective"
MAX_MEMBERS_PER_PAGE = 200  # list_members has no paginator; ask for the largest page
ENABLED_MEMBER = "ENABLED"  # the Status of a member whose data the graph ingests


def collect(ctx: CallContext) -> None:
    graphs = ctx.call(CLIENT, "list_graphs")
    for graph in (graphs or {}).get("GraphList", []):
        ctx.call(
            CLIENT,
            "list_members",
            graph["Arn"],
            GraphArn=graph["Arn"],
            MaxResults=MAX_MEMBERS_PER_PAGE,
        )


def _members(answer: Answer, account_id: str) -> list[Enrollment]:
    return [
        Enrollment(
            member.string("AccountId"),
            member.optional_string("Status") == ENABLED_MEMBER,
            member.optional_string("Status") or "unknown",
        )
        for member in answer.entries("MemberDetails")
        if member.string("AccountId") != account_id
    ]


Owned = tuple[str, Answer] | None  # the graph the account owns and its member list


def _owned(snapshot: Snapshot, account_id: str, region: str) -> tuple[Answer, Owned]:
    """The account's list_graphs answer, and the graph it owns (if any) with its members."""
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    graphs = call("list_graphs")
    owned = graphs.entries("GraphList")
    if not owned:
        return graphs, None
    arn = owned[0].string("Arn")
    return graphs, (arn, call("list_members", arn))


def enrolled_members(snapshot: Snapshot, account_id: str, region: str) -> list[Enrollment]:
    owned = _owned(snapshot, account_id, region)[1]
    return _members(owned[1], account_id) if owned else []


def _organization_view(owned: Owned, account_id: str) -> OrgView:
    if owned is None:
        return OrgView(ORG_NOT_CONFIGURED, "owns no behavior graph")
    arn, members = owned
    if members.item is None:
        return unread_view(members.unanswered())
    enabled = sum(m.enabled for m in _members(members, account_id))
    reason = f"administrator of the behavior graph, {enabled} enabled members"
    return OrgView(ORG_CONFIGURED, reason, f"behavior graph {arn}", ZONE_ADMINISTERED)


def graph_state(snapshot: Snapshot, account_id: str, region: str) -> tuple[State, dict[str, Any]]:
    graphs, owned = _owned(snapshot, account_id, region)
    if graphs.item is None:
        state = graphs.unanswered()
        return state, unread_view(state).props()
    view = _organization_view(owned, account_id).props()
    if owned is None:
        return State(DISABLED, "no behavior graph of its own"), view
    arn, members = owned
    enrolled = _members(members, account_id) if members.item is not None else None
    props = {
        "graph_arn": arn,
        "role": "administrator",
        "member_account_ids": None
        if enrolled is None
        else sorted(m.account_id for m in enrolled if m.enabled),
        **view,
    }
    return State(ENABLED, f"administrator of behavior graph {arn}"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "DetectiveGraph",
        service="detective",
        title="Detective",
        read_state=graph_state,
        read_enrollments=enrolled_members,
        members=organization_members(snapshot),
    )
