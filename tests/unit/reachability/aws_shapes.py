"""AWS-shaped answers (describe_* JSON as boto3 returns it) for the reachability tests.

`World` starts as one account-region with a small web setup that the internet reaches on TCP 22:
an instance with a public IP in a public subnet (route 0.0.0.0/0 to an internet gateway), the
VPC's default network ACL (allow all, then the default deny rules, as AWS lists them), and a
security group open on TCP 22. Tests change the parts their case is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.analysis.reachability import (
    Network,
    ReachabilityAnalyzer,
    RegionResponses,
    build_network,
)

ACCOUNT = "111122223333"
REGION = "us-east-1"

VPC = "vpc-0c5ba6f2d1e3a4b57"
VPC_CIDR = "10.0.0.0/16"
VPC_IPV6 = "2600:1f18:4a3:6e00::/56"
PUBLIC_SUBNET = "subnet-0f1e2d3c4b5a69788"
PRIVATE_SUBNET = "subnet-02b4c6d8e0f1a2b3c"
PUBLIC_TABLE = "rtb-0a9b8c7d6e5f40312"
MAIN_TABLE = "rtb-0123456789abcdef0"
IGW = "igw-0d1c2b3a495867f00"
NAT = "nat-0aa11bb22cc33dd44"
DEFAULT_ACL = "acl-0e0d0c0b0a0908070"
WEB_GROUP = "sg-0123abcd4567ef890"
WEB_INTERFACE = "eni-0aaa1111bbbb2222c"
WEB_INSTANCE = "i-0abc1234def567890"
WEB_PUBLIC_IP = "54.210.33.7"

Item = dict[str, Any]


def vpc(vpc_id: str, cidr: str, ipv6: str | None = None) -> Item:
    item: Item = {
        "VpcId": vpc_id,
        "CidrBlock": cidr,
        "CidrBlockAssociationSet": [
            {
                "AssociationId": f"vpc-cidr-assoc-{vpc_id[4:]}",
                "CidrBlock": cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "OwnerId": ACCOUNT,
        "State": "available",
        "IsDefault": False,
    }
    if ipv6:
        item["Ipv6CidrBlockAssociationSet"] = [
            {
                "AssociationId": f"vpc-cidr-assoc-6{vpc_id[5:]}",
                "Ipv6CidrBlock": ipv6,
                "Ipv6CidrBlockState": {"State": "associated"},
                "NetworkBorderGroup": REGION,
                "Ipv6Pool": "Amazon",
            }
        ]
    return item


def subnet(subnet_id: str, vpc_id: str, cidr: str, ipv6: str | None = None) -> Item:
    return {
        "SubnetId": subnet_id,
        "VpcId": vpc_id,
        "CidrBlock": cidr,
        "AvailabilityZone": f"{REGION}a",
        "State": "available",
        "OwnerId": ACCOUNT,
        "MapPublicIpOnLaunch": False,
        "Ipv6CidrBlockAssociationSet": (
            [
                {
                    "AssociationId": f"subnet-cidr-assoc-{subnet_id[7:]}",
                    "Ipv6CidrBlock": ipv6,
                    "Ipv6CidrBlockState": {"State": "associated"},
                }
            ]
            if ipv6
            else []
        ),
    }


def route(destination: str, **target: str) -> Item:
    """A route; the destination key follows from its form (IPv4, IPv6 or prefix list)."""
    if destination.startswith("pl-"):
        key = "DestinationPrefixListId"
    elif ":" in destination:
        key = "DestinationIpv6CidrBlock"
    else:
        key = "DestinationCidrBlock"
    origin = "CreateRouteTable" if target.get("GatewayId") == "local" else "CreateRoute"
    return {key: destination, "Origin": origin, "State": "active", **target}


def local_routes(vpc_cidr: str = VPC_CIDR, ipv6: str | None = VPC_IPV6) -> list[Item]:
    routes = [route(vpc_cidr, GatewayId="local")]
    return routes + ([route(ipv6, GatewayId="local")] if ipv6 else [])


def route_table(
    table_id: str,
    vpc_id: str,
    routes: list[Item],
    subnet_ids: tuple[str, ...] = (),
    main: bool = False,
) -> Item:
    associations: list[Item] = [
        {
            "Main": False,
            "RouteTableAssociationId": f"rtbassoc-{table_id[4:]}{n}",
            "RouteTableId": table_id,
            "SubnetId": subnet_id,
            "AssociationState": {"State": "associated"},
        }
        for n, subnet_id in enumerate(subnet_ids)
    ]
    if main:
        associations.append(
            {
                "Main": True,
                "RouteTableAssociationId": f"rtbassoc-{table_id[4:]}m",
                "RouteTableId": table_id,
                "AssociationState": {"State": "associated"},
            }
        )
    return {
        "RouteTableId": table_id,
        "VpcId": vpc_id,
        "OwnerId": ACCOUNT,
        "Routes": routes,
        "Associations": associations,
        "PropagatingVgws": [],
        "Tags": [],
    }


def acl_entry(
    rule: int,
    action: str,
    protocol: str = "-1",
    cidr: str = "0.0.0.0/0",
    *,
    egress: bool = False,
    ports: tuple[int, int] | None = None,
) -> Item:
    entry: Item = {
        "RuleNumber": rule,
        "Protocol": protocol,
        "RuleAction": action,
        "Egress": egress,
        ("Ipv6CidrBlock" if ":" in cidr else "CidrBlock"): cidr,
    }
    if ports:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    return entry


def default_denies() -> list[Item]:
    """The rules AWS lists last in every ACL: deny everything else, IPv4 (32767) and IPv6."""
    return [
        acl_entry(32767, "deny"),
        acl_entry(32767, "deny", egress=True),
        acl_entry(32768, "deny", cidr="::/0"),
        acl_entry(32768, "deny", cidr="::/0", egress=True),
    ]


def allow_all_entries() -> list[Item]:
    """The default ACL's rules: allow all traffic both ways, IPv4 (100) and IPv6 (101)."""
    return [
        acl_entry(100, "allow"),
        acl_entry(100, "allow", egress=True),
        acl_entry(101, "allow", cidr="::/0"),
        acl_entry(101, "allow", cidr="::/0", egress=True),
    ]


