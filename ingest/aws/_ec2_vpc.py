"""VPCs, subnets, gateways, peering, transit gateway attachments, endpoints and flow logs."""

from __future__ import annotations

from ingest.aws._ec2_common import Ec2Region
from ingest.aws._shapes import Item, name_tag, tag_list

_LIVE_CIDR_STATES = ("associated", "associating")
_FLOW_LOG_TARGETS = {"vpc-": "Vpc", "subnet-": "Subnet", "eni-": "NetworkInterface"}


def _associated(associations: list[Item], cidr_field: str, state_field: str) -> list[str]:
    """CIDR blocks still associated (AWS keeps disassociated ones in the list for a while)."""
    return [
        a.string(cidr_field)
        for a in associations
        if a.child(state_field).optional_string("State") in _LIVE_CIDR_STATES
    ]


def vpcs(r: Ec2Region) -> None:
    for vpc in r.items("describe_vpcs", "Vpcs"):
        vpc_id = vpc.string("VpcId")
        owner = vpc.optional_string("OwnerId")
        ref = r.register("Vpc", vpc_id, owner)
        if not r.states(owner):
            continue
        cidrs = _associated(vpc.children("CidrBlockAssociationSet"), "CidrBlock", "CidrBlockState")
        tags = vpc.children("Tags")
        r.out.owned(
            "Vpc",
            ref[1],
            owner,
            vpc_id=vpc_id,
            name=name_tag(tags) or vpc_id,
            cidrs=cidrs or [vpc.string("CidrBlock")],
            ipv6_cidrs=_associated(
                vpc.children("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock", "Ipv6CidrBlockState"
            ),
            is_default=vpc.flag("IsDefault"),
            state=vpc.optional_string("State"),
            owner_id=owner,
            tags=tag_list(tags),
        )


def subnets(r: Ec2Region) -> None:
    for subnet in r.items("describe_subnets", "Subnets"):
        subnet_id = subnet.string("SubnetId")
        owner = subnet.optional_string("OwnerId")
        ref = r.register("Subnet", subnet_id, owner)
        if not r.states(owner):
            continue
        vpc_id = subnet.string("VpcId")
        tags = subnet.children("Tags")
        r.out.owned(
            "Subnet",
            ref[1],
            owner,
            subnet_id=subnet_id,
            name=name_tag(tags) or subnet_id,
            vpc_id=vpc_id,
            cidr=subnet.optional_string("CidrBlock"),
            ipv6_cidrs=_associated(
                subnet.children("Ipv6CidrBlockAssociationSet"),
                "Ipv6CidrBlock",
                "Ipv6CidrBlockState",
            ),
            availability_zone=subnet.optional_string("AvailabilityZone"),
            map_public_ip_on_launch=subnet.flag("MapPublicIpOnLaunch"),
            assign_ipv6_address_on_creation=subnet.flag("AssignIpv6AddressOnCreation"),
            owner_id=owner,
            tags=tag_list(tags),
        )
        r.out.rel("IN", ref, r.node("Vpc", vpc_id, owner))


def _gateways(r: Ec2Region, method: str, list_key: str, id_field: str, label: str) -> None:
    """Internet and egress-only internet gateways: the same shape, attached to VPCs."""
    for gateway in r.items(method, list_key):
        gateway_id = gateway.string(id_field)
        owner = gateway.optional_string("OwnerId")
        ref = r.register(label, gateway_id, owner)
        if not r.states(owner):
            continue
        tags = gateway.children("Tags")
        r.out.owned(
            label,
            ref[1],
            owner,
            gateway_id=gateway_id,
            name=name_tag(tags) or gateway_id,
            owner_id=owner,
            tags=tag_list(tags),
        )
        for attachment in gateway.children("Attachments"):
            vpc = r.node("Vpc", attachment.string("VpcId"), owner)
            r.out.rel("ATTACHED_TO", ref, vpc, state=attachment.optional_string("State"))


def internet_gateways(r: Ec2Region) -> None:
    _gateways(
        r, "describe_internet_gateways", "InternetGateways", "InternetGatewayId", "InternetGateway"
    )
    _gateways(
        r,
        "describe_egress_only_internet_gateways",
        "EgressOnlyInternetGateways",
        "EgressOnlyInternetGatewayId",
        "EgressOnlyInternetGateway",
    )


def nat_gateways(r: Ec2Region) -> None:
    for nat in r.items("describe_nat_gateways", "NatGateways"):
        nat_id = nat.string("NatGatewayId")
        ref = r.register("NatGateway", nat_id)
        addresses = nat.children("NatGatewayAddresses")
        tags = nat.children("Tags")
        r.out.owned(
            "NatGateway",
            ref[1],
            nat_gateway_id=nat_id,
            name=name_tag(tags) or nat_id,
            state=nat.optional_string("State"),
            connectivity_type=nat.optional_string("ConnectivityType") or "public",
            vpc_id=nat.optional_string("VpcId"),
            subnet_id=nat.optional_string("SubnetId"),
            public_ips=sorted(ip for a in addresses if (ip := a.optional_string("PublicIp"))),
            private_ips=sorted(ip for a in addresses if (ip := a.optional_string("PrivateIp"))),
            tags=tag_list(tags),
        )
        if subnet_id := nat.optional_string("SubnetId"):
            r.out.rel("IN", ref, r.node("Subnet", subnet_id))
        for address in addresses:
            if eni_id := address.optional_string("NetworkInterfaceId"):
                r.out.rel("HAS_INTERFACE", ref, r.node("NetworkInterface", eni_id))


def _peer_cidrs(side: Item) -> tuple[list[str], list[str]]:
    v4 = [c.string("CidrBlock") for c in side.children("CidrBlockSet")]
    if not v4 and (cidr := side.optional_string("CidrBlock")):
        v4 = [cidr]
    v6 = [c.string("Ipv6CidrBlock") for c in side.children("Ipv6CidrBlockSet")]
    return v4, v6


def peering_connections(r: Ec2Region) -> None:
    for pcx in r.items("describe_vpc_peering_connections", "VpcPeeringConnections"):
        pcx_id = pcx.string("VpcPeeringConnectionId")
        requester, accepter = pcx.child("RequesterVpcInfo"), pcx.child("AccepterVpcInfo")
        owner = requester.optional_string("OwnerId")
        home = requester.optional_string("Region") or r.region
        ref = r.register("VpcPeeringConnection", pcx_id, owner, home)
        if not r.states(owner, home):
            continue
        tags = pcx.children("Tags")
        sides = {"requester": requester, "accepter": accepter}
        props: dict[str, object] = {}
        for side_name, side in sides.items():
            v4, v6 = _peer_cidrs(side)
            props |= {
                f"{side_name}_vpc_id": side.optional_string("VpcId"),
                f"{side_name}_owner_id": side.optional_string("OwnerId"),
                f"{side_name}_region": side.optional_string("Region"),
                f"{side_name}_cidrs": v4,
                f"{side_name}_ipv6_cidrs": v6,
            }
        r.out.owned(
            "VpcPeeringConnection",
            ref[1],
            owner,
            region=home,
            peering_connection_id=pcx_id,
            name=name_tag(tags) or pcx_id,
            status=pcx.child("Status").optional_string("Code"),
            tags=tag_list(tags),
            **props,
        )
        for side_name, side in sides.items():
            if vpc_id := side.optional_string("VpcId"):
                vpc_arn = r.arn(
                    "Vpc", vpc_id, side.optional_string("OwnerId"), side.optional_string("Region")
                )
                r.out.rel("CONNECTS", ref, ("Vpc", vpc_arn), side=side_name)


def transit_gateway_attachments(r: Ec2Region) -> None:
    for attachment in r.items("describe_transit_gateway_attachments", "TransitGatewayAttachments"):
        attachment_id = attachment.string("TransitGatewayAttachmentId")
        owner = attachment.optional_string("ResourceOwnerId")
        ref = r.register("TransitGatewayAttachment", attachment_id, owner)
        resource_type = attachment.optional_string("ResourceType")
        resource_id = attachment.optional_string("ResourceId")
        tgw_id = attachment.string("TransitGatewayId")
        if resource_type == "vpc" and resource_id:
            r.transit_attachments[(resource_id, tgw_id)] = ref
        if not r.states(owner):
            continue
        tags = attachment.children("Tags")
        r.out.owned(
            "TransitGatewayAttachment",
            ref[1],
            owner,
            attachment_id=attachment_id,
            name=name_tag(tags) or attachment_id,
            transit_gateway_id=tgw_id,
            transit_gateway_owner_id=attachment.optional_string("TransitGatewayOwnerId"),
            resource_type=resource_type,
            resource_id=resource_id,
            resource_owner_id=owner,
            state=attachment.optional_string("State"),
            tags=tag_list(tags),
        )
        if resource_type == "vpc" and resource_id:
            r.out.rel("ATTACHES", ref, r.node("Vpc", resource_id, owner))


def vpc_endpoints(r: Ec2Region) -> None:
    for endpoint in r.items("describe_vpc_endpoints", "VpcEndpoints"):
        endpoint_id = endpoint.string("VpcEndpointId")
        owner = endpoint.optional_string("OwnerId")
        ref = r.register("VpcEndpoint", endpoint_id, owner)
        if not r.states(owner):
            continue
        tags = endpoint.children("Tags")
        r.out.owned(
            "VpcEndpoint",
            ref[1],
            owner,
            vpc_endpoint_id=endpoint_id,
            name=name_tag(tags) or endpoint_id,
            vpc_endpoint_type=endpoint.optional_string("VpcEndpointType"),
            service_name=endpoint.optional_string("ServiceName"),
            state=endpoint.optional_string("State"),
            vpc_id=endpoint.optional_string("VpcId"),
            private_dns_enabled=endpoint.optional_bool("PrivateDnsEnabled"),
            route_table_ids=endpoint.strings("RouteTableIds"),
            policy=endpoint.policy("PolicyDocument"),
            tags=tag_list(tags),
        )
        if vpc_id := endpoint.optional_string("VpcId"):
            r.out.rel("IN", ref, r.node("Vpc", vpc_id, owner))
        for subnet_id in endpoint.strings("SubnetIds"):
            r.out.rel("IN", ref, r.node("Subnet", subnet_id, owner))
        for group in endpoint.children("Groups"):
            r.out.rel("PROTECTED_BY", ref, r.node("SecurityGroup", group.string("GroupId"), owner))
        for eni_id in endpoint.strings("NetworkInterfaceIds"):
            r.out.rel("HAS_INTERFACE", ref, r.node("NetworkInterface", eni_id, owner))


def flow_logs(r: Ec2Region) -> None:
    for flow_log in r.items("describe_flow_logs", "FlowLogs"):
        flow_log_id = flow_log.string("FlowLogId")
        resource_id = flow_log.optional_string("ResourceId") or ""
        tags = flow_log.children("Tags")
        ref = r.out.owned(
            "FlowLog",
            r.arn("FlowLog", flow_log_id),
            flow_log_id=flow_log_id,
            name=name_tag(tags) or flow_log_id,
            resource_id=resource_id,
            traffic_type=flow_log.optional_string("TrafficType"),
            log_destination_type=flow_log.optional_string("LogDestinationType"),
            log_destination=flow_log.optional_string("LogDestination")
            or flow_log.optional_string("LogGroupName"),
            status=flow_log.optional_string("FlowLogStatus"),
            deliver_logs_status=flow_log.optional_string("DeliverLogsStatus"),
            tags=tag_list(tags),
        )
        for prefix, label in _FLOW_LOG_TARGETS.items():
            if resource_id.startswith(prefix):
                r.out.rel("MONITORS", ref, r.node(label, resource_id))
