"""Load balancers: the internet's reach to their listeners, and their reach to their targets.

An internet-facing load balancer has nodes in each of its subnets. The internet reaches it on a
listener when, through at least one of those subnets, the route back leads to an internet
gateway, the subnet's network ACL lets the traffic in and the answers out, and a security group of
the load balancer allows it (a network load balancer without security groups filters nothing).
An internal load balancer is not reachable from the internet.

Traffic a listener accepts goes to the targets of the target groups it forwards to, on each
target's port. A target is reached when the load balancer's nodes reach it like any interface
inside the VPC: the load balancer's security group egress, the ACLs of both subnets, and a
security group of the target allowing the load balancer's group or the nodes' subnet addresses.
A network load balancer that keeps the clients' addresses (the AWS default for instance targets
and UDP) shows the target the internet instead, so the target's own rules must admit it.
"""

from __future__ import annotations

from kg.analysis.reachability.addresses import INTERNET_IPV4, AddressRange, parse_cidr
from kg.analysis.reachability.checks import Peer
from kg.analysis.reachability.flows import Flow, answer, merge_flows
from kg.analysis.reachability.model import (
    Listener,
    LoadBalancer,
    NetworkInterface,
    Target,
    TargetGroup,
    load_balancer_traffic,
)
from kg.analysis.reachability.network import Network
from kg.analysis.reachability.paths import THE_INTERNET, Endpoint, Paths, interface_endpoint
from kg.analysis.reachability.results import (
    INTERNET,
    ControlKind,
    LoadBalancerExposure,
    Reachability,
    Step,
    TargetReach,
    Verdict,
)
from kg.analysis.reachability.traffic import TrafficSet


def load_balancer_exposure(paths: Paths, balancer: LoadBalancer) -> LoadBalancerExposure:
    network = paths.network
    front = answer(INTERNET, balancer.load_balancer_arn, _front(paths, balancer))
    targets: list[TargetReach] = []
    unresolved: list[str] = []
    hops: dict[tuple[str, str, int], Reachability] = {}
    for listener in balancer.listeners:
        listening = bool(front.traffic & listener.traffic)
        for group in _forwarded_groups(network, balancer, listener, unresolved):
            for target in group.targets:
                interface = _target_interface(network, group, target)
                port = target.port or group.port
                if interface is None or port is None or group.protocol is None:
                    unresolved.append(f"{group.name}: {target.target_id}")
                    continue
                key = (group.target_group_arn, interface.network_interface_id, port)
                if key not in hops:
                    hops[key] = _hop(paths, balancer, group, interface, port)
                targets.append(
                    TargetReach(
                        listener_arn=listener.listener_arn,
                        listener_port=listener.port,
                        target_group_arn=group.target_group_arn,
                        target_id=target.target_id,
                        interface_id=interface.network_interface_id,
                        port=port,
                        exposed=listening and hops[key].reachable,
                        hop=hops[key],
                    )
                )
    return LoadBalancerExposure(
        balancer.load_balancer_arn, front, tuple(targets), tuple(dict.fromkeys(unresolved))
    )


def _step(balancer: LoadBalancer, verdict: Verdict, detail: str) -> Step:
    return Step(balancer.load_balancer_arn, ControlKind.LOAD_BALANCER, verdict, detail)


def _nodes(network: Network, balancer: LoadBalancer, subnet_id: str) -> Endpoint:
    """The load balancer's nodes in one subnet: any address of the subnet may be one of them."""
    subnet = network.subnet.get(subnet_id)
    cidr = subnet.ipv4_cidr if subnet else None
    return Endpoint(
        label=f"{balancer.name} nodes in {subnet_id}",
        owner_id=balancer.load_balancer_arn,
        subnet_id=subnet_id,
        group_ids=balancer.security_group_ids,
        ranges=(AddressRange.of_cidr(parse_cidr(cidr)),) if cidr else (),
    )


def _front(paths: Paths, balancer: LoadBalancer) -> Flow:
    opening = Flow()
    if not balancer.internet_facing:
        detail = f"is {balancer.scheme}: the internet cannot reach it"
        opening.note([_step(balancer, Verdict.BLOCKS, detail)], blocking=True)
        return opening
    query = TrafficSet.nothing()
    for listener in balancer.listeners:
        query |= listener.traffic
    if not query:
        opening.note([_step(balancer, Verdict.BLOCKS, "has no listener")], blocking=True)
        return opening
    opening.note([_step(balancer, Verdict.ALLOWS, f"is internet-facing, listening on {query}")])
    through_subnets = [
        paths.from_internet(
            _nodes(paths.network, balancer, subnet_id), INTERNET_IPV4, query, THE_INTERNET
        )
        for subnet_id in balancer.subnet_ids
    ]
    return merge_flows([opening, *through_subnets])


def _forwarded_groups(
    network: Network, balancer: LoadBalancer, listener: Listener, unresolved: list[str]
) -> list[TargetGroup]:
    """The target groups a listener forwards to; a group attached to the load balancer that no
    listener names (its rules were not collected) counts for every listener."""
    named = {arn for each in balancer.listeners for arn in each.target_group_arns}
    arns = list(listener.target_group_arns) + [
        group.target_group_arn
        for group in network.target_groups_of(balancer.load_balancer_arn)
        if group.target_group_arn not in named
    ]
    groups = []
    for arn in arns:
        group = network.target_group.get(arn)
        if group is None:
            unresolved.append(f"{arn} (target group not in the facts)")
        else:
            groups.append(group)
    return groups


def _target_interface(
    network: Network, group: TargetGroup, target: Target
) -> NetworkInterface | None:
    if group.target_type == "instance":
        return network.primary_interface(target.target_id)
    if group.target_type == "ip":
        return network.interface_with_private_ip(group.vpc_id, target.target_id)
    return None  # a Lambda function or a load balancer: not an interface


def _keeps_client_addresses(balancer: LoadBalancer, group: TargetGroup) -> bool:
    if balancer.type != "network":
        return False
    if group.preserve_client_ip is not None:
        return group.preserve_client_ip
    return group.target_type == "instance" or (group.protocol or "").upper() in ("UDP", "TCP_UDP")


def _hop(
    paths: Paths,
    balancer: LoadBalancer,
    group: TargetGroup,
    interface: NetworkInterface,
    port: int,
) -> Reachability:
    """The load balancer's reach to one target on one port."""
    query = load_balancer_traffic(group.target_group_arn, group.protocol, port)
    destination = interface_endpoint(interface)
    if _keeps_client_addresses(balancer, group):
        opening = Flow()
        detail = f"keeps client addresses for {group.name}: its targets see the internet"
        opening.note([_step(balancer, Verdict.ALLOWS, detail)])
        clients = Peer(f"the internet (clients of {balancer.name})")
        flow = paths.from_internet(destination, INTERNET_IPV4, query, clients, routed=False)
        flow = merge_flows([opening, flow])
    else:
        flow = merge_flows(
            paths.inside(_nodes(paths.network, balancer, subnet_id), destination, query)
            for subnet_id in balancer.subnet_ids
        )
    return answer(balancer.load_balancer_arn, interface.network_interface_id, flow)
