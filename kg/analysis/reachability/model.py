"""The network facts reachability reads, shaped like the EC2 and ELBv2 API answers.

Each class mirrors one AWS object closely enough to be built from a describe_* answer (see
`kg.analysis.reachability.aws`) or from graph rows. Values are kept as AWS states them (CIDR
strings, protocol strings such as "-1", "tcp" or "6"); each object checks its CIDRs and protocol
when it is made, so a bad value fails early with the object's id in the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from kg.analysis.reachability.addresses import Cidr, parse_address, parse_cidr
from kg.analysis.reachability.errors import ReachabilityInputError
from kg.analysis.reachability.traffic import (
    ALL_PORTS,
    ALL_PROTOCOLS,
    PORTED_PROTOCOLS,
    TCP,
    TYPED_PROTOCOLS,
    UDP,
    PortSet,
    TrafficSet,
    protocol_number,
)


def rule_traffic(owner: str, protocol: str, first: int | None, last: int | None) -> TrafficSet:
    """The traffic of a rule: -1 is everything; TCP/UDP ports and ICMP types as given (absent or
    -1: all); any other protocol whole, whatever ports the rule states (as AWS applies it)."""
    try:
        number = protocol_number(protocol)
        if number == ALL_PROTOCOLS:
            return TrafficSet.everything()
        if first is None or first == -1 or number not in PORTED_PROTOCOLS | TYPED_PROTOCOLS:
            return TrafficSet(((number, ALL_PORTS),))
        if number in TYPED_PROTOCOLS:
            last = first  # the ICMP type; the code (AWS's ToPort) is not told apart
        return TrafficSet(((number, PortSet.of(first, first if last is None else last)),))
    except ReachabilityInputError as error:
        raise ReachabilityInputError(f"{owner}: {error}") from None


def _check_cidrs(owner: str | None, texts: tuple[str, ...]) -> tuple[Cidr, ...]:
    """The CIDRs parsed; an error names `owner` when the object has an id to name."""
    try:
        return tuple(parse_cidr(text) for text in texts)
    except ReachabilityInputError as error:
        if owner is None:
            raise
        raise ReachabilityInputError(f"{owner}: {error}") from None


def _check_addresses(owner: str, texts: tuple[str, ...]) -> None:
    try:
        for text in texts:
            parse_address(text)
    except ReachabilityInputError as error:
        raise ReachabilityInputError(f"{owner}: {error}") from None


@dataclass(frozen=True)
class Vpc:
    vpc_id: str
    ipv4_cidrs: tuple[str, ...] = ()
    ipv6_cidrs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_cidrs(self.vpc_id, self.ipv4_cidrs + self.ipv6_cidrs)


@dataclass(frozen=True)
class Subnet:
    """A subnet; `route_table_id` is its explicit association (None: the VPC's main table) and
    `network_acl_id` its network ACL (None: the VPC's default ACL)."""

    subnet_id: str
    vpc_id: str
    ipv4_cidr: str | None = None
    ipv6_cidrs: tuple[str, ...] = ()
    route_table_id: str | None = None
    network_acl_id: str | None = None

    def __post_init__(self) -> None:
        _check_cidrs(
            self.subnet_id, (*((self.ipv4_cidr,) if self.ipv4_cidr else ()), *self.ipv6_cidrs)
        )


class RouteTarget(StrEnum):
    INTERNET_GATEWAY = "igw"
    EGRESS_ONLY_INTERNET_GATEWAY = "eigw"
    NAT_GATEWAY = "nat"
    PEERING_CONNECTION = "pcx"
    TRANSIT_GATEWAY = "tgw"
    VPC_ENDPOINT = "vpce"
    VIRTUAL_PRIVATE_GATEWAY = "vgw"
    LOCAL = "local"
    NETWORK_INTERFACE = "eni"
    BLACKHOLE = "blackhole"
    OTHER = "other"


@dataclass(frozen=True)
class Route:
    """One route: a CIDR (IPv4 or IPv6) or a prefix list id as destination, and its target.

    For a prefix list destination `prefix_list_cidrs` holds its entries (None: not collected).
    """

    destination: str
    target: RouteTarget
    target_id: str
    prefix_list_cidrs: tuple[str, ...] | None = None
    state: str = "active"
    propagated: bool = False

    def __post_init__(self) -> None:
        self.destinations  # noqa: B018  (checks the CIDRs now)

    @property
    def is_prefix_list(self) -> bool:
        return self.destination.startswith("pl-")

    @cached_property
    def destinations(self) -> tuple[Cidr, ...]:
        if self.is_prefix_list:
            return _check_cidrs(self.destination, self.prefix_list_cidrs or ())
        return _check_cidrs(f"route to {self.target_id}", (self.destination,))

    @property
    def priority(self) -> int:
        """Among routes of equal prefix length, AWS prefers static routes, then prefix list
        routes, then propagated ones: lower is preferred."""
        return 2 if self.propagated else 1 if self.is_prefix_list else 0

    @property
    def is_blackhole(self) -> bool:
        return self.state == "blackhole" or self.target == RouteTarget.BLACKHOLE


@dataclass(frozen=True)
class RouteTable:
    route_table_id: str
    vpc_id: str
    routes: tuple[Route, ...] = ()
    is_main: bool = False


@dataclass(frozen=True)
class NetworkAclEntry:
    """One numbered rule; `cidr` is its CidrBlock or Ipv6CidrBlock. Ports are the destination
    ports of the packet (for ICMP, `from_port` is the ICMP type)."""

    rule_number: int
    egress: bool
    allow: bool
    protocol: str
    cidr: str
    from_port: int | None = None
    to_port: int | None = None

    def __post_init__(self) -> None:
        self.block  # noqa: B018
        self.traffic  # noqa: B018

    @cached_property
    def block(self) -> Cidr:
        return _check_cidrs(f"rule {self.rule_number}", (self.cidr,))[0]

    @cached_property
    def traffic(self) -> TrafficSet:
        owner = f"rule {self.rule_number}"
        return rule_traffic(owner, self.protocol, self.from_port, self.to_port)

    @property
    def label(self) -> str:
        """The number as the console shows it: "*" for the default rules AWS adds last
        (32767 for IPv4, 32768 for IPv6)."""
        return "*" if self.rule_number >= 32767 else str(self.rule_number)


@dataclass(frozen=True)
class NetworkAcl:
    network_acl_id: str
    vpc_id: str
    entries: tuple[NetworkAclEntry, ...] = ()
    is_default: bool = False

    def ordered(self, egress: bool) -> tuple[NetworkAclEntry, ...]:
        """The rules of one direction, lowest number (evaluated first) first."""
        return self._ordered[egress]

    @cached_property
    def _ordered(self) -> dict[bool, tuple[NetworkAclEntry, ...]]:
        return {
            egress: tuple(
                sorted((e for e in self.entries if e.egress == egress), key=lambda e: e.rule_number)
            )
            for egress in (False, True)
        }


@dataclass(frozen=True)
class PrefixList:
    """A managed prefix list a rule names; `cidrs` None when its entries were not collected."""

    prefix_list_id: str
    cidrs: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        _check_cidrs(self.prefix_list_id, self.cidrs or ())


@dataclass(frozen=True)
class SecurityGroupRule:
    """One permission (an IpPermissions item): what it allows, and from or to whom."""

    protocol: str
    from_port: int | None = None
    to_port: int | None = None
    ipv4_ranges: tuple[str, ...] = ()
    ipv6_ranges: tuple[str, ...] = ()
    prefix_lists: tuple[PrefixList, ...] = ()
    group_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.blocks  # noqa: B018
        self.traffic  # noqa: B018

    @cached_property
    def traffic(self) -> TrafficSet:
        owner = f"rule {self.protocol} {self.from_port}-{self.to_port}"
        return rule_traffic(owner, self.protocol, self.from_port, self.to_port)

    @cached_property
    def blocks(self) -> tuple[tuple[Cidr, str], ...]:
        """Every CIDR the rule names, with how to name it in an explanation."""
        found = [(c, c.text) for c in _check_cidrs(None, self.ipv4_ranges + self.ipv6_ranges)]
        for prefix_list in self.prefix_lists:
            for cidr in _check_cidrs(prefix_list.prefix_list_id, prefix_list.cidrs or ()):
                found.append((cidr, f"{prefix_list.prefix_list_id} ({cidr.text})"))
        return tuple(found)


@dataclass(frozen=True)
class SecurityGroup:
    group_id: str
    vpc_id: str | None = None
    ingress: tuple[SecurityGroupRule, ...] = ()
    egress: tuple[SecurityGroupRule, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class NetworkInterface:
    """An elastic network interface: its addresses (primary private IP first) and filters, and
    what it belongs to (an instance, a load balancer, or an AWS-managed service)."""

    network_interface_id: str
    subnet_id: str
    vpc_id: str
    private_ips: tuple[str, ...] = ()
    public_ips: tuple[str, ...] = ()
    ipv6_addresses: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    elastic_ip: bool = False
    instance_id: str | None = None
    device_index: int | None = None
    load_balancer_arn: str | None = None
    interface_type: str = "interface"

    def __post_init__(self) -> None:
        _check_addresses(
            self.network_interface_id, self.private_ips + self.public_ips + self.ipv6_addresses
        )

    @property
    def primary_private_ip(self) -> str | None:
        return self.private_ips[0] if self.private_ips else None

    @property
    def is_nat_gateway(self) -> bool:
        return self.interface_type in ("nat_gateway", "natGateway")


@dataclass(frozen=True)
class Instance:
    instance_id: str
    state: str = "running"


# Listener and target group protocols, as the IP protocols they carry.
_LOAD_BALANCER_PROTOCOLS = {
    "HTTP": (TCP,),
    "HTTPS": (TCP,),
    "TCP": (TCP,),
    "TLS": (TCP,),
    "UDP": (UDP,),
    "TCP_UDP": (TCP, UDP),
    "GENEVE": (UDP,),
    "QUIC": (UDP,),
    "TCP_QUIC": (TCP, UDP),
}


def load_balancer_traffic(owner: str, protocol: str | None, port: int | None) -> TrafficSet:
    """The IP traffic of a listener or target port: HTTP(S) and TLS ride on TCP, and so on. A
    Gateway Load Balancer's listener has neither protocol nor port: it takes every IP packet."""
    if protocol is None and port is None:
        return TrafficSet.everything()
    carried = _LOAD_BALANCER_PROTOCOLS.get((protocol or "").upper())
    if carried is None or port is None:
        raise ReachabilityInputError(f"{owner}: no traffic for protocol {protocol!r} port {port}")
    traffic = TrafficSet.nothing()
    for number in carried:
        traffic |= TrafficSet.of(number, port)
    return traffic


@dataclass(frozen=True)
class Listener:
    listener_arn: str
    protocol: str | None
    port: int | None
    target_group_arns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.traffic  # noqa: B018

    @cached_property
    def traffic(self) -> TrafficSet:
        return load_balancer_traffic(self.listener_arn, self.protocol, self.port)


@dataclass(frozen=True)
class LoadBalancer:
    """An ELBv2 load balancer; `security_group_ids` empty for a network load balancer without
    security groups (it then filters nothing)."""

    load_balancer_arn: str
    name: str
    scheme: str
    type: str
    vpc_id: str
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    listeners: tuple[Listener, ...] = ()

    @property
    def internet_facing(self) -> bool:
        return self.scheme == "internet-facing"


@dataclass(frozen=True)
class Target:
    """A registered target: an instance id or an IP address, on its port (None: the group's)."""

    target_id: str
    port: int | None = None


@dataclass(frozen=True)
class TargetGroup:
    """A target group; `preserve_client_ip` None means the AWS default for its type."""

    target_group_arn: str
    name: str
    protocol: str | None
    port: int | None
    target_type: str
    vpc_id: str | None = None
    load_balancer_arns: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()
    preserve_client_ip: bool | None = None