def network_acl(
    acl_id: str, vpc_id: str, entries: list[Item], subnet_ids: tuple[str, ...], default: bool
) -> Item:
    return {
        "NetworkAclId": acl_id,
        "VpcId": vpc_id,
        "IsDefault": default,
        "OwnerId": ACCOUNT,
        "Entries": entries + default_denies(),
        "Associations": [
            {
                "NetworkAclAssociationId": f"aclassoc-{acl_id[4:]}{n}",
                "NetworkAclId": acl_id,
                "SubnetId": subnet_id,
            }
            for n, subnet_id in enumerate(subnet_ids)
        ],
        "Tags": [],
    }


def permission(
    protocol: str,
    from_port: int | None = None,
    to_port: int | None = None,
    *,
    cidrs: tuple[str, ...] = (),
    ipv6: tuple[str, ...] = (),
    prefix_lists: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
) -> Item:
    item: Item = {
        "IpProtocol": protocol,
        "IpRanges": [{"CidrIp": c} for c in cidrs],
        "Ipv6Ranges": [{"CidrIpv6": c} for c in ipv6],
        "PrefixListIds": [{"PrefixListId": p} for p in prefix_lists],
        "UserIdGroupPairs": [{"GroupId": g, "UserId": ACCOUNT} for g in groups],
    }
    if protocol != "-1":
        item["FromPort"] = from_port
        item["ToPort"] = to_port if to_port is not None else from_port
    return item


ALL_OUT = permission("-1", cidrs=("0.0.0.0/0",))


def security_group(
    group_id: str, vpc_id: str, ingress: list[Item], egress: list[Item] | None = None
) -> Item:
    return {
        "GroupId": group_id,
        "GroupName": f"group-{group_id[3:9]}",
        "Description": "test group",
        "VpcId": vpc_id,
        "OwnerId": ACCOUNT,
        "IpPermissions": ingress,
        "IpPermissionsEgress": [ALL_OUT] if egress is None else egress,
    }


