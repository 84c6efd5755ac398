"""EC2 instances and network interfaces."""

from __future__ import annotations

from typing import Any

from ingest.example.builder.iam import instance_profile_ref
from ingest.example.builder.network import (
    Instance,
    Vpc,
    group_id,
    host,
    instance_id,
    private_dns,
    public_dns,
    subnet_id,
    vpc_id,
)
from ingest.example.builder.scope import Batch, Scope

# Route 53 hosted zones of application load balancers, per region.
_INTERFACE_ONLY = {
    "AvailabilityZone",
    "RequesterManaged",
    "TagSet",
    "InstanceId",
    "InstanceOwnerId",
}
_AMI = {"us-east-1": "ami-0453ec754f44f9a4a", "eu-west-1": "ami-0d64bb532e0502c46"}


def group_refs(scope: Scope, vpc: Vpc, names: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"GroupId": group_id(scope, vpc, n), "GroupName": n} for n in names]


def _mac(scope: Scope, name: str) -> str:
    h = scope.ids.hex(10, scope.account_id, "mac", name)
    return "0e:" + ":".join(h[i : i + 2] for i in range(0, 10, 2))


def interface(
    scope: Scope,
    vpc: Vpc,
    name: str,
    *,
    subnet: str,
    private_ip: str,
    public_ip: str | None,
    groups: list[dict[str, str]],
    description: str,
    kind: str = "interface",
    attachment: dict[str, Any] | None = None,
    requester: str | None = None,
) -> dict[str, Any]:
    """A network interface as describe_network_interfaces lists it."""
    association = {}
    if public_ip:
        association = {
            "Association": {
                "IpOwnerId": "amazon",
                "PublicIp": public_ip,
                "PublicDnsName": public_dns(scope.region, public_ip),
            }
        }
    eni: dict[str, Any] = {
        **association,
        **({"Attachment": attachment} if attachment else {}),
        "AvailabilityZone": scope.region + vpc.subnet(subnet).zone,
        "Description": description,
        "Groups": groups,
        "InterfaceType": kind,
        "Ipv6Addresses": [],
        "MacAddress": _mac(scope, name),
        "NetworkInterfaceId": scope.ec2_id("eni", name),
        "OwnerId": scope.account_id,
        "PrivateDnsName": private_dns(scope.region, private_ip),
        "PrivateIpAddress": private_ip,
        "PrivateIpAddresses": [
            {
                **association,
                "Primary": True,
                "PrivateIpAddress": private_ip,
                "PrivateDnsName": private_dns(scope.region, private_ip),
            }
        ],
        "RequesterManaged": requester is not None,
        "SourceDestCheck": kind == "interface",
        "Status": "in-use",
        "SubnetId": subnet_id(scope, vpc, subnet),
        "TagSet": [],
        "VpcId": vpc_id(scope, vpc),
    }
    if requester:
        eni["RequesterId"] = requester
    return eni


def _instance(
    scope: Scope, vpc: Vpc, spec: Instance, private_ip: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The instance as describe_instances lists it, and its primary network interface."""
    public_ip = scope.ids.public_ip(scope.account_id, spec.name) if spec.public_ip else None
    launched = scope.created("launch", spec.name)
    eni = interface(
        scope,
        vpc,
        spec.name,
        subnet=spec.subnet,
        private_ip=private_ip,
        public_ip=public_ip,
        groups=group_refs(scope, vpc, spec.security_groups),
        description="",
        attachment={
            "AttachTime": launched,
            "AttachmentId": scope.ec2_id("eni-attach", spec.name),
            "DeleteOnTermination": True,
            "DeviceIndex": 0,
            "NetworkCardIndex": 0,
            "Status": "attached",
            "InstanceId": instance_id(scope, spec.name),
            "InstanceOwnerId": scope.account_id,
        },
    )
    item: dict[str, Any] = {
        "AmiLaunchIndex": 0,
        "Architecture": "x86_64",
        "BlockDeviceMappings": [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {
                    "AttachTime": launched,
                    "DeleteOnTermination": True,
                    "Status": "attached",
                    "VolumeId": scope.ec2_id("vol", spec.name),
                },
            }
        ],
        "EbsOptimized": False,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "ImageId": _AMI.get(scope.region, "ami-0c101f26f147fa7fd"),
        "InstanceId": instance_id(scope, spec.name),
        "InstanceType": spec.instance_type,
        "LaunchTime": launched,
        "MetadataOptions": {
            "State": "applied",
            "HttpTokens": "required" if spec.imds_v2_required else "optional",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "Monitoring": {"State": "disabled"},
        "NetworkInterfaces": [_as_attached(eni)],
        "Placement": {
            "AvailabilityZone": scope.region + vpc.subnet(spec.subnet).zone,
            "GroupName": "",
            "Tenancy": "default",
        },
        "PlatformDetails": "Linux/UNIX",
        "PrivateDnsName": private_dns(scope.region, private_ip),
        "PrivateIpAddress": private_ip,
        "PublicDnsName": public_dns(scope.region, public_ip) if public_ip else "",
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": group_refs(scope, vpc, spec.security_groups),
        "SourceDestCheck": True,
        "State": {"Code": 16, "Name": "running"}
        if spec.running
        else {"Code": 80, "Name": "stopped"},
        "SubnetId": subnet_id(scope, vpc, spec.subnet),
        "Tags": [{"Key": "Name", "Value": spec.name}],
        "UsageOperation": "RunInstances",
        "VirtualizationType": "hvm",
        "VpcId": vpc_id(scope, vpc),
    }
    if public_ip:
        item["PublicIpAddress"] = public_ip
    if spec.role:
        item["IamInstanceProfile"] = instance_profile_ref(scope, spec.role)
    return item, eni


def _as_attached(eni: dict[str, Any]) -> dict[str, Any]:
    """An interface as describe_instances nests it (fewer fields than the interface itself)."""
    nested = {k: v for k, v in eni.items() if k not in _INTERFACE_ONLY}
    nested["Attachment"] = {k: v for k, v in eni["Attachment"].items() if k not in _INTERFACE_ONLY}
    return nested


def instance_addresses(vpc: Vpc) -> dict[str, str]:
    """Private addresses: the 10th, 11th, ... host of each subnet in instance order."""
    used: dict[str, int] = {}
    addresses = {}
    for spec in vpc.instances:
        index = used.get(spec.subnet, 0)
        used[spec.subnet] = index + 1
        addresses[spec.name] = host(vpc.subnet(spec.subnet).cidr, 10 + index)
    return addresses


def add_instances(batch: Batch, scope: Scope, vpc: Vpc) -> None:
    reservations = batch.items("ec2", "describe_instances", "Reservations")
    interfaces = batch.items("ec2", "describe_network_interfaces", "NetworkInterfaces")
    for spec, (_, address) in zip(vpc.instances, instance_addresses(vpc).items(), strict=True):
        instance, eni = _instance(scope, vpc, spec, address)
        reservations.append(
            {
                "Groups": [],
                "Instances": [instance],
                "OwnerId": scope.account_id,
                "ReservationId": scope.ec2_id("r", spec.name),
            }
        )
        interfaces.append(eni)
