"""AWS Network Firewall: the firewalls of each account and region and the VPCs they inspect."""

from __future__ import annotations

from functools import partial
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
CLIENT = "network-firewall"


def collect(ctx: CallContext) -> None:
    listed = ctx.call(CLIENT, "list_firewalls")
    for firewall in (listed or {}).get("Firewalls", []):
        name = firewall["FirewallName"]
        ctx.call(CLIENT, "describe_firewall", name, FirewallName=name)


def firewall_props(entry: Item, detail: Answer) -> dict[str, Any]:
    """A listed firewall, with what describe_firewall adds when it answered."""
    described = detail.item or Item({}, detail.call)
    firewall = described.child("Firewall")
    return {
        "name": entry.string("FirewallName"),
        "vpc_id": firewall.optional_string("VpcId"),
        "subnet_ids": sorted(m.string("SubnetId") for m in firewall.children("SubnetMappings")),
        "firewall_policy_arn": firewall.optional_string("FirewallPolicyArn"),
        "firewall_status": described.child("FirewallStatus").optional_string("Status"),
        "delete_protection": firewall.optional_bool("DeleteProtection"),
    }


def region_state(listed: Answer, firewalls: list[dict[str, Any]]) -> tuple[State, dict[str, Any]]:
    if listed.item is None:
        return listed.unanswered(), {}
    names = sorted(str(f["name"]) for f in firewalls)
    props = {
        "firewall_names": names,
        "vpc_ids": sorted({str(f["vpc_id"]) for f in firewalls if f["vpc_id"]}),
    }
    if names:
        return State(ENABLED, f"firewall {', '.join(names)}"), props
    return State(DISABLED, "no firewall"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        call = partial(read_call, snapshot, account_id, region, CLIENT)
        listed = call("list_firewalls")
        firewalls = {
            entry.string("FirewallArn"): firewall_props(
                entry, call("describe_firewall", entry.string("FirewallName"))
            )
            for entry in listed.entries("Firewalls")
        }
        state, props = region_state(listed, list(firewalls.values()))
        state_ref = add_state(
            records,
            "NetworkFirewallStatus",
            service="network-firewall",
            title="Network Firewall",
            account_id=account_id,
            region=region,
            state=state,
            **props,
        )
        for arn, firewall in firewalls.items():
            firewall_ref = add_resource(
                records,
                "NetworkFirewall",
                state_ref,
                arn=arn,
                account_id=account_id,
                region=region,
                **firewall,
            )
            if firewall["vpc_id"] and firewall["firewall_status"] != "DELETING":
                vpc = vpc_arn(account_id, region, firewall["vpc_id"])
                records.rel("PROTECTS", firewall_ref, ("Vpc", vpc), account_id=account_id)
    return records
