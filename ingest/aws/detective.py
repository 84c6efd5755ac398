"""Amazon Detective: the behavior graph each account and region runs or contributes to.

Only the administrator account owns a behavior graph (list_graphs); member accounts are found in
the administrator's member list. A member whose administrator is not in the snapshot cannot be
seen as a member, and the status reason says so.
"""

from __future__ import annotations

from functools import partial
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
CLIENT = "detective"
MAX_MEMBERS_PER_PAGE = 200  # list_members has no paginator; ask for the largest page

Memberships = dict[tuple[str, str], str]  # (member account, region) -> behavior graph ARN


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


def _enabled_members(snapshot: Snapshot, account_id: str, region: str, graph_arn: str) -> list[str]:
    members = read_call(snapshot, account_id, region, CLIENT, "list_members", graph_arn)
    return sorted(
        member.string("AccountId")
        for member in members.entries("MemberDetails")
        if member.optional_string("Status") == "ENABLED"
        and member.string("AccountId") != account_id
    )


def memberships(snapshot: Snapshot) -> Memberships:
    """Which graph each member account belongs to, from the administrators' member lists."""
    found: Memberships = {}
    for account_id, region in account_regions(snapshot):
        graphs = read_call(snapshot, account_id, region, CLIENT, "list_graphs")
        for graph in graphs.entries("GraphList"):
            graph_arn = graph.string("Arn")
            for member in _enabled_members(snapshot, account_id, region, graph_arn):
                found[(member, region)] = graph_arn
    return found


def graph_state(
    snapshot: Snapshot, account_id: str, region: str, *, members_of: Memberships
) -> tuple[State, dict[str, Any]]:
    graphs = read_call(snapshot, account_id, region, CLIENT, "list_graphs")
    if graphs.item is None:
        return graphs.unanswered(), {}
    owned = graphs.entries("GraphList")
    if owned:
        arn = owned[0].string("Arn")
        props = {
            "graph_arn": arn,
            "role": "administrator",
            "member_account_ids": _enabled_members(snapshot, account_id, region, arn),
        }
        return State(ENABLED, f"administrator of behavior graph {arn}"), props
    graph_arn = members_of.get((account_id, region))
    if graph_arn is not None:
        props = {"graph_arn": graph_arn, "role": "member"}
        return State(ENABLED, f"enabled member of behavior graph {graph_arn}"), props
    reason = "no behavior graph, and no administrator in the snapshot lists it as a member"
    return State(DISABLED, reason), {}


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "DetectiveGraph",
        service="detective",
        title="Detective",
        read_state=partial(graph_state, members_of=memberships(snapshot)),
    )
