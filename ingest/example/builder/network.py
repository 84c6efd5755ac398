"""What a region's network looks like, described by names: VPCs, subnets, filters, compute.

These specs are the input of the EC2 and Elastic Load Balancing renderers (topology.py,
compute.py). Everything refers to everything else by name within its VPC; identifiers are
derived from the names (see ids.py), so a security group named in an instance and in a load
balancer gets the same id in both answers.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ingest.example.builder.scope import Place

ANYWHERE = ("0.0.0.0/0",)
ANYWHERE_V6 = ("::/0",)


@dataclass(frozen=True)
class Rule:
    """One security group rule; peers are CIDRs, group names in the VPC, or prefix list names."""

    protocol: str = "-1"  # tcp, udp, icmp or -1 (all)
    ports: tuple[int, int] | None = None
    cidrs: tuple[str, ...] = ()
    ipv6_cidrs: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    prefix_lists: tuple[str, ...] = ()
    description: str | None = None


def tcp(
    port: int,
    to_port: int | None = None,
    *,
    cidrs: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    prefix_lists: tuple[str, ...] = (),
    description: str | None = None,
) -> Rule:
    return Rule("tcp", (port, to_port or port), cidrs, (), groups, prefix_lists, description)


ALLOW_ALL_OUT = Rule(cidrs=ANYWHERE)


@dataclass(frozen=True)
class SecurityGroup:
    name: str
    description: str
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = (ALLOW_ALL_OUT,)


@dataclass(frozen=True)
class NaclEntry:
    number: int
    action: str  # allow or deny
    protocol: str = "-1"  # IANA number as a string ("6" is TCP), or -1
    ports: tuple[int, int] | None = None
    cidr: str = "0.0.0.0/0"
    egress: bool = False


@dataclass(frozen=True)
class NetworkAcl:
    """A custom network ACL; subnets not named by one use the VPC's default (allow-all) ACL."""

    name: str
    subnets: tuple[str, ...]
    entries: tuple[NaclEntry, ...]


@dataclass(frozen=True)
class Subnet:
    """public: routes to the internet gateway; private: through the NAT gateway, if any;
    isolated: the VPC's main route table only."""

    name: str
    cidr: str
    zone: str = "a"
    tier: str = "private"


@dataclass(frozen=True)
class Instance:
    name: str
    subnet: str
    security_groups: tuple[str, ...]
    public_ip: bool = False
    role: str | None = None  # instance profile (named after its role)
    imds_v2_required: bool = True
    instance_type: str = "t3.medium"
    running: bool = True


@dataclass(frozen=True)
class Listener:
    port: int
    protocol: str
    forward_to: str | None = None  # target group name
    redirect_port: int | None = None


@dataclass(frozen=True)
class TargetGroup:
    name: str
    port: int
    protocol: str
    targets: tuple[str, ...]  # instance names


@dataclass(frozen=True)
class LoadBalancer:
    """An application load balancer."""

    name: str
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    listeners: tuple[Listener, ...]
    target_groups: tuple[TargetGroup, ...]
    internet_facing: bool = True


@dataclass
class Vpc:
    name: str
    cidr: str
    subnets: list[Subnet]
    security_groups: list[SecurityGroup] = field(default_factory=list)
    nacls: list[NetworkAcl] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    load_balancers: list[LoadBalancer] = field(default_factory=list)
    nat_subnet: str | None = None
    s3_endpoint: bool = False  # a gateway endpoint on the private route table
    flow_log_bucket: str | None = None
    is_default: bool = False

    @property
    def has_internet_gateway(self) -> bool:
        return self.is_default or any(s.tier == "public" for s in self.subnets)

    def subnet(self, name: str) -> Subnet:
        return next(s for s in self.subnets if s.name == name)


@dataclass(frozen=True)
class PrefixList:
    """A customer managed prefix list."""

    name: str
    cidrs: tuple[str, ...]


@dataclass
class RegionNetwork:
    vpcs: list[Vpc] = field(default_factory=list)
    prefix_lists: list[PrefixList] = field(default_factory=list)


def default_vpc() -> Vpc:
    """The VPC AWS creates in every region: public subnets, the main table routing to an IGW."""
    return Vpc(
        "default",
        "172.31.0.0/16",
        [Subnet(f"default-{z}", f"172.31.{16 * i}.0/20", z, "public") for i, z in enumerate("ab")],
        is_default=True,
    )


# AWS managed prefix lists (ids as AWS publishes them) and a few of their entries.
AWS_PREFIX_LISTS = {
    ("us-east-1", "s3"): (
        "pl-63a5400a",
        ("3.5.0.0/19", "16.182.0.0/16", "52.216.0.0/15", "54.231.0.0/16"),
    ),
    ("us-east-1", "dynamodb"): (
        "pl-02cd2c6b",
        ("3.218.180.0/22", "52.94.0.0/22", "52.119.224.0/20"),
    ),
    ("eu-west-1", "s3"): ("pl-6da54004", ("3.5.64.0/21", "52.92.0.0/17", "52.218.0.0/17")),
    ("eu-west-1", "dynamodb"): ("pl-6fa54006", ("52.94.5.0/24", "52.119.240.0/21")),
}


def name_tags(name: str) -> list[dict[str, str]]:
    return [{"Key": "Name", "Value": name}]


def vpc_id(scope: Place, vpc: Vpc) -> str:
    return scope.ec2_id("vpc", vpc.name)


def subnet_id(scope: Place, vpc: Vpc, name: str) -> str:
    return scope.ec2_id("subnet", vpc.name, name)


def group_id(scope: Place, vpc: Vpc, name: str) -> str:
    return scope.ec2_id("sg", vpc.name, name)


def nacl_id(scope: Place, vpc: Vpc, name: str) -> str:
    return scope.ec2_id("acl", vpc.name, name)


def instance_id(scope: Place, name: str) -> str:
    return scope.ec2_id("i", name)


def prefix_list_id(scope: Place, name: str) -> str:
    """A customer list's id, or an AWS managed list's published id (name "s3", "dynamodb")."""
    aws = AWS_PREFIX_LISTS.get((scope.region, name))
    return aws[0] if aws else scope.ec2_id("pl", name)


def host(cidr: str, offset: int) -> str:
    return str(ipaddress.ip_network(cidr)[offset])


def zone_id(region: str, zone: str) -> str:
    """us-east-1 + a -> use1-az1."""
    area, direction, number = region.split("-")
    return f"{area}{direction[0]}{number}-az{ord(zone) - ord('a') + 1}"


def private_dns(region: str, address: str) -> str:
    suffix = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    return f"ip-{address.replace('.', '-')}.{suffix}"


def public_dns(region: str, address: str) -> str:
    suffix = "compute-1" if region == "us-east-1" else f"{region}.compute"
    return f"ec2-{address.replace('.', '-')}.{suffix}.amazonaws.com"