def interface(
    eni_id: str,
    subnet_id: str,
    private_ip: str,
    groups: tuple[str, ...],
    *,
    vpc_id: str = VPC,
    public_ip: str | None = None,
    ipv6: tuple[str, ...] = (),
    instance_id: str | None = None,
    description: str = "",
    interface_type: str = "interface",
) -> Item:
    association = (
        {"IpOwnerId": "amazon", "PublicIp": public_ip, "PublicDnsName": "ec2.example"}
        if public_ip
        else None
    )
    item: Item = {
        "NetworkInterfaceId": eni_id,
        "SubnetId": subnet_id,
        "VpcId": vpc_id,
        "AvailabilityZone": f"{REGION}a",
        "Description": description,
        "InterfaceType": interface_type,
        "OwnerId": ACCOUNT,
        "Status": "in-use",
        "Groups": [{"GroupId": g, "GroupName": f"group-{g[3:9]}"} for g in groups],
        "PrivateIpAddress": private_ip,
        "PrivateIpAddresses": [
            {"Primary": True, "PrivateIpAddress": private_ip}
            | ({"Association": association} if association else {})
        ],
        "Ipv6Addresses": [{"Ipv6Address": a, "IsPrimaryIpv6": False} for a in ipv6],
        "SourceDestCheck": True,
        "TagSet": [],
    }
    if association:
        item["Association"] = association
    if instance_id:
        item["Attachment"] = {
            "AttachmentId": f"eni-attach-{eni_id[4:]}",
            "DeviceIndex": 0,
            "InstanceId": instance_id,
            "InstanceOwnerId": ACCOUNT,
            "Status": "attached",
        }
    return item


def instance(instance_id: str, state: str = "running") -> Item:
    return {
        "InstanceId": instance_id,
        "State": {"Code": 16 if state == "running" else 80, "Name": state},
        "InstanceType": "t3.micro",
    }


ELB = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}"


def balancer_arn(name: str, kind: str = "app") -> str:
    return f"{ELB}:loadbalancer/{kind}/{name}/50dc6c495c0c9188"


def target_group_arn(name: str) -> str:
    return f"{ELB}:targetgroup/{name}/73e2d6bc24d8a067"


def load_balancer(
    name: str, scheme: str, subnets: tuple[str, ...], groups: tuple[str, ...], kind: str = "app"
) -> Item:
    item: Item = {
        "LoadBalancerArn": balancer_arn(name, kind),
        "LoadBalancerName": name,
        "DNSName": f"{name}-1234567890.{REGION}.elb.amazonaws.com",
        "Scheme": scheme,
        "Type": "application" if kind == "app" else "network",
        "VpcId": VPC,
        "State": {"Code": "active"},
        "IpAddressType": "ipv4",
        "AvailabilityZones": [
            {"ZoneName": f"{REGION}{'ab'[n % 2]}", "SubnetId": s, "LoadBalancerAddresses": []}
            for n, s in enumerate(subnets)
        ],
    }
    if groups:
        item["SecurityGroups"] = list(groups)
    return item


def listeners(balancer: str, *ports: tuple[str, int, str]) -> Item:
    """describe_listeners: (protocol, port, target group name) for each listener."""
    return {
        "Listeners": [
            {
                "ListenerArn": balancer.replace(":loadbalancer/", ":listener/") + f"/{n:016x}",
                "LoadBalancerArn": balancer,
                "Port": port,
                "Protocol": protocol,
                "DefaultActions": [
                    {"Type": "forward", "Order": 1, "TargetGroupArn": target_group_arn(group)}
                ],
            }
            for n, (protocol, port, group) in enumerate(ports)
        ]
    }


def target_group(name: str, protocol: str, port: int, balancer: str, target_type: str) -> Item:
    return {
        "TargetGroupArn": target_group_arn(name),
        "TargetGroupName": name,
        "Protocol": protocol,
        "Port": port,
        "VpcId": VPC,
        "TargetType": target_type,
        "LoadBalancerArns": [balancer],
        "HealthCheckEnabled": True,
    }


