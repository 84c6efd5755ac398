"""Amazon GuardDuty: the detector of each account and region, its features, and the organization
configuration where the account can see it.

GuardDuty allows one detector per account and region. Organization calls answer
BadRequestException to an account that is not the management account (list of delegated
administrators) or the delegated administrator (auto-enable configuration): that is the account's
role in the organization, so it is collected as "not configured" rather than as a failure.

The administrator's detector is the organization's GuardDuty in its region: its auto-enable
configuration and its member list (list_members, every relationship status) make the state's
organization view and its ENROLLS relationships; a member counts when its relationship is
Enabled.
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
CLIENT = "guardduty"
NOT_ORGANIZATION_ROLE = ("BadRequestException",)
ENABLED_MEMBER = "Enabled"  # the RelationshipStatus of a member the administrator runs


def collect(ctx: CallContext) -> None:
    listed = ctx.call(CLIENT, "list_detectors")
    for detector_id in (listed or {}).get("DetectorIds", []):
        ctx.call(CLIENT, "get_detector", detector_id, DetectorId=detector_id)
        ctx.call(
            CLIENT,
            "describe_organization_configuration",
            detector_id,
            not_configured=NOT_ORGANIZATION_ROLE,
            DetectorId=detector_id,
        )
        ctx.call(
            CLIENT, "list_members", detector_id, DetectorId=detector_id, OnlyAssociated="false"
        )
    ctx.call(CLIENT, "list_organization_admin_accounts", not_configured=NOT_ORGANIZATION_ROLE)


def _delegated_admins(answer: Answer) -> list[str] | None:
    if answer.item is None:
        return None
    return sorted(
        admin.string("AdminAccountId")
        for admin in answer.entries("AdminAccounts")
        if admin.optional_string("AdminStatus") == "ENABLED"
    )


def _organization_configuration(answer: Answer) -> dict[str, Any]:
    """Auto-enable settings, which only the delegated administrator's detector answers."""
    if answer.item is None:
        return {}
    members = answer.item.optional_string("AutoEnableOrganizationMembers")
    if members is None:  # older answers only carry the AutoEnable flag (new members)
        members = "NEW" if answer.item.flag("AutoEnable") else "NONE"
    features = [
        f"{feature.string('Name')}:{feature.optional_string('AutoEnable')}"
        for feature in answer.entries("Features")
        if feature.optional_string("AutoEnable") in ("ALL", "NEW")
    ]
    return {"org_auto_enable_members": members, "org_auto_enable_features": sorted(features)}


def _members(answer: Answer) -> list[Enrollment]:
    return [
        Enrollment(
            member.string("AccountId"),
            member.optional_string("RelationshipStatus") == ENABLED_MEMBER,
            member.optional_string("RelationshipStatus") or "unknown",
        )
        for member in answer.entries("Members")
    ]


def _organization_view(detector_id: str, configuration: Answer, members: Answer) -> OrgView:
    """What the detector runs for the organization: configured when it has enabled members or
    (as the administrator) auto-enables members; an administrator that does neither runs
    nothing for the organization in this region."""
    if members.item is None:
        return unread_view(members.unanswered())
    not_admin = State(DISABLED, "not the GuardDuty administrator")
    if configuration.item is None and configuration.unanswered(not_admin).status == UNKNOWN:
        return unread_view(configuration.unanswered())
    enabled = [m.account_id for m in _members(members) if m.enabled]
    auto = _organization_configuration(configuration).get("org_auto_enable_members", "NONE")
    reason = f"auto-enable {auto}, {len(enabled)} enabled members"
    if auto == "NONE" and not enabled:
        return OrgView(ORG_NOT_CONFIGURED, reason)
    return OrgView(ORG_CONFIGURED, reason, f"detector {detector_id}", ZONE_MEMBERS)


def enrolled_members(snapshot: Snapshot, account_id: str, region: str) -> list[Enrollment]:
    """The members the account's detector lists (none when it has no detector)."""
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    listed = call("list_detectors")
    detector_ids = listed.item.strings("DetectorIds") if listed.item is not None else []
    return _members(call("list_members", detector_ids[0])) if detector_ids else []


def _features(detail: Item, status: str) -> list[str]:
    return sorted(
        feature.string("Name")
        for feature in detail.children("Features")
        if feature.optional_string("Status") == status
    )


def detector_state(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[State, dict[str, Any]]:
    """The detector's state in one account and region, and what else the snapshot says."""
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    props: dict[str, Any] = {
        "delegated_admin_account_ids": _delegated_admins(call("list_organization_admin_accounts"))
    }
    listed = call("list_detectors")
    if listed.item is None:
        state = listed.unanswered()
        return state, {**props, **unread_view(state).props()}
    detector_ids = listed.item.strings("DetectorIds")
    if not detector_ids:
        return State(DISABLED, "no detector"), {
            **props,
            **OrgView(ORG_NOT_CONFIGURED, "no detector").props(),
        }
    detector_id = detector_ids[0]
    props["detector_id"] = detector_id
    configuration = call("describe_organization_configuration", detector_id)
    props.update(_organization_configuration(configuration))
    view = _organization_view(detector_id, configuration, call("list_members", detector_id))
    props.update(view.props())
    detail = call("get_detector", detector_id)
    if detail.item is None:
        return detail.unanswered(), props
    props.update(
        finding_publishing_frequency=detail.item.optional_string("FindingPublishingFrequency"),
        enabled_features=_features(detail.item, "ENABLED"),
        disabled_features=_features(detail.item, "DISABLED"),
    )
    status = detail.item.optional_string("Status")
    reason = f"detector {detector_id} status {status}"
    return State(ENABLED if status == "ENABLED" else DISABLED, reason), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "GuardDutyDetector",
        service="guardduty",
        title="GuardDuty",
        read_state=detector_state,
        read_enrollments=enrolled_members,
        members=organization_members(snapshot),
    )
