"""Internet -> interface: every control on the way must allow, and the answer says which did."""

from __future__ import annotations

from kg.analysis.reachability import SourceTraffic, TrafficSet, Verdict
from kg.analysis.reachability.addresses import parse_address, parse_cidr
from tests.unit.reachability.aws_shapes import (
    DEFAULT_ACL,
    IGW,
    MAIN_TABLE,
    NAT,
    PRIVATE_SUBNET,
    PUBLIC_TABLE,
    VPC,
    WEB_GROUP,
    WEB_INSTANCE,
    WEB_INTERFACE,
    Item,
    World,
    acl_entry,
    default_denies,
    instance,
    interface,
    local_routes,
    permission,
    route,
    security_group,
)


def _reaches_from(by_source: tuple[SourceTraffic, ...], ip: str) -> bool:
    family, address = parse_address(ip)
    return any(
        parse_cidr(cidr).contains(family, address) for group in by_source for cidr in group.cidrs
    )


def _acl_entries(world: World, entries: list[Item]) -> None:
    world.acl()["Entries"] = entries + default_denies()


def _ingress(world: World, *rules: Item) -> None:
    world.group(WEB_GROUP)["IpPermissions"] = list(rules)


def test_an_open_port_is_reachable_and_each_control_says_why() -> None:
    reach = World().analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.reachable and reach.traffic == TrafficSet.of("tcp", 22)
    assert reach.explain() == [
        f"{WEB_INTERFACE} has public IPv4 54.210.33.7",
        f"{WEB_GROUP} allows tcp/22 from 0.0.0.0/0",
        f"{DEFAULT_ACL} rule 100 allows tcp/22 inbound from 0.0.0.0/0",
        f"{DEFAULT_ACL} rule 100 allows tcp/1024-65535 outbound to 0.0.0.0/0 (return traffic)",
        f"{PUBLIC_TABLE} routes 0.0.0.0/0 to {IGW}",
    ]
    assert reach.blocked_by == ()


def test_a_deny_rule_numbered_before_the_allow_wins() -> None:
    world = World()
    _acl_entries(
        world,
        [
            acl_entry(90, "deny", "6", ports=(22, 22)),
            acl_entry(100, "allow"),
            acl_entry(100, "allow", egress=True),
        ],
    )
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert not reach.reachable
    assert [str(s) for s in reach.blocked_by] == [
        f"{DEFAULT_ACL} rule 90 denies tcp/22 inbound from 0.0.0.0/0"
    ]


def test_a_deny_rule_numbered_after_the_allow_is_never_reached() -> None:
    world = World()
    _acl_entries(
        world,
        [
            acl_entry(100, "allow"),
            acl_entry(110, "deny", "6", ports=(22, 22)),
            acl_entry(100, "allow", egress=True),
        ],
    )
    assert world.analyzer().internet_to_interface(WEB_INTERFACE).reachable


def test_an_acl_without_outbound_ephemeral_ports_blocks_the_answers() -> None:
    world = World()
    _acl_entries(
        world,
        [
            acl_entry(100, "allow", "6", ports=(22, 22)),
            acl_entry(100, "allow", "6", egress=True, ports=(443, 443)),
        ],
    )
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert not reach.reachable
    assert [str(s) for s in reach.blocked_by] == [
        f"{DEFAULT_ACL} rule * denies tcp/1024-65535 outbound to 0.0.0.0/0 (return traffic)"
    ]


def test_answers_need_only_some_ephemeral_ports_since_clients_pick_theirs() -> None:
    world = World()
    _acl_entries(
        world,
        [
            acl_entry(100, "allow", "6", ports=(22, 22)),
            acl_entry(100, "allow", "6", egress=True, ports=(32768, 65535)),
        ],
    )
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 22)
    assert (
        f"{DEFAULT_ACL} rule 100 allows tcp/32768-65535 outbound to 0.0.0.0/0 (return traffic)"
        in reach.explain()
    )


def _move_to_private_subnet(world: World) -> None:
    """The web interface in the private subnet, which uses the VPC's main route table."""
    world.interfaces[0]["SubnetId"] = PRIVATE_SUBNET


