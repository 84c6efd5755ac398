"""`kg demo` end to end on a real Neo4j: deliberate gaps and paths show, the non-path does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.example.demo import facts
from ingest.example.demo.accounts import APP_DEV, HOME_REGION, OTHER_REGION
from kg.graph.driver import Graph
from tests.e2e.conftest import KgRunner

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_output(kg: KgRunner, _session_graph: Graph) -> str:
    """One `kg demo` run for the module, on an empty graph."""
    _session_graph.write("MATCH (n) DETACH DELETE n")
    result = kg("demo")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_prints_every_section_and_the_browser_queries(demo_output: str) -> None:
    for heading in (
        "Control coverage by layer",
        "Attack paths from the internet to the crown jewels",
        "Attack paths from accounts outside the organization",
        "Chokepoints",
        "Explore in Neo4j Browser",
    ):
        assert heading in demo_output
    assert "MATCH p = (:Internet)-[:CAN_REACH]->(entry)" in demo_output


def test_demo_reports_the_deliberate_paths_and_not_the_blocked_instance(
    demo_output: str, kg: KgRunner
) -> None:
    result = kg("paths", "--from", "internet", "--to", "crown-jewels", "--format", "json")
    found = json.loads(result.stdout)
    chains = [[hop["to"] for hop in path["hops"]] for path in found["paths"]]
    assert any(facts.CUSTOMER_RECORDS_BUCKET_ARN in chain for chain in chains), chains
    every_hop = json.dumps(found)
    assert facts.NACL_BLOCKED_INSTANCE_ARN not in every_hop
    assert facts.BASTION_INSTANCE_ARN in every_hop


def test_demo_reports_the_partner_account_reading_its_confidential_bucket(
    demo_output: str, kg: KgRunner
) -> None:
    result = kg("paths", "--from", "external", "--to", "crown-jewels", "--format", "json")
    found = json.loads(result.stdout)["paths"]
    assert [(path["source"], path["target"]) for path in found] == [
        (facts.EXTERNAL_ACCOUNT_ID, facts.PARTNER_BUCKET_ARN)
    ]
    [hop] = found[0]["hops"]
    assert hop["relation"] == "CAN_ACCESS"
    assert "policy#PartnerRead" in hop["explanation"]
    external_section = demo_output.split("accounts outside the organization", 1)[1]
    assert "CAN_ACC" in external_section.split("Chokepoints", 1)[0]


def test_demo_coverage_shows_the_deliberate_gaps(demo_output: str, kg: KgRunner) -> None:
    rows = json.loads(kg("coverage", "--account", APP_DEV, "--format", "json").stdout)
    guardduty = {
        (row["region"], row["status"])
        for row in rows["rows"]
        if row["control_id"] == "ACCT-GUARDDUTY-ENABLED"
    }
    assert facts.GUARDDUTY_OFF == (APP_DEV, OTHER_REGION)
    assert (OTHER_REGION, "missing") in guardduty
    assert (HOME_REGION, "in_place") in guardduty


def test_demo_shows_a_member_covered_only_through_the_organization(
    demo_output: str, kg: KgRunner
) -> None:
    rows = json.loads(kg("coverage", "--account", APP_DEV, "--format", "json").stdout)["rows"]
    analyzer = [r for r in rows if r["control_id"] == "ACCT-ACCESS-ANALYZER-ENABLED"]
    assert {(r["region"], r["status"], r["scope"]) for r in analyzer} == {
        (HOME_REGION, "in_place", "organization"),
        (OTHER_REGION, "in_place", "organization"),
    }
    assert all("analyzer/organization in administrator" in r["evidence"] for r in analyzer)
    text = kg("coverage", "--account", APP_DEV, "--format", "csv").stdout
    assert "scope" in text.splitlines()[0]


def test_demo_reports_the_ci_role_escalation(demo_output: str, kg: KgRunner) -> None:
    findings = json.loads(kg("privesc", "--format", "json").stdout)
    pairs = {(f["principal"], f["target"]) for f in findings}
    assert (facts.CI_ROLE_ARN, facts.ESCALATION_TARGET_ROLE_ARN) in pairs


DATA_COMMANDS = [
    ("coverage", "--account", "app-dev"),
    ("paths", "--from", "internet", "--to", "crown-jewels"),
    ("chokepoints", "--from", "internet", "--to", "crown-jewels"),
    ("privesc",),
    ("access", "dev-bastion"),
    ("who-can", "s3:GetObject"),
    ("query", "graph-overview"),
]


@pytest.mark.parametrize("command", DATA_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("output", ["json", "csv"])
def test_every_data_command_writes_to_a_file_what_it_prints(
    demo_output: str, kg: KgRunner, tmp_path: Path, command: tuple[str, ...], output: str
) -> None:
    printed = kg(*command, "--format", output)
    assert printed.returncode == 0, printed.stderr
    target = tmp_path / f"out.{output}"
    written = kg(*command, "--format", output, "-o", str(target))
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert f"wrote {target}" in written.stderr
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no partial file left


def test_a_failed_command_leaves_the_file_it_was_to_replace(
    demo_output: str, kg: KgRunner, tmp_path: Path
) -> None:
    target = tmp_path / "privesc.json"
    target.write_text("earlier answer\n", encoding="utf-8")
    failed = kg("privesc", "--principal", "no-such-role", "--format", "json", "-o", str(target))
    assert failed.returncode == 2
    assert target.read_text(encoding="utf-8") == "earlier answer\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    unwritable = kg("privesc", "-o", str(tmp_path / "missing" / "x.json"))
    assert unwritable.returncode == 2
    [line] = unwritable.stderr.splitlines()
    assert line.startswith("kg: error: cannot write ") and "missing" in line
