"""An AWS-shaped snapshot of two collected accounts for the network and resources transforms.

Account A (two regions) has a public web tier behind an ALB, a private app tier, a NAT gateway,
a peering connection to account B, a transit gateway attachment, a gateway endpoint for S3, and
resources with policies (resource_fixtures). Account B peers with A and sees A's VPC through
sharing. Account C owns a VPC shared into A but is not collected. Every response is what boto3
returns for that call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.snapshot import Snapshot, SnapshotWriter
from kg.graph.records import GraphRecords
from kg.model import load_schema
from tests.unit.ingest.resource_fixtures import EAST, FUNCTION_ARN, A, B, C, write_resources

WEST = "eu-west-1"
ELB = f"arn:aws:elasticloadbalancing:{EAST}:{A}"
ALB_ARN = f"{ELB}:loadbalancer/app/web-alb/0123456789abcdef"
NLB_ARN = f"{ELB}:loadbalancer/net/edge-nlb/fedcba9876543210"
LISTENER_ARN = f"{ELB}:listener/app/web-alb/0123456789abcdef/aa11"
NLB_LISTENER_ARN = f"{ELB}:listener/net/edge-nlb/fedcba9876543210/bb22"
TG_WEB = f"{ELB}:targetgroup/tg-web/1111"
TG_IP = f"{ELB}:targetgroup/tg-ip/2222"
TG_ALB = f"{ELB}:targetgroup/tg-alb/3333"
TG_FN = f"{ELB}:targetgroup/tg-fn/4444"


def arn(account: str, kind: str, resource_id: str, region: str = EAST) -> str:
    return f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}"


def _tags(**tags: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _permission(protocol: str, ports: tuple[int, int] | None = None, **peers: Any) -> dict:
    permission: dict[str, Any] = {"IpProtocol": protocol, "IpRanges": [], "Ipv6Ranges": [],
                                  "PrefixListIds": [], "UserIdGroupPairs": [], **peers}  # fmt: skip
    if ports:
        permission["FromPort"], permission["ToPort"] = ports
    return permission


def _entry(number: int, action: str, egress: bool = False, **fields: Any) -> dict:
    return {"RuleNumber": number, "RuleAction": action, "Egress": egress, "Protocol": "-1",
            **fields}  # fmt: skip


def _cidrs(field: str, *blocks: tuple[str, str]) -> list[dict]:
    state_field = "Ipv6CidrBlockState" if field == "Ipv6CidrBlock" else "CidrBlockState"
    return [{field: block, state_field: {"State": state}} for block, state in blocks]


PEERING = {
    "VpcPeeringConnectionId": "pcx-ab",
    "Status": {"Code": "active", "Message": "Active"},
    "RequesterVpcInfo": {"OwnerId": A, "VpcId": "vpc-a1", "Region": EAST,
                         "CidrBlock": "10.0.0.0/16",
                         "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}]},
    "AccepterVpcInfo": {"OwnerId": B, "VpcId": "vpc-b1", "Region": EAST,
                        "CidrBlock": "10.1.0.0/16",
                        "CidrBlockSet": [{"CidrBlock": "10.1.0.0/16"}]},
}  # fmt: skip


# fmt: off
def _topology_a(put: Any) -> None:
    put("describe_vpcs", {"Vpcs": [
        {"VpcId": "vpc-a1", "OwnerId": A, "CidrBlock": "10.0.0.0/16", "IsDefault": False,
         "State": "available", "Tags": _tags(Name="prod"),
         "CidrBlockAssociationSet": _cidrs("CidrBlock", ("10.0.0.0/16", "associated"),
                                           ("10.50.0.0/16", "disassociated")),
         "Ipv6CidrBlockAssociationSet": _cidrs("Ipv6CidrBlock",
                                               ("2600:1f18:aaaa:bb00::/56", "associated"))},
        {"VpcId": "vpc-c1", "OwnerId": C, "CidrBlock": "10.3.0.0/16",
         "CidrBlockAssociationSet": _cidrs("CidrBlock", ("10.3.0.0/16", "associated"))}]})
    put("describe_subnets", {"Subnets": [
        {"SubnetId": "subnet-pub", "VpcId": "vpc-a1", "OwnerId": A, "CidrBlock": "10.0.1.0/24",
         "AvailabilityZone": "us-east-1a", "MapPublicIpOnLaunch": True, "Tags": _tags(Name="pub"),
         "Ipv6CidrBlockAssociationSet": _cidrs("Ipv6CidrBlock",
                                               ("2600:1f18:aaaa:bb01::/64", "associated"))},
        {"SubnetId": "subnet-priv", "VpcId": "vpc-a1", "OwnerId": A, "CidrBlock": "10.0.2.0/24",
         "AvailabilityZone": "us-east-1b", "MapPublicIpOnLaunch": False},
        {"SubnetId": "subnet-c1", "VpcId": "vpc-c1", "OwnerId": C, "CidrBlock": "10.3.1.0/24"}]})
    put("describe_internet_gateways", {"InternetGateways": [
        {"InternetGatewayId": "igw-a1", "OwnerId": A,
         "Attachments": [{"State": "available", "VpcId": "vpc-a1"}]}]})
    put("describe_egress_only_internet_gateways", {"EgressOnlyInternetGateways": [
        {"EgressOnlyInternetGatewayId": "eigw-a1",
         "Attachments": [{"State": "attached", "VpcId": "vpc-a1"}]}]})
    put("describe_nat_gateways", {"NatGateways": [
        {"NatGatewayId": "nat-a1", "SubnetId": "subnet-pub", "VpcId": "vpc-a1",
         "State": "available", "ConnectivityType": "public",
         "NatGatewayAddresses": [{"AllocationId": "eipalloc-1", "NetworkInterfaceId": "eni-nat",
                                  "PrivateIp": "10.0.1.5", "PublicIp": "54.0.0.5"}]}]})
    put("describe_route_tables", {"RouteTables": [
        {"RouteTableId": "rtb-main", "VpcId": "vpc-a1", "OwnerId": A,
         "Associations": [{"Main": True, "AssociationState": {"State": "associated"}}],
         "Routes": [
             {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active",
              "Origin": "CreateRouteTable"},
             {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-a1", "State": "active"},
             {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-a1",
              "State": "active"},
             {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3", "State": "active"},
             {"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": "pcx-ab",
              "State": "active"},
             {"DestinationCidrBlock": "10.2.0.0/16", "TransitGatewayId": "tgw-1",
              "State": "active"},
             {"DestinationCidrBlock": "192.168.0.0/16", "NatGatewayId": "nat-gone",
              "State": "blackhole"},
             {"DestinationCidrBlock": "172.16.0.0/12", "InstanceId": "i-app",
              "InstanceOwnerId": A, "NetworkInterfaceId": "eni-app", "State": "active"}]},
        {"RouteTableId": "rtb-pub", "VpcId": "vpc-a1", "OwnerId": A,
         "Associations": [
             {"Main": False, "SubnetId": "subnet-pub", "AssociationState": {"State": "associated"}},
             {"Main": False, "SubnetId": "subnet-old",
              "AssociationState": {"State": "disassociated"}}],
         "Routes": [
             {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
             {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-a1", "State": "active"},
             {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-a1", "State": "active"}]}]})
    put("describe_vpc_endpoints", {"VpcEndpoints": [
        {"VpcEndpointId": "vpce-s3", "VpcEndpointType": "Gateway", "VpcId": "vpc-a1",
         "OwnerId": A, "ServiceName": "com.amazonaws.us-east-1.s3", "State": "available",
         "RouteTableIds": ["rtb-main"], "PolicyDocument": json.dumps({"Statement": {
             "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}})}]})
    put("describe_vpc_peering_connections", {"VpcPeeringConnections": [PEERING]})
    put("describe_transit_gateway_attachments", {"TransitGatewayAttachments": [
        {"TransitGatewayAttachmentId": "tgw-attach-a1", "TransitGatewayId": "tgw-1",
         "TransitGatewayOwnerId": A, "ResourceOwnerId": A, "ResourceType": "vpc",
         "ResourceId": "vpc-a1", "State": "available"}]})
    put("describe_flow_logs", {"FlowLogs": [
        {"FlowLogId": "fl-a1", "ResourceId": "vpc-a1", "TrafficType": "ALL",
         "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::flow-logs",
         "FlowLogStatus": "ACTIVE", "DeliverLogsStatus": "SUCCESS"}]})


def _filters_a(put: Any) -> None:
    put("describe_network_acls", {"NetworkAcls": [
        {"NetworkAclId": "acl-pub", "VpcId": "vpc-a1", "OwnerId": A, "IsDefault": False,
         "Associations": [{"NetworkAclId": "acl-pub", "SubnetId": "subnet-pub"}],
         "Entries": [
             _entry(32767, "deny", CidrBlock="0.0.0.0/0"),
             _entry(100, "allow", CidrBlock="0.0.0.0/0"),
             _entry(90, "deny", CidrBlock="0.0.0.0/0", Protocol="6",
                    PortRange={"From": 22, "To": 22}),
             _entry(101, "allow", Ipv6CidrBlock="::/0"),
             _entry(32767, "deny", Ipv6CidrBlock="::/0"),
             _entry(100, "allow", True, CidrBlock="0.0.0.0/0", Protocol="6",
                    PortRange={"From": 1024, "To": 65535}),
             _entry(110, "allow", True, CidrBlock="0.0.0.0/0", Protocol="1",
                    IcmpTypeCode={"Type": -1, "Code": -1}),
             _entry(32767, "deny", True, CidrBlock="0.0.0.0/0")]}]})
    put("describe_security_groups", {"SecurityGroups": [
        {"GroupId": "sg-web", "GroupName": "web", "Description": "web tier", "VpcId": "vpc-a1",
         "OwnerId": A,
         "IpPermissions": [
             _permission("tcp", (443, 443), IpRanges=[{"CidrIp": "0.0.0.0/0"}],
                         Ipv6Ranges=[{"CidrIpv6": "::/0", "Description": "v6 clients"}]),
             _permission("tcp", (22, 22), PrefixListIds=[{"PrefixListId": "pl-corp"}])],
         "IpPermissionsEgress": [_permission("-1", IpRanges=[{"CidrIp": "0.0.0.0/0"}])]},
        {"GroupId": "sg-app", "GroupName": "app", "VpcId": "vpc-a1", "OwnerId": A,
         "IpPermissions": [
             _permission("tcp", (8080, 8080),
                         UserIdGroupPairs=[{"GroupId": "sg-web", "UserId": A}]),
             _permission("tcp", (5432, 5432), UserIdGroupPairs=[
                 {"GroupId": "sg-b1", "UserId": B, "VpcId": "vpc-b1",
                  "VpcPeeringConnectionId": "pcx-ab", "PeeringStatus": "active"}]),
             _permission("tcp", (22, 22), PrefixListIds=[{"PrefixListId": "pl-unreadable"}])],
         "IpPermissionsEgress": [_permission("tcp", (443, 443),
                                             UserIdGroupPairs=[{"GroupId": "sg-web"}])]}]})
    put("describe_managed_prefix_lists", {"PrefixLists": [
        {"PrefixListId": "pl-corp", "PrefixListName": "corp-offices", "OwnerId": A},
        {"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3",
         "OwnerId": "AWS"}]})
    put("get_managed_prefix_list_entries",
        {"Entries": [{"Cidr": "203.0.113.0/24"}, {"Cidr": "198.51.100.0/24"}]}, "pl-corp")
    put("get_managed_prefix_list_entries",
        {"Entries": [{"Cidr": "52.216.0.0/15"}, {"Cidr": "3.5.0.0/19"}]}, "pl-s3")


def _compute_a(put: Any) -> None:
    put("describe_network_interfaces", {"NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-web", "SubnetId": "subnet-pub", "VpcId": "vpc-a1",
         "OwnerId": A, "InterfaceType": "interface", "Status": "in-use",
         "PrivateIpAddress": "10.0.1.10",
         "Association": {"PublicIp": "54.1.2.3", "IpOwnerId": A, "AllocationId": "eipalloc-web"},
         "PrivateIpAddresses": [
             {"PrivateIpAddress": "10.0.1.10", "Primary": True,
              "Association": {"PublicIp": "54.1.2.3", "AllocationId": "eipalloc-web"}},
             {"PrivateIpAddress": "10.0.1.11", "Primary": False}],
         "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:aaaa:bb01::10"}],
         "Attachment": {"InstanceId": "i-web", "DeviceIndex": 0, "Status": "attached"},
         "Groups": [{"GroupId": "sg-web", "GroupName": "web"}], "SourceDestCheck": True,
         "TagSet": []},
        {"NetworkInterfaceId": "eni-alb", "SubnetId": "subnet-pub", "VpcId": "vpc-a1",
         "OwnerId": A, "InterfaceType": "interface", "RequesterManaged": True,
         "Description": "ELB app/web-alb/0123456789abcdef", "RequesterId": "amazon-elb",
         "PrivateIpAddress": "10.0.1.20", "Association": {"PublicIp": "3.3.3.3",
                                                          "IpOwnerId": "amazon"},
         "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.20", "Primary": True,
                                 "Association": {"PublicIp": "3.3.3.3"}}],
         "Groups": [{"GroupId": "sg-web"}]},
        {"NetworkInterfaceId": "eni-nat", "SubnetId": "subnet-pub", "VpcId": "vpc-a1",
         "OwnerId": A, "InterfaceType": "nat_gateway", "PrivateIpAddress": "10.0.1.5",
         "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.5", "Primary": True}]},
        {"NetworkInterfaceId": "eni-app", "SubnetId": "subnet-priv", "VpcId": "vpc-a1",
         "OwnerId": A, "InterfaceType": "interface", "PrivateIpAddress": "10.0.2.20",
         "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.2.20", "Primary": True}],
         "Attachment": {"InstanceId": "i-app", "DeviceIndex": 0},
         "Groups": [{"GroupId": "sg-app"}], "SourceDestCheck": False}]})
    put("describe_instances", {"Reservations": [{"OwnerId": A, "Instances": [
        {"InstanceId": "i-web", "State": {"Code": 16, "Name": "running"},
         "InstanceType": "t3.micro", "ImageId": "ami-1", "SubnetId": "subnet-pub",
         "VpcId": "vpc-a1", "PublicIpAddress": "54.1.2.3", "PrivateIpAddress": "10.0.1.10",
         "LaunchTime": "2026-11-01T10:00:00Z",
         "IamInstanceProfile": {"Arn": f"arn:aws:iam::{A}:instance-profile/web", "Id": "AIPA1"},
         "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled",
                             "HttpPutResponseHopLimit": 1},
         "NetworkInterfaces": [{"NetworkInterfaceId": "eni-web",
                                "Attachment": {"DeviceIndex": 0}}],
         "Tags": _tags(Name="web-1", data="public")},
        {"InstanceId": "i-app", "State": {"Name": "running"}, "SubnetId": "subnet-priv",
         "VpcId": "vpc-a1", "PrivateIpAddress": "10.0.2.20",
         "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
         "NetworkInterfaces": [{"NetworkInterfaceId": "eni-app",
                                "Attachment": {"DeviceIndex": 0}}]}]}]})


def _network_b(put: Any) -> None:
    put("describe_vpcs", {"Vpcs": [
        {"VpcId": "vpc-b1", "OwnerId": B, "CidrBlock": "10.1.0.0/16",
         "CidrBlockAssociationSet": _cidrs("CidrBlock", ("10.1.0.0/16", "associated"))},
        # A's VPC, shared with B: A states it, B does not.
        {"VpcId": "vpc-a1", "OwnerId": A, "CidrBlock": "10.0.0.0/16",
         "CidrBlockAssociationSet": _cidrs("CidrBlock", ("10.0.0.0/16", "associated"))}]})
    put("describe_security_groups", {"SecurityGroups": [
        {"GroupId": "sg-b1", "GroupName": "db", "VpcId": "vpc-b1", "OwnerId": B,
         "IpPermissions": [], "IpPermissionsEgress": []}]})
    put("describe_vpc_peering_connections", {"VpcPeeringConnections": [PEERING]})


def _load_balancing(put: Any) -> None:
    put("describe_load_balancers", {"LoadBalancers": [
        {"LoadBalancerArn": ALB_ARN, "LoadBalancerName": "web-alb", "Scheme": "internet-facing",
         "Type": "application", "DNSName": "web-alb-1.us-east-1.elb.amazonaws.com",
         "VpcId": "vpc-a1", "State": {"Code": "active"}, "IpAddressType": "ipv4",
         "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-pub"}],
         "SecurityGroups": ["sg-web"]},
        {"LoadBalancerArn": NLB_ARN, "LoadBalancerName": "edge-nlb", "Scheme": "internal",
         "Type": "network", "VpcId": "vpc-a1", "State": {"Code": "active"},
         "AvailabilityZones": [{"ZoneName": "us-east-1b", "SubnetId": "subnet-priv"}]}]})
    put("describe_listeners", {"Listeners": [
        {"ListenerArn": LISTENER_ARN, "LoadBalancerArn": ALB_ARN, "Port": 443,
         "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
         "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG_WEB}]}]}, "web-alb")
    put("describe_rules", {"Rules": [
        {"RuleArn": "r1", "Priority": "10", "IsDefault": False, "Actions": [
            {"Type": "authenticate-oidc", "Order": 1},
            {"Type": "forward", "Order": 2, "ForwardConfig": {"TargetGroups": [
                {"TargetGroupArn": TG_WEB, "Weight": 50},
                {"TargetGroupArn": TG_IP, "Weight": 50}]}}]},
        {"RuleArn": "r-default", "Priority": "default", "IsDefault": True,
         "Actions": [{"Type": "forward", "TargetGroupArn": TG_WEB}]}]}, LISTENER_ARN)
    put("describe_listeners", {"Listeners": [
        {"ListenerArn": NLB_LISTENER_ARN, "LoadBalancerArn": NLB_ARN, "Port": 443,
         "Protocol": "TCP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG_ALB}]}]},
        "edge-nlb")
    put("describe_target_groups", {"TargetGroups": [
        {"TargetGroupArn": TG_WEB, "TargetGroupName": "tg-web", "Protocol": "HTTPS",
         "Port": 443, "TargetType": "instance", "VpcId": "vpc-a1", "LoadBalancerArns": [ALB_ARN]},
        {"TargetGroupArn": TG_IP, "TargetGroupName": "tg-ip", "Protocol": "HTTP", "Port": 8080,
         "TargetType": "ip", "VpcId": "vpc-a1", "LoadBalancerArns": [ALB_ARN]},
        {"TargetGroupArn": TG_ALB, "TargetGroupName": "tg-alb", "Protocol": "TCP", "Port": 443,
         "TargetType": "alb", "VpcId": "vpc-a1", "LoadBalancerArns": [NLB_ARN]},
        {"TargetGroupArn": TG_FN, "TargetGroupName": "tg-fn", "TargetType": "lambda",
         "LoadBalancerArns": []}]})
    put("describe_target_health", {"TargetHealthDescriptions": [
        {"Target": {"Id": "i-web", "Port": 443}, "TargetHealth": {"State": "healthy"}}]},
        "tg-web")
    put("describe_target_health", {"TargetHealthDescriptions": [
        {"Target": {"Id": "10.0.2.20", "Port": 8080, "AvailabilityZone": "us-east-1b"},
         "TargetHealth": {"State": "unhealthy", "Reason": "Target.Timeout"}},
        {"Target": {"Id": "10.9.9.9", "Port": 8080, "AvailabilityZone": "all"},
         "TargetHealth": {"State": "unavailable"}}]}, "tg-ip")
    put("describe_target_health", {"TargetHealthDescriptions": [
        {"Target": {"Id": ALB_ARN, "Port": 443}, "TargetHealth": {"State": "healthy"}}]},
        "tg-alb")
    put("describe_target_health", {"TargetHealthDescriptions": [
        {"Target": {"Id": FUNCTION_ARN}, "TargetHealth": {"State": "healthy"}}]}, "tg-fn")
# fmt: on


def _writer_for(w: SnapshotWriter, account: str, region: str, client: str) -> Any:
    def put(method: str, data: dict, key: str | None = None) -> None:
        w.write(account, region, client, method, data, key)

    return put


def write_snapshot(root: Path) -> Snapshot:
    """The whole two-account snapshot (A: us-east-1 and eu-west-1, B: us-east-1)."""
    w = SnapshotWriter(root, source="synthetic")
    w.set_account(A, [EAST, WEST])
    w.set_account(B, [EAST])
    ec2_a = _writer_for(w, A, EAST, "ec2")
    for part in (_topology_a, _filters_a, _compute_a):
        part(ec2_a)
    w.record_failure(A, EAST, "ec2", "get_managed_prefix_list_entries", "UnauthorizedOperation",
                     "not allowed", "pl-unreadable")  # fmt: skip
    default_vpc = {"VpcId": "vpc-a2", "OwnerId": A, "CidrBlock": "172.31.0.0/16", "IsDefault": True}
    w.write(A, WEST, "ec2", "describe_vpcs", {"Vpcs": [default_vpc]})
    w.record_failure(A, WEST, "ec2", "describe_security_groups", "UnauthorizedOperation", "no")
    _network_b(_writer_for(w, B, EAST, "ec2"))
    _load_balancing(_writer_for(w, A, EAST, "elbv2"))
    write_resources(w)
    w.finish(organization_account_id=A, created_at="2026-11-28T12:00:00Z")
    return Snapshot.open(root)


def node(records: GraphRecords, label: str, key: str) -> dict[str, Any]:
    """The one full node of `label` with this key value."""
    found = [row for row in records.nodes[label] if key in row.values()]
    assert len(found) == 1, f"expected one {label} {key}, found {len(found)}"
    return found[0]


def targets(records: GraphRecords, rel_type: str, source: str, target: str) -> dict[Any, list]:
    """source key -> target keys of one relationship type between two labels."""
    out: dict[Any, list] = {}
    for row in records.rels[(rel_type, source, target)]:
        out.setdefault(row["source"], []).append(row["target"])
    return out


def undeclared_properties(records: GraphRecords) -> set[str]:
    """Properties the records carry that the schema does not document (should be none)."""
    schema = load_schema()
    found = set()
    for label, rows in records.nodes.items():
        declared = set(schema.node(label).properties) | {schema.node(label).key}
        found |= {f"{label}.{prop}" for row in rows for prop in row if prop not in declared}
    for (rel_type, source, target), rows in records.rels.items():
        declared = set(schema.rel(rel_type, source, target).properties) | {"account_id"}
        found |= {f"{rel_type}.{prop}" for row in rows for prop in row["props"]} - {
            f"{rel_type}.{prop}" for prop in declared
        }
    return found
