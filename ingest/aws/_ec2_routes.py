"""Route tables and every route in them, with what each route sends traffic to."""

from __future__ import annotations

from ingest.aws._ec2_common import Ec2Region
from ingest.aws._shapes import Item, name_tag, tag_list
from kg.errors import SnapshotError
from kg.graph.records import NodeRef

# GatewayId carries several kinds of target; the id prefix says which.
_GATEWAY_KINDS = {
    "igw-": ("igw", "InternetGateway"),
    "vpce-": ("vpce", "VpcEndpoint"),
    "vgw-": ("vgw", None),
}
# The other target fields, checked in this order: a route to an instance carries both InstanceId
# and NetworkInterfaceId, and the instance is the target.
_TARGET_FIELDS = (
    ("NatGatewayId", "nat", "NatGateway"),
    ("EgressOnlyInternetGatewayId", "eigw", "EgressOnlyInternetGateway"),
    ("VpcPeeringConnectionId", "pcx", "VpcPeeringConnection"),
    ("TransitGatewayId", "tgw", None),
    ("InstanceId", "instance", "Ec2Instance"),
    ("NetworkInterfaceId", "eni", "NetworkInterface"),
    ("LocalGatewayId", "lgw", None),
    ("CarrierGatewayId", "cagw", None),
    ("CoreNetworkArn", "core_network", None),
)


def _target(route: Item) -> tuple[str, str | None, str | None]:
    """(target_type, target_id, label of the target's node when the graph has one)."""
    gateway = route.optional_string("GatewayId")
    if gateway == "local":
        return "local", "local", None
    if gateway:
        for prefix, (kind, label) in _GATEWAY_KINDS.items():
            if gateway.startswith(prefix):
                return kind, gateway, label
        return "gateway", gateway, None
    for field, kind, label in _TARGET_FIELDS:
        if value := route.optional_string(field):
            return kind, value, label
    return "unknown", None, None


def _target_node(
    r: Ec2Region, vpc_id: str, kind: str, target_id: str, label: str | None
) -> NodeRef | None:
    if kind == "tgw":
        # Traffic to a transit gateway leaves through this VPC's attachment to it.
        return r.transit_attachments.get((vpc_id, target_id))
    return r.node(label, target_id) if label else None


def _route(r: Ec2Region, table_ref: NodeRef, table_id: str, vpc_id: str, route: Item) -> None:
    v4 = route.optional_string("DestinationCidrBlock")
    v6 = route.optional_string("DestinationIpv6CidrBlock")
    prefix_list = route.optional_string("DestinationPrefixListId")
    destination = v4 or v6 or prefix_list
    if destination is None:
        raise SnapshotError(f"{route.where}: route without a destination")
    kind, target_id, label = _target(route)
    state = route.optional_string("State")
    if state == "blackhole":
        kind, label = "blackhole", None
    route_id = f"{table_id}|{destination}"
    r.out.part(
        "Route",
        route_id=route_id,
        route_table_id=table_id,
        destination=destination,
        destination_cidr=v4,
        destination_ipv6_cidr=v6,
        destination_prefix_list_id=prefix_list,
        destination_prefix_list_cidrs=r.prefix_list_cidrs(prefix_list) if prefix_list else None,
        target_type=kind,
        target_id=target_id,
        state=state,
        origin=route.optional_string("Origin"),
    )
    ref = ("Route", route_id)
    r.out.rel("HAS_ROUTE", table_ref, ref)
    if target_id and (target := _target_node(r, vpc_id, kind, target_id, label)):
        r.out.rel("TARGETS", ref, target)


def route_tables(r: Ec2Region) -> None:
    for table in r.items("describe_route_tables", "RouteTables"):
        table_id = table.string("RouteTableId")
        owner = table.optional_string("OwnerId")
        ref = r.register("RouteTable", table_id, owner)
        if not r.states(owner):
            continue
        vpc_id = table.string("VpcId")
        associations = [
            a
            for a in table.children("Associations")
            if a.child("AssociationState").optional_string("State") in (None, "associated")
        ]
        is_main = any(a.flag("Main") for a in associations)
        tags = table.children("Tags")
        r.out.owned(
            "RouteTable",
            ref[1],
            owner,
            route_table_id=table_id,
            name=name_tag(tags) or table_id,
            vpc_id=vpc_id,
            is_main=is_main,
            edge_gateway_ids=sorted(
                g for a in associations if (g := a.optional_string("GatewayId"))
            ),
            owner_id=owner,
            tags=tag_list(tags),
        )
        vpc = r.node("Vpc", vpc_id, owner)
        r.out.rel("IN", ref, vpc)
        if is_main:
            r.out.rel("MAIN_FOR", ref, vpc)
        for association in associations:
            if subnet_id := association.optional_string("SubnetId"):
                r.out.rel("ASSOCIATED_WITH", ref, r.node("Subnet", subnet_id, owner))
        for route in table.children("Routes"):
            _route(r, ref, table_id, vpc_id, route)
