"""AWS Config: whether each account and region records its configuration, where it delivers, the
aggregators defined there, its own rules, and the organization's rules and conformance packs.

Only customer-managed recorders count: a service-linked recorder records what its service needs,
not the account's configuration. An account's own rules are those the organization did not
deploy (CreatedBy is not the multi-account setup principal).

Organization config rules and conformance packs answer only in their administrator (the
delegated administrator for config-multiaccountsetup.amazonaws.com, else the management
account); elsewhere AWS answers an organization error, collected as "not configured". Where they
exist, the state's organization view (zone recorded) and its ENROLLS relationships say which
members they were deployed to: a member is enrolled when every organization rule and pack
reports it CREATE_SUCCESSFUL or UPDATE_SUCCESSFUL. Aggregators are not an organization view:
they read what members record and record nothing for them.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from ingest.aws._shapes import account_regions
from ingest.aws.organizations import organization_members
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords
from kg.model.security_services import ORG_CONFIGURED, ORG_NOT_CONFIGURED, ZONE_RECORDED

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "config"
CALLS = (
    "describe_configuration_recorders",
    "describe_configuration_recorder_status",
    "describe_configuration_aggregators",
    "describe_delivery_channels",
    "describe_config_rules",
)
ORGANIZATION_PRINCIPAL = "config-multiaccountsetup.amazonaws.com"
# What AWS answers an account that administers no organization rules or packs.
NOT_ORGANIZATION_ROLE = (
    "OrganizationAccessDeniedException",
    "NoAvailableOrganizationException",
    "OrganizationAllFeaturesNotEnabledException",
)
DEPLOYED = ("CREATE_SUCCESSFUL", "UPDATE_SUCCESSFUL")


@dataclass(frozen=True)
class Deployment:
    """An organization rule or pack: its list call, its status call and their fields."""

    kind: str  # as the reader sees it
    list_method: str
    list_field: str
    name_field: str
    status_method: str
    status_param: str
    status_field: str
    member_status_field: str


DEPLOYMENTS = (
    Deployment(
        "rule",
        "describe_organization_config_rules",
        "OrganizationConfigRules",
        "OrganizationConfigRuleName",
        "get_organization_config_rule_detailed_status",
        "OrganizationConfigRuleName",
        "OrganizationConfigRuleDetailedStatus",
        "MemberAccountRuleStatus",
    ),
    Deployment(
        "conformance pack",
        "describe_organization_conformance_packs",
        "OrganizationConformancePacks",
        "OrganizationConformancePackName",
        "get_organization_conformance_pack_detailed_status",
        "OrganizationConformancePackName",
        "OrganizationConformancePackDetailedStatuses",
        "Status",
    ),
)


def collect(ctx: CallContext) -> None:
    collect_account(ctx)
    for spec in DEPLOYMENTS:
        listed = ctx.call(CLIENT, spec.list_method, not_configured=NOT_ORGANIZATION_ROLE)
        for entry in (listed or {}).get(spec.list_field, []):
            name = entry[spec.name_field]
            ctx.call(CLIENT, spec.status_method, name, **{spec.status_param: name})


def collect_account(ctx: CallContext) -> None:
    """What the account itself records and evaluates (apart, as moto implements only these)."""
    for method in CALLS:
        ctx.call(CLIENT, method)


def _own_rules(answer: Answer) -> dict[str, Any]:
    if answer.item is None:
        return {}
    rules = [
        r.string("ConfigRuleName")
        for r in answer.entries("ConfigRules")
        if r.optional_string("CreatedBy") != ORGANIZATION_PRINCIPAL
    ]
    return {"rule_names": sorted(rules), "has_config_rules": bool(rules)}


Deployed = dict[str, dict[str, str]]  # "<kind> <name>" -> member account -> its status


def _deployed(snapshot: Snapshot, account_id: str, region: str) -> Deployed | OrgView:
    """Each organization rule and pack the account administers, with every member's status;
    the organization view instead when it is not configured or could not be read."""
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    not_admin = State(DISABLED, "administers no organization rules or conformance packs")
    deployed: Deployed = {}
    for spec in DEPLOYMENTS:
        listed = call(spec.list_method)
        if listed.item is None:
            state = listed.unanswered(not_admin)
            if state.status == UNKNOWN:
                return unread_view(state)
            continue
        for entry in listed.entries(spec.list_field):
            name = entry.string(spec.name_field)
            statuses = call(spec.status_method, name)
            if statuses.item is None:
                return unread_view(statuses.unanswered())
            deployed[f"{spec.kind} {name}"] = {
                s.string("AccountId"): s.string(spec.member_status_field)
                for s in statuses.entries(spec.status_field)
            }
    if not deployed:
        return OrgView(ORG_NOT_CONFIGURED, not_admin.reason)
    return deployed


def _organization_view(snapshot: Snapshot, account_id: str, region: str) -> OrgView:
    deployed = _deployed(snapshot, account_id, region)
    if isinstance(deployed, OrgView):
        return deployed
    names = ", ".join(sorted(deployed))
    reason = f"administers organization {names}"
    return OrgView(ORG_CONFIGURED, reason, f"organization {names}", ZONE_RECORDED)


def enrolled_members(snapshot: Snapshot, account_id: str, region: str) -> list[Enrollment]:
    """Every account some organization rule or pack reports (the administrator's own too, as
    they deploy there as well), enrolled when all of them report it deployed; its relationship
    names each one that is not (failed, in progress, absent)."""
    deployed = _deployed(snapshot, account_id, region)
    if isinstance(deployed, OrgView):
        return []
    members = {m for statuses in deployed.values() for m in statuses}
    enrollments = []
    for member in sorted(members):
        short = [
            f"{name} {statuses.get(member, 'absent')}"
            for name, statuses in sorted(deployed.items())
            if statuses.get(member) not in DEPLOYED
        ]
        relationship = "; ".join(short) if short else "deployed"
        enrollments.append(Enrollment(member, not short, relationship))
    return enrollments


def _aggregators(answer: Answer) -> dict[str, Any]:
    if answer.item is None:
        return {}
    aggregators = answer.entries("ConfigurationAggregators")
    return {
        "aggregator_names": sorted(a.string("ConfigurationAggregatorName") for a in aggregators),
        "has_organization_aggregator": any(
            a.child("OrganizationAggregationSource").data for a in aggregators
        ),
    }


def _delivery_buckets(answer: Answer) -> list[str] | None:
    if answer.item is None:
        return None
    return sorted(c.string("s3BucketName") for c in answer.entries("DeliveryChannels"))


def recorder_state(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[State, dict[str, Any]]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    props: dict[str, Any] = {
        "delivery_bucket_names": _delivery_buckets(call("describe_delivery_channels")),
        **_aggregators(call("describe_configuration_aggregators")),
        **_own_rules(call("describe_config_rules")),
        **_organization_view(snapshot, account_id, region).props(),
    }
    listed = call("describe_configuration_recorders")
    if listed.item is None:
        return listed.unanswered(), props
    recorders = {
        r.string("name"): r
        for r in listed.entries("ConfigurationRecorders")
        if not r.optional_string("servicePrincipal")
    }
    names = sorted(recorders)
    props["recorder_names"] = names
    if not recorders:
        return State(DISABLED, "no configuration recorder"), props
    statuses = call("describe_configuration_recorder_status")
    if statuses.item is None:
        return statuses.unanswered(), props
    status_by_name = {s.string("name"): s for s in statuses.entries("ConfigurationRecordersStatus")}
    recording = [n for n in names if n in status_by_name and status_by_name[n].flag("recording")]
    groups = [recorders[n].child("recordingGroup") for n in recording]
    first = status_by_name.get(names[0])
    props.update(
        recording_all_supported=any(g.flag("allSupported") for g in groups),
        include_global_resource_types=any(g.flag("includeGlobalResourceTypes") for g in groups),
        last_status=first.optional_string("lastStatus") if first is not None else None,
    )
    if recording:
        return State(ENABLED, f"recorder {recording[0]} recording"), props
    return State(DISABLED, f"recorder {', '.join(names)} not recording"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "ConfigRecorder",
        service="config",
        title="AWS Config",
        read_state=recorder_state,
        read_enrollments=enrolled_members,
        members=organization_members(snapshot),
    )
