"""Interface -> interface inside AWS: group references, CIDR rules, both subnets' ACLs, peering."""

from __future__ import annotations

from kg.analysis.reachability import ControlKind, Network, ReachabilityAnalyzer, TrafficSet
from tests.unit.reachability.aws_shapes import (
    MAIN_TABLE,
    PRIVATE_SUBNET,
    VPC,
    WEB_INTERFACE,
    Item,
    World,
    acl_entry,
    allow_all_entries,
    interface,
    local_routes,
    network_acl,
    permission,
    route,
    route_table,
    security_group,
    subnet,
    vpc,
)

APP_GROUP = "sg-0b2c3d4e5f6a7b8c9"
DB_GROUP = "sg-0c3d4e5f6a7b8c9d0"
APP_INTERFACE = "eni-0eee5555ffff6666a"
DB_INTERFACE = "eni-0fff6666aaaa7777b"
DB_SUBNET = "subnet-0d4c3b2a1f0e9d8c7"
DB_ACL = "acl-0a1a2a3a4a5a6a7a8"
DB_TABLE = "rtb-0d0d0d0d0d0d0d0d0"


def _app_and_database(db_ingress: Item) -> World:
    """An app server in the private subnet and a database in its own subnet and ACL."""
    world = World()
    world.subnets.append(subnet(DB_SUBNET, VPC, "10.0.4.0/24"))
    world.route_tables.append(route_table(DB_TABLE, VPC, local_routes(), (DB_SUBNET,)))
    world.network_acls.append(network_acl(DB_ACL, VPC, allow_all_entries(), (DB_SUBNET,), False))
    world.security_groups += [
        security_group(APP_GROUP, VPC, []),
        security_group(DB_GROUP, VPC, [db_ingress]),
    ]
    world.interfaces += [
        interface(APP_INTERFACE, PRIVATE_SUBNET, "10.0.2.20", (APP_GROUP,)),
        interface(DB_INTERFACE, DB_SUBNET, "10.0.4.30", (DB_GROUP,)),
    ]
    return world


def test_a_group_referencing_the_source_group_admits_its_members_only() -> None:
    analyzer = _app_and_database(permission("tcp", 5432, groups=(APP_GROUP,))).analyzer()
    reach = analyzer.interface_to_interface(APP_INTERFACE, DB_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 5432)
    assert reach.explain()[:2] == [
        f"{DB_GROUP} allows tcp/5432 from {APP_GROUP}",
        f"{APP_GROUP} allows tcp/5432 to 0.0.0.0/0",
    ]
    other = analyzer.interface_to_interface(WEB_INTERFACE, DB_INTERFACE)
    assert [str(s) for s in other.blocked_by] == [
        f"{DB_GROUP} allows none of all traffic from 10.0.1.10 ({WEB_INTERFACE})"
    ]


def test_a_cidr_rule_admits_the_interfaces_whose_address_it_covers() -> None:
    analyzer = _app_and_database(permission("tcp", 5432, cidrs=("10.0.2.0/24",))).analyzer()
    assert analyzer.interface_to_interface(APP_INTERFACE, DB_INTERFACE).reachable
    assert not analyzer.interface_to_interface(WEB_INTERFACE, DB_INTERFACE).reachable


def test_the_source_group_egress_must_allow_too() -> None:
    world = _app_and_database(permission("tcp", 5432, groups=(APP_GROUP,)))
    world.group(APP_GROUP)["IpPermissionsEgress"] = [permission("tcp", 443, cidrs=("0.0.0.0/0",))]
    reach = world.analyzer().interface_to_interface(APP_INTERFACE, DB_INTERFACE)
    assert [str(s) for s in reach.blocked_by] == [
        f"{APP_GROUP} allows none of tcp/5432 to 10.0.4.30 ({DB_INTERFACE})"
    ]


def test_the_destination_subnet_acl_is_evaluated() -> None:
    world = _app_and_database(permission("tcp", 5432, groups=(APP_GROUP,)))
    world.acl(DB_ACL)["Entries"].insert(
        0, acl_entry(50, "deny", "6", "10.0.2.0/24", ports=(5432, 5432))
    )
    reach = world.analyzer().interface_to_interface(APP_INTERFACE, DB_INTERFACE)
    assert [str(s) for s in reach.blocked_by] == [
        f"{DB_ACL} rule 50 denies tcp/5432 inbound from 10.0.2.0/24"
    ]


