"""A `Network` from the EC2 and ELBv2 answers of one account and region, as boto3 returns them.

Associations are read the way AWS applies them: a subnet uses the route table explicitly
associated with it, else its VPC's main table; every subnet has one network ACL association
(the default ACL's when not changed). A prefix list whose entries were not collected stays
unresolved (evaluation reports it as unknown rather than guessing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kg.analysis.reachability._json import Node, listed, located
from kg.analysis.reachability.model import (
    Instance,
    Listener,
    LoadBalancer,
    NetworkAcl,
    NetworkAclEntry,
    NetworkInterface,
    PrefixList,
    Route,
    RouteTable,
    RouteTarget,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Target,
    TargetGroup,
    Vpc,
)
from kg.analysis.reachability.network import Network
from kg.analysis.reachability.traffic import PORTED_PROTOCOLS, TYPED_PROTOCOLS, protocol_number

Answer = Mapping[str, Any]


@dataclass(frozen=True)
class RegionResponses:
    """One account-region's answers, each exactly as the call returns it (None: not collected).

    Per-resource answers are keyed: prefix list entries by prefix list id, listeners by load
    balancer ARN or name, rules by listener ARN, target health by target group ARN or name.
    """

    vpcs: Answer | None = None  # ec2 describe_vpcs
    subnets: Answer | None = None  # ec2 describe_subnets
    route_tables: Answer | None = None  # ec2 describe_route_tables
    network_acls: Answer | None = None  # ec2 describe_network_acls
    security_groups: Answer | None = None  # ec2 describe_security_groups
    prefix_list_entries: Mapping[str, Answer] = field(default_factory=dict)
    network_interfaces: Answer | None = None  # ec2 describe_network_interfaces
    instances: Answer | None = None  # ec2 describe_instances
    load_balancers: Answer | None = None  # elbv2 describe_load_balancers
    listeners: Mapping[str, Answer] = field(default_factory=dict)  # elbv2 describe_listeners
    listener_rules: Mapping[str, Answer] = field(default_factory=dict)  # elbv2 describe_rules
    target_groups: Answer | None = None  # elbv2 describe_target_groups
    target_health: Mapping[str, Answer] = field(default_factory=dict)


def build_network(responses: RegionResponses) -> Network:
    prefix_lists = {
        list_id: tuple(
            e.text("Cidr")
            for e in Node(
                answer, f"get_managed_prefix_list_entries {list_id}", answer=True
            ).children("Entries")
        )
        for list_id, answer in responses.prefix_list_entries.items()
    }
    acls = listed(responses.network_acls, "describe_network_acls", "NetworkAcls")
    balancers = [
        _load_balancer(b, responses)
        for b in listed(responses.load_balancers, "describe_load_balancers", "LoadBalancers")
    ]
    return Network(
        vpcs=tuple(_vpc(v) for v in listed(responses.vpcs, "describe_vpcs", "Vpcs")),
        subnets=_subnets(responses, acls),
        route_tables=tuple(
            _route_table(table, prefix_lists)
            for table in listed(responses.route_tables, "describe_route_tables", "RouteTables")
        ),
        network_acls=tuple(_network_acl(acl) for acl in acls),
        security_groups=tuple(
            _security_group(g, prefix_lists)
            for g in listed(responses.security_groups, "describe_security_groups", "SecurityGroups")
        ),
        interfaces=tuple(
            _interface(i, balancers)
            for i in listed(
                responses.network_interfaces, "describe_network_interfaces", "NetworkInterfaces"
            )
        ),
        instances=tuple(
            Instance(i.text("InstanceId"), i.child("State").optional_text("Name") or "running")
            for r in listed(responses.instances, "describe_instances", "Reservations")
            for i in r.children("Instances")
        ),
        load_balancers=tuple(balancers),
        target_groups=tuple(
            _target_group(g, responses)
            for g in listed(responses.target_groups, "describe_target_groups", "TargetGroups")
        ),
    )


def _vpc(vpc: Node) -> Vpc:
    ipv4 = [
        a.text("CidrBlock")
        for a in vpc.children("CidrBlockAssociationSet")
        if _associated(a.child("CidrBlockState"))
    ]
    ipv6 = [
        a.text("Ipv6CidrBlock")
        for a in vpc.children("Ipv6CidrBlockAssociationSet")
        if _associated(a.child("Ipv6CidrBlockState"))
    ]
    with located(vpc.where):
        primary = vpc.optional_text("CidrBlock")
        return Vpc(vpc.text("VpcId"), tuple(ipv4 or ([primary] if primary else [])), tuple(ipv6))


def _associated(state: Node) -> bool:
    return state.optional_text("State") in (None, "associated")


def _subnets(responses: RegionResponses, acls: list[Node]) -> tuple[Subnet, ...]:
    route_table_of = {
        a.text("SubnetId"): t.text("RouteTableId")
        for t in listed(responses.route_tables, "describe_route_tables", "RouteTables")
        for a in t.children("Associations")
        if a.optional_text("SubnetId") and _associated(a.child("AssociationState"))
    }
    acl_of = {
        a.text("SubnetId"): acl.text("NetworkAclId")
        for acl in acls
        for a in acl.children("Associations")
    }
    subnets = []
    for subnet in listed(responses.subnets, "describe_subnets", "Subnets"):
        subnet_id = subnet.text("SubnetId")
        with located(subnet.where):
            subnets.append(
                Subnet(
                    subnet_id=subnet_id,
                    vpc_id=subnet.text("VpcId"),
                    ipv4_cidr=subnet.optional_text("CidrBlock"),
                    ipv6_cidrs=tuple(
                        a.text("Ipv6CidrBlock")
                        for a in subnet.children("Ipv6CidrBlockAssociationSet")
                        if _associated(a.child("Ipv6CidrBlockState"))
                    ),
                    route_table_id=route_table_of.get(subnet_id),
                    network_acl_id=acl_of.get(subnet_id),
                )
            )
    return tuple(subnets)


# A route's target: GatewayId carries several kinds, told apart by the id's prefix.
_GATEWAY_PREFIXES = (
    ("igw-", RouteTarget.INTERNET_GATEWAY),
    ("vpce-", RouteTarget.VPC_ENDPOINT),
    ("vgw-", RouteTarget.VIRTUAL_PRIVATE_GATEWAY),
)
_TARGET_FIELDS = (
    ("NatGatewayId", RouteTarget.NAT_GATEWAY),
    ("EgressOnlyInternetGatewayId", RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY),
    ("VpcPeeringConnectionId", RouteTarget.PEERING_CONNECTION),
    ("TransitGatewayId", RouteTarget.TRANSIT_GATEWAY),
    ("NetworkInterfaceId", RouteTarget.NETWORK_INTERFACE),
    ("InstanceId", RouteTarget.NETWORK_INTERFACE),
    ("LocalGatewayId", RouteTarget.OTHER),
    ("CarrierGatewayId", RouteTarget.OTHER),
    ("CoreNetworkArn", RouteTarget.OTHER),
)


def _route_target(route: Node) -> tuple[RouteTarget, str]:
    gateway = route.optional_text("GatewayId")
    if gateway == "local":
        return RouteTarget.LOCAL, "local"
    if gateway:
        kinds = (kind for prefix, kind in _GATEWAY_PREFIXES if gateway.startswith(prefix))
        return next(kinds, RouteTarget.OTHER), gateway
    for key, kind in _TARGET_FIELDS:
        if value := route.optional_text(key):
            return kind, value
    return RouteTarget.OTHER, "an unknown target"


def _route_table(table: Node, prefix_lists: dict[str, tuple[str, ...]]) -> RouteTable:
    routes = []
    for route in table.children("Routes"):
        destination = (
            route.optional_text("DestinationCidrBlock")
            or route.optional_text("DestinationIpv6CidrBlock")
            or route.text("DestinationPrefixListId")
        )
        target, target_id = _route_target(route)
        with located(route.where):
            routes.append(
                Route(
                    destination=destination,
                    target=target,
                    target_id=target_id,
                    prefix_list_cidrs=prefix_lists.get(destination),
                    state=route.optional_text("State") or "active",
                    propagated=route.optional_text("Origin") == "EnableVgwRoutePropagation",
                )
            )
    is_main = any(
        a.flag("Main") and _associated(a.child("AssociationState"))
        for a in table.children("Associations")
    )
    return RouteTable(table.text("RouteTableId"), table.text("VpcId"), tuple(routes), is_main)


def _network_acl(acl: Node) -> NetworkAcl:
    entries = []
    for entry in acl.children("Entries"):
        with located(entry.where):
            protocol = entry.text("Protocol")
            number = protocol_number(protocol)
            ports = entry.child("PortRange")
            if number in PORTED_PROTOCOLS:
                first, last = ports.optional_int("From"), ports.optional_int("To")
            elif number in TYPED_PROTOCOLS:
                first = last = entry.child("IcmpTypeCode").optional_int("Type")
            else:
                first = last = None
            entries.append(
                NetworkAclEntry(
                    rule_number=entry.integer("RuleNumber"),
                    egress=entry.flag("Egress"),
                    allow=entry.text("RuleAction") == "allow",
                    protocol=protocol,
                    cidr=entry.optional_text("CidrBlock") or entry.text("Ipv6CidrBlock"),
                    from_port=first,
                    to_port=last,
                )
            )
    return NetworkAcl(
        acl.text("NetworkAclId"), acl.text("VpcId"), tuple(entries), acl.flag("IsDefault")
    )


def _permission(permission: Node, prefix_lists: dict[str, tuple[str, ...]]) -> SecurityGroupRule:
    with located(permission.where):
        return SecurityGroupRule(
            protocol=permission.text("IpProtocol"),
            from_port=permission.optional_int("FromPort"),
            to_port=permission.optional_int("ToPort"),
            ipv4_ranges=tuple(r.text("CidrIp") for r in permission.children("IpRanges")),
            ipv6_ranges=tuple(r.text("CidrIpv6") for r in permission.children("Ipv6Ranges")),
            prefix_lists=tuple(
                PrefixList(list_id, prefix_lists.get(list_id))
                for p in permission.children("PrefixListIds")
                for list_id in [p.text("PrefixListId")]
            ),
            group_ids=tuple(p.text("GroupId") for p in permission.children("UserIdGroupPairs")),
        )


def _security_group(group: Node, prefix_lists: dict[str, tuple[str, ...]]) -> SecurityGroup:
    return SecurityGroup(
        group_id=group.text("GroupId"),
        vpc_id=group.optional_text("VpcId"),
        ingress=tuple(_permission(p, prefix_lists) for p in group.children("IpPermissions")),
        egress=tuple(_permission(p, prefix_lists) for p in group.children("IpPermissionsEgress")),
        name=group.optional_text("GroupName") or "",
    )


# Elastic Load Balancing describes the interfaces it creates as "ELB app/<name>/<id>".
_BALANCER_INTERFACE = re.compile(r"^ELB ((?:app|net|gwy)/[^/\s]+/[0-9a-f]+)$")


def _interface(interface: Node, balancers: list[LoadBalancer]) -> NetworkInterface:
    addresses = interface.children("PrivateIpAddresses")
    private = [a.text("PrivateIpAddress") for a in addresses if a.flag("Primary")]
    private += [a.text("PrivateIpAddress") for a in addresses if not a.flag("Primary")]
    if not private and (primary := interface.optional_text("PrivateIpAddress")):
        private = [primary]
    associations = [interface.child("Association")] + [a.child("Association") for a in addresses]
    public = list(dict.fromkeys(ip for a in associations if (ip := a.optional_text("PublicIp"))))
    match = _BALANCER_INTERFACE.match(interface.optional_text("Description") or "")
    balancer_arn = next(
        (
            b.load_balancer_arn
            for b in balancers
            if match and b.load_balancer_arn.endswith(f":loadbalancer/{match.group(1)}")
        ),
        None,
    )
    attachment = interface.child("Attachment")
    with located(interface.where):
        return NetworkInterface(
            network_interface_id=interface.text("NetworkInterfaceId"),
            subnet_id=interface.text("SubnetId"),
            vpc_id=interface.text("VpcId"),
            private_ips=tuple(private),
            public_ips=tuple(public),
            ipv6_addresses=tuple(
                a.text("Ipv6Address") for a in interface.children("Ipv6Addresses")
            ),
            security_group_ids=tuple(g.text("GroupId") for g in interface.children("Groups")),
            elastic_ip=any(a.optional_text("AllocationId") for a in associations),
            instance_id=attachment.optional_text("InstanceId"),
            device_index=attachment.optional_int("DeviceIndex"),
            load_balancer_arn=balancer_arn,
            interface_type=interface.optional_text("InterfaceType") or "interface",
        )


def _keyed(answers: Mapping[str, Answer], *keys: str) -> Answer | None:
    return next((answers[k] for k in keys if k in answers), None)


def _forwards(actions: list[Node]) -> list[str]:
    """Target groups a list of actions forwards to (a single or a weighted forward)."""
    found: list[str] = []
    for action in actions:
        if action.optional_text("Type") != "forward":
            continue
        if arn := action.optional_text("TargetGroupArn"):
            found.append(arn)
        forward = action.child("ForwardConfig").children("TargetGroups")
        found += [group.text("TargetGroupArn") for group in forward]
    return found


def _listener(listener: Node, responses: RegionResponses) -> Listener | None:
    """A listener; None for a Gateway Load Balancer's, which has no protocol or port (it hands
    all traffic to appliances, which this evaluation does not follow)."""
    arn = listener.text("ListenerArn")
    protocol, port = listener.optional_text("Protocol"), listener.optional_int("Port")
    if protocol is None or port is None:
        return None
    groups = _forwards(listener.children("DefaultActions"))
    rules = _keyed(responses.listener_rules, arn)
    for rule in listed(rules, f"describe_rules {arn}", "Rules"):
        groups += _forwards(rule.children("Actions"))
    with located(listener.where):
        return Listener(
            listener_arn=arn,
            protocol=protocol,
            port=port,
            target_group_arns=tuple(dict.fromkeys(groups)),
        )


def _load_balancer(balancer: Node, responses: RegionResponses) -> LoadBalancer:
    arn = balancer.text("LoadBalancerArn")
    name = balancer.text("LoadBalancerName")
    listeners = _keyed(responses.listeners, arn, name)
    return LoadBalancer(
        load_balancer_arn=arn,
        name=name,
        scheme=balancer.optional_text("Scheme") or "internet-facing",
        type=balancer.optional_text("Type") or "application",
        vpc_id=balancer.optional_text("VpcId") or "",
        subnet_ids=tuple(
            s for z in balancer.children("AvailabilityZones") if (s := z.optional_text("SubnetId"))
        ),
        security_group_ids=balancer.texts("SecurityGroups"),
        listeners=tuple(
            found
            for item in listed(listeners, f"describe_listeners {name}", "Listeners")
            if (found := _listener(item, responses))
        ),
    )


def _target_group(group: Node, responses: RegionResponses) -> TargetGroup:
    arn = group.text("TargetGroupArn")
    name = group.text("TargetGroupName")
    health = _keyed(responses.target_health, arn, name)
    descriptions = listed(health, f"describe_target_health {name}", "TargetHealthDescriptions")
    return TargetGroup(
        target_group_arn=arn,
        name=name,
        protocol=group.optional_text("Protocol"),
        port=group.optional_int("Port"),
        target_type=group.optional_text("TargetType") or "instance",
        vpc_id=group.optional_text("VpcId"),
        load_balancer_arns=group.texts("LoadBalancerArns"),
        targets=tuple(
            Target(d.child("Target").text("Id"), d.child("Target").optional_int("Port"))
            for d in descriptions
        ),
    )
