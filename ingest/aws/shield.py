"""AWS Shield Advanced: whether each account subscribes (account-wide)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    State,
    account_scopes,
    read_call,
    state_records,
)
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "account"
CLIENT = "shield"


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "get_subscription_state")


def subscription_state(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[State, dict[str, Any]]:
    answer = read_call(snapshot, account_id, region, CLIENT, "get_subscription_state")
    if answer.item is None:
        return answer.unanswered(), {}
    state = answer.item.optional_string("SubscriptionState")
    status = ENABLED if state == "ACTIVE" else DISABLED
    return State(status, f"subscription {state}"), {"subscription_state": state}


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_scopes(snapshot),
        "ShieldSubscription",
        service="shield",
        title="Shield Advanced",
        read_state=subscription_state,
    )
