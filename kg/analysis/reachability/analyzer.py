"""Reachability questions over a `Network`: from the internet, through load balancers, inside.

Internet -> interface holds on a protocol and port only when every control on the way allows
it: a public IPv4 address (or a global IPv6 address) on the interface, a running instance
behind it, the subnet's route back to an internet gateway (longest prefix match; a NAT gateway
or an egress-only internet gateway accepts no inbound connections), the subnet's network ACL
both ways, and a security group of the interface. See `paths` for the order of the checks and
`load_balancers` for load balancers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.analysis.reachability.addresses import (
    INTERNET_IPV4,
    INTERNET_IPV6,
    AddressRange,
    is_global_ipv6,
)
from kg.analysis.reachability.errors import ReachabilityInputError
from kg.analysis.reachability.flows import Flow, answer, merge_flows
from kg.analysis.reachability.load_balancers import load_balancer_exposure
from kg.analysis.reachability.model import NetworkInterface
from kg.analysis.reachability.network import Network
from kg.analysis.reachability.paths import THE_INTERNET, Endpoint, Paths, interface_endpoint
from kg.analysis.reachability.results import (
    INTERNET,
    ControlKind,
    LoadBalancerExposure,
    Reachability,
    Step,
    Verdict,
)
from kg.analysis.reachability.traffic import TrafficSet


class ReachabilityAnalyzer:
    """Answers reachability questions about one `Network`; build it once, ask many times.

    The interface questions take the traffic to ask about (default: all traffic) and answer
    with the part of it that gets through, and why; load balancers are asked about their
    listeners' traffic.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        self.paths = Paths(network)
        self._endpoints: dict[str, Endpoint] = {}

    def _interface(self, interface_id: str) -> NetworkInterface:
        interface = self.network.interface.get(interface_id)
        if interface is None:
            raise ReachabilityInputError(f"network interface {interface_id!r} is not in the facts")
        return interface

    def _endpoint(self, interface_id: str) -> Endpoint:
        """The interface as an end of a flow, made once: it is an end of many."""
        if interface_id not in self._endpoints:
            self._endpoints[interface_id] = interface_endpoint(self._interface(interface_id))
        return self._endpoints[interface_id]

    def internet_to_interface(
        self, interface_id: str, traffic: TrafficSet | None = None
    ) -> Reachability:
        """What the internet reaches an interface with, from which addresses, and why."""
        interface = self._interface(interface_id)
        opening = Flow()
        sources = self._internet_sources(interface, opening)
        if not sources or not self._running(interface, opening):
            return answer(INTERNET, interface_id, opening)
        query = TrafficSet.everything() if traffic is None else traffic
        found = self.paths.from_internet(
            interface_endpoint(interface), sources, query, THE_INTERNET
        )
        return answer(INTERNET, interface_id, merge_flows([opening, found]))

    def internet_exposures(self, traffic: TrafficSet | None = None) -> list[Reachability]:
        """Every interface with a public or global address, evaluated (filter on `reachable`).
        Load balancer interfaces are left to `load_balancer_exposures`, NAT gateway ones skipped
        (a NAT gateway accepts no inbound connections)."""
        return [
            self.internet_to_interface(i.network_interface_id, traffic)
            for i in self.network.interfaces
            if (i.public_ips or any(map(is_global_ipv6, i.ipv6_addresses)))
            and not i.is_nat_gateway
            and i.load_balancer_arn is None
        ]

    def _internet_sources(self, interface: NetworkInterface, flow: Flow) -> list[AddressRange]:
        """The internet addresses that can send to the interface, by the addresses it has."""
        interface_id = interface.network_interface_id
        elastic = " (Elastic IP)" if interface.elastic_ip else ""
        steps = [f"has public IPv4 {ip}{elastic}" for ip in interface.public_ips]
        global_ipv6 = [a for a in interface.ipv6_addresses if is_global_ipv6(a)]
        steps += [f"has global IPv6 {address}" for address in global_ipv6]
        flow.note(_address_step(interface_id, Verdict.ALLOWS, detail) for detail in steps)
        sources = (list(INTERNET_IPV4) if interface.public_ips else []) + (
            list(INTERNET_IPV6) if global_ipv6 else []
        )
        if not sources:
            detail = "has no public IPv4 address and no global IPv6 address"
            flow.note([_address_step(interface_id, Verdict.BLOCKS, detail)], blocking=True)
        return sources

    def _running(self, interface: NetworkInterface, flow: Flow) -> bool:
        """False (and says so) when the interface's instance is known and not running."""
        instance = self.network.instance.get(interface.instance_id or "")
        if instance is None or instance.state == "running":
            return True
        step = Step(
            instance.instance_id, ControlKind.INSTANCE_STATE, Verdict.BLOCKS, f"is {instance.state}"
        )
        flow.note([step], blocking=True)
        return False

    def load_balancer_exposure(self, load_balancer_arn: str) -> LoadBalancerExposure:
        """The internet's reach to a load balancer's listeners and on to its targets."""
        balancer = self.network.load_balancer.get(load_balancer_arn)
        if balancer is None:
            raise ReachabilityInputError(f"load balancer {load_balancer_arn!r} is not in the facts")
        return load_balancer_exposure(self.paths, balancer)

    def load_balancer_exposures(self) -> list[LoadBalancerExposure]:
        return [load_balancer_exposure(self.paths, b) for b in self.network.load_balancers]

    def interface_to_interface(
        self, source_id: str, target_id: str, traffic: TrafficSet | None = None
    ) -> Reachability:
        """What one interface reaches another with, between their primary private addresses."""
        source, target = self._endpoint(source_id), self._endpoint(target_id)
        query = TrafficSet.everything() if traffic is None else traffic
        return answer(source_id, target_id, self.paths.inside(source, target, query))

    def internal_reachability(
        self,
        traffic: TrafficSet | None = None,
        targets: Iterable[NetworkInterface] | None = None,
    ) -> Iterator[Reachability]:
        """Every pair of interfaces where the source reaches the target (one of `targets`, by
        default any interface of the network).

        Sources are found from each target's ingress rules (the members of a group a rule names,
        the interfaces whose address a rule's CIDR covers in a VPC connected to the target's),
        by index lookups, so pairs no rule relates are never evaluated. Pairs come one at a time:
        a caller turning each into a record keeps no answer alive (tens of thousands per hundred
        accounts, which the garbage collector would otherwise walk again and again).
        """
        for target in self.network.interfaces if targets is None else targets:
            if target.is_nat_gateway or target.load_balancer_arn is not None:
                continue
            for source in self._candidate_sources(target):
                reach = self.interface_to_interface(
                    source.network_interface_id, target.network_interface_id, traffic
                )
                if reach.reachable:
                    yield reach

    def _candidate_sources(self, target: NetworkInterface) -> list[NetworkInterface]:
        connected = self.network.connected_vpcs.get(target.vpc_id, frozenset({target.vpc_id}))
        candidates = {
            member.network_interface_id: member
            for member in self._named_by_ingress(target, connected)
        }
        candidates.pop(target.network_interface_id, None)
        return list(candidates.values())

    def _named_by_ingress(
        self, target: NetworkInterface, connected: frozenset[str]
    ) -> Iterator[NetworkInterface]:
        """The interfaces of the connected VPCs that the target's ingress rules name."""
        for group_id in target.security_group_ids:
            group = self.network.security_group.get(group_id)
            for rule in group.ingress if group else ():
                for named in rule.group_ids:
                    members = self.network.interfaces_by_group.get(named, ())
                    yield from (member for member in members if member.vpc_id in connected)
                for block, _ in rule.blocks:
                    yield from self.network.interfaces_in(block, connected)


def _address_step(interface_id: str, verdict: Verdict, detail: str) -> Step:
    return Step(interface_id, ControlKind.PUBLIC_ADDRESS, verdict, detail)
