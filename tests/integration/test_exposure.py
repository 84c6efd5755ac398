"""Network exposure over the demo organization: CAN_REACH says who reaches what on which ports,
and why; the NACL-blocked runner is not reported; the ALB reaches its private targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.example.demo import facts
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import access, exposure
from kg.graph.driver import Graph

pytestmark = pytest.mark.integration
DEMO = Path(__file__).resolve().parents[2] / "ingest" / "example" / "demo_snapshot"


@pytest.fixture
def demo(graph: Graph) -> Graph:
    load_snapshot(graph, Snapshot.open(DEMO))
    access.derive(graph)
    assert exposure.derive(graph) > 0
    return graph


def _internet_reach(graph: Graph, instance_arn: str) -> list[dict[str, Any]]:
    return graph.read(
        "MATCH (:Internet)-[e:CAN_REACH]->(:NetworkInterface)<-[:HAS_INTERFACE]-"
        "(:Ec2Instance {arn: $arn}) RETURN e.protocol AS protocol, e.ports AS ports, "
        "e.controls AS controls",
        arn=instance_arn,
    )


def test_internet_reaches_the_bastion_on_ssh_and_says_which_group_allows_it(demo: Graph) -> None:
    [reach] = _internet_reach(demo, facts.BASTION_INSTANCE_ARN)
    assert reach["protocol"] == "tcp"
    assert "22-22" in reach["ports"]
    controls = reach["controls"]
    assert isinstance(controls, list)
    assert any(facts.BASTION_SECURITY_GROUP_ID in c and "22" in c for c in controls)


def test_runner_behind_the_denying_nacl_is_not_reachable_from_the_internet(demo: Graph) -> None:
    assert _internet_reach(demo, facts.NACL_BLOCKED_INSTANCE_ARN) == []


def test_internet_facing_alb_reaches_its_private_targets_on_8443(demo: Graph) -> None:
    [front] = demo.read(
        "MATCH (:Internet)-[e:CAN_REACH]->(:LoadBalancer {arn: $alb}) RETURN e.ports AS ports",
        alb=facts.INTERNET_FACING_ALB_ARN,
    )
    assert "443-443" in front["ports"]
    rows = demo.read(
        "MATCH (:LoadBalancer {arn: $alb})-[e:CAN_REACH]->(i:Ec2Instance) "
        "RETURN i.arn AS instance, e.ports AS ports ORDER BY instance",
        alb=facts.INTERNET_FACING_ALB_ARN,
    )
    assert rows == [
        {"instance": arn, "ports": ["8443-8443"]} for arn in sorted(facts.ALB_TARGET_INSTANCE_ARNS)
    ]


def test_rerun_replaces_instead_of_duplicating(demo: Graph) -> None:
    before = demo.read("MATCH ()-[e:CAN_REACH]->() RETURN count(e) AS n")
    exposure.derive(demo)
    assert demo.read("MATCH ()-[e:CAN_REACH]->() RETURN count(e) AS n") == before
