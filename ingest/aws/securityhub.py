"""AWS Security Hub: the hub of each account and region, its enabled standards, and the
organization configuration where the account can see it.

Security Hub answers InvalidAccessException when the account is not subscribed, and to
organization calls from an account that is not the management account or the administrator. Both
are the account's setup, not failures, so they are collected as "not configured": no file and no
failure for describe_hub in a collected region means Security Hub is off there.

The administrator (the account describe_organization_configuration answers) runs Security Hub for
the organization one of two ways, the state's organization view:

- central configuration: configuration policies (list_configuration_policies) associated with
  accounts, OUs or the root (list_configuration_policy_associations, read in the home region
  only, one row per account too when inherited), in force in the home region and the regions the
  finding aggregator links to it. A member counts when its association succeeded with a policy
  that enables Security Hub;
- local configuration: auto-enable for new members, and its member list (list_members), a member
  counting when its status is enabled.
"""

from __future__ import annotations

from functools import partial
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
from ingest.aws._shapes import Item, account_regions
from ingest.aws.organizations import organization_members
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords
from kg.model.security_services import ORG_CONFIGURED, ORG_NOT_CONFIGURED, ZONE_MEMBERS

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "securityhub"
NOT_SUBSCRIBED = ("InvalidAccessException",)
CENTRAL = "CENTRAL"
ENABLED_MEMBER = "ENABLED"  # a member's MemberStatus (compared without case)
SUCCESS = "SUCCESS"  # an association in force


def collect(ctx: CallContext) -> None:
    hub = ctx.call(CLIENT, "describe_hub", not_configured=NOT_SUBSCRIBED)
    if hub is not None:
        ctx.call(CLIENT, "get_enabled_standards")
        org = ctx.call(CLIENT, "describe_organization_configuration", not_configured=NOT_SUBSCRIBED)
        if org is not None:  # the administrator
            _collect_organization(ctx, org)
    ctx.call(CLIENT, "list_organization_admin_accounts", not_configured=NOT_SUBSCRIBED)


def _collect_organization(ctx: CallContext, org: dict[str, Any]) -> None:
    """The administrator's members, or (central configuration) its policies and associations,
    which only the home region answers."""
    if org.get("OrganizationConfiguration", {}).get("ConfigurationType") != CENTRAL:
        ctx.call(CLIENT, "list_members", OnlyAssociated=False)
        return
    aggregators = ctx.call(CLIENT, "list_finding_aggregators")
    home = None
    for aggregator in (aggregators or {}).get("FindingAggregators", []):
        arn = aggregator["FindingAggregatorArn"]
        linked = ctx.call(CLIENT, "get_finding_aggregator", arn, FindingAggregatorArn=arn)
        home = (linked or {}).get("FindingAggregationRegion", home)
    if home in (None, ctx.region):
        ctx.call(CLIENT, "list_configuration_policies")
        ctx.call(CLIENT, "list_configuration_policy_associations")


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


def _linking(snapshot: Snapshot, account_id: str, region: str) -> Item | None:
    """The finding aggregator that links regions to the administrator's home region."""
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    for aggregator in call("list_finding_aggregators").entries("FindingAggregators"):
        linked = call("get_finding_aggregator", aggregator.string("FindingAggregatorArn"))
        if linked.item is not None:
            return linked.item
    return None


def _home_region(snapshot: Snapshot, account_id: str, region: str) -> str | None:
    """Where central configuration lives, and None when it does not reach this region."""
    linking = _linking(snapshot, account_id, region)
    if linking is None:
        return region  # no aggregator: central configuration applies in its home region only
    home = linking.string("FindingAggregationRegion")
    mode = linking.optional_string("RegionLinkingMode")
    listed = region in linking.strings("Regions")
    linked = {
        "ALL_REGIONS": True,
        "ALL_REGIONS_EXCEPT_SPECIFIED": not listed,
        "SPECIFIED_REGIONS": listed,
    }.get(mode or "", False)
    return home if region == home or linked else None


