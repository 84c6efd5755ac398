"""Route 53 Resolver DNS Firewall: the rule group associations of each account and region, one per
VPC and rule group. A VPC counts as protected once an association reaches status COMPLETE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    Answer,
    State,
    add_resource,
    add_state,
    read_call,
    vpc_arn,
)
from ingest.aws._shapes import Item, account_regions
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "route53resolver"


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "list_firewall_rule_group_associations")


def association_props(association: Item) -> dict[str, Any]:
    return {
        "name": association.optional_string("Name") or association.string("Id"),
        "association_id": association.string("Id"),
        "vpc_id": association.optional_string("VpcId"),
        "firewall_rule_group_id": association.optional_string("FirewallRuleGroupId"),
        "priority": association.optional_int("Priority"),
        "association_status": association.optional_string("Status"),
        "mutation_protection": association.optional_string("MutationProtection"),
    }


def _protects(association: Item) -> str | None:
    """The VPC a rule group association filters, once AWS has finished associating it."""
    if association.optional_string("Status") != "COMPLETE":
        return None
    return association.optional_string("VpcId")


def region_state(listed: Answer) -> tuple[State, dict[str, Any]]:
    if listed.item is None:
        return listed.unanswered(), {}
    associations = listed.entries("FirewallRuleGroupAssociations")
    vpc_ids = sorted({vpc for a in associations if (vpc := _protects(a))})
    props = {"vpc_ids": vpc_ids}
    if vpc_ids:
        return State(ENABLED, f"rule groups associated with {len(vpc_ids)} VPC(s)"), props
    return State(DISABLED, "no COMPLETE rule group association"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        listed = read_call(
            snapshot, account_id, region, CLIENT, "list_firewall_rule_group_associations"
        )
        state, props = region_state(listed)
        state_ref = add_state(
            records,
            "DnsFirewallStatus",
            service="dns-firewall",
            title="DNS Firewall",
            account_id=account_id,
            region=region,
            state=state,
            **props,
        )
        for association in listed.entries("FirewallRuleGroupAssociations"):
            association_ref = add_resource(
                records,
                "DnsFirewallAssociation",
                state_ref,
                arn=association.string("Arn"),
                account_id=account_id,
                region=region,
                **association_props(association),
            )
            if vpc_id := _protects(association):
                vpc = vpc_arn(account_id, region, vpc_id)
                records.rel("PROTECTS", association_ref, ("Vpc", vpc), account_id=account_id)
    return records
