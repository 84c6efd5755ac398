"""Building the network facts from describe_* answers: associations, targets, prefix lists."""

from __future__ import annotations

import pytest

from kg.analysis.reachability.errors import ReachabilityInputError
from kg.analysis.reachability.model import RouteTarget
from tests.unit.reachability.aws_shapes import (
    DEFAULT_ACL,
    IGW,
    MAIN_TABLE,
    PRIVATE_SUBNET,
    PUBLIC_SUBNET,
    PUBLIC_TABLE,
    VPC,
    WEB_GROUP,
    WEB_INSTANCE,
    WEB_INTERFACE,
    World,
    balancer_arn,
    interface,
    listeners,
    load_balancer,
    local_routes,
    permission,
    route,
    route_table,
    security_group,
    target_group,
    target_group_arn,
    target_health,
)


def test_a_subnet_uses_its_associated_table_else_the_main_one() -> None:
    network = World().network()
    public, private = network.subnet[PUBLIC_SUBNET], network.subnet[PRIVATE_SUBNET]
    assert public.route_table_id == PUBLIC_TABLE
    assert private.route_table_id is None
    assert network.route_table_of(private) == network.route_table[MAIN_TABLE]
    acl = network.network_acl_of(private)
    assert acl is not None and acl.network_acl_id == DEFAULT_ACL


def test_every_route_target_kind_is_told_apart() -> None:
    world = World()
    world.route_tables[0]["Routes"] += [
        route("172.16.0.0/16", VpcPeeringConnectionId="pcx-0b1c2d3e4f5a6b7c8"),
        route("172.17.0.0/16", TransitGatewayId="tgw-0123456789abcdef0"),
        route("2600:1f18:ffff::/48", EgressOnlyInternetGatewayId="eigw-0f0e0d0c0b0a09080"),
        route("pl-63a5400a", GatewayId="vpce-0a1b2c3d4e5f67890"),
        route(
            "192.0.2.0/24",
            InstanceId="i-0fedcba9876543210",
            NetworkInterfaceId="eni-0999aaaabbbbcccc1",
        ),
        route("198.51.100.0/24", NatGatewayId="nat-0aa11bb22cc33dd44") | {"State": "blackhole"},
    ]
    world.prefix_list_entries["pl-63a5400a"] = {
        "Entries": [{"Cidr": "3.5.0.0/19"}, {"Cidr": "52.216.0.0/15"}]
    }
    routes = {r.destination: r for r in world.network().route_table[PUBLIC_TABLE].routes}
    assert routes["10.0.0.0/16"].target == RouteTarget.LOCAL
    assert routes["0.0.0.0/0"].target == RouteTarget.INTERNET_GATEWAY
    assert routes["0.0.0.0/0"].target_id == IGW
    assert routes["172.16.0.0/16"].target == RouteTarget.PEERING_CONNECTION
    assert routes["172.17.0.0/16"].target == RouteTarget.TRANSIT_GATEWAY
    assert routes["2600:1f18:ffff::/48"].target == RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY
    assert routes["pl-63a5400a"].target == RouteTarget.VPC_ENDPOINT
    assert routes["pl-63a5400a"].prefix_list_cidrs == ("3.5.0.0/19", "52.216.0.0/15")
    assert routes["192.0.2.0/24"].target_id == "eni-0999aaaabbbbcccc1"
    assert routes["198.51.100.0/24"].is_blackhole


def test_security_group_rules_keep_every_source_kind() -> None:
    world = World()
    world.security_groups = [
        security_group(
            WEB_GROUP,
            VPC,
            [
                permission("tcp", 443, cidrs=("0.0.0.0/0",), ipv6=("::/0",)),
                permission(
                    "tcp", 22, prefix_lists=("pl-0a1b2c3d4e5f60789", "pl-0ffffffffffffffff")
                ),
                permission("-1", groups=(WEB_GROUP,)),
            ],
        )
    ]
    world.prefix_list_entries["pl-0a1b2c3d4e5f60789"] = {"Entries": [{"Cidr": "203.0.113.0/24"}]}
    rules = world.network().security_group[WEB_GROUP].ingress
    assert rules[0].ipv4_ranges == ("0.0.0.0/0",) and rules[0].ipv6_ranges == ("::/0",)
    resolved, unresolved = rules[1].prefix_lists
    assert resolved.cidrs == ("203.0.113.0/24",)
    assert unresolved.cidrs is None  # entries not collected: unknown, not empty
    assert rules[2].group_ids == (WEB_GROUP,) and rules[2].from_port is None


def test_interfaces_know_their_instance_addresses_and_load_balancer() -> None:
    world = World()
    alb = balancer_arn("shop-web")
    world.load_balancers = [load_balancer("shop-web", "internet-facing", (PUBLIC_SUBNET,), ())]
    world.interfaces.append(
        interface(
            "eni-0bbb2222cccc3333d",
            PUBLIC_SUBNET,
            "10.0.1.77",
            (WEB_GROUP,),
            public_ip="3.91.20.15",
            description="ELB app/shop-web/50dc6c495c0c9188",
        )
    )
    network = world.network()
    web = network.interface[WEB_INTERFACE]
    assert web.instance_id == WEB_INSTANCE and web.public_ips == ("54.210.33.7",)
    assert network.primary_interface(WEB_INSTANCE) == web
    assert network.interface["eni-0bbb2222cccc3333d"].load_balancer_arn == alb


def test_listeners_forward_to_target_groups_with_registered_targets() -> None:
    world = World()
    alb = balancer_arn("shop-web")
    world.load_balancers = [load_balancer("shop-web", "internet-facing", (PUBLIC_SUBNET,), ())]
    world.listeners[alb] = listeners(alb, ("HTTPS", 443, "shop-app"))
    world.target_groups = [target_group("shop-app", "HTTP", 8080, alb, "instance")]
    world.target_health["shop-app"] = target_health((WEB_INSTANCE, 8081))
    network = world.network()
    (listener,) = network.load_balancer[alb].listeners
    assert (listener.protocol, listener.port) == ("HTTPS", 443)
    assert listener.target_group_arns == (target_group_arn("shop-app"),)
    group = network.target_group[target_group_arn("shop-app")]
    assert [(t.target_id, t.port) for t in group.targets] == [(WEB_INSTANCE, 8081)]


def test_a_bad_cidr_names_where_it_is() -> None:
    world = World()
    world.security_groups[0]["IpPermissions"][0]["IpRanges"] = [{"CidrIp": "10.0.0.0/33"}]
    with pytest.raises(ReachabilityInputError) as error:
        world.network()
    assert str(error.value) == (
        "describe_security_groups: SecurityGroups[0].IpPermissions[0]: "
        "'10.0.0.0/33' is not a CIDR block"
    )


def test_a_missing_field_names_where_it_is() -> None:
    world = World()
    world.route_tables.append(route_table("rtb-0feedfacecafe0001", VPC, local_routes()))
    del world.route_tables[-1]["VpcId"]
    with pytest.raises(
        ReachabilityInputError, match=r"^describe_route_tables: RouteTables\[2\]\.VpcId: missing$"
    ):
        world.network()