def test_acls_do_not_filter_traffic_inside_one_subnet() -> None:
    world = _app_and_database(permission("tcp", 5432, groups=(APP_GROUP,)))
    world.interfaces[-1]["SubnetId"] = PRIVATE_SUBNET  # the database beside the app server
    world.acl()["Entries"] = [acl_entry(1, "deny"), acl_entry(1, "deny", egress=True)]
    reach = world.analyzer().interface_to_interface(APP_INTERFACE, DB_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 5432)
    assert not any(s.kind == ControlKind.NETWORK_ACL for s in reach.steps)


def test_all_reachable_pairs_are_found_from_ingress_rules() -> None:
    world = _app_and_database(permission("tcp", 5432, groups=(APP_GROUP,)))
    found = {(r.source, r.target, str(r.traffic)) for r in world.analyzer().internal_reachability()}
    assert found == {
        (APP_INTERFACE, DB_INTERFACE, "tcp/5432"),
        # the web group admits 0.0.0.0/0 on 22, which covers both private interfaces
        (APP_INTERFACE, WEB_INTERFACE, "tcp/22"),
        (DB_INTERFACE, WEB_INTERFACE, "tcp/22"),
    }


PEER_VPC = "vpc-0aa0bb0cc0dd0ee0f"
PEER_SUBNET = "subnet-0abcabcabcabcabca"
PEER_TABLE = "rtb-0fe0fe0fe0fe0fe0f"
PEER_GROUP = "sg-0d4e5f6a7b8c9d0e1"
PEER_INTERFACE = "eni-0abab1212cdcd3434"
PEERING = "pcx-0b1c2d3e4f5a6b7c8"


def _peered(*, route_back: bool) -> ReachabilityAnalyzer:
    """The app server's VPC peered with another account's VPC, whose server admits 10.0.2.0/24
    on 443; the app side routes to it, the peer side routes back when `route_back`."""
    home = _app_and_database(permission("tcp", 5432, groups=(APP_GROUP,)))
    home.table(MAIN_TABLE)["Routes"].append(route("172.31.0.0/16", VpcPeeringConnectionId=PEERING))
    peer_routes = local_routes("172.31.0.0/16", None)
    if route_back:
        peer_routes.append(route("10.0.0.0/16", VpcPeeringConnectionId=PEERING))
    peer = World(
        vpcs=[vpc(PEER_VPC, "172.31.0.0/16")],
        subnets=[subnet(PEER_SUBNET, PEER_VPC, "172.31.8.0/24")],
        route_tables=[route_table(PEER_TABLE, PEER_VPC, peer_routes, main=True)],
        network_acls=[
            network_acl(
                "acl-0b0b0b0b0b0b0b0b0", PEER_VPC, allow_all_entries(), (PEER_SUBNET,), True
            )
        ],
        security_groups=[
            security_group(PEER_GROUP, PEER_VPC, [permission("tcp", 443, cidrs=("10.0.2.0/24",))])
        ],
        interfaces=[
            interface(PEER_INTERFACE, PEER_SUBNET, "172.31.8.40", (PEER_GROUP,), vpc_id=PEER_VPC)
        ],
        instances=[],
    )
    return ReachabilityAnalyzer(Network.combine([home.network(), peer.network()]))


def test_peered_vpcs_connect_when_both_sides_route_through_the_peering() -> None:
    reach = _peered(route_back=True).interface_to_interface(APP_INTERFACE, PEER_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 443)
    assert f"{MAIN_TABLE} routes 172.31.0.0/16 to {PEERING}" in reach.explain()
    assert f"{PEER_TABLE} routes 10.0.0.0/16 to {PEERING}" in reach.explain()


def test_peered_vpcs_do_not_connect_without_the_route_back() -> None:
    analyzer = _peered(route_back=False)
    reach = analyzer.interface_to_interface(APP_INTERFACE, PEER_INTERFACE)
    assert [str(s) for s in reach.blocked_by] == [
        f"{PEER_TABLE} has no route to 10.0.2.20 ({APP_INTERFACE})"
    ]
    assert all(r.target != PEER_INTERFACE for r in analyzer.internal_reachability())
