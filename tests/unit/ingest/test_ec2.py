"""EC2 network transform from AWS-shaped responses, and the collector against moto."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ingest.aws import ec2
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot, SnapshotWriter
from kg.errors import SnapshotError
from kg.graph.records import GraphRecords
from kg.graph.writer import validate
from kg.model import load_schema
from tests.unit.ingest.network_fixtures import (
    EAST,
    WEST,
    A,
    B,
    C,
    arn,
    node,
    targets,
    undeclared_properties,
)
from tests.unit.ingest.network_fixtures import write_snapshot as write_fixture

MOTO_ACCOUNT = "123456789012"  # the account moto answers as


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> GraphRecords:
    return ec2.transform(write_fixture(tmp_path_factory.mktemp("snap")))


def _rules(records: GraphRecords, group_id: str) -> dict[str, dict]:
    return {
        r["summary"]: r for r in records.nodes["SecurityGroupRule"] if r["group_id"] == group_id
    }


def test_records_fit_the_declared_schema_and_every_property_is_documented(
    records: GraphRecords,
) -> None:
    validate(records, load_schema())
    assert undeclared_properties(records) == set()


def test_security_group_rules_keep_protocol_ports_and_every_kind_of_peer(
    records: GraphRecords,
) -> None:
    rules = _rules(records, "sg-web")
    assert set(rules) == {
        "ingress tcp 443 from 0.0.0.0/0",
        "ingress tcp 443 from ::/0",
        "ingress tcp 22 from pl-corp",
        "egress all traffic all ports to 0.0.0.0/0",
    }
    v6 = rules["ingress tcp 443 from ::/0"]
    assert (v6["peer_type"], v6["ipv6_cidr"]) == ("ipv6_cidr", "::/0")
    assert v6["description"] == "v6 clients"
    assert "cidr" not in v6
    prefix = rules["ingress tcp 22 from pl-corp"]
    assert prefix["prefix_list_name"] == "corp-offices"
    assert prefix["prefix_list_cidrs"] == ["198.51.100.0/24", "203.0.113.0/24"]
    everything = rules["egress all traffic all ports to 0.0.0.0/0"]
    assert everything["protocol"] == "-1"  # all protocols, and so no ports
    assert (everything["from_port"], everything["to_port"]) == (None, None)
    assert {r["direction"] for r in rules.values()} == {"ingress", "egress"}


def test_prefix_list_whose_entries_could_not_be_read_is_unknown_not_empty(
    records: GraphRecords,
) -> None:
    rule = _rules(records, "sg-app")["ingress tcp 22 from pl-unreadable"]
    assert rule["prefix_list_cidrs"] is None


def test_security_group_references_resolve_to_the_group_even_across_accounts(
    records: GraphRecords,
) -> None:
    allows_from = targets(records, "ALLOWS_FROM", "SecurityGroupRule", "SecurityGroup")
    assert allows_from["sg-app|ingress|tcp|5432|5432|sg-b1"] == [arn(B, "security-group", "sg-b1")]
    assert allows_from["sg-app|ingress|tcp|8080|8080|sg-web"] == [
        arn(A, "security-group", "sg-web")
    ]
    allows_to = targets(records, "ALLOWS_TO", "SecurityGroupRule", "SecurityGroup")
    assert allows_to == {"sg-app|egress|tcp|443|443|sg-web": [arn(A, "security-group", "sg-web")]}
    cross = _rules(records, "sg-app")["ingress tcp 5432 from sg-b1"]
    assert (cross["referenced_account_id"], cross["peering_connection_id"]) == (B, "pcx-ab")


def test_network_acl_entries_keep_deny_before_allow_in_rule_number_order(
    records: GraphRecords,
) -> None:
    ingress = [e for e in records.nodes["NetworkAclEntry"] if e["direction"] == "ingress"]
    assert [(e["rule_number"], e["rule_action"], e["cidr"] or e["ipv6_cidr"]) for e in ingress] == [
        (90, "deny", "0.0.0.0/0"),
        (100, "allow", "0.0.0.0/0"),
        (101, "allow", "::/0"),
        (32767, "deny", "0.0.0.0/0"),
        (32767, "deny", "::/0"),
    ]
    ssh = ingress[0]
    assert (ssh["protocol"], ssh["from_port"], ssh["to_port"]) == ("6", 22, 22)
    egress = {e["rule_number"]: e for e in records.nodes["NetworkAclEntry"] if e["egress"]}
    assert (egress[100]["from_port"], egress[100]["to_port"]) == (1024, 65535)
    assert (egress[110]["icmp_type"], egress[110]["icmp_code"]) == (-1, -1)
    protects = targets(records, "PROTECTS", "NetworkAcl", "Subnet")
    assert protects == {arn(A, "network-acl", "acl-pub"): [arn(A, "subnet", "subnet-pub")]}


def test_routes_say_where_traffic_goes_and_point_at_the_target(records: GraphRecords) -> None:
    routes = {r["route_id"]: r for r in records.nodes["Route"]}
    kinds = {rid: (r["target_type"], r["target_id"]) for rid, r in routes.items()}
    assert kinds["rtb-pub|0.0.0.0/0"] == ("igw", "igw-a1")
    assert kinds["rtb-main|0.0.0.0/0"] == ("nat", "nat-a1")
    assert kinds["rtb-main|::/0"] == ("eigw", "eigw-a1")
    assert kinds["rtb-main|10.1.0.0/16"] == ("pcx", "pcx-ab")
    assert kinds["rtb-main|10.2.0.0/16"] == ("tgw", "tgw-1")
    assert kinds["rtb-main|pl-s3"] == ("vpce", "vpce-s3")
    assert kinds["rtb-main|172.16.0.0/12"] == ("instance", "i-app")
    assert kinds["rtb-main|192.168.0.0/16"] == ("blackhole", "nat-gone")
    assert kinds["rtb-main|10.0.0.0/16"] == ("local", "local")
    s3_cidrs = routes["rtb-main|pl-s3"]["destination_prefix_list_cidrs"]
    assert s3_cidrs == ["3.5.0.0/19", "52.216.0.0/15"]
    assert routes["rtb-pub|::/0"]["destination_ipv6_cidr"] == "::/0"

    pointed = {
        (source, target)
        for (rel_type, _, _), rows in records.rels.items()
        if rel_type == "TARGETS"
        for source, target in ((row["source"], row["target"]) for row in rows)
    }
    assert pointed == {
        ("rtb-pub|0.0.0.0/0", arn(A, "internet-gateway", "igw-a1")),
        ("rtb-pub|::/0", arn(A, "internet-gateway", "igw-a1")),
        ("rtb-main|0.0.0.0/0", arn(A, "natgateway", "nat-a1")),
        ("rtb-main|::/0", arn(A, "egress-only-internet-gateway", "eigw-a1")),
        ("rtb-main|10.1.0.0/16", arn(A, "vpc-peering-connection", "pcx-ab")),
        # a transit gateway route leaves through this VPC's attachment to that gateway
        ("rtb-main|10.2.0.0/16", arn(A, "transit-gateway-attachment", "tgw-attach-a1")),
        ("rtb-main|pl-s3", arn(A, "vpc-endpoint", "vpce-s3")),
        ("rtb-main|172.16.0.0/12", arn(A, "instance", "i-app")),
    }


def test_main_table_and_subnet_associations(records: GraphRecords) -> None:
    assert node(records, "RouteTable", "rtb-main")["is_main"] is True
    assert targets(records, "MAIN_FOR", "RouteTable", "Vpc") == {
        arn(A, "route-table", "rtb-main"): [arn(A, "vpc", "vpc-a1")]
    }
    # the disassociated subnet-old is not associated any more
    assert targets(records, "ASSOCIATED_WITH", "RouteTable", "Subnet") == {
        arn(A, "route-table", "rtb-pub"): [arn(A, "subnet", "subnet-pub")]
    }


def test_vpc_keeps_only_associated_cidr_blocks(records: GraphRecords) -> None:
    vpc = node(records, "Vpc", "vpc-a1")
    assert vpc["cidrs"] == ["10.0.0.0/16"]
    assert vpc["ipv6_cidrs"] == ["2600:1f18:aaaa:bb00::/56"]
    assert vpc["name"] == "prod"
    subnet = node(records, "Subnet", "subnet-pub")
    assert subnet["map_public_ip_on_launch"] is True
    assert subnet["ipv6_cidrs"] == ["2600:1f18:aaaa:bb01::/64"]


def test_interfaces_record_public_and_elastic_addresses_and_what_they_belong_to(
    records: GraphRecords,
) -> None:
    web = node(records, "NetworkInterface", "eni-web")
    assert (web["public_ip"], web["public_ips"]) == ("54.1.2.3", ["54.1.2.3"])
    assert web["elastic_ip"] is True
    assert web["private_ips"] == ["10.0.1.10", "10.0.1.11"]
    assert web["ipv6_addresses"] == ["2600:1f18:aaaa:bb01::10"]
    alb = node(records, "NetworkInterface", "eni-alb")
    assert (alb["public_ip"], alb["elastic_ip"]) == ("3.3.3.3", False)
    eni = arn(A, "network-interface", "eni-alb")
    balancer = f"arn:aws:elasticloadbalancing:{EAST}:{A}:loadbalancer/app/web-alb/0123456789abcdef"
    assert targets(records, "HAS_INTERFACE", "LoadBalancer", "NetworkInterface") == {
        balancer: [eni]
    }
    assert targets(records, "HAS_INTERFACE", "NatGateway", "NetworkInterface") == {
        arn(A, "natgateway", "nat-a1"): [arn(A, "network-interface", "eni-nat")]
    }
    protected = targets(records, "PROTECTED_BY", "NetworkInterface", "SecurityGroup")
    assert protected[arn(A, "network-interface", "eni-app")] == [arn(A, "security-group", "sg-app")]


def test_instances_record_imds_options_profile_and_interfaces(records: GraphRecords) -> None:
    web = node(records, "Ec2Instance", "i-web")
    assert (web["http_tokens"], web["http_endpoint"]) == ("optional", "enabled")
    assert web["http_put_response_hop_limit"] == 1
    assert web["instance_profile_arn"] == f"arn:aws:iam::{A}:instance-profile/web"
    assert web["tags"] == ["Name=web-1", "data=public"]
    assert node(records, "Ec2Instance", "i-app")["http_tokens"] == "required"
    interfaces = records.rels[("HAS_INTERFACE", "Ec2Instance", "NetworkInterface")]
    assert {(r["source"], r["target"], r["props"]["device_index"]) for r in interfaces} == {
        (arn(A, "instance", "i-web"), arn(A, "network-interface", "eni-web"), 0),
        (arn(A, "instance", "i-app"), arn(A, "network-interface", "eni-app"), 0),
    }


def test_shared_objects_are_stated_once_by_their_collected_owner(records: GraphRecords) -> None:
    vpcs = {(v["vpc_id"], v["account_id"]) for v in records.nodes["Vpc"]}
    # B sees vpc-a1 through sharing, A owns it; C owns vpc-c1 and was not collected, so A states it
    assert vpcs == {("vpc-a1", A), ("vpc-b1", B), ("vpc-c1", A), ("vpc-a2", A)}
    shared = node(records, "Vpc", "vpc-c1")
    assert (shared["arn"], shared["owner_id"]) == (arn(C, "vpc", "vpc-c1"), C)
    assert targets(records, "BELONGS_TO", "Vpc", "Account")[arn(C, "vpc", "vpc-c1")] == [C]
    assert C in {row["account_id"] for row in records.refs["Account"]}


def test_peering_is_one_node_connecting_both_vpcs(records: GraphRecords) -> None:
    [peering] = records.nodes["VpcPeeringConnection"]
    assert peering["arn"] == arn(A, "vpc-peering-connection", "pcx-ab")  # the requester's
    assert peering["account_id"] == A
    assert (peering["accepter_owner_id"], peering["accepter_cidrs"]) == (B, ["10.1.0.0/16"])
    connects = records.rels[("CONNECTS", "VpcPeeringConnection", "Vpc")]
    sides = {(r["target"], r["props"]["side"]) for r in connects}
    assert sides == {(arn(A, "vpc", "vpc-a1"), "requester"), (arn(B, "vpc", "vpc-b1"), "accepter")}


@pytest.mark.parametrize(
    ("requester_status", "stated_by"),
    [
        (None, [B]),  # the requester is outside the snapshot: the accepter states it
        ("failed", []),  # the requester failed to collect: its earlier facts stay as they were
    ],
)
def test_peering_is_stated_by_the_accepter_only_when_the_requester_is_outside_the_snapshot(
    tmp_path: Path, requester_status: str | None, stated_by: list[str]
) -> None:
    full = write_fixture(tmp_path / "full")
    writer = SnapshotWriter(tmp_path / "b", source="synthetic")
    writer.set_account(B, [EAST])
    if requester_status:
        writer.set_account(A, [EAST], requester_status, "AccessDenied: cannot assume role")
    answer = full.read(B, EAST, "ec2", "describe_vpc_peering_connections")
    writer.write(B, EAST, "ec2", "describe_vpc_peering_connections", answer)
    writer.finish()
    records = ec2.transform(Snapshot.open(tmp_path / "b"))
    peerings = records.nodes["VpcPeeringConnection"]
    assert [p["account_id"] for p in peerings] == stated_by
    assert all(p["arn"] == arn(A, "vpc-peering-connection", "pcx-ab") for p in peerings)


def test_endpoint_policy_is_stored_normalized(records: GraphRecords) -> None:
    endpoint = node(records, "VpcEndpoint", "vpce-s3")
    assert json.loads(endpoint["policy"])["Statement"] == [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    ]
    assert endpoint["route_table_ids"] == ["rtb-main"]


def test_failed_calls_leave_that_region_without_those_nodes(records: GraphRecords) -> None:
    west = {row["region"] for row in records.nodes["SecurityGroup"]}
    assert WEST not in west
    assert node(records, "Vpc", "vpc-a2")["is_default"] is True


def _one_call_snapshot(root: Path, method: str, body: dict) -> Snapshot:
    writer = SnapshotWriter(root, source="synthetic")
    writer.set_account(A, [EAST])
    writer.write(A, EAST, "ec2", method, body)
    writer.finish()
    return Snapshot.open(root)


@pytest.mark.parametrize(
    ("method", "body", "message"),
    [
        (
            "describe_security_groups",
            {"SecurityGroups": [{"GroupName": "no-id", "IpPermissions": []}]},
            r"security_groups\.json\.SecurityGroups\[0\]: missing required field 'GroupId'",
        ),
        (
            "describe_security_groups",
            {
                "SecurityGroups": [
                    {
                        "GroupId": "sg-1",
                        "IpPermissions": [{"IpProtocol": "tcp", "FromPort": "22", "ToPort": 22}],
                    }
                ]
            },
            r"IpPermissions\[0\]: field 'FromPort' should be an integer",
        ),
        (
            "describe_route_tables",
            {
                "RouteTables": [
                    {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [{"GatewayId": "igw-1"}]}
                ]
            },
            r"Routes\[0\]: route without a destination",
        ),
        ("describe_vpcs", {"Vpcs": "vpc-1"}, r"field 'Vpcs' should be a list"),
    ],
)
def test_malformed_responses_name_the_file_and_the_field(
    tmp_path: Path, method: str, body: dict, message: str
) -> None:
    with pytest.raises(SnapshotError, match=message):
        ec2.transform(_one_call_snapshot(tmp_path, method, body))


@mock_aws
def test_collector_reads_the_topology_and_only_the_prefix_lists_in_use(tmp_path: Path) -> None:
    session = boto3.Session(region_name=EAST)
    client = session.client("ec2")
    vpc = client.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = client.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    igw = client.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    client.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = client.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    client.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    client.associate_route_table(RouteTableId=table, SubnetId=subnet)
    used, _unused = (
        client.create_managed_prefix_list(
            PrefixListName=name, MaxEntries=5, AddressFamily="IPv4", Entries=[{"Cidr": cidr}]
        )["PrefixList"]["PrefixListId"]
        for name, cidr in (("offices", "203.0.113.0/24"), ("spare", "198.51.100.0/24"))
    )
    group = client.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ssh = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
    https = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    client.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {**ssh, "PrefixListIds": [{"PrefixListId": used}]},
            {**https, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        ],
    )
    client.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[group],
        MetadataOptions={"HttpTokens": "required"},
    )
    writer = SnapshotWriter(tmp_path, source="aws")
    ctx = CallContext(session, MOTO_ACCOUNT, EAST, writer)

    ec2.collect(ctx)
    writer.set_account(MOTO_ACCOUNT, [EAST])
    writer.finish()

    assert writer.failures == []
    snapshot = Snapshot.open(tmp_path)
    for method in ec2.LIST_CALLS:
        assert snapshot.read(MOTO_ACCOUNT, EAST, "ec2", method) is not None, method
    entries = snapshot.keys(MOTO_ACCOUNT, EAST, "ec2", "get_managed_prefix_list_entries")
    assert entries == [used]  # not the unused list, nor AWS's own lists

    records = ec2.transform(snapshot)
    validate(records, load_schema())
    rule = next(r for r in records.nodes["SecurityGroupRule"] if r.get("prefix_list_id") == used)
    assert rule["prefix_list_cidrs"] == ["203.0.113.0/24"]
    [instance] = records.nodes["Ec2Instance"]
    assert (instance["http_tokens"], instance["state"]) == ("required", "running")
    route = next(r for r in records.nodes["Route"] if r["route_id"] == f"{table}|0.0.0.0/0")
    assert (route["target_type"], route["target_id"]) == ("igw", igw)
