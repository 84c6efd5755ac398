"""The checks on a path, assembled from the network's facts.

The destination's security groups come first: they say what the destination is open to, and
the other controls are then asked about that traffic only, so a control that takes it away is
named as what blocked it ("sg-1 allows tcp/22 from 0.0.0.0/0", then "acl-9 rule 90 denies
tcp/22 inbound from 0.0.0.0/0"). Then, in the order the packets meet them:

* from the internet: the destination subnet's ACL inbound, its ACL outbound for the answers
  (ACLs are stateless; security groups are not), and its route back to an internet gateway;
* between two ends inside (an interface, or a load balancer's nodes in one subnet): the source's
  security group egress and ACL outbound, the routes both ways, the destination's ACLs (inbound,
  and outbound for the answers), and the source's ACL inbound for the answers.

ACLs filter only traffic that crosses a subnet's edge, so a flow inside one subnet skips them.
Missing facts become `Unknown` checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from kg.analysis.reachability.addresses import AddressRange, parse_cidr
from kg.analysis.reachability.checks import (
    AclDecisions,
    Check,
    GroupDecisions,
    InternetRouteCheck,
    NetworkAclCheck,
    Peer,
    PeerRouteCheck,
    RouteDecisions,
    SecurityGroupCheck,
    Unknown,
)
from kg.analysis.reachability.flows import Flow, run_flow
from kg.analysis.reachability.model import NetworkInterface, RouteTable, SecurityGroup
from kg.analysis.reachability.network import Network
from kg.analysis.reachability.results import ControlKind, Step, Verdict
from kg.analysis.reachability.traffic import TrafficSet

THE_INTERNET = Peer("the internet")

# Security groups of some ids: those in the facts, and the ids of those that are not.
_FoundGroups = tuple[tuple[SecurityGroup, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Endpoint:
    """One end of a flow inside a VPC: who it is, where it sits, its groups, its addresses."""

    label: str
    owner_id: str
    subnet_id: str
    group_ids: tuple[str, ...]
    ranges: tuple[AddressRange, ...]


def interface_endpoint(interface: NetworkInterface) -> Endpoint:
    """An interface as an end of a flow, by its primary private address."""
    ip = interface.primary_private_ip
    return Endpoint(
        label=f"{ip} ({interface.network_interface_id})",
        owner_id=interface.network_interface_id,
        subnet_id=interface.subnet_id,
        group_ids=interface.security_group_ids,
        ranges=(AddressRange.of_cidr(parse_cidr(ip)),) if ip else (),
    )


class Paths:
    """Builds and runs the checks of paths through one `Network`."""

    def __init__(self, network: Network) -> None:
        self.network = network
        # Decisions of each rule set, shared by its checks on every path: by ACL, direction and
        # answer, by groups and direction, by the route tables of the two ends. ACLs and tables
        # go by object (their ids are the network's keys, not a promise of one object per id);
        # the network, held here, keeps every one of them alive.
        self._acl_decisions: defaultdict[tuple[int, bool, bool], AclDecisions]
        self._acl_decisions = defaultdict(dict)
        self._group_decisions: defaultdict[tuple[tuple[str, ...], bool], GroupDecisions]
        self._group_decisions = defaultdict(dict)
        self._route_decisions: defaultdict[tuple[int, int], RouteDecisions]
        self._route_decisions = defaultdict(dict)
        self._resolved_groups: dict[tuple[str, ...], _FoundGroups] = {}

    def _route_table(self, subnet_id: str) -> RouteTable | None:
        subnet = self.network.subnet.get(subnet_id)
        return self.network.route_table_of(subnet) if subnet else None

    def _acl(self, subnet_id: str, *, egress: bool, peer: Peer, answer: bool = False) -> Check:
        subnet = self.network.subnet.get(subnet_id)
        acl = self.network.network_acl_of(subnet) if subnet else None
        if acl is None:
            return Unknown(subnet_id, ControlKind.NETWORK_ACL, "has no network ACL in the facts")
        decided = self._acl_decisions[(id(acl), egress, answer)]
        return NetworkAclCheck(acl, egress, peer, answer, decided)

    def _groups(
        self, end: Endpoint, *, ingress: bool, peer: Peer, peer_group_ids: Sequence[str]
    ) -> Check:
        groups, missing_group_ids = self._resolve(end.group_ids)
        return SecurityGroupCheck(
            owner_id=end.owner_id,
            groups=groups,
            missing_group_ids=missing_group_ids,
            ingress=ingress,
            peer=peer,
            peer_group_ids=frozenset(peer_group_ids),
            decided=self._group_decisions[(end.group_ids, ingress)],
        )

    def _resolve(self, group_ids: tuple[str, ...]) -> _FoundGroups:
        """The groups of these ids in the facts, and the ids not there (once per set of ids)."""
        if group_ids not in self._resolved_groups:
            found = [self.network.security_group.get(g) for g in group_ids]
            self._resolved_groups[group_ids] = (
                tuple(g for g in found if g is not None),
                tuple(g for g, f in zip(group_ids, found, strict=True) if f is None),
            )
        return self._resolved_groups[group_ids]

    def _arrival_acls(self, destination: Endpoint, peer: Peer) -> list[Check]:
        """The destination subnet's ACL: the traffic inbound, its answers outbound."""
        return [
            self._acl(destination.subnet_id, egress=False, peer=peer),
            self._acl(destination.subnet_id, egress=True, peer=peer, answer=True),
        ]

    def from_internet(
        self,
        destination: Endpoint,
        sources: Sequence[AddressRange],
        query: TrafficSet,
        peer: Peer,
        *,
        routed: bool = True,
    ) -> Flow:
        """Internet sources to a destination: through its subnet's internet route when `routed`
        (not for a load balancer's targets, whose answers the load balancer carries)."""
        checks = [self._groups(destination, ingress=True, peer=peer, peer_group_ids=())]
        checks += self._arrival_acls(destination, peer)
        if routed:
            table = self._route_table(destination.subnet_id)
            detail = "has no route table in the facts"
            checks.append(
                InternetRouteCheck(table)
                if table
                else Unknown(destination.subnet_id, ControlKind.ROUTE_TABLE, detail)
            )
        return run_flow(sources, checks, query)

    def inside(self, source: Endpoint, destination: Endpoint, query: TrafficSet) -> Flow:
        """Source to destination inside AWS, decided for every address of the source."""
        if not destination.ranges or not source.ranges:
            missing = source if not source.ranges else destination
            flow = Flow()
            detail = "has no private address in the facts"
            flow.note(
                [Step(missing.owner_id, ControlKind.PRIVATE_ADDRESS, Verdict.UNKNOWN, detail)]
            )
            return flow
        address = (destination.ranges[0].family, destination.ranges[0].first)
        to_destination = Peer(destination.label, fixed=address)
        crosses = source.subnet_id != destination.subnet_id
        from_source = Peer(source.label)
        checks = [
            self._groups(
                destination, ingress=True, peer=from_source, peer_group_ids=source.group_ids
            ),
            self._groups(
                source, ingress=False, peer=to_destination, peer_group_ids=destination.group_ids
            ),
        ]
        if crosses:
            checks.append(self._acl(source.subnet_id, egress=True, peer=to_destination))
        checks.append(self._routes(source, destination, address))
        if crosses:
            checks += self._arrival_acls(destination, from_source)
            checks.append(
                self._acl(source.subnet_id, egress=False, peer=to_destination, answer=True)
            )
        return run_flow(source.ranges, checks, query)

    def _routes(self, source: Endpoint, destination: Endpoint, address: tuple[int, int]) -> Check:
        tables = []
        for end in (source, destination):
            table = self._route_table(end.subnet_id)
            if table is None:
                detail = "has no route table in the facts"
                return Unknown(end.subnet_id, ControlKind.ROUTE_TABLE, detail)
            tables.append(table)
        decided = self._route_decisions[(id(tables[0]), id(tables[1]))]
        return PeerRouteCheck(
            tables[0], tables[1], address, destination.label, source.label, decided
        )
