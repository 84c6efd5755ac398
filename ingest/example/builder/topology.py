"""VPC topology: VPCs, subnets, route tables, gateways, endpoints and flow logs.

`render_network` answers every EC2 network call and every Elastic Load Balancing call of one
account and region, drawing on compute, filters and load_balancers for the rest."""

from __future__ import annotations

import json
from typing import Any

from ingest.example.builder.compute import add_instances, interface
from ingest.example.builder.filters import add_prefix_lists, network_acls, security_groups
from ingest.example.builder.load_balancers import add_load_balancers
from ingest.example.builder.network import (
    RegionNetwork,
    Vpc,
    host,
    name_tags,
    prefix_list_id,
    subnet_id,
    vpc_id,
    zone_id,
)
from ingest.example.builder.policies import allow, document
from ingest.example.builder.scope import Batch, Scope

EC2 = "ec2"


def _vpc(scope: Scope, vpc: Vpc) -> dict[str, Any]:
    return {
        "CidrBlock": vpc.cidr,
        "DhcpOptionsId": scope.ec2_id("dopt", "default"),
        "State": "available",
        "VpcId": vpc_id(scope, vpc),
        "OwnerId": scope.account_id,
        "InstanceTenancy": "default",
        "IsDefault": vpc.is_default,
        "CidrBlockAssociationSet": [
            {
                "AssociationId": scope.ec2_id("vpc-cidr-assoc", vpc.name),
                "CidrBlock": vpc.cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        **({} if vpc.is_default else {"Tags": name_tags(vpc.name)}),
    }


def _subnets(scope: Scope, vpc: Vpc, used: dict[str, int]) -> list[dict[str, Any]]:
    items = []
    for subnet in vpc.subnets:
        sid = subnet_id(scope, vpc, subnet.name)
        size = 2 ** (32 - int(subnet.cidr.split("/")[1]))
        items.append(
            {
                "AvailabilityZone": scope.region + subnet.zone,
                "AvailabilityZoneId": zone_id(scope.region, subnet.zone),
                "AvailableIpAddressCount": size - 5 - used.get(subnet.name, 0),
                "CidrBlock": subnet.cidr,
                "DefaultForAz": vpc.is_default,
                "MapPublicIpOnLaunch": vpc.is_default,
                "State": "available",
                "SubnetId": sid,
                "VpcId": vpc_id(scope, vpc),
                "OwnerId": scope.account_id,
                "AssignIpv6AddressOnCreation": False,
                "Ipv6CidrBlockAssociationSet": [],
                "SubnetArn": scope.arn("ec2", f"subnet/{sid}"),
                "EnableDns64": False,
                "Ipv6Native": False,
                "MapCustomerOwnedIpOnLaunch": False,
                "PrivateDnsNameOptionsOnLaunch": {
                    "HostnameType": "ip-name",
                    "EnableResourceNameDnsARecord": False,
                    "EnableResourceNameDnsAAAARecord": False,
                },
                **({} if vpc.is_default else {"Tags": name_tags(subnet.name)}),
            }
        )
    return items


def _route(destination: str, **target: str) -> dict[str, str]:
    field = "DestinationPrefixListId" if destination.startswith("pl-") else "DestinationCidrBlock"
    origin = "CreateRouteTable" if target.get("GatewayId") == "local" else "CreateRoute"
    return {field: destination, **target, "Origin": origin, "State": "active"}


def _route_tables(scope: Scope, vpc: Vpc) -> list[dict[str, Any]]:
    """The main table, plus a public and a private table when the VPC has such subnets."""
    local = _route(vpc.cidr, GatewayId="local")
    igw = scope.ec2_id("igw", vpc.name)
    tables: list[tuple[str, list[dict[str, str]], list[str]]] = [
        ("main", [local, *([_route("0.0.0.0/0", GatewayId=igw)] if vpc.is_default else [])], [])
    ]
    if not vpc.is_default:
        for tier in ("public", "private"):
            subnets = [s.name for s in vpc.subnets if s.tier == tier]
            if not subnets:
                continue
            routes = [local]
            if tier == "public":
                routes.append(_route("0.0.0.0/0", GatewayId=igw))
            elif vpc.nat_subnet:
                routes.append(_route("0.0.0.0/0", NatGatewayId=scope.ec2_id("nat", vpc.name)))
            if tier == "private" and vpc.s3_endpoint:
                routes.append(
                    _route(
                        prefix_list_id(scope, "s3"), GatewayId=scope.ec2_id("vpce", vpc.name, "s3")
                    )
                )
            tables.append((tier, routes, subnets))
    items = []
    for name, routes, subnets in tables:
        rtb = scope.ec2_id("rtb", vpc.name, name)
        associations = [
            {
                "Main": False,
                "RouteTableAssociationId": scope.ec2_id("rtbassoc", vpc.name, s),
                "RouteTableId": rtb,
                "SubnetId": subnet_id(scope, vpc, s),
                "AssociationState": {"State": "associated"},
            }
            for s in subnets
        ]
        if name == "main":
            associations.append(
                {
                    "Main": True,
                    "RouteTableAssociationId": scope.ec2_id("rtbassoc", vpc.name, "main"),
                    "RouteTableId": rtb,
                    "AssociationState": {"State": "associated"},
                }
            )
        items.append(
            {
                "Associations": associations,
                "PropagatingVgws": [],
                "RouteTableId": rtb,
                "Routes": routes,
                "VpcId": vpc_id(scope, vpc),
                "OwnerId": scope.account_id,
                "Tags": [] if name == "main" else name_tags(f"{vpc.name}-{name}"),
            }
        )
    return items


def _gateways(batch: Batch, scope: Scope, vpc: Vpc) -> None:
    if vpc.has_internet_gateway:
        batch.items(EC2, "describe_internet_gateways", "InternetGateways").append(
            {
                "Attachments": [{"State": "available", "VpcId": vpc_id(scope, vpc)}],
                "InternetGatewayId": scope.ec2_id("igw", vpc.name),
                "OwnerId": scope.account_id,
                "Tags": [] if vpc.is_default else name_tags(f"{vpc.name}-igw"),
            }
        )
    if vpc.nat_subnet:
        nat, name = scope.ec2_id("nat", vpc.name), f"{vpc.name}-nat"
        private_ip = host(vpc.subnet(vpc.nat_subnet).cidr, 5)
        public_ip = scope.ids.public_ip(scope.account_id, name)
        eni = interface(
            scope,
            vpc,
            name,
            subnet=vpc.nat_subnet,
            private_ip=private_ip,
            public_ip=public_ip,
            groups=[],
            kind="nat_gateway",
            description=f"Interface for NAT Gateway {nat}",
            requester="AWS",
        )
        batch.items(EC2, "describe_network_interfaces", "NetworkInterfaces").append(eni)
        batch.items(EC2, "describe_nat_gateways", "NatGateways").append(
            {
                "CreateTime": scope.created("nat", vpc.name),
                "NatGatewayId": nat,
                "NatGatewayAddresses": [
                    {
                        "AllocationId": scope.ec2_id("eipalloc", name),
                        "NetworkInterfaceId": eni["NetworkInterfaceId"],
                        "PrivateIp": private_ip,
                        "PublicIp": public_ip,
                        "AssociationId": scope.ec2_id("eipassoc", name),
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "State": "available",
                "SubnetId": subnet_id(scope, vpc, vpc.nat_subnet),
                "VpcId": vpc_id(scope, vpc),
                "ConnectivityType": "public",
                "Tags": name_tags(name),
            }
        )


def _endpoints_and_logs(batch: Batch, scope: Scope, vpc: Vpc) -> None:
    if vpc.s3_endpoint:
        service = f"com.amazonaws.{scope.region}.s3"
        batch.items(EC2, "describe_vpc_endpoints", "VpcEndpoints").append(
            {
                "VpcEndpointId": scope.ec2_id("vpce", vpc.name, "s3"),
                "VpcEndpointType": "Gateway",
                "VpcId": vpc_id(scope, vpc),
                "ServiceName": service,
                "State": "available",
                "PolicyDocument": json.dumps(document(allow("*", "*", principal="*"))),
                "RouteTableIds": [scope.ec2_id("rtb", vpc.name, "private")],
                "SubnetIds": [],
                "Groups": [],
                "PrivateDnsEnabled": False,
                "RequesterManaged": False,
                "NetworkInterfaceIds": [],
                "DnsEntries": [],
                "OwnerId": scope.account_id,
                "CreationTimestamp": scope.created("vpce", vpc.name),
                "Tags": [],
            }
        )
    if vpc.flow_log_bucket:
        batch.items(EC2, "describe_flow_logs", "FlowLogs").append(
            {
                "CreationTime": scope.created("flow-log", vpc.name),
                "DeliverLogsStatus": "SUCCESS",
                "FlowLogId": scope.ec2_id("fl", vpc.name),
                "FlowLogStatus": "ACTIVE",
                "ResourceId": vpc_id(scope, vpc),
                "TrafficType": "ALL",
                "LogDestinationType": "s3",
                "LogDestination": f"arn:aws:s3:::{vpc.flow_log_bucket}",
                "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} "
                "${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} "
                "${end} ${action} ${log-status}",
                "MaxAggregationInterval": 600,
                "Tags": [],
            }
        )


_EMPTY_LISTS = (
    ("describe_egress_only_internet_gateways", "EgressOnlyInternetGateways"),
    ("describe_vpc_peering_connections", "VpcPeeringConnections"),
    ("describe_transit_gateway_attachments", "TransitGatewayAttachments"),
)


def render_network(scope: Scope, network: RegionNetwork) -> None:
    """Every EC2 network call and every Elastic Load Balancing call of one account and region."""
    batch = Batch()
    for method, key in (
        ("describe_vpcs", "Vpcs"),
        ("describe_subnets", "Subnets"),
        ("describe_route_tables", "RouteTables"),
        ("describe_internet_gateways", "InternetGateways"),
        ("describe_nat_gateways", "NatGateways"),
        ("describe_network_acls", "NetworkAcls"),
        ("describe_security_groups", "SecurityGroups"),
        ("describe_network_interfaces", "NetworkInterfaces"),
        ("describe_instances", "Reservations"),
        ("describe_vpc_endpoints", "VpcEndpoints"),
        ("describe_flow_logs", "FlowLogs"),
        *_EMPTY_LISTS,
    ):
        batch.items(EC2, method, key)
    batch.items("elbv2", "describe_load_balancers", "LoadBalancers")
    batch.items("elbv2", "describe_target_groups", "TargetGroups")
    for vpc in network.vpcs:
        used: dict[str, int] = {}
        for spec in vpc.instances:
            used[spec.subnet] = used.get(spec.subnet, 0) + 1
        batch.items(EC2, "describe_vpcs", "Vpcs").append(_vpc(scope, vpc))
        batch.items(EC2, "describe_subnets", "Subnets").extend(_subnets(scope, vpc, used))
        batch.items(EC2, "describe_route_tables", "RouteTables").extend(_route_tables(scope, vpc))
        batch.items(EC2, "describe_network_acls", "NetworkAcls").extend(network_acls(scope, vpc))
        groups = batch.items(EC2, "describe_security_groups", "SecurityGroups")
        groups.extend(security_groups(scope, vpc))
        _gateways(batch, scope, vpc)
        _endpoints_and_logs(batch, scope, vpc)
        add_instances(batch, scope, vpc)
        add_load_balancers(batch, scope, vpc)
    add_prefix_lists(batch, scope, network)
    batch.write(scope)
