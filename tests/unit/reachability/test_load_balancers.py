"""Internet -> load balancer listener -> registered target on the target group port."""

from __future__ import annotations

from kg.analysis.reachability import SourceTraffic, TrafficSet
from tests.unit.reachability.aws_shapes import (
    PRIVATE_SUBNET,
    PUBLIC_SUBNET,
    PUBLIC_TABLE,
    VPC,
    Item,
    World,
    balancer_arn,
    instance,
    interface,
    listeners,
    load_balancer,
    permission,
    security_group,
    subnet,
    target_group,
    target_health,
)

SECOND_PUBLIC_SUBNET = "subnet-0a0b0c0d0e0f01234"
ALB_GROUP = "sg-0a1b2c3d4e5f6a7b8"
APP_GROUP = "sg-0b2c3d4e5f6a7b8c9"
APP_INSTANCE = "i-0123456789abcdef1"
APP_INTERFACE = "eni-0eee5555ffff6666a"
ALB = balancer_arn("shop-web")
NLB = balancer_arn("shop-nlb", kind="net")


def _shop(app_ingress: Item, *, scheme: str = "internet-facing") -> World:
    """An application load balancer in two public subnets, listening on HTTPS 443 and
    forwarding to an instance in the private subnet on HTTP 8080."""
    world = World()
    world.subnets.append(subnet(SECOND_PUBLIC_SUBNET, VPC, "10.0.3.0/24"))
    world.table(PUBLIC_TABLE)["Associations"].append(
        {
            "Main": False,
            "RouteTableAssociationId": "rtbassoc-0c0d0e0f0a0b01234",
            "RouteTableId": PUBLIC_TABLE,
            "SubnetId": SECOND_PUBLIC_SUBNET,
            "AssociationState": {"State": "associated"},
        }
    )
    world.security_groups += [
        security_group(ALB_GROUP, VPC, [permission("tcp", 443, cidrs=("0.0.0.0/0",))]),
        security_group(APP_GROUP, VPC, [app_ingress]),
    ]
    world.interfaces.append(
        interface(
            APP_INTERFACE, PRIVATE_SUBNET, "10.0.2.20", (APP_GROUP,), instance_id=APP_INSTANCE
        )
    )
    world.instances.append(instance(APP_INSTANCE))
    world.load_balancers = [
        load_balancer("shop-web", scheme, (PUBLIC_SUBNET, SECOND_PUBLIC_SUBNET), (ALB_GROUP,))
    ]
    world.listeners[ALB] = listeners(ALB, ("HTTPS", 443, "shop-app"))
    world.target_groups = [target_group("shop-app", "HTTP", 8080, ALB, "instance")]
    world.target_health["shop-app"] = target_health((APP_INSTANCE, 8080))
    return world


def test_a_target_that_admits_the_load_balancer_group_is_exposed() -> None:
    exposure = _shop(permission("tcp", 8080, groups=(ALB_GROUP,))).analyzer()
    result = exposure.load_balancer_exposure(ALB)
    assert result.front.traffic == TrafficSet.of("tcp", 443)
    assert f"{ALB_GROUP} allows tcp/443 from 0.0.0.0/0" in result.front.explain()
    (target,) = result.targets
    assert (target.target_id, target.interface_id, target.port) == (
        APP_INSTANCE,
        APP_INTERFACE,
        8080,
    )
    assert target.exposed and target.hop.traffic == TrafficSet.of("tcp", 8080)
    assert f"{APP_GROUP} allows tcp/8080 from {ALB_GROUP}" in target.hop.explain()
    assert result.exposed_targets == (target,)


def test_a_target_whose_own_group_blocks_the_port_is_not_exposed() -> None:
    result = (
        _shop(permission("tcp", 9000, groups=(ALB_GROUP,))).analyzer().load_balancer_exposure(ALB)
    )
    assert result.front.reachable  # the load balancer itself still answers on 443
    (target,) = result.targets
    assert not target.exposed and not target.hop.reachable
    assert {str(s) for s in target.hop.blocked_by} == {
        f"{APP_GROUP} allows none of tcp/8080 from shop-web nodes in {PUBLIC_SUBNET}",
        f"{APP_GROUP} allows none of tcp/8080 from shop-web nodes in {SECOND_PUBLIC_SUBNET}",
    }
    assert result.exposed_targets == ()


def test_a_target_admitting_one_load_balancer_subnet_is_reached_from_those_nodes() -> None:
    result = (
        _shop(permission("tcp", 8080, cidrs=("10.0.1.0/24",)))
        .analyzer()
        .load_balancer_exposure(ALB)
    )
    (target,) = result.targets
    assert target.exposed
    assert target.hop.by_source == (SourceTraffic(("10.0.1.0/24",), TrafficSet.of("tcp", 8080)),)


def test_an_internal_load_balancer_is_not_reachable_from_the_internet() -> None:
    world = _shop(permission("tcp", 8080, groups=(ALB_GROUP,)), scheme="internal")
    result = world.analyzer().load_balancer_exposure(ALB)
    assert not result.front.reachable
    assert [str(s) for s in result.front.blocked_by] == [
        f"{ALB} is internal: the internet cannot reach it"
    ]
    (target,) = result.targets
    assert target.hop.reachable and not target.exposed


def _network_load_balancer(app_ingress: Item) -> World:
    """A network load balancer without security groups, TCP 443 to an instance on 443: the
    target sees the clients' own addresses (the AWS default for instance targets)."""
    world = _shop(app_ingress)
    world.load_balancers = [
        load_balancer("shop-nlb", "internet-facing", (PUBLIC_SUBNET,), (), "net")
    ]
    world.listeners = {NLB: listeners(NLB, ("TCP", 443, "shop-tls"))}
    world.target_groups = [target_group("shop-tls", "TCP", 443, NLB, "instance")]
    world.target_health = {"shop-tls": target_health((APP_INSTANCE, 443))}
    return world


def test_a_network_load_balancer_keeping_client_addresses_needs_the_target_to_admit_them() -> None:
    open_target = _network_load_balancer(permission("tcp", 443, cidrs=("0.0.0.0/0",)))
    result = open_target.analyzer().load_balancer_exposure(NLB)
    assert result.front.traffic == TrafficSet.of("tcp", 443)
    assert f"{NLB} has no security group: nothing is filtered here" in result.front.explain()
    assert [t.exposed for t in result.targets] == [True]

    vpc_only = _network_load_balancer(permission("tcp", 443, cidrs=("10.0.0.0/16",)))
    (target,) = vpc_only.analyzer().load_balancer_exposure(NLB).targets
    assert not target.exposed
    assert [str(s) for s in target.hop.blocked_by] == [
        f"{APP_GROUP} allows none of tcp/443 from the internet (clients of shop-nlb)"
    ]
