"""EC2 networking: the network layer of every account and region.

Collects the VPC topology (VPCs, subnets, route tables, gateways, peering, transit gateway
attachments, endpoints, flow logs), the traffic filters (security groups, network ACLs, and the
managed prefix lists their rules name) and where traffic lands (network interfaces, instances).
Account-level EC2 settings (EBS encryption by default, IMDS defaults, ...) are security-service
facts collected elsewhere. The transform's parts live in the private _ec2_* modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ingest.aws._ec2_common import CLIENT, Ec2Region
from ingest.aws._ec2_compute import instances, network_interfaces
from ingest.aws._ec2_filters import network_acls, security_groups
from ingest.aws._ec2_routes import route_tables
from ingest.aws._ec2_vpc import (
    flow_logs,
    internet_gateways,
    nat_gateways,
    peering_connections,
    subnets,
    transit_gateway_attachments,
    vpc_endpoints,
    vpcs,
)
from ingest.aws._shapes import account_regions
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"

LIST_CALLS = (
    "describe_vpcs",
    "describe_subnets",
    "describe_route_tables",
    "describe_internet_gateways",
    "describe_egress_only_internet_gateways",
    "describe_nat_gateways",
    "describe_network_acls",
    "describe_security_groups",
    "describe_managed_prefix_lists",
    "describe_network_interfaces",
    "describe_instances",
    "describe_vpc_endpoints",
    "describe_vpc_peering_connections",
    "describe_transit_gateway_attachments",
    "describe_flow_logs",
)

# In this order: each part names what later parts refer to (routes last: they point at everything).
PARTS: tuple[Callable[[Ec2Region], None], ...] = (
    vpcs,
    subnets,
    internet_gateways,
    peering_connections,
    transit_gateway_attachments,
    security_groups,
    network_acls,
    network_interfaces,
    nat_gateways,
    vpc_endpoints,
    instances,
    flow_logs,
    route_tables,
)


def referenced_prefix_lists(
    security_groups: dict[str, Any] | None, route_tables: dict[str, Any] | None
) -> set[str]:
    """Prefix lists that security group rules or routes name (their entries are worth reading)."""
    found: set[str] = set()
    for group in (security_groups or {}).get("SecurityGroups", []):
        for field in ("IpPermissions", "IpPermissionsEgress"):
            for permission in group.get(field, []):
                found.update(p["PrefixListId"] for p in permission.get("PrefixListIds", []))
    for table in (route_tables or {}).get("RouteTables", []):
        found.update(
            route["DestinationPrefixListId"]
            for route in table.get("Routes", [])
            if route.get("DestinationPrefixListId")
        )
    return found


def collect(ctx: CallContext) -> None:
    answers = {method: ctx.call(CLIENT, method) for method in LIST_CALLS}
    prefix_lists = referenced_prefix_lists(
        answers["describe_security_groups"], answers["describe_route_tables"]
    )
    for list_id in sorted(prefix_lists):
        ctx.call(CLIENT, "get_managed_prefix_list_entries", list_id, PrefixListId=list_id)


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    covered = frozenset(
        (account.account_id, region)
        for account in snapshot.manifest.accounts
        for region in account.regions
    )
    for account_id, region in sorted(account_regions(snapshot)):
        ec2 = Ec2Region(snapshot, account_id, region, covered, records)
        for part in PARTS:
            part(ec2)
    return records
