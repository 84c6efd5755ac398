"""Security-service states loaded into a real Neo4j: statuses per account and region, the
organization trail shared by members, what network controls protect, and replacement on reload."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.snapshot import Snapshot
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema
from tests.unit.ingest.security_organization import (
    ORG_TRAIL_ARN,
    PERMISSION_SET,
    member_load_balancer_arn,
    member_vpc_arn,
    organization_snapshot,
    security_records,
)
from tests.unit.ingest.security_snapshot import MANAGEMENT, MEMBER, OTHER_REGION, REGION

pytestmark = pytest.mark.integration


def _network_nodes() -> GraphRecords:
    """The member's VPC and load balancer, as the network transform writes them."""
    records = GraphRecords()
    records.node("Vpc", arn=member_vpc_arn(), account_id=MEMBER, region=REGION, name="shop")
    records.node(
        "LoadBalancer",
        arn=member_load_balancer_arn(),
        account_id=MEMBER,
        region=REGION,
        name="shop",
    )
    return records


def _load(graph: Graph, snapshot: Snapshot) -> None:
    records = security_records(snapshot)
    records.extend(_network_nodes())
    GraphWriter(graph, load_schema()).load(records, covered_accounts=snapshot.account_ids())


def _guardduty(graph: Graph) -> dict[tuple[str, str], str]:
    rows = graph.read(
        "MATCH (a:Account)-[:HAS_CONTROL_STATE]->(s:GuardDutyDetector) "
        "RETURN a.account_id AS account, s.region AS region, s.status AS status"
    )
    return {(r["account"], r["region"]): r["status"] for r in rows}


def test_statuses_per_account_and_region(graph: Graph, tmp_path: Path) -> None:
    _load(graph, organization_snapshot(tmp_path))
    assert _guardduty(graph) == {
        (MANAGEMENT, REGION): "enabled",
        (MANAGEMENT, OTHER_REGION): "enabled",
        (MEMBER, REGION): "enabled",
        (MEMBER, OTHER_REGION): "disabled",
    }
    hub = graph.read(
        "MATCH (:Account {account_id: $member})-[:HAS_CONTROL_STATE]->(s:SecurityHub) "
        "RETURN s.region AS region, s.status AS status, s.status_reason AS reason ORDER BY region",
        member=MEMBER,
    )
    assert hub == [
        {
            "region": OTHER_REGION,
            "status": "unknown",
            "reason": "AccessDeniedException on securityhub.describe_hub",
        },
        {"region": REGION, "status": "disabled", "reason": "not subscribed to Security Hub"},
    ]
    admin = graph.read(
        "MATCH (s:GuardDutyDetector {account_id: $m, region: $r}) "
        "RETURN s.org_auto_enable_members AS members",
        m=MANAGEMENT,
        r=REGION,
    )
    assert admin == [{"members": "ALL"}]


def test_every_control_state_reads_the_same_way(graph: Graph, tmp_path: Path) -> None:
    """The generic view coverage uses: one state per account, region and service or setting."""
    _load(graph, organization_snapshot(tmp_path))
    rows = graph.read(
        "MATCH (a:Account)-[:HAS_CONTROL_STATE]->(s:SecurityControlState) "
        "RETURN a.account_id AS account, s.region AS region, s.service AS service, "
        "s.status AS status, count(*) AS states"
    )
    assert {r["status"] for r in rows} == {"enabled", "disabled", "unknown"}
    per_account = {
        account: sum(r["states"] for r in rows if r["account"] == account)
        for account in (MANAGEMENT, MEMBER)
    }
    # Per region: 14 regional services (Firewall Manager among them, read in every account and
    # region: who the administrator is, and its policies there) and 5 EC2 settings.
    regional = 14 + 5
    account_wide = 2  # Shield Advanced, S3 account public access block
    assert per_account == {
        MANAGEMENT: 2 * regional + account_wide,
        MEMBER: 2 * regional + account_wide,
    }
    orphans = graph.read(
        "MATCH (s:SecurityControlState) WHERE NOT (:Account)-[:HAS_CONTROL_STATE]->(s) "
        "RETURN count(s) AS c"
    )
    assert orphans == [{"c": 0}]


def test_the_organization_trail_logs_the_member_and_belongs_to_management(
    graph: Graph, tmp_path: Path
) -> None:
    _load(graph, organization_snapshot(tmp_path))
    rows = graph.read(
        "MATCH (:Account {account_id: $member})-[:HAS_CONTROL_STATE]->(s:CloudTrailStatus)"
        "-[:INCLUDES]->(t:CloudTrailTrail)-[:BELONGS_TO]->(owner:Account) "
        "RETURN s.region AS region, s.status AS status, t.arn AS trail, owner.account_id AS owner "
        "ORDER BY region",
        member=MEMBER,
    )
    assert rows == [
        {"region": OTHER_REGION, "status": "enabled", "trail": ORG_TRAIL_ARN, "owner": MANAGEMENT},
        {"region": REGION, "status": "enabled", "trail": ORG_TRAIL_ARN, "owner": MANAGEMENT},
    ]
    assert graph.read("MATCH (t:CloudTrailTrail) RETURN count(t) AS c") == [{"c": 1}]


def test_network_controls_protect_what_they_guard(graph: Graph, tmp_path: Path) -> None:
    _load(graph, organization_snapshot(tmp_path))
    rows = graph.read(
        "MATCH (control)-[:PROTECTS]->(target) "
        "RETURN labels(control)[0] AS control, labels(target)[0] AS target, target.arn AS arn "
        "ORDER BY control"
    )
    assert rows == [
        {"control": "DnsFirewallAssociation", "target": "Vpc", "arn": member_vpc_arn()},
        {"control": "WebAcl", "target": "LoadBalancer", "arn": member_load_balancer_arn()},
    ]
    assigned = graph.read(
        "MATCH (p:PermissionSet {arn: $arn})-[r:ASSIGNED_TO]->(a:Account) "
        "RETURN a.account_id AS account, r.principal_id AS principal ORDER BY principal",
        arn=PERMISSION_SET,
    )
    assert assigned == [
        {"account": MEMBER, "principal": "g-1"},
        {"account": MEMBER, "principal": "u-1"},
    ]


def test_a_newer_snapshot_replaces_states_without_duplicates(graph: Graph, tmp_path: Path) -> None:
    _load(graph, organization_snapshot(tmp_path / "first"))
    before = graph.read("MATCH (s:SecurityControlState) RETURN count(s) AS c")
    _load(graph, organization_snapshot(tmp_path / "second", member_guardduty_eu="ENABLED"))
    assert graph.read("MATCH (s:SecurityControlState) RETURN count(s) AS c") == before
    assert _guardduty(graph)[(MEMBER, OTHER_REGION)] == "enabled"