def _central(snapshot: Snapshot, account_id: str, region: str) -> tuple[OrgView, list[Enrollment]]:
    """Central configuration seen from the home region: who is associated with a policy that
    enables Security Hub."""
    home = _home_region(snapshot, account_id, region)
    if home is None:
        return OrgView(ORG_NOT_CONFIGURED, f"central configuration does not reach {region}"), []
    call = partial(read_call, snapshot, account_id, home, CLIENT)
    policies, associations = (
        call("list_configuration_policies"),
        call("list_configuration_policy_associations"),
    )
    for answer in (policies, associations):
        if answer.item is None:
            return unread_view(answer.unanswered()), []
    enabling = {
        p.string("Id"): p.optional_string("Name") or p.string("Id")
        for p in policies.entries("ConfigurationPolicySummaries")
        if p.flag("ServiceEnabled")
    }
    enrolled = [
        Enrollment(
            row.string("TargetId"),
            row.optional_string("AssociationStatus") == SUCCESS
            and row.optional_string("ConfigurationPolicyId") in enabling,
            " ".join(
                filter(
                    None,
                    (
                        row.optional_string("AssociationType"),
                        row.optional_string("ConfigurationPolicyId"),
                        row.optional_string("AssociationStatus"),
                    ),
                )
            ),
        )
        for row in associations.entries("ConfigurationPolicyAssociationSummaries")
        if row.optional_string("TargetType") == "ACCOUNT"
    ]
    if not enabling:
        return OrgView(ORG_NOT_CONFIGURED, "no configuration policy enables Security Hub"), enrolled
    names = ", ".join(sorted(enabling.values()))
    resource = f"configuration policy {names} (home region {home})"
    reason = f"central configuration, {sum(e.enabled for e in enrolled)} enabled members"
    return OrgView(ORG_CONFIGURED, reason, resource, ZONE_MEMBERS), enrolled


def _local(
    account_id: str, configuration: Item, members: Answer
) -> tuple[OrgView, list[Enrollment]]:
    """Local configuration: auto-enable for new members and the member list."""
    if members.item is None:
        return unread_view(members.unanswered()), []
    enrolled = [
        Enrollment(
            m.string("AccountId"),
            (m.optional_string("MemberStatus") or "").upper() == ENABLED_MEMBER,
            m.optional_string("MemberStatus") or "unknown",
        )
        for m in members.entries("Members")
    ]
    enabled = sum(e.enabled for e in enrolled)
    auto = configuration.optional_bool("AutoEnable")
    reason = f"local configuration, auto-enable {auto}, {enabled} enabled members"
    if not auto and not enabled:
        return OrgView(ORG_NOT_CONFIGURED, reason), enrolled
    return OrgView(
        ORG_CONFIGURED, reason, f"Security Hub administrator {account_id}", ZONE_MEMBERS
    ), enrolled


def organization(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[OrgView, list[Enrollment]]:
    """What the account runs for the organization in the region, and whom it covers."""
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    hub = call("describe_hub")
    off = State(DISABLED, "not the Security Hub administrator")
    if hub.item is None:
        return unanswered_view(hub, off), []
    configuration = call("describe_organization_configuration")
    if configuration.item is None:
        return unanswered_view(configuration, off), []
    kind = configuration.item.child("OrganizationConfiguration").optional_string(
        "ConfigurationType"
    )
    if kind == CENTRAL:
        return _central(snapshot, account_id, region)
    return _local(account_id, configuration.item, call("list_members"))


def enrolled_members(snapshot: Snapshot, account_id: str, region: str) -> list[Enrollment]:
    return organization(snapshot, account_id, region)[1]


def hub_state(snapshot: Snapshot, account_id: str, region: str) -> tuple[State, dict[str, Any]]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    props: dict[str, Any] = {
        "delegated_admin_account_ids": _delegated_admins(call("list_organization_admin_accounts"))
    }
    props.update(organization(snapshot, account_id, region)[0].props())
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
        read_enrollments=enrolled_members,
        members=organization_members(snapshot),
    )
