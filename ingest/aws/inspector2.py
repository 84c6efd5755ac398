"""Amazon Inspector: scanning status of each account and region per resource type, the
organization's delegated administrator, and (seen from that administrator) auto-enable.

get_delegated_admin_account answers only the management account and the administrator itself;
elsewhere its failure is recorded and leaves the administrator unknown, not the scanning status.

The administrator also lists its members (list_members, every relationship status) and reads
their scanning status (batch_get_account_status in batches of members): the state's
organization view and its ENROLLS relationships, each with the resource types scanned for that
member, so a member's Inspector coverage can be graded from the organization's side too.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    UNKNOWN,
    Answer,
    Enrollment,
    OrgView,
    State,
    read_call,
    state_records,
    unanswered_view,
    unread_view,
)
from ingest.aws._shapes import Item, account_regions
from ingest.aws.organizations import organization_members
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords
from kg.model.security_services import ORG_CONFIGURED, ORG_NOT_CONFIGURED, ZONE_MEMBERS

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "inspector2"
NO_ADMINISTRATOR = ("ResourceNotFoundException",)
# resourceState field -> node property
RESOURCE_TYPES = {
    "ec2": "ec2_status",
    "ecr": "ecr_status",
    "lambda": "lambda_status",
    "lambdaCode": "lambda_code_status",
}
ENABLED_MEMBER = "ENABLED"  # the relationshipStatus of a member the administrator runs
STATUS_BATCH = 10  # accounts per batch_get_account_status call for the members


def _batches(account_ids: list[str]) -> list[tuple[str, list[str]]]:
    """The members' status calls: each batch with its snapshot key."""
    ordered = sorted(account_ids)
    return [
        (f"members-{n}", ordered[i : i + STATUS_BATCH])
        for n, i in enumerate(range(0, len(ordered), STATUS_BATCH))
    ]


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "batch_get_account_status", accountIds=[ctx.account_id])
    admin = ctx.call(CLIENT, "get_delegated_admin_account", not_configured=NO_ADMINISTRATOR)
    if (admin or {}).get("delegatedAdmin", {}).get("accountId") == ctx.account_id:
        ctx.call(CLIENT, "describe_organization_configuration")
        members = ctx.call(CLIENT, "list_members", onlyAssociated=False)
        enabled = [
            m["accountId"]
            for m in (members or {}).get("members", [])
            if m.get("relationshipStatus") == ENABLED_MEMBER
        ]
        for key, batch in _batches(enabled):
            ctx.call(CLIENT, "batch_get_account_status", key, accountIds=batch)


def _scanned(account: Item) -> list[str]:
    """The resource types Inspector scans for the account (status ENABLED)."""
    resource_state = account.child("resourceState")
    return sorted(
        field
        for field in RESOURCE_TYPES
        if resource_state.child(field).optional_string("status") == "ENABLED"
    )


def _organization_view(account_id: str, admin: Answer, members: Answer) -> OrgView:
    """Configured in the administrator (as get_delegated_admin_account names it)."""
    not_admin = State(DISABLED, "no Inspector administrator")
    if admin.item is None:
        return unanswered_view(admin, not_admin)
    delegated = admin.item.child("delegatedAdmin").optional_string("accountId")
    if delegated != account_id:
        return OrgView(ORG_NOT_CONFIGURED, f"the Inspector administrator is {delegated}")
    if members.item is None:
        return unread_view(members.unanswered())
    enabled = [
        m
        for m in members.entries("members")
        if m.optional_string("relationshipStatus") == ENABLED_MEMBER
    ]
    reason = f"Inspector administrator, {len(enabled)} enabled members"
    return OrgView(ORG_CONFIGURED, reason, f"Inspector administrator {account_id}", ZONE_MEMBERS)


def _organization_props(snapshot: Snapshot, account_id: str, region: str) -> dict[str, Any]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    props: dict[str, Any] = {}
    admin = call("get_delegated_admin_account")
    if admin.item is not None:
        delegated = admin.item.child("delegatedAdmin")
        props["delegated_admin_account_id"] = delegated.optional_string("accountId")
    config = call("describe_organization_configuration")
    if config.item is not None:
        auto_enable = config.item.child("autoEnable")
        props["org_auto_enable_resource_types"] = sorted(
            name for name in auto_enable.data if auto_enable.flag(name)
        )
    props.update(_organization_view(account_id, admin, call("list_members")).props())
    return props


def enrolled_members(snapshot: Snapshot, account_id: str, region: str) -> list[Enrollment]:
    """The administrator's members, each with the resource types it reports scanned for it
    (None when the member's status was not read)."""
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    members = call("list_members").entries("members")
    statuses = {
        m.string("accountId"): m.optional_string("relationshipStatus") or "unknown" for m in members
    }
    enabled = [a for a, status in statuses.items() if status == ENABLED_MEMBER]
    scanned: dict[str, list[str]] = {}
    for key, _ in _batches(enabled):
        for account in call("batch_get_account_status", key).entries("accounts"):
            scanned[account.string("accountId")] = _scanned(account)
    return [
        Enrollment(member, status == ENABLED_MEMBER, status, scanned.get(member))
        for member, status in statuses.items()
    ]


def inspector_state(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[State, dict[str, Any]]:
    props = _organization_props(snapshot, account_id, region)
    answer = read_call(snapshot, account_id, region, CLIENT, "batch_get_account_status")
    if answer.item is None:
        return answer.unanswered(), props
    for failed in answer.entries("failedAccounts"):
        if failed.optional_string("accountId") == account_id:
            return State(UNKNOWN, f"{failed.optional_string('errorCode')} on {answer.call}"), props
    mine = [a for a in answer.entries("accounts") if a.optional_string("accountId") == account_id]
    if not mine:
        return State(UNKNOWN, f"{answer.call} did not report this account"), props
    resource_state = mine[0].child("resourceState")
    for field, prop in RESOURCE_TYPES.items():
        props[prop] = resource_state.child(field).optional_string("status")
    props["enabled_features"] = _scanned(mine[0])
    status = mine[0].child("state").optional_string("status")
    return State(ENABLED if status == "ENABLED" else DISABLED, f"account status {status}"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "InspectorStatus",
        service="inspector",
        title="Inspector",
        read_state=inspector_state,
        read_enrollments=enrolled_members,
        members=organization_members(snapshot),
    )
