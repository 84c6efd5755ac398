"""A two-account, two-region network and resources snapshot loaded into a real Neo4j."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.aws import awslambda, ec2, ecr, elbv2, kms, s3, secretsmanager, sns, sqs
from ingest.snapshot import Snapshot, SnapshotWriter
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema
from tests.unit.ingest.network_fixtures import EAST, WEST, A, B, C, write_snapshot

pytestmark = pytest.mark.integration

MODULES = (ec2, elbv2, s3, kms, secretsmanager, sqs, sns, awslambda, ecr)


def _records(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for module in MODULES:
        records.extend(module.transform(snapshot))
    return records


def _load(graph: Graph, snapshot: Snapshot) -> None:
    GraphWriter(graph, load_schema()).load(_records(snapshot), snapshot.account_ids())


@pytest.fixture
def loaded(graph: Graph, tmp_path: Path) -> Graph:
    _load(graph, write_snapshot(tmp_path / "snap"))
    return graph


def test_internet_facing_path_from_load_balancer_to_instance_in_a_routed_subnet(
    loaded: Graph,
) -> None:
    rows = loaded.read(
        "MATCH (lb:LoadBalancer {scheme: 'internet-facing'})-[:HAS_LISTENER]->(l:Listener)"
        "-[:FORWARDS_TO]->(:TargetGroup)-[t:HAS_TARGET]->(i:Ec2Instance)"
        "-[:HAS_INTERFACE]->(eni:NetworkInterface)-[:IN]->(s:Subnet)"
        "<-[:ASSOCIATED_WITH]-(:RouteTable)-[:HAS_ROUTE]->(r:Route {destination: '0.0.0.0/0'})"
        "-[:TARGETS]->(:InternetGateway)-[:ATTACHED_TO]->(:Vpc)<-[:IN]-(s) "
        "MATCH (eni)-[:PROTECTED_BY]->(:SecurityGroup)-[:HAS_RULE]->(rule:SecurityGroupRule "
        "{direction: 'ingress', cidr: '0.0.0.0/0'}) "
        "RETURN i.instance_id AS instance, l.port AS listener, t.port AS port, "
        "eni.public_ip AS public_ip, rule.from_port AS allowed"
    )
    assert rows == [
        {
            "instance": "i-web",
            "listener": 443,
            "port": 443,
            "public_ip": "54.1.2.3",
            "allowed": 443,
        }
    ]


def test_security_group_references_cross_accounts_and_peering_joins_both_vpcs(
    loaded: Graph,
) -> None:
    referenced = loaded.read(
        "MATCH (:SecurityGroup {group_id: 'sg-app'})-[:HAS_RULE]->(r)-[:ALLOWS_FROM]->"
        "(g:SecurityGroup)-[:BELONGS_TO]->(a:Account) "
        "RETURN r.from_port AS port, g.group_id AS group, a.account_id AS account ORDER BY port"
    )
    assert referenced == [
        {"port": 5432, "group": "sg-b1", "account": B},
        {"port": 8080, "group": "sg-web", "account": A},
    ]
    peering = loaded.read(
        "MATCH (:Route)-[:TARGETS]->(p:VpcPeeringConnection)-[c:CONNECTS]->(v:Vpc) "
        "RETURN c.side AS side, v.vpc_id AS vpc, v.account_id AS account ORDER BY side"
    )
    assert peering == [
        {"side": "accepter", "vpc": "vpc-b1", "account": B},
        {"side": "requester", "vpc": "vpc-a1", "account": A},
    ]


def test_each_vpc_is_one_node_in_its_region_and_shared_ones_belong_to_their_owner(
    loaded: Graph,
) -> None:
    rows = loaded.read(
        "MATCH (v:Vpc)-[:BELONGS_TO]->(owner:Account) "
        "RETURN v.vpc_id AS vpc, v.region AS region, owner.account_id AS owner ORDER BY vpc"
    )
    assert rows == [
        {"vpc": "vpc-a1", "region": EAST, "owner": A},
        {"vpc": "vpc-a2", "region": WEST, "owner": A},
        {"vpc": "vpc-b1", "region": EAST, "owner": B},
        {"vpc": "vpc-c1", "region": EAST, "owner": C},
    ]


def test_network_acl_entries_read_in_evaluation_order(loaded: Graph) -> None:
    rows = loaded.read(
        "MATCH (:NetworkAcl)-[:PROTECTS]->(:Subnet {subnet_id: 'subnet-pub'}) "
        "MATCH (:NetworkAcl)-[:HAS_ENTRY]->(e:NetworkAclEntry {direction: 'ingress'}) "
        "WHERE e.cidr = '0.0.0.0/0' "
        "RETURN e.rule_number AS n, e.rule_action AS action, e.to_port AS port "
        "ORDER BY e.rule_number"
    )
    assert [(r["n"], r["action"], r["port"]) for r in rows] == [
        (90, "deny", 22),
        (100, "allow", None),
        (32767, "deny", None),
    ]


def test_routes_reach_transit_gateway_attachment_and_gateway_endpoint(loaded: Graph) -> None:
    rows = loaded.read(
        "MATCH (:RouteTable {route_table_id: 'rtb-main'})-[:HAS_ROUTE]->(r:Route)-[:TARGETS]->(t) "
        "RETURN r.destination AS destination, labels(t)[0] AS target ORDER BY destination"
    )
    found = {(r["destination"], r["target"]) for r in rows}
    assert ("10.2.0.0/16", "TransitGatewayAttachment") in found
    assert ("pl-s3", "VpcEndpoint") in found
    assert ("192.168.0.0/16", "NatGateway") not in found  # blackhole: nowhere
    attached = loaded.read(
        "MATCH (:TransitGatewayAttachment)-[:ATTACHES]->(v:Vpc) RETURN v.vpc_id AS vpc"
    )
    assert attached == [{"vpc": "vpc-a1"}]


def test_resources_carry_the_resource_label_their_policy_and_their_key(loaded: Graph) -> None:
    labels = loaded.read(
        "MATCH (r:Resource)-[:BELONGS_TO]->(:Account {account_id: $account}) "
        "RETURN labels(r)[0] AS label, count(*) AS n ORDER BY label",
        account=A,
    )
    assert {row["label"]: row["n"] for row in labels} == {
        "EcrRepository": 1,
        "KmsKey": 2,
        "LambdaFunction": 1,
        "S3Bucket": 2,
        "Secret": 1,
        "SnsTopic": 1,
        "SqsQueue": 1,
    }
    public = loaded.read(
        "MATCH (b:S3Bucket {name: 'public-data'})-[:ENCRYPTED_BY]->(k:KmsKey) "
        "RETURN b.policy_is_public AS public, b.policy AS policy, k.name AS key"
    )
    assert public[0]["public"] is True and public[0]["key"] == "alias/app"
    assert '"Principal": "*"' in public[0]["policy"]


def test_loading_twice_changes_nothing(graph: Graph, tmp_path: Path) -> None:
    snapshot = write_snapshot(tmp_path / "snap")
    count = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r"
    _load(graph, snapshot)
    first = graph.read(count)
    _load(graph, snapshot)
    assert graph.read(count) == first


def test_reloading_one_account_replaces_only_its_facts(graph: Graph, tmp_path: Path) -> None:
    _load(graph, write_snapshot(tmp_path / "full"))
    facts_of_a = (
        "MATCH (n {account_id: $a}) OPTIONAL MATCH (n)-[r {account_id: $a}]->() "
        "RETURN count(DISTINCT n) AS nodes, count(r) AS rels"
    )
    before = graph.read(facts_of_a, a=A)
    # A newer snapshot: A failed to collect; B's security group is gone, nothing else changed.
    full = Snapshot.open(tmp_path / "full")
    writer = SnapshotWriter(tmp_path / "b", source="synthetic")
    writer.set_account(B, [EAST])
    writer.set_account(A, [EAST, WEST], "failed", "AccessDenied: cannot assume role")
    for method in ("describe_vpcs", "describe_vpc_peering_connections"):
        writer.write(B, EAST, "ec2", method, full.read(B, EAST, "ec2", method))
    writer.write(B, EAST, "ec2", "describe_security_groups", {"SecurityGroups": []})
    writer.finish()

    _load(graph, Snapshot.open(tmp_path / "b"))

    groups = graph.read("MATCH (g:SecurityGroup) RETURN g.group_id AS g ORDER BY g")
    assert [row["g"] for row in groups] == ["sg-app", "sg-web"]
    # A's rule still names sg-b1 (A states the rule); the link to the vanished group is gone
    rule = graph.read(
        "MATCH (r:SecurityGroupRule {referenced_group_id: 'sg-b1'}) "
        "RETURN r.referenced_account_id AS account, EXISTS { (r)-[:ALLOWS_FROM]->() } AS linked"
    )
    assert rule == [{"account": B, "linked": False}]
    # everything A stated is still there (its VPC that B sees through sharing too), but for the
    # rule's link to the group that vanished
    [after] = graph.read(facts_of_a, a=A)
    assert (after["nodes"], after["rels"]) == (before[0]["nodes"], before[0]["rels"] - 1)
    peering = graph.read("MATCH (p:VpcPeeringConnection) RETURN p.account_id AS account")
    assert peering == [{"account": A}]