def target_health(*targets: tuple[str, int]) -> Item:
    return {
        "TargetHealthDescriptions": [
            {"Target": {"Id": target_id, "Port": port}, "TargetHealth": {"State": "healthy"}}
            for target_id, port in targets
        ]
    }


@dataclass
class World:
    """The answers of one account-region, editable; `network()` builds them as the code will."""

    vpcs: list[Item] = field(default_factory=lambda: [vpc(VPC, VPC_CIDR, VPC_IPV6)])
    subnets: list[Item] = field(
        default_factory=lambda: [
            subnet(PUBLIC_SUBNET, VPC, "10.0.1.0/24", "2600:1f18:4a3:6e01::/64"),
            subnet(PRIVATE_SUBNET, VPC, "10.0.2.0/24"),
        ]
    )
    route_tables: list[Item] = field(
        default_factory=lambda: [
            route_table(
                PUBLIC_TABLE,
                VPC,
                [*local_routes(), route("0.0.0.0/0", GatewayId=IGW), route("::/0", GatewayId=IGW)],
                (PUBLIC_SUBNET,),
            ),
            route_table(
                MAIN_TABLE, VPC, [*local_routes(), route("0.0.0.0/0", NatGatewayId=NAT)], main=True
            ),
        ]
    )
    network_acls: list[Item] = field(
        default_factory=lambda: [
            network_acl(
                DEFAULT_ACL, VPC, allow_all_entries(), (PUBLIC_SUBNET, PRIVATE_SUBNET), True
            )
        ]
    )
    security_groups: list[Item] = field(
        default_factory=lambda: [
            security_group(WEB_GROUP, VPC, [permission("tcp", 22, cidrs=("0.0.0.0/0",))])
        ]
    )
    interfaces: list[Item] = field(
        default_factory=lambda: [
            interface(
                WEB_INTERFACE,
                PUBLIC_SUBNET,
                "10.0.1.10",
                (WEB_GROUP,),
                public_ip=WEB_PUBLIC_IP,
                instance_id=WEB_INSTANCE,
            )
        ]
    )
    instances: list[Item] = field(default_factory=lambda: [instance(WEB_INSTANCE)])
    prefix_list_entries: dict[str, Item] = field(default_factory=dict)
    load_balancers: list[Item] = field(default_factory=list)
    listeners: dict[str, Item] = field(default_factory=dict)
    target_groups: list[Item] = field(default_factory=list)
    target_health: dict[str, Item] = field(default_factory=dict)

    def group(self, group_id: str) -> Item:
        return next(g for g in self.security_groups if g["GroupId"] == group_id)

    def acl(self, acl_id: str = DEFAULT_ACL) -> Item:
        return next(a for a in self.network_acls if a["NetworkAclId"] == acl_id)

    def table(self, table_id: str) -> Item:
        return next(t for t in self.route_tables if t["RouteTableId"] == table_id)

    def responses(self) -> RegionResponses:
        return RegionResponses(
            vpcs={"Vpcs": self.vpcs},
            subnets={"Subnets": self.subnets},
            route_tables={"RouteTables": self.route_tables},
            network_acls={"NetworkAcls": self.network_acls},
            security_groups={"SecurityGroups": self.security_groups},
            prefix_list_entries=self.prefix_list_entries,
            network_interfaces={"NetworkInterfaces": self.interfaces},
            instances={
                "Reservations": [
                    {"ReservationId": "r-0f00dbeef0000000a", "OwnerId": ACCOUNT, "Instances": [i]}
                    for i in self.instances
                ]
            },
            load_balancers={"LoadBalancers": self.load_balancers},
            listeners=self.listeners,
            target_groups={"TargetGroups": self.target_groups},
            target_health=self.target_health,
        )

    def network(self) -> Network:
        return build_network(self.responses())

    def analyzer(self) -> ReachabilityAnalyzer:
        return ReachabilityAnalyzer(self.network())
