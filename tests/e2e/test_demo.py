"""`kg demo` end to end on a real Neo4j: deliberate gaps and paths show, the non-path does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.example.demo import facts
from ingest.example.demo.accounts import APP_DEV, HOME_REGION, OTHER_REGION
from kg import server
from kg.config import Neo4jSettings
from kg.graph.driver import Graph
from tests.e2e.conftest import KgRunner

pytestmark = pytest.mark.e2e


DEMO_WIDTH = 100
DEMO_LINES = 60
README = Path(__file__).parents[2] / "README.md"
README_BROWSER = "http://127.0.0.1:7474/browser/"


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where `kg demo` writes its report: in the folder it runs in."""
    return tmp_path_factory.mktemp("demo") / "kg-demo-report.html"


@pytest.fixture(scope="module")
def demo_output(kg: KgRunner, _session_graph: Graph, demo_report: Path) -> str:
    """One `kg demo` run for the module, on an empty graph, at 100 columns."""
    _session_graph.write("MATCH (n) DETACH DELETE n")
    result = kg("demo", env={"COLUMNS": str(DEMO_WIDTH)}, cwd=demo_report.parent)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_writes_the_report_it_names(demo_output: str, demo_report: Path) -> None:
    page = demo_report.read_text()
    assert page.startswith("<!DOCTYPE html>") or page.lstrip().lower().startswith("<!doctype")
    assert facts.PARTNER_BUCKET_ARN.rsplit(":", 1)[-1] in page
    assert f"{demo_report.name} (written now)" in demo_output


def test_demo_reads_top_down_in_one_screen(demo_output: str) -> None:
    lines = demo_output.rstrip("\n").split("\n")
    assert len(lines) < DEMO_LINES, demo_output
    assert max(len(line) for line in lines) <= DEMO_WIDTH, demo_output
    headings = [
        "Controls in place by layer",
        "Top fixes",
        "Worst attack paths",
        "Where to look next",
    ]
    assert [line for line in lines if line.startswith(tuple(headings))] == [
        next(line for line in lines if line.startswith(heading)) for heading in headings
    ], "each section once, in this order"


def test_demo_fixes_are_changes_a_person_applies(demo_output: str) -> None:
    fixes = demo_output.split("Top fixes", 1)[1].split("Worst attack paths", 1)[0]
    assert "security group" in fixes or "detach the instance profile" in fixes
    assert "-[" not in fixes, "a fix names a change, not a graph hop"
    assert facts.BASTION_INSTANCE_ARN not in fixes, "names, not ARNs"


def test_readme_shows_the_demo_output(demo_output: str, kg_env: dict[str, str]) -> None:
    """The README's first impression is what `kg demo` prints (on the default ports)."""
    shown = demo_output.replace(kg_browser_url(kg_env), README_BROWSER)
    shown = "\n".join(line for line in shown.split("\n") if not line.startswith("Started a local"))
    assert f"```\n{shown.rstrip()}\n```" in README.read_text(), shown


def kg_browser_url(env: dict[str, str]) -> str:
    settings = Neo4jSettings.from_env(env["NEO4J_URI"], None, None, None)
    url = server.browser_url(settings)
    assert url, "the demo's output names Neo4j Browser of a local server"
    return url


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
    worst = demo_output.split("Worst attack paths", 1)[1]
    external_section = worst.split("From accounts outside the organization", 1)[1]
    assert "CAN_ACCESS [resources] 999988887777 has List, Read access" in external_section


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
