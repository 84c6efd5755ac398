"""Network interfaces and EC2 instances: where traffic actually lands."""

from __future__ import annotations

import re

from ingest.aws._ec2_common import CLIENT, Ec2Region, ec2_arn
from ingest.aws._shapes import Item, listed, name_tag, partition, tag_list
from ingest.snapshot import Snapshot
from kg.graph.records import NodeRef

# Elastic Load Balancing names the interfaces it creates "ELB app/<name>/<id>" (net/, gwy/ too).
_LOAD_BALANCER_INTERFACE = re.compile(r"^ELB ((?:app|net|gwy)/[^/\s]+/[0-9a-f]+)$")


def _public_addresses(eni: Item) -> tuple[list[str], bool]:
    """Every public IP on the interface, and whether any of them is an Elastic IP."""
    associations = [eni.child("Association")]
    associations += [p.child("Association") for p in eni.children("PrivateIpAddresses")]
    public_ips = sorted({ip for a in associations if (ip := a.optional_string("PublicIp"))})
    elastic = any(a.optional_string("AllocationId") for a in associations)
    return public_ips, elastic


def _load_balancer_arn(r: Ec2Region, description: str, owner: str | None) -> str | None:
    match = _LOAD_BALANCER_INTERFACE.match(description)
    if match is None:
        return None
    account = owner or r.account_id
    return (
        f"arn:{partition(r.region)}:elasticloadbalancing:{r.region}:{account}:"
        f"loadbalancer/{match.group(1)}"
    )


def network_interfaces(r: Ec2Region) -> None:
    for eni in r.items("describe_network_interfaces", "NetworkInterfaces"):
        eni_id = eni.string("NetworkInterfaceId")
        owner = eni.optional_string("OwnerId")
        ref = r.register("NetworkInterface", eni_id, owner)
        if not r.states(owner):
            continue
        public_ips, elastic = _public_addresses(eni)
        attachment = eni.child("Attachment")
        description = eni.optional_string("Description") or ""
        tags = eni.children("TagSet")
        r.out.owned(
            "NetworkInterface",
            ref[1],
            owner,
            network_interface_id=eni_id,
            name=name_tag(tags) or eni_id,
            interface_type=eni.optional_string("InterfaceType") or "interface",
            description=description,
            status=eni.optional_string("Status"),
            vpc_id=eni.optional_string("VpcId"),
            subnet_id=eni.optional_string("SubnetId"),
            availability_zone=eni.optional_string("AvailabilityZone"),
            public_ip=eni.child("Association").optional_string("PublicIp"),
            public_ips=public_ips,
            elastic_ip=elastic,
            private_ip=eni.optional_string("PrivateIpAddress"),
            private_ips=sorted(
                p.string("PrivateIpAddress") for p in eni.children("PrivateIpAddresses")
            ),
            ipv6_addresses=sorted(a.string("Ipv6Address") for a in eni.children("Ipv6Addresses")),
            attached_instance_id=attachment.optional_string("InstanceId"),
            requester_id=eni.optional_string("RequesterId"),
            requester_managed=eni.flag("RequesterManaged"),
            source_dest_check=eni.optional_bool("SourceDestCheck"),
            owner_id=owner,
            tags=tag_list(tags),
        )
        if subnet_id := eni.optional_string("SubnetId"):
            r.out.rel("IN", ref, r.node("Subnet", subnet_id, owner))
        for group in eni.children("Groups"):
            r.out.rel("PROTECTED_BY", ref, r.node("SecurityGroup", group.string("GroupId"), owner))
        if load_balancer_arn := _load_balancer_arn(r, description, owner):
            r.out.rel("HAS_INTERFACE", ("LoadBalancer", load_balancer_arn), ref)


def instances(r: Ec2Region) -> None:
    for reservation in r.items("describe_instances", "Reservations"):
        owner = reservation.optional_string("OwnerId")
        for instance in reservation.children("Instances"):
            _instance(r, instance, owner)


def _instance(r: Ec2Region, instance: Item, owner: str | None) -> None:
    instance_id = instance.string("InstanceId")
    ref = r.register("Ec2Instance", instance_id, owner)
    metadata = instance.child("MetadataOptions")
    profile_arn = instance.child("IamInstanceProfile").optional_string("Arn")
    tags = instance.children("Tags")
    r.out.owned(
        "Ec2Instance",
        ref[1],
        owner,
        instance_id=instance_id,
        name=name_tag(tags) or instance_id,
        state=instance.child("State").optional_string("Name"),
        instance_type=instance.optional_string("InstanceType"),
        image_id=instance.optional_string("ImageId"),
        platform=instance.optional_string("PlatformDetails"),
        launch_time=instance.optional_string("LaunchTime"),
        vpc_id=instance.optional_string("VpcId"),
        subnet_id=instance.optional_string("SubnetId"),
        public_ip=instance.optional_string("PublicIpAddress"),
        private_ip=instance.optional_string("PrivateIpAddress"),
        instance_profile_arn=profile_arn,
        http_tokens=metadata.optional_string("HttpTokens"),
        http_endpoint=metadata.optional_string("HttpEndpoint"),
        http_put_response_hop_limit=metadata.optional_int("HttpPutResponseHopLimit"),
        tags=tag_list(tags),
    )
    if subnet_id := instance.optional_string("SubnetId"):
        r.out.rel("IN", ref, r.node("Subnet", subnet_id, owner))
    if profile_arn:
        r.out.rel("HAS_PROFILE", ref, ("InstanceProfile", profile_arn))
    for eni in instance.children("NetworkInterfaces"):
        r.out.rel(
            "HAS_INTERFACE",
            ref,
            r.node("NetworkInterface", eni.string("NetworkInterfaceId"), owner),
            device_index=eni.child("Attachment").optional_int("DeviceIndex"),
        )


def interfaces_by_private_ip(
    snapshot: Snapshot, account_id: str, region: str
) -> dict[tuple[str, str], NodeRef]:
    """(VPC id, private IP) -> interface, to name the interface behind an IP target."""
    out = {}
    for eni in listed(
        snapshot, account_id, region, CLIENT, "describe_network_interfaces", "NetworkInterfaces"
    ):
        vpc_id = eni.optional_string("VpcId")
        if not vpc_id:
            continue
        arn = ec2_arn(
            "NetworkInterface",
            eni.string("NetworkInterfaceId"),
            eni.optional_string("OwnerId") or account_id,
            region,
        )
        for address in eni.children("PrivateIpAddresses"):
            out[(vpc_id, address.string("PrivateIpAddress"))] = ("NetworkInterface", arn)
    return out