def test_no_route_to_an_internet_gateway_means_no_inbound() -> None:
    world = World()
    _move_to_private_subnet(world)
    world.table(MAIN_TABLE)["Routes"] = local_routes()
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert not reach.reachable
    assert [str(s) for s in reach.blocked_by] == [f"{MAIN_TABLE} has no route to the internet"]


def test_a_route_to_a_nat_gateway_only_allows_no_inbound() -> None:
    world = World()
    _move_to_private_subnet(world)  # main table: 0.0.0.0/0 to a NAT gateway
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert not reach.reachable
    assert [str(s) for s in reach.blocked_by] == [
        f"{MAIN_TABLE} routes 0.0.0.0/0 to {NAT}: "
        "a NAT gateway accepts no connections from the internet"
    ]


def test_the_longest_prefix_decides_which_sources_get_answers() -> None:
    world = World()
    _move_to_private_subnet(world)
    world.table(MAIN_TABLE)["Routes"].append(route("203.0.113.0/24", GatewayId=IGW))
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 22)
    assert reach.by_source == (SourceTraffic(("203.0.113.0/24",), TrafficSet.of("tcp", 22)),)
    assert f"{MAIN_TABLE} routes 203.0.113.0/24 to {IGW}" in reach.explain()


def test_a_more_specific_route_away_from_the_gateway_cuts_those_sources_out() -> None:
    world = World()
    peering = "pcx-0b1c2d3e4f5a6b7c8"
    world.table(PUBLIC_TABLE)["Routes"].append(
        route("198.51.100.0/24", VpcPeeringConnectionId=peering)
    )
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.reachable
    assert _reaches_from(reach.by_source, "198.51.99.255")
    assert not _reaches_from(reach.by_source, "198.51.100.20")
    assert f"{PUBLIC_TABLE} routes 198.51.100.0/24 to {peering}, not to an internet gateway" in [
        str(s) for s in reach.blocked_by
    ]


def _ipv6_only(world: World) -> None:
    world.interfaces[0] = interface(
        WEB_INTERFACE,
        world.interfaces[0]["SubnetId"],
        "10.0.1.10",
        (WEB_GROUP,),
        ipv6=("2600:1f18:4a3:6e01:7d2c:9a4e:31b0:1a2f",),
        instance_id=WEB_INSTANCE,
    )
    _ingress(
        world,
        permission("tcp", 443, ipv6=("::/0",)),
        permission("tcp", 22, cidrs=("0.0.0.0/0",)),
    )


def test_an_interface_with_only_a_global_ipv6_address_is_exposed_over_ipv6() -> None:
    world = World()
    _ipv6_only(world)
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 443)  # the IPv4 rule for 22 has no address
    assert all(":" in cidr for group in reach.by_source for cidr in group.cidrs)
    assert _reaches_from(reach.by_source, "2a00:1450:4001:81b::200e")
    assert reach.explain()[:2] == [
        f"{WEB_INTERFACE} has global IPv6 2600:1f18:4a3:6e01:7d2c:9a4e:31b0:1a2f",
        f"{WEB_GROUP} allows tcp/443 from ::/0",
    ]
    assert f"{PUBLIC_TABLE} routes ::/0 to {IGW}" in reach.explain()


def test_an_egress_only_internet_gateway_allows_no_inbound_ipv6() -> None:
    world = World()
    _ipv6_only(world)
    eigw = "eigw-0f0e0d0c0b0a09080"
    world.table(PUBLIC_TABLE)["Routes"][-1] = route("::/0", EgressOnlyInternetGatewayId=eigw)
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert not reach.reachable
    assert [str(s) for s in reach.blocked_by] == [
        f"{PUBLIC_TABLE} routes ::/0 to {eigw}: "
        "an egress-only internet gateway accepts no connections from the internet"
    ]


def test_a_prefix_list_rule_admits_exactly_its_entries() -> None:
    world = World()
    office = "pl-0a1b2c3d4e5f60789"
    _ingress(world, permission("tcp", 22, prefix_lists=(office,)))
    world.prefix_list_entries[office] = {
        "Entries": [
            {"Cidr": "203.0.113.0/24", "Description": "office"},
            {"Cidr": "198.51.100.7/32", "Description": "vpn"},
        ]
    }
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.by_source == (
        SourceTraffic(("198.51.100.7/32", "203.0.113.0/24"), TrafficSet.of("tcp", 22)),
    )
    assert f"{WEB_GROUP} allows tcp/22 from {office} (203.0.113.0/24)" in reach.explain()


