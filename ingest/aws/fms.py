"""AWS Firewall Manager: the organization's administrator and, seen from it, its policies.

Collected once, in the account that made the organization-wide calls. get_admin_account answers
ResourceNotFoundException when no administrator is set: that is "off", not a failure. Policies
are listed only when this account is the administrator (any other account is refused).
Firewall Manager policies are regional; these are the ones of the collecting session's region.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    State,
    organization_scope,
    read_call,
    state_records,
)
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "organization"
CLIENT = "fms"
NO_ADMINISTRATOR = ("ResourceNotFoundException",)


def collect(ctx: CallContext) -> None:
    admin = ctx.call(CLIENT, "get_admin_account", not_configured=NO_ADMINISTRATOR)
    if (admin or {}).get("AdminAccount") == ctx.account_id:
        ctx.call(CLIENT, "list_policies")


def admin_state(snapshot: Snapshot, account_id: str, region: str) -> tuple[State, dict[str, Any]]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    admin = call("get_admin_account")
    if admin.item is None:
        return admin.unanswered(absent=State(DISABLED, "no Firewall Manager administrator")), {}
    admin_account = admin.item.optional_string("AdminAccount")
    role_status = admin.item.optional_string("RoleStatus")
    props: dict[str, Any] = {"admin_account_id": admin_account, "role_status": role_status}
    policies = call("list_policies")
    if policies.item is not None:
        listed = policies.entries("PolicyList")
        props["policy_names"] = sorted(p.string("PolicyName") for p in listed)
        props["policy_types"] = sorted({p.string("SecurityServiceType") for p in listed})
    reason = f"administrator {admin_account} role status {role_status}"
    return State(ENABLED if role_status == "READY" else DISABLED, reason), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        organization_scope(snapshot),
        "FirewallManagerAdmin",
        service="firewall-manager",
        title="Firewall Manager",
        read_state=admin_state,
    )
