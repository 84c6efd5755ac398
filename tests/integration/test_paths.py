"""Attack paths over the demo organization, through every derive step the pipeline runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, LiteralString, cast

import pytest

from bench.synth import generate
from ingest.example.demo import facts
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg import queries
from kg.analysis import chokepoints, paths, pipeline, route_graph
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
    pipeline.derive_all(graph)
    return graph


def test_internet_to_the_bastion_instance_is_one_ssh_hop_and_its_interface(demo: Graph) -> None:
    [path] = paths.find_paths(demo, "internet", facts.BASTION_INSTANCE_ARN).paths
    assert path.source == "internet"
    assert [hop.relation for hop in path.hops] == ["CAN_REACH", "DELIVERS_TO"]
    reach = path.hops[0]
    assert "tcp/22" in reach.explanation
    assert any(facts.BASTION_SECURITY_GROUP_ID in control for control in reach.controls)


def test_the_runner_behind_the_denying_nacl_has_no_path(demo: Graph) -> None:
    assert paths.find_paths(demo, "internet", facts.NACL_BLOCKED_INSTANCE_ARN).paths == []


def test_the_alb_reaches_each_private_target_on_8443(demo: Graph) -> None:
    for instance in facts.ALB_TARGET_INSTANCE_ARNS:
        [path] = paths.find_paths(demo, "internet", instance).paths
        assert [(hop.relation, hop.source) for hop in path.hops] == [
            ("CAN_REACH", "internet"),
            ("CAN_REACH", facts.INTERNET_FACING_ALB_ARN),
        ]
        assert "tcp/8443" in path.hops[1].explanation


def test_internet_to_customer_records_goes_through_the_bastion_role_and_a_cross_account_role(
    demo: Graph,
) -> None:
    found = paths.find_paths(demo, "internet", "crown-jewels", max_hops=6).paths
    [path] = [p for p in found if p.target == facts.CUSTOMER_RECORDS_BUCKET_ARN]
    assert [hop.relation for hop in path.hops] == [
        "CAN_REACH",
        "DELIVERS_TO",
        "RUNS_AS",
        "CAN_ASSUME",
        "CAN_ACCESS",
    ]
    assert [hop.target for hop in path.hops[2:]] == [
        facts.BASTION_ROLE_ARN,
        facts.ANALYTICS_READER_ROLE_ARN,
        facts.CUSTOMER_RECORDS_BUCKET_ARN,
    ]
    assert path.target_reason == (
        "tagged data-classification=confidential; Macie: sensitive data (sensitivity score 92)"
    )
    assert path.layers == ("network", "principals", "resources")


def test_from_external_accounts_the_partner_reads_its_confidential_bucket_in_one_hop(
    demo: Graph,
) -> None:
    found = paths.find_paths(demo, "external", "crown-jewels").paths
    assert [(path.source, path.target) for path in found] == [
        (facts.EXTERNAL_ACCOUNT_ID, facts.PARTNER_BUCKET_ARN)
    ]
    [hop] = found[0].hops
    assert (hop.relation, hop.layer) == ("CAN_ACCESS", "resources")
    assert hop.explanation.endswith(f"allowed by {facts.PARTNER_BUCKET_ARN} policy#PartnerRead")
    # Everyone (what a policy grants to "*") starts paths too: to the public bucket, by ARN.
    starts = {
        path.source: [hop.relation for hop in path.hops]
        for path in paths.find_paths(demo, "internet", facts.PUBLIC_BUCKET_ARN).paths
    }
    assert starts["everyone"] == ["CAN_ACCESS"]


def test_a_path_from_a_principal_also_starts_from_what_everyone_can_do(demo: Graph) -> None:
    # The bastion role may read the public bucket, as everyone may: the path says so once.
    found = paths.find_paths(demo, facts.BASTION_ROLE_ARN, facts.PUBLIC_BUCKET_ARN).paths
    assert [(path.source, [hop.relation for hop in path.hops]) for path in found] == [
        ("everyone", ["CAN_ACCESS"])
    ]
    # What the bastion reaches through its own grants still starts from it.
    found = paths.find_paths(demo, facts.BASTION_ROLE_ARN, facts.CUSTOMER_RECORDS_BUCKET_ARN).paths
    assert [path.source for path in found] == [facts.BASTION_ROLE_ARN]


def test_a_hop_bound_below_the_path_length_finds_nothing(demo: Graph) -> None:
    found = paths.find_paths(demo, "internet", facts.CUSTOMER_RECORDS_BUCKET_ARN, max_hops=4).paths
    assert found == []


def test_chokepoints_to_customer_records_each_cut_it_off(demo: Graph) -> None:
    points = chokepoints.find_chokepoints(demo, "internet", facts.CUSTOMER_RECORDS_BUCKET_ARN)
    assert points
    for point in points:
        assert point.disconnected == (facts.CUSTOMER_RECORDS_BUCKET_ARN,)
        without = paths.find_paths(
            demo, "internet", facts.CUSTOMER_RECORDS_BUCKET_ARN, without=[point.without]
        )
        assert (without.paths, without.cut_off) == ([], point.disconnected)


def _paths_to_customer_records(graph: Graph) -> list[paths.AttackPath]:
    return paths.find_paths(graph, "internet", facts.CUSTOMER_RECORDS_BUCKET_ARN, max_hops=10).paths


def test_a_boundary_on_the_bastion_role_removes_the_path_to_customer_records(
    demo: Graph,
) -> None:
    assert _paths_to_customer_records(demo) != []
    attach_boundary(demo, facts.BASTION_ROLE_ARN, policy_document("Deny", "sts:AssumeRole"))
    pipeline.derive_all(demo)
    assert _paths_to_customer_records(demo) == []


def test_an_scp_denying_s3_to_the_reader_account_removes_the_path_to_customer_records(
    demo: Graph,
) -> None:
    assert _paths_to_customer_records(demo) != []
    attach_scp_to_account_of(
        demo,
        facts.ANALYTICS_READER_ROLE_ARN,
        "arn:aws:organizations::111122223333:policy/o-test/service_control_policy/p-no-s3",
        policy_document("Deny", "s3:*"),
    )
    pipeline.derive_all(demo)
    assert _paths_to_customer_records(demo) == []


def _operators(plan: Any) -> list[str]:
    children = plan.get("children", [])
    return [plan["operatorType"], *(op for child in children for op in _operators(child))]


@pytest.fixture
def synthetic(graph: Graph, tmp_path: Path) -> Graph:
    """A seeded 10-account organization of the benchmarks (bench.synth), loaded and derived."""
    generate(tmp_path / "snapshot", accounts=10, seed=7)
    load_snapshot(graph, Snapshot.open(tmp_path / "snapshot"))
    pipeline.derive_all(graph)
    return graph


@pytest.mark.parametrize("source", ["internet", "external"])
def test_the_searches_sweep_forward_from_the_start_instead_of_enumerating_paths(
    synthetic: Graph, source: str
) -> None:
    """Planned from the targets, the reachability sweep enumerates every path of up to ten hops
    between each start and target: on this organization that ran for minutes (the demo is too
    small for the planner to choose it). Both the Browser's query and the read of the graph
    `kg paths` searches sweep."""
    named = queries.get(route_graph.QUERY)
    for cypher, params in (
        (named.cypher, named.bind({"source": source})),
        (route_graph.GRAPH, {"source": source, "target": "crown-jewels"}),
    ):
        plan = synthetic.execute_read(
            lambda tx, c=cypher, p=params: (
                tx.run(cast(LiteralString, "EXPLAIN " + c), p).consume().plan
            )
        )
        expands = [op for op in _operators(plan) if op.startswith("VarLengthExpand")]
        assert expands and all(op.startswith("VarLengthExpand(Pruning,BFS") for op in expands)
