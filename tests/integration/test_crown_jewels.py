"""Crown jewels over the demo organization: the defaults, a user file's ARN patterns and tag
rules, Macie's sensitive buckets, the missing controls on a path's hops, and a malformed file
refused before the graph is touched."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ingest.example.demo import facts
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import crown_jewels, paths, pipeline
from kg.analysis.crown_jewels import ArnRule, CrownJewelConfig, TagRule
from kg.cli import main
from kg.config import Neo4jSettings
from kg.graph.driver import Graph

pytestmark = pytest.mark.integration
DEMO = Path(__file__).resolve().parents[2] / "ingest" / "example" / "demo_snapshot"
MACIE_REASON = "Macie: sensitive data (sensitivity score 92)"


@pytest.fixture
def loaded(graph: Graph) -> Graph:
    load_snapshot(graph, Snapshot.open(DEMO))
    pipeline.derive_all(graph)
    return graph


def _reasons(graph: Graph) -> dict[str, str]:
    rows = graph.read(
        "MATCH (n) WHERE n.crown_jewel = true "
        "RETURN coalesce(n.arn, n.account_id) AS key, n.crown_jewel_reason AS reason"
    )
    return {row["key"]: row["reason"] for row in rows}


def test_defaults_mark_admins_the_management_account_tags_and_macie(loaded: Graph) -> None:
    reasons = _reasons(loaded)
    assert reasons[facts.CUSTOMER_RECORDS_BUCKET_ARN] == (
        f"tagged data-classification=confidential; {MACIE_REASON}"
    )
    assert reasons[facts.CUSTOMER_RECORDS_KEY_ARN] == "tagged data-classification=confidential"
    assert "the organization management account" in reasons.values()
    assert "admin-equivalent principal" in reasons.values()


def test_a_file_pattern_and_a_tag_rule_mark_crown_jewels_and_paths_lead_to_them(
    loaded: Graph,
) -> None:
    config = CrownJewelConfig(
        arns=(ArnRule("arn:aws:iam::555566667777:role/dev-*", "dev roles reach production"),),
        tags=(TagRule("OWNER", ("Data-Platform",)),),
    )
    crown_jewels.derive(loaded, config)
    reasons = _reasons(loaded)
    assert reasons[facts.BASTION_ROLE_ARN] == "dev roles reach production"
    assert reasons[facts.CUSTOMER_RECORDS_BUCKET_ARN] == (
        f"tagged owner=data-platform; {MACIE_REASON}"
    )
    # The file's tag rules replace the defaults: the key tagged only data-classification is out.
    assert facts.CUSTOMER_RECORDS_KEY_ARN not in reasons

    found = paths.find_paths(loaded, "internet", "crown-jewels").paths
    [to_role] = [p for p in found if p.target == facts.BASTION_ROLE_ARN]
    assert to_role.target_reason == "dev roles reach production"
    assert [hop.relation for hop in to_role.hops] == ["CAN_REACH", "DELIVERS_TO", "RUNS_AS"]


def test_a_bucket_macie_scores_sensitive_is_a_crown_jewel_on_its_own(loaded: Graph) -> None:
    crown_jewels.derive(loaded, CrownJewelConfig(tags=()))
    assert _reasons(loaded)[facts.CUSTOMER_RECORDS_BUCKET_ARN] == MACIE_REASON

    crown_jewels.derive(loaded, CrownJewelConfig(tags=(), macie_min_score=95))
    assert facts.CUSTOMER_RECORDS_BUCKET_ARN not in _reasons(loaded)


def test_hops_name_the_missing_controls_the_coverage_reports(loaded: Graph) -> None:
    routes = paths.find_paths(loaded, "internet", facts.CUSTOMER_RECORDS_BUCKET_ARN)
    [path] = routes.paths
    reach, _, runs_as, _, _ = path.hops
    by_id = {m.control_id: m for m in reach.missing_controls}
    admin_ports = by_id["NET-SG-NO-ADMIN-PORTS-OPEN"]
    [coverage] = loaded.read(
        "MATCH (:Account {account_id: $account})-[c:HAS_COVERAGE]->(:Control {id: $control}) "
        "RETURN c.status AS status",
        account=admin_ports.account_id,
        control="NET-SG-NO-ADMIN-PORTS-OPEN",
    )
    assert coverage["status"] in ("missing", "partial")
    assert admin_ports.status == coverage["status"]
    assert facts.BASTION_SECURITY_GROUP_ID in admin_ports.evidence
    # GuardDuty is off in app-dev's other region only: not missing where the bastion runs.
    assert "ACCT-GUARDDUTY-ENABLED" not in by_id
    # IMDSv2 is judged on the bastion instance itself, which allows IMDSv1.
    imds = {m.control_id: m for m in runs_as.missing_controls}["NET-EC2-IMDSV2"]
    assert (imds.status, imds.regions) == ("missing", ("us-east-1",))
    assert facts.BASTION_INSTANCE_ARN in imds.evidence

    [document] = paths.paths_document(routes)["paths"]
    missing = document["hops"][2]["missing_controls"]
    assert {"control_id", "title", "status", "account_id", "regions", "evidence"} == set(missing[0])


def test_a_malformed_file_exits_with_one_line_and_leaves_the_graph_alone(
    graph: Graph,
    neo4j_settings: Neo4jSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    graph.write("CREATE (:Marker {name: 'before'})")
    bad = tmp_path / "jewels.yaml"
    bad.write_text("crown_jewels:\n  - arn: s3://prod-bucket\n", encoding="utf-8")
    s = neo4j_settings
    argv = ["kg", "--uri", s.uri, "--user", s.user, "--password", s.password]
    argv += ["--database", s.database, "load", str(DEMO), "--crown-jewels", str(bad)]
    monkeypatch.setattr(sys, "argv", argv)

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"kg: error: crown jewel file {bad}: crown_jewels[0].arn")
    assert graph.read("MATCH (n) RETURN count(n) AS n") == [{"n": 1}]
