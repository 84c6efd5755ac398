"""Load balancer transform from AWS-shaped responses, and the collector against moto."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ingest.aws import elbv2
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot, SnapshotWriter
from kg.graph.records import GraphRecords
from kg.graph.writer import validate
from kg.model import load_schema
from tests.unit.ingest.network_fixtures import (
    ALB_ARN,
    EAST,
    FUNCTION_ARN,
    LISTENER_ARN,
    NLB_ARN,
    TG_ALB,
    TG_FN,
    TG_IP,
    TG_WEB,
    A,
    arn,
    node,
    targets,
    undeclared_properties,
    write_snapshot,
)

MOTO_ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> GraphRecords:
    return elbv2.transform(write_snapshot(tmp_path_factory.mktemp("snap")))


def _targets(records: GraphRecords, target_label: str) -> set[tuple]:
    rows = records.rels[("HAS_TARGET", "TargetGroup", target_label)]
    return {
        (r["source"], r["target"], r["props"].get("port"), r["props"]["health_state"]) for r in rows
    }


def test_records_fit_the_declared_schema_and_every_property_is_documented(
    records: GraphRecords,
) -> None:
    validate(records, load_schema())
    assert undeclared_properties(records) == set()


def test_load_balancer_scheme_subnets_and_security_groups(records: GraphRecords) -> None:
    alb = node(records, "LoadBalancer", ALB_ARN)
    assert (alb["scheme"], alb["type"], alb["name"]) == (
        "internet-facing",
        "application",
        "web-alb",
    )
    assert node(records, "LoadBalancer", NLB_ARN)["scheme"] == "internal"
    assert targets(records, "IN", "LoadBalancer", "Subnet")[ALB_ARN] == [
        arn(A, "subnet", "subnet-pub")
    ]
    assert targets(records, "PROTECTED_BY", "LoadBalancer", "SecurityGroup") == {
        ALB_ARN: [arn(A, "security-group", "sg-web")]
    }


def test_listeners_forward_through_default_actions_and_rules(records: GraphRecords) -> None:
    listener = node(records, "Listener", LISTENER_ARN)
    assert (listener["port"], listener["protocol"], listener["name"]) == (443, "HTTPS", "HTTPS:443")
    forwards = {
        (r["source"], r["target"]): r["props"]["rules"]
        for r in records.rels[("FORWARDS_TO", "Listener", "TargetGroup")]
    }
    # rule 10 forwards (weighted, after authenticating) to both groups; the default to tg-web
    assert forwards[(LISTENER_ARN, TG_WEB)] == ["10", "default"]
    assert forwards[(LISTENER_ARN, TG_IP)] == ["10"]
    assert len(targets(records, "HAS_LISTENER", "LoadBalancer", "Listener")) == 2


def test_targets_of_every_type_are_linked_with_their_port_and_health(
    records: GraphRecords,
) -> None:
    assert _targets(records, "Ec2Instance") == {
        (TG_WEB, arn(A, "instance", "i-web"), 443, "healthy")
    }
    assert _targets(records, "LoadBalancer") == {(TG_ALB, ALB_ARN, 443, "healthy")}
    assert _targets(records, "LambdaFunction") == {(TG_FN, FUNCTION_ARN, None, "healthy")}


def test_ip_targets_resolve_to_the_interface_holding_that_address_in_the_vpc(
    records: GraphRecords,
) -> None:
    [ip_target] = records.rels[("HAS_TARGET", "TargetGroup", "NetworkInterface")]
    assert (ip_target["source"], ip_target["target"]) == (
        TG_IP,
        arn(A, "network-interface", "eni-app"),
    )
    assert ip_target["props"] == {
        "account_id": A,
        "port": 8080,
        "health_state": "unhealthy",
        "health_reason": "Target.Timeout",
    }
    # an address no loaded interface holds (another VPC, on premises) is kept, not dropped
    assert node(records, "TargetGroup", TG_IP)["unresolved_targets"] == ["10.9.9.9:8080"]


def test_failed_listener_call_is_recorded_as_unknown(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, source="synthetic")
    writer.set_account(A, [EAST])
    balancer = {"LoadBalancerArn": ALB_ARN, "LoadBalancerName": "web-alb", "Type": "application"}
    writer.write(A, EAST, "elbv2", "describe_load_balancers", {"LoadBalancers": [balancer]})
    writer.record_failure(A, EAST, "elbv2", "describe_listeners", "AccessDenied", "no", "web-alb")
    writer.finish()
    records = elbv2.transform(Snapshot.open(tmp_path))
    assert node(records, "LoadBalancer", ALB_ARN)["unknown"] == ["listeners"]
    assert records.nodes["Listener"] == []


@mock_aws
def test_collector_reads_balancers_listeners_rules_and_target_health(tmp_path: Path) -> None:
    session = boto3.Session(region_name=EAST)
    ec2 = session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b"))
    ]
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    instance_id = instance["Instances"][0]["InstanceId"]
    client = session.client("elbv2")
    balancer = client.create_load_balancer(Name="web", Subnets=subnets, Scheme="internet-facing")
    balancer_arn = balancer["LoadBalancers"][0]["LoadBalancerArn"]
    group = client.create_target_group(Name="tg-web", Protocol="HTTP", Port=80, VpcId=vpc)
    group_arn = group["TargetGroups"][0]["TargetGroupArn"]
    client.register_targets(TargetGroupArn=group_arn, Targets=[{"Id": instance_id, "Port": 8080}])
    forward = [{"Type": "forward", "TargetGroupArn": group_arn}]
    listener = client.create_listener(
        LoadBalancerArn=balancer_arn, Protocol="HTTP", Port=80, DefaultActions=forward
    )
    listener_arn = listener["Listeners"][0]["ListenerArn"]
    writer = SnapshotWriter(tmp_path, source="aws")

    elbv2.collect(CallContext(session, MOTO_ACCOUNT, EAST, writer))
    writer.set_account(MOTO_ACCOUNT, [EAST])
    writer.finish()

    assert writer.failures == []
    snapshot = Snapshot.open(tmp_path)
    assert snapshot.keys(MOTO_ACCOUNT, EAST, "elbv2", "describe_listeners") == ["web"]
    assert snapshot.keys(MOTO_ACCOUNT, EAST, "elbv2", "describe_rules") == [listener_arn]
    assert snapshot.keys(MOTO_ACCOUNT, EAST, "elbv2", "describe_target_health") == ["tg-web"]
    records = elbv2.transform(snapshot)
    validate(records, load_schema())
    [target] = records.rels[("HAS_TARGET", "TargetGroup", "Ec2Instance")]
    assert target["target"] == f"arn:aws:ec2:{EAST}:{MOTO_ACCOUNT}:instance/{instance_id}"
    assert target["props"]["port"] == 8080
    assert targets(records, "FORWARDS_TO", "Listener", "TargetGroup") == {listener_arn: [group_arn]}
