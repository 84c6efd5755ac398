"""Every format each data command offers, written to the terminal and with -o alike; SARIF valid
against the SARIF 2.1.0 schema, OCSF with the Detection Finding's required fields; --fail-on's
exit codes. On the demo organization in a real Neo4j."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ingest.example.demo import facts
from kg.graph.driver import Graph
from tests.e2e.conftest import KgRunner
from tests.unit.report.test_sarif_ocsf import REQUIRED as OCSF_REQUIRED

pytestmark = pytest.mark.e2e

SCHEMA = Path(__file__).parents[1] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
PATHS = ("paths", "--from", "internet", "--to", "crown-jewels")
EXTERNAL_PATHS = ("paths", "--from", "external", "--to", "crown-jewels")
COVERAGE = ("coverage", "--account", "app-dev")
CHOKEPOINTS = ("chokepoints", "--from", "internet", "--to", "crown-jewels")
# What each command offers beyond the json and csv that tests/e2e/test_demo.py writes.
OFFERED = [
    (PATHS, "table"),
    (PATHS, "markdown"),
    (PATHS, "html"),
    (PATHS, "sarif"),
    (PATHS, "ocsf"),
    (("privesc",), "table"),
    (("privesc",), "markdown"),
    (("privesc",), "sarif"),
    (("privesc",), "ocsf"),
    (COVERAGE, "markdown"),
    (("coverage",), "sarif"),
    (("coverage",), "ocsf"),
    (COVERAGE, "table"),
    (("coverage",), "table"),
    (CHOKEPOINTS, "table"),
    (CHOKEPOINTS, "markdown"),
    (("access", "dev-bastion"), "table"),
    (("access", "dev-bastion"), "markdown"),
    (("who-can", "s3:GetObject"), "table"),
    (("who-can", "s3:GetObject"), "markdown"),
    (("query", "graph-overview"), "table"),
    (("query", "graph-overview"), "markdown"),
    (("summary",), "table"),
    (("status",), "table"),
    (("status",), "json"),
    (("schema", "show"), "table"),
    (("schema", "show"), "markdown"),
    (("schema", "show", "--grass"), "table"),
    (("summary",), "json"),
]


@pytest.fixture(scope="module")
def demo(kg: KgRunner, _session_graph: Graph) -> None:
    """The demo organization, loaded once for the module on an empty graph."""
    _session_graph.write("MATCH (n) DETACH DELETE n")
    result = kg("demo")
    assert result.returncode == 0, result.stderr


def _same_output(format_: str, printed: str, written: str) -> None:
    if format_ == "ocsf":  # each run stamps its own time
        strip = [{**event, "time": 0} for event in json.loads(printed)]
        assert [{**event, "time": 0} for event in json.loads(written)] == strip
    else:
        assert written == printed


@pytest.mark.parametrize(("command", "format_"), OFFERED, ids=lambda v: str(v))
def test_each_format_prints_and_writes_alike(
    demo: None, kg: KgRunner, tmp_path: Path, command: tuple[str, ...], format_: str
) -> None:
    printed = kg(*command, "--format", format_)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip()
    target = tmp_path / f"out.{format_}"
    written = kg(*command, "--format", format_, "-o", str(target))
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert f"wrote {target}" in written.stderr
    _same_output(format_, printed.stdout, target.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def _sarif(kg: KgRunner, *command: str) -> dict[str, Any]:
    result = kg(*command, "--format", "sarif")
    assert result.returncode == 0, result.stderr
    log: dict[str, Any] = json.loads(result.stdout)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = [error.message for error in jsonschema.Draft4Validator(schema).iter_errors(log)]
    assert errors == []
    return log


def test_sarif_of_paths_privesc_and_coverage_is_valid_and_says_what_kg_found(
    demo: None, kg: KgRunner
) -> None:
    [privesc] = _sarif(kg, "privesc")["runs"]
    escalations = {
        (
            result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            result["relatedLocations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        )
        for result in privesc["results"]
    }
    assert (facts.CI_ROLE_ARN, facts.ESCALATION_TARGET_ROLE_ARN) in escalations
    assert {r["level"] for r in privesc["results"]} == {"error"}

    [paths] = _sarif(kg, *EXTERNAL_PATHS)["runs"]
    assert paths["results"]
    assert {r["ruleId"] for r in paths["results"]} == {"kg.attack-path"}

    [coverage] = _sarif(kg, *COVERAGE)["runs"]
    rules = {rule["id"] for rule in coverage["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in coverage["results"]} == rules
    assert all(rule.startswith("kg.coverage.") for rule in rules)
    statuses = {r["properties"]["status"] for r in coverage["results"]}
    assert statuses and statuses <= {"missing", "partial", "unknown"}
    # The same graph gives the same fingerprints, so code scanning keeps one alert each.
    again = _sarif(kg, *COVERAGE)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in again] == [
        r["partialFingerprints"] for r in coverage["results"]
    ]


@pytest.mark.parametrize("command", [PATHS, ("privesc",), COVERAGE], ids=lambda c: c[0])
def test_ocsf_findings_have_the_detection_finding_required_fields(
    demo: None, kg: KgRunner, command: tuple[str, ...]
) -> None:
    result = kg(*command, "--format", "ocsf")
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)
    assert events
    for event in events:
        assert set(event) >= OCSF_REQUIRED
        assert all(event[field] is not None for field in OCSF_REQUIRED)
        assert (event["class_uid"], event["category_uid"], event["type_uid"]) == (2004, 2, 200401)
        assert event["finding_info"]["uid"] and event["finding_info"]["title"]
        assert event["metadata"]["product"]["name"] == "kg" and event["metadata"]["version"]
        assert event["severity_id"] in {1, 2, 3, 4, 5, 6, 99}
    assert len({event["finding_info"]["uid"] for event in events}) == len(events)


@pytest.mark.parametrize(
    ("command", "threshold", "code"),
    [
        # The partner account reaches a confidential bucket across one or two layers.
        (EXTERNAL_PATHS, "critical", 1),
        # From the internet, three layers stand on every route (medium): above that, nothing.
        (PATHS, "medium", 1),
        (PATHS, "high", 0),
        # The CI role's escalation works as deployed: critical.
        (("privesc",), "critical", 1),
        (("privesc", "--account", "app-dev"), "low", 0),
        (CHOKEPOINTS, "critical", 1),
        (("chokepoints", "--to", "admin"), "low", 0),
    ],
    ids=lambda v: str(v),
)
def test_fail_on_exits_1_at_or_above_the_threshold_after_writing(
    demo: None, kg: KgRunner, tmp_path: Path, command: tuple[str, ...], threshold: str, code: int
) -> None:
    target = tmp_path / "out.json"
    result = kg(*command, "--format", "json", "-o", str(target), "--fail-on", threshold)
    assert result.returncode == code, result.stderr
    assert json.loads(target.read_text(encoding="utf-8")) is not None  # written either way
    said = f"at or above --fail-on {threshold}"
    assert (said in result.stderr) == (code == 1)


def test_undecided_escalations_are_counted_apart_and_never_pass_unseen(
    demo: None, kg: KgRunner, _session_graph: Graph
) -> None:
    """An escalation kg could not decide is no exploitable finding, yet `kg privesc` says it is
    there, and `--latent --fail-on` gates on it at its own severity (conditional: high)."""
    added = """
        MATCH (p:Principal {arn: $principal}), (t:Principal {arn: $target})
        CREATE (p)-[:COULD_ESCALATE_TO {technique: 'iam:CreatePolicyVersion', via: null,
                status: 'conditional', reason: 'aws:SourceIp condition',
                permissions: ['iam:CreatePolicyVersion'], grants_admin: true}]->(t)
    """
    arns = {"principal": facts.CI_ROLE_ARN, "target": facts.ESCALATION_TARGET_ROLE_ARN}
    baseline = json.loads(kg("privesc", "--latent", "--format", "json").stdout)
    _session_graph.write(added, **arns)
    try:
        exploitable = kg("privesc", "--format", "sarif", "--fail-on", "critical")
        assert exploitable.returncode == 1
        results = json.loads(exploitable.stdout)["runs"][0]["results"]
        assert {r["ruleId"] for r in results} == {"kg.privesc.exploitable"}
        assert f"{len(baseline) + 1} latent, unknown or conditional" in exploitable.stderr
        latent = kg("privesc", "--latent", "--format", "sarif", "--fail-on", "high")
        assert latent.returncode == 1, latent.stderr
        rules = {r["ruleId"] for r in json.loads(latent.stdout)["runs"][0]["results"]}
        assert "kg.privesc.conditional" in rules and "kg.privesc.exploitable" not in rules
        assert kg("privesc", "--latent", "--fail-on", "critical").returncode == 0
    finally:
        _session_graph.write(
            "MATCH (:Principal {arn: $principal})-[e:COULD_ESCALATE_TO "
            "{reason: 'aws:SourceIp condition'}]->(:Principal {arn: $target}) DELETE e",
            **arns,
        )
