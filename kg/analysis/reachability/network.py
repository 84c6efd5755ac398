"""All network facts of one or more account-regions, indexed the ways evaluation looks them up."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import cached_property

from kg.analysis.reachability.addresses import Cidr, parse_address
from kg.analysis.reachability.model import (
    Instance,
    LoadBalancer,
    NetworkAcl,
    NetworkInterface,
    RouteTable,
    RouteTarget,
    SecurityGroup,
    Subnet,
    TargetGroup,
    Vpc,
)

# Addresses in ascending order, and beside each (rank in its family's address order, interface).
_AddressIndex = tuple[list[int], list[tuple[int, NetworkInterface]]]


@dataclass(frozen=True)
class Network:
    """The facts, as given; the lookups below are built once, on first use.

    A reference to something absent (a subnet whose route table was not collected, a security
    group of another account) is not an error: evaluation reports it as unknown.
    """

    vpcs: tuple[Vpc, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    route_tables: tuple[RouteTable, ...] = ()
    network_acls: tuple[NetworkAcl, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    interfaces: tuple[NetworkInterface, ...] = ()
    instances: tuple[Instance, ...] = ()
    load_balancers: tuple[LoadBalancer, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()

    @classmethod
    def combine(cls, networks: Iterable[Network]) -> Network:
        """One network of several account-regions (for peering and cross-account references)."""
        parts = list(networks)
        return cls(
            **{f.name: tuple(x for n in parts for x in getattr(n, f.name)) for f in fields(cls)}
        )

    @cached_property
    def subnet(self) -> dict[str, Subnet]:
        return {s.subnet_id: s for s in self.subnets}

    @cached_property
    def route_table(self) -> dict[str, RouteTable]:
        return {t.route_table_id: t for t in self.route_tables}

    @cached_property
    def network_acl(self) -> dict[str, NetworkAcl]:
        return {a.network_acl_id: a for a in self.network_acls}

    @cached_property
    def security_group(self) -> dict[str, SecurityGroup]:
        return {g.group_id: g for g in self.security_groups}

    @cached_property
    def interface(self) -> dict[str, NetworkInterface]:
        return {i.network_interface_id: i for i in self.interfaces}

    @cached_property
    def instance(self) -> dict[str, Instance]:
        return {i.instance_id: i for i in self.instances}

    @cached_property
    def load_balancer(self) -> dict[str, LoadBalancer]:
        return {b.load_balancer_arn: b for b in self.load_balancers}

    @cached_property
    def target_group(self) -> dict[str, TargetGroup]:
        return {g.target_group_arn: g for g in self.target_groups}

    def target_groups_of(self, load_balancer_arn: str) -> tuple[TargetGroup, ...]:
        """The target groups attached to a load balancer, in the order of the facts."""
        return self._target_groups_by_balancer.get(load_balancer_arn, ())

    @cached_property
    def _target_groups_by_balancer(self) -> dict[str, tuple[TargetGroup, ...]]:
        found: defaultdict[str, list[TargetGroup]] = defaultdict(list)
        for group in self.target_groups:
            for arn in dict.fromkeys(group.load_balancer_arns):
                found[arn].append(group)
        return {arn: tuple(groups) for arn, groups in found.items()}

    @cached_property
    def _main_route_table(self) -> dict[str, RouteTable]:
        return {t.vpc_id: t for t in self.route_tables if t.is_main}

    @cached_property
    def _default_network_acl(self) -> dict[str, NetworkAcl]:
        return {a.vpc_id: a for a in self.network_acls if a.is_default}

    def route_table_of(self, subnet: Subnet) -> RouteTable | None:
        """The subnet's associated route table, else its VPC's main table."""
        if subnet.route_table_id is not None:
            return self.route_table.get(subnet.route_table_id)
        return self._main_route_table.get(subnet.vpc_id)

    def network_acl_of(self, subnet: Subnet) -> NetworkAcl | None:
        if subnet.network_acl_id is not None:
            return self.network_acl.get(subnet.network_acl_id)
        return self._default_network_acl.get(subnet.vpc_id)

    @cached_property
    def interfaces_by_group(self) -> dict[str, tuple[NetworkInterface, ...]]:
        """Security group id -> the interfaces it is attached to."""
        found: defaultdict[str, list[NetworkInterface]] = defaultdict(list)
        for interface in self.interfaces:
            for group_id in interface.security_group_ids:
                found[group_id].append(interface)
        return {group_id: tuple(members) for group_id, members in found.items()}

    @cached_property
    def _interfaces_by_address(self) -> dict[tuple[str, int], _AddressIndex]:
        """Per VPC and family, interfaces sorted by primary private address (parallel lists),
        each with its rank in the address order of every interface of the family."""
        pairs: defaultdict[int, list[tuple[int, NetworkInterface]]] = defaultdict(list)
        for interface in self.interfaces:
            if interface.primary_private_ip:
                family, address = parse_address(interface.primary_private_ip)
                pairs[family].append((address, interface))
        ordered: defaultdict[tuple[str, int], _AddressIndex] = defaultdict(lambda: ([], []))
        for family, items in pairs.items():
            items.sort(key=lambda pair: pair[0])
            for rank, (address, interface) in enumerate(items):
                addresses, ranked = ordered[(interface.vpc_id, family)]
                addresses.append(address)
                ranked.append((rank, interface))
        return dict(ordered)

    def interfaces_in(self, cidr: Cidr, vpc_ids: Iterable[str]) -> list[NetworkInterface]:
        """Interfaces of these VPCs whose primary private address lies in a CIDR, in address
        order (a bisect per VPC, not a scan: a rule for 0.0.0.0/0 costs only the VPCs asked)."""
        found: list[tuple[int, NetworkInterface]] = []
        for vpc_id in vpc_ids:
            addresses, ranked = self._interfaces_by_address.get((vpc_id, cidr.family), ([], []))
            found += ranked[bisect_left(addresses, cidr.first) : bisect_right(addresses, cidr.last)]
        found.sort(key=lambda item: item[0])
        return [interface for _, interface in found]

    def interface_with_private_ip(self, vpc_id: str | None, ip: str) -> NetworkInterface | None:
        return self._interface_by_private_ip.get((vpc_id, ip))

    @cached_property
    def _interface_by_private_ip(self) -> dict[tuple[str | None, str], NetworkInterface]:
        return {(i.vpc_id, ip): i for i in self.interfaces for ip in i.private_ips}

    def primary_interface(self, instance_id: str) -> NetworkInterface | None:
        """The instance's lowest device index interface: load balancers send traffic to the
        primary one (device index 0)."""
        attached = self._interfaces_by_instance.get(instance_id)
        return attached[0] if attached else None

    @cached_property
    def _interfaces_by_instance(self) -> dict[str, list[NetworkInterface]]:
        found: defaultdict[str, list[NetworkInterface]] = defaultdict(list)
        for interface in self.interfaces:
            if interface.instance_id:
                found[interface.instance_id].append(interface)
        for attached in found.values():
            attached.sort(key=lambda i: (i.device_index is None, i.device_index or 0))
        return found

    @cached_property
    def connected_vpcs(self) -> dict[str, frozenset[str]]:
        """VPC -> VPCs it may exchange traffic with: itself, and those whose route tables name
        the same peering connection or transit gateway (evaluation checks the exact routes)."""
        by_gateway: defaultdict[str, set[str]] = defaultdict(set)
        for table in self.route_tables:
            for route in table.routes:
                if route.target in (RouteTarget.PEERING_CONNECTION, RouteTarget.TRANSIT_GATEWAY):
                    by_gateway[route.target_id].add(table.vpc_id)
        connected: defaultdict[str, set[str]] = defaultdict(set)
        for vpc_ids in by_gateway.values():
            for vpc_id in vpc_ids:
                connected[vpc_id] |= vpc_ids
        vpc_ids = {s.vpc_id for s in self.subnets} | {i.vpc_id for i in self.interfaces}
        return {v: frozenset(connected.get(v, set()) | {v}) for v in vpc_ids}
