"""Amazon Macie: the Macie session of each account and region, and its bucket inventory.

Macie answers get_macie_session with AccessDeniedException "Macie is not enabled." when it is
off, the same error code as a permission denial. The collector records it like any failure (the
snapshot keeps AWS's answer); the transform reads that message as "disabled" and every other
failure as unknown.

Where Macie is on, describe_buckets lists the region's buckets it inventories (a Macie
administrator sees its members' buckets too) with their sensitivity score: -1 when Macie could
not classify the bucket, 1 to 49 not sensitive, 50 not yet analyzed, 51 to 100 sensitive (100
also when someone set it by hand). The S3 transform puts the score on the bucket node.

Where Macie is on, list_members names the accounts it administers (every relationship status;
none outside the administrator): the state's organization view and its ENROLLS relationships,
a member counting when its relationship is Enabled.
"""

from __future__ import annotations

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
    unanswered_view,
    unread_view,
)
from ingest.aws._shapes import account_regions, listed
from ingest.aws.organizations import organization_members
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords
from kg.model.security_services import ORG_CONFIGURED, ORG_NOT_CONFIGURED, ZONE_MEMBERS

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "macie2"
NO_SESSION = ("ResourceNotFoundException",)
NOT_ENABLED_MESSAGE = "macie is not enabled"
_OFF = OrgView(ORG_NOT_CONFIGURED, "Macie is not enabled").props()
ENABLED_MEMBER = "Enabled"  # the relationshipStatus of a member the administrator runs


def collect(ctx: CallContext) -> None:
    session = ctx.call(CLIENT, "get_macie_session", not_configured=NO_SESSION)
    if (session or {}).get("status") == "ENABLED":
        ctx.call(CLIENT, "describe_buckets")
        ctx.call(CLIENT, "list_members", onlyAssociated="false")


def bucket_sensitivity(snapshot: Snapshot) -> dict[str, int]:
    """Macie's sensitivity score of every bucket it inventories, by bucket name (the highest
    when several accounts report one bucket)."""
    scores: dict[str, int] = {}
    for account_id, region in account_regions(snapshot):
        for bucket in listed(snapshot, account_id, region, CLIENT, "describe_buckets", "buckets"):
            score = bucket.optional_int("sensitivityScore")
            name = bucket.string("bucketName")
            if score is not None and score > scores.get(name, -2):
                scores[name] = score
    return scores


def _members(answer: Answer) -> list[Enrollment]:
    return [
        Enrollment(
            member.string("accountId"),
            member.optional_string("relationshipStatus") == ENABLED_MEMBER,
            member.optional_string("relationshipStatus") or "unknown",
        )
        for member in answer.entries("members")
    ]


def enrolled_members(snapshot: Snapshot, account_id: str, region: str) -> list[Enrollment]:
    return _members(read_call(snapshot, account_id, region, CLIENT, "list_members"))


def _organization_view(account_id: str, members: Answer) -> OrgView:
    """Configured where Macie administers members (any listed member)."""
    if members.item is None:
        return unread_view(members.unanswered())
    listed_members = _members(members)
    if not listed_members:
        return OrgView(ORG_NOT_CONFIGURED, "administers no Macie members")
    enabled = sum(m.enabled for m in listed_members)
    reason = f"Macie administrator, {enabled} enabled members"
    return OrgView(ORG_CONFIGURED, reason, f"Macie administrator {account_id}", ZONE_MEMBERS)


def session_state(snapshot: Snapshot, account_id: str, region: str) -> tuple[State, dict[str, Any]]:
    answer = read_call(snapshot, account_id, region, CLIENT, "get_macie_session")
    failure = answer.failure
    if (
        failure is not None
        and failure.error_code == "AccessDeniedException"
        and NOT_ENABLED_MESSAGE in failure.message.lower()
    ):
        return State(DISABLED, "Macie is not enabled"), _OFF
    if answer.item is None:
        absent = State(DISABLED, "no Macie session")
        return answer.unanswered(absent), unanswered_view(answer, absent).props()
    status = answer.item.optional_string("status")
    members = read_call(snapshot, account_id, region, CLIENT, "list_members")
    off = OrgView(ORG_NOT_CONFIGURED, f"session {status}")
    props = {
        "session_status": status,
        "finding_publishing_frequency": answer.item.optional_string("findingPublishingFrequency"),
        **(_organization_view(account_id, members) if status == "ENABLED" else off).props(),
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
        read_enrollments=enrolled_members,
        members=organization_members(snapshot),
    )
