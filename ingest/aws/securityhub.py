"""AWS Security Hub: the hub of each account and region, its enabled standards, and the
organization configuration where the account can see it.

Security Hub answers InvalidAccessException when the account is not subscribed, and to
organization calls from an account that is not the management account or the administrator. Both
are the account's setup, not failures, so they are collected as "not configured": no file and no
failure for describe_hub in a collected region means Security Hub is off there.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    Answer,
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
CLIENT = "securityhub"
NOT_SUBSCRIBED = ("InvalidAccessException",)


def collect(ctx: CallContext) -> None:
    hub = ctx.call(CLIENT, "describe_hub", not_configured=NOT_SUBSCRIBED)
    if hub is not None:
        ctx.call(CLIENT, "get_enabled_standards")
        ctx.call(CLIENT, "describe_organization_configuration", not_configured=NOT_SUBSCRIBED)
    ctx.call(CLIENT, "list_organization_admin_accounts", not_configured=NOT_SUBSCRIBED)


def _delegated_admins(answer: Answer) -> list[str] | None:
    if answer.item is None:
        return None
    return sorted(
        admin.string("AccountId")
        for admin in answer.entries("AdminAccounts")
        if admin.optional_string("Status") == "ENABLED"
    )


def _standards(answer: Answer) -> list[str] | None:
    if answer.item is None:
        return None
    return sorted(
        sub.string("StandardsArn")
        for sub in answer.entries("StandardsSubscriptions")
        if sub.optional_string("StandardsStatus") == "READY"
    )


def _organization_configuration(answer: Answer) -> dict[str, Any]:
    if answer.item is None:
        return {}
    return {
        "org_auto_enable": answer.item.optional_bool("AutoEnable"),
        "org_auto_enable_standards": answer.item.optional_string("AutoEnableStandards"),
        "org_configuration_type": answer.item.child("OrganizationConfiguration").optional_string(
            "ConfigurationType"
        ),
    }


def hub_state(snapshot: Snapshot, account_id: str, region: str) -> tuple[State, dict[str, Any]]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    props: dict[str, Any] = {
        "delegated_admin_account_ids": _delegated_admins(call("list_organization_admin_accounts"))
    }
    hub = call("describe_hub")
    if hub.item is None:
        return hub.unanswered(absent=State(DISABLED, "not subscribed to Security Hub")), props
    hub_arn = hub.item.string("HubArn")
    props.update(
        hub_arn=hub_arn,
        subscribed_at=hub.item.optional_string("SubscribedAt"),
        auto_enable_controls=hub.item.optional_bool("AutoEnableControls"),
        enabled_standards=_standards(call("get_enabled_standards")),
        **_organization_configuration(call("describe_organization_configuration")),
    )
    return State(ENABLED, f"hub {hub_arn}"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "SecurityHub",
        service="securityhub",
        title="Security Hub",
        read_state=hub_state,
    )