def test_a_prefix_list_whose_entries_are_unknown_is_reported_not_guessed_away() -> None:
    world = World()
    _ingress(world, permission("tcp", 22, prefix_lists=("pl-0ffffffffffffffff",)))
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.reachable  # it may admit the internet: say so, flagged unknown
    assert [(s.control_id, s.verdict) for s in reach.unknowns] == [(WEB_GROUP, Verdict.UNKNOWN)]


def test_protocol_minus_one_allows_all_that_the_acl_lets_through() -> None:
    world = World()
    _ingress(world, permission("-1", cidrs=("0.0.0.0/0",)))
    _acl_entries(
        world,
        [
            acl_entry(100, "allow", "6", ports=(443, 443)),
            acl_entry(110, "allow", "17", ports=(53, 53)),
            acl_entry(100, "allow", egress=True),
        ],
    )
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 443) | TrafficSet.of("udp", 53)


def test_port_ranges_of_group_and_acl_intersect_exactly() -> None:
    world = World()
    _ingress(
        world,
        permission("tcp", 1000, 2000, cidrs=("0.0.0.0/0",)),
        permission("tcp", 8000, 8080, cidrs=("0.0.0.0/0",)),
    )
    _acl_entries(
        world,
        [acl_entry(100, "allow", "6", ports=(1500, 8040)), acl_entry(100, "allow", egress=True)],
    )
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 1500, 2000) | TrafficSet.of("tcp", 8000, 8040)
    assert str(reach.traffic) == "tcp/1500-2000,8000-8040"


def test_a_rule_for_private_addresses_admits_no_one_from_the_internet() -> None:
    world = World()
    _ingress(world, permission("tcp", 22, cidrs=("10.0.0.0/8",)))
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert not reach.reachable
    assert [str(s) for s in reach.blocked_by] == [
        f"{WEB_GROUP} allows none of all traffic from the internet"
    ]


def test_asking_about_one_port_answers_about_that_port() -> None:
    reach = World().analyzer().internet_to_interface(WEB_INTERFACE, TrafficSet.of("tcp", 80))
    assert not reach.reachable
    assert [str(s) for s in reach.blocked_by] == [
        f"{WEB_GROUP} allows none of tcp/80 from the internet"
    ]


def test_a_stopped_instance_is_not_reachable() -> None:
    world = World()
    world.instances = [instance(WEB_INSTANCE, "stopped")]
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert [str(s) for s in reach.blocked_by] == [f"{WEB_INSTANCE} is stopped"]


def test_an_interface_without_public_address_is_not_reachable() -> None:
    world = World()
    world.interfaces[0] = interface(
        WEB_INTERFACE, world.interfaces[0]["SubnetId"], "10.0.1.10", (WEB_GROUP,)
    )
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert [str(s) for s in reach.blocked_by] == [
        f"{WEB_INTERFACE} has no public IPv4 address and no global IPv6 address"
    ]


def test_missing_acl_facts_are_unknown_not_blocking() -> None:
    world = World()
    world.network_acls = []
    reach = world.analyzer().internet_to_interface(WEB_INTERFACE)
    assert reach.traffic == TrafficSet.of("tcp", 22)
    assert {s.detail for s in reach.unknowns} == {"has no network ACL in the facts"}


def test_exposures_cover_interfaces_with_addresses_and_skip_nat_gateways() -> None:
    world = World()
    world.security_groups.append(security_group("sg-0fedcba987654321f", VPC, []))
    world.interfaces += [
        interface(
            "eni-0ccc3333dddd4444e",
            PRIVATE_SUBNET,
            "10.0.2.5",
            (),
            public_ip="34.192.10.2",
            interface_type="nat_gateway",
            description=f"Interface for NAT Gateway {NAT}",
        ),
        interface("eni-0ddd4444eeee5555f", PRIVATE_SUBNET, "10.0.2.6", ("sg-0fedcba987654321f",)),
    ]
    exposures = world.analyzer().internet_exposures()
    assert [(r.target, r.reachable) for r in exposures] == [(WEB_INTERFACE, True)]
