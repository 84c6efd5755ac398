"""Amazon Inspector: scanning status of each account and region per resource type, the
organization's delegated administrator, and (seen from that administrator) auto-enable.

get_delegated_admin_account answers only the management account and the administrator itself;
elsewhere its failure is recorded and leaves the administrator unknown, not the scanning status.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    UNKNOWN,
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
CLIENT = "inspector2"
NO_ADMINISTRATOR = ("ResourceNotFoundException",)
# resourceState field -> node property
RESOURCE_TYPES = {
    "ec2": "ec2_status",
    "ecr": "ecr_status",
    "lambda": "lambda_status",
    "lambdaCode": "lambda_code_status",
}


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "batch_get_account_status", accountIds=[ctx.account_id])
    admin = ctx.call(CLIENT, "get_delegated_admin_account", not_configured=NO_ADMINISTRATOR)
    if (admin or {}).get("delegatedAdmin", {}).get("accountId") == ctx.account_id:
        ctx.call(CLIENT, "describe_organization_configuration")


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
    return props


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
    )
