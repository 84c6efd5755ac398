"""Effective access over the demo organization: the documented attack paths exist as derived
edges, and a Deny, boundary or SCP cuts what it should."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from ingest.example.demo import facts
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import access, privesc
from kg.analysis.who_can import UnknownActionError, asked_resource, who_can
from kg.cli import access_cmd, main_options
from kg.config import Neo4jSettings
from kg.graph.driver import Graph
from tests.integration.policy_edits import (
    attach_boundary,
    attach_scp_to_account_of,
    policy_document,
)

pytestmark = pytest.mark.integration
DEMO = Path(__file__).resolve().parents[2] / "ingest" / "example" / "demo_snapshot"


@pytest.fixture
def demo(graph: Graph) -> Graph:
    load_snapshot(graph, Snapshot.open(DEMO))
    access.derive(graph)
    privesc.derive(graph)
    return graph


def test_bastion_instance_runs_as_its_role(demo: Graph) -> None:
    rows = demo.read(
        "MATCH (:Ec2Instance {arn: $instance})-[:RUNS_AS]->(r:Role) RETURN r.arn AS role",
        instance=facts.BASTION_INSTANCE_ARN,
    )
    assert [row["role"] for row in rows] == [facts.BASTION_ROLE_ARN]


def test_bastion_role_assumes_analytics_reader_across_accounts(demo: Graph) -> None:
    rows = demo.read(
        "MATCH (:Role {arn: $source})-[e:CAN_ASSUME]->(:Role {arn: $target}) "
        "RETURN e.conditional AS conditional",
        source=facts.BASTION_ROLE_ARN,
        target=facts.ANALYTICS_READER_ROLE_ARN,
    )
    assert rows == [{"conditional": False}]


def test_only_the_trusted_role_assumes_analytics_reader(demo: Graph) -> None:
    rows = demo.read(
        "MATCH (p)-[:CAN_ASSUME]->(:Role {arn: $target}) RETURN p.arn AS arn",
        target=facts.ANALYTICS_READER_ROLE_ARN,
    )
    assert {row["arn"] for row in rows} == {facts.BASTION_ROLE_ARN}


def test_analytics_reader_reads_customer_records(demo: Graph) -> None:
    rows = demo.read(
        "MATCH (:Role {arn: $role})-[e:CAN_ACCESS]->(:S3Bucket {arn: $bucket}) "
        "RETURN e.actions AS actions, e.access_levels AS levels, e.conditional AS conditional",
        role=facts.ANALYTICS_READER_ROLE_ARN,
        bucket=facts.CUSTOMER_RECORDS_BUCKET_ARN,
    )
    assert len(rows) == 1
    assert {"s3:GetObject", "s3:ListBucket"} <= set(rows[0]["actions"])
    assert "s3:PutObject" not in rows[0]["actions"]
    assert rows[0]["conditional"] is False


def test_bastion_role_cannot_read_customer_records_directly(demo: Graph) -> None:
    rows = demo.read(
        "MATCH (:Role {arn: $role})-[e:CAN_ACCESS]->(:S3Bucket {arn: $bucket}) RETURN e",
        role=facts.BASTION_ROLE_ARN,
        bucket=facts.CUSTOMER_RECORDS_BUCKET_ARN,
    )
    assert rows == []


def test_ci_deployer_escalates_to_deploy_automation_through_lambda(demo: Graph) -> None:
    rows = demo.read(
        "MATCH (:Role {arn: $source})-[e:CAN_ESCALATE_TO]->(:Role {arn: $target}) "
        "RETURN e.technique AS technique, e.permissions AS permissions",
        source=facts.CI_ROLE_ARN,
        target=facts.ESCALATION_TARGET_ROLE_ARN,
    )
    techniques = {row["technique"] for row in rows}
    assert "passrole-lambda-invoke" in techniques
    lambda_row = next(row for row in rows if row["technique"] == "passrole-lambda-invoke")
    assert "iam:PassRole" in lambda_row["permissions"]


def test_deploy_automation_is_admin_and_ci_deployer_is_not(demo: Graph) -> None:
    rows = demo.read(
        "MATCH (r:Role) WHERE r.arn IN $arns RETURN r.arn AS arn, r.is_admin AS admin",
        arns=[facts.CI_ROLE_ARN, facts.ESCALATION_TARGET_ROLE_ARN],
    )
    assert {row["arn"]: row["admin"] for row in rows} == {
        facts.CI_ROLE_ARN: False,
        facts.ESCALATION_TARGET_ROLE_ARN: True,
    }


def test_derive_twice_gives_the_same_edges(demo: Graph) -> None:
    count = "MATCH ()-[e:CAN_ACCESS|CAN_ASSUME|RUNS_AS]->() RETURN count(e) AS n"
    before = demo.read(count)
    access.derive(demo)
    assert demo.read(count) == before


def test_a_permissions_boundary_cuts_the_cross_account_assume(demo: Graph) -> None:
    attach_boundary(demo, facts.BASTION_ROLE_ARN, policy_document("Allow", "s3:*"))
    access.derive(demo)
    rows = demo.read(
        "MATCH (:Role {arn: $source})-[e:CAN_ASSUME]->(:Role {arn: $target}) RETURN e",
        source=facts.BASTION_ROLE_ARN,
        target=facts.ANALYTICS_READER_ROLE_ARN,
    )
    assert rows == []


def test_an_scp_deny_on_the_account_cuts_reads_of_customer_records(demo: Graph) -> None:
    attach_scp_to_account_of(
        demo,
        facts.ANALYTICS_READER_ROLE_ARN,
        "arn:aws:organizations::111122223333:policy/o-test/service_control_policy/p-deny",
        policy_document("Deny", "s3:GetObject"),
    )
    access.derive(demo)
    rows = demo.read(
        "MATCH (:Role {arn: $role})-[e:CAN_ACCESS]->(:S3Bucket {arn: $bucket}) "
        "RETURN e.actions AS actions",
        role=facts.ANALYTICS_READER_ROLE_ARN,
        bucket=facts.CUSTOMER_RECORDS_BUCKET_ARN,
    )
    assert len(rows) == 1
    assert "s3:GetObject" not in rows[0]["actions"]
    assert "s3:ListBucket" in rows[0]["actions"]


def test_the_partner_account_reads_the_partner_bucket_by_its_policy_statement(
    demo: Graph,
) -> None:
    rows = demo.read(
        "MATCH (a:Account {account_id: $account})-[e:CAN_ACCESS]->(r) "
        "RETURN a.external AS external, r.arn AS resource, e.actions AS actions, "
        "e.allowed_by AS allowed_by, e.conditional AS conditional",
        account=facts.EXTERNAL_ACCOUNT_ID,
    )
    assert rows == [
        {
            "external": True,
            "resource": facts.PARTNER_BUCKET_ARN,
            "actions": ["s3:GetObject", "s3:ListBucket"],
            "allowed_by": [f"{facts.PARTNER_BUCKET_ARN} policy#PartnerRead"],
            "conditional": False,
        }
    ]


def test_everyone_reads_the_public_bucket_and_nothing_else_for_certain(demo: Graph) -> None:
    rows = demo.read(
        "MATCH (:AnyPrincipal {name: 'everyone'})-[e:CAN_ACCESS]->(r) "
        "WHERE NOT e.conditional RETURN r.arn AS resource, e.actions AS actions"
    )
    assert rows == [{"resource": facts.PUBLIC_BUCKET_ARN, "actions": ["s3:GetObject"]}]


def test_what_everyone_is_allowed_is_said_once_on_everyones_edge(demo: Graph) -> None:
    objects = asked_resource(demo, f"{facts.PUBLIC_BUCKET_ARN}/*")
    readers = {row["principal"] for row in who_can(demo, "s3:GetObject", objects)}
    bucket_account = facts.BASTION_ROLE_ARN.split(":")[4]
    # Principals of every account can read the public bucket, the bastion by its own policy too...
    assert facts.BASTION_ROLE_ARN in readers
    assert {arn.split(":")[4] for arn in readers if arn.startswith("arn:")} - {bucket_account}
    # ...but only those allowed more than everyone's s3:GetObject have an edge of their own.
    rows = demo.read(
        "MATCH (p)-[e:CAN_ACCESS]->(:S3Bucket {arn: $arn}) "
        "RETURN coalesce(p.arn, p.name) AS principal, e.actions AS actions",
        arn=facts.PUBLIC_BUCKET_ARN,
    )
    edges = {row["principal"]: row["actions"] for row in rows}
    assert edges.pop("everyone") == ["s3:GetObject"]
    assert edges and facts.BASTION_ROLE_ARN not in edges
    assert all(set(actions) - {"s3:GetObject"} for actions in edges.values())
    assert {arn.split(":")[4] for arn in edges} == {bucket_account}


def test_a_deny_added_to_the_partner_bucket_policy_cuts_the_external_access(demo: Graph) -> None:
    [row] = demo.read(
        "MATCH (b:S3Bucket {arn: $arn}) RETURN b.policy AS policy", arn=facts.PARTNER_BUCKET_ARN
    )
    policy = json.loads(row["policy"])
    policy["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"AWS": facts.EXTERNAL_ACCOUNT_ID},
            "Action": "s3:GetObject",
            "Resource": f"{facts.PARTNER_BUCKET_ARN}/*",
        }
    )
    demo.write(
        "MATCH (b:S3Bucket {arn: $arn}) SET b.policy = $policy",
        arn=facts.PARTNER_BUCKET_ARN,
        policy=json.dumps(policy),
    )
    access.derive(demo)
    rows = demo.read(
        "MATCH (:Account {account_id: $account})-[e:CAN_ACCESS]->() RETURN e.actions AS actions",
        account=facts.EXTERNAL_ACCOUNT_ID,
    )
    assert rows == [{"actions": ["s3:ListBucket"]}]


PRIVESC_KEYS = (
    "principal",
    "account_id",
    "target",
    "techniques",
    "chain",
    "permissions",
    "explanation",
)
ACCESS_KEYS = (
    "resource",
    "resource_type",
    "access_levels",
    "action_count",
    "conditional",
    "conditions",
    "scope",
    "scope_detail",
    "granted_to",
)


@pytest.fixture
def kg_cli(demo: Graph, neo4j_settings: Neo4jSettings) -> Callable[..., Result]:
    """`kg privesc`, `who-can` and `access` against the demo graph."""
    s = neo4j_settings
    connection = ["--uri", s.uri, "--user", s.user, "--password", s.password]
    connection += ["--database", s.database]
    app = typer.Typer()
    app.callback()(main_options)
    access_cmd.register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [*connection, *args])


def test_cli_privesc_who_can_and_access(kg_cli: Callable[..., Result]) -> None:
    result = kg_cli("privesc", "--principal", facts.CI_ROLE_ARN, "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    lambda_hop = next(f for f in findings if f["techniques"] == ["passrole-lambda-invoke"])
    assert lambda_hop["target"] == facts.ESCALATION_TARGET_ROLE_ARN
    assert lambda_hop["chain"][0].startswith(facts.CI_ROLE_ARN)
    assert set(lambda_hop) == set(PRIVESC_KEYS)  # the shape docs/access.md documents

    result = kg_cli(
        "who-can",
        "s3:GetObject",
        "--resource",
        f"{facts.CUSTOMER_RECORDS_BUCKET_ARN}/*",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    reader = next(row for row in rows if row["principal"] == facts.ANALYTICS_READER_ROLE_ARN)
    assert reader["outcome"] == "allowed" and reader["allowed_by"]
    assert facts.BASTION_ROLE_ARN not in {row["principal"] for row in rows}

    result = kg_cli("access", facts.BASTION_ROLE_ARN, "--format", "json")
    assert result.exit_code == 0, result.output
    reachable = json.loads(result.stdout)
    assert all(set(row) == set(ACCESS_KEYS) for row in reachable)
    reach = {row["resource"]: (row["access_levels"], row["granted_to"]) for row in reachable}
    assert reach[facts.ANALYTICS_READER_ROLE_ARN] == (["Assume"], "principal")
    assert reach[facts.PUBLIC_BUCKET_ARN] == (["Read"], "everyone")

    result = kg_cli("who-can", "s3:NoSuchAction")
    assert isinstance(result.exception, UnknownActionError)
    assert "s3:NoSuchAction" in str(result.exception)


def test_cli_who_can_and_access_show_the_external_account(kg_cli: Callable[..., Result]) -> None:
    result = kg_cli(
        "who-can",
        "s3:GetObject",
        "--resource",
        f"{facts.PARTNER_BUCKET_ARN}/*",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    partner = [
        row for row in json.loads(result.stdout) if row["principal"] == facts.EXTERNAL_ACCOUNT_ID
    ]
    assert partner == [
        {
            "principal": facts.EXTERNAL_ACCOUNT_ID,
            "account_id": facts.EXTERNAL_ACCOUNT_ID,
            "resource": f"{facts.PARTNER_BUCKET_ARN}/*",
            "outcome": "allowed",
            "allowed_by": [f"{facts.PARTNER_BUCKET_ARN} policy#PartnerRead"],
            "conditions": None,
            "excluding": None,
        }
    ]

    result = kg_cli("access", facts.EXTERNAL_ACCOUNT_ID, "--format", "json")
    assert result.exit_code == 0, result.output
    reach = {
        row["resource"]: (row["access_levels"], row["granted_to"])
        for row in json.loads(result.stdout)
    }
    assert reach == {
        facts.PARTNER_BUCKET_ARN: (["List", "Read"], "principal"),
        facts.PUBLIC_BUCKET_ARN: (["Read"], "everyone"),
    }
