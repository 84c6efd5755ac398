"""Amazon Macie: the Macie session of each account and region.

Macie answers get_macie_session with AccessDeniedException "Macie is not enabled." when it is
off, the same error code as a permission denial. The collector records it like any failure (the
snapshot keeps AWS's answer); the transform reads that message as "disabled" and every other
failure as unknown.
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
CLIENT = "macie2"
NO_SESSION = ("ResourceNotFoundException",)
NOT_ENABLED_MESSAGE = "macie is not enabled"


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "get_macie_session", not_configured=NO_SESSION)


def session_state(snapshot: Snapshot, account_id: str, region: str) -> tuple[State, dict[str, Any]]:
    answer = read_call(snapshot, account_id, region, CLIENT, "get_macie_session")
    failure = answer.failure
    if (
        failure is not None
        and failure.error_code == "AccessDeniedException"
        and NOT_ENABLED_MESSAGE in failure.message.lower()
    ):
        return State(DISABLED, "Macie is not enabled"), {}
    if answer.item is None:
        return answer.unanswered(absent=State(DISABLED, "no Macie session")), {}
    status = answer.item.optional_string("status")
    props = {
        "session_status": status,
        "finding_publishing_frequency": answer.item.optional_string("findingPublishingFrequency"),
    }
    return State(ENABLED if status == "ENABLED" else DISABLED, f"session {status}"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "MacieSession",
        service="macie",
        title="Macie",
        read_state=session_state,
    )
