"""Findings of each kind, their severities, and how they read as SARIF 2.1.0 and OCSF."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kg.analysis.chokepoints import Chokepoint
from kg.analysis.paths import AttackPath, Hop
from kg.report import ocsf
from kg.report.findings import (
    Finding,
    Severity,
    at_or_above,
    chokepoint_findings,
    coverage_findings,
    path_findings,
    path_severity,
    privesc_findings,
    undecided_findings,
)
from kg.report.sarif import artifact_path, sarif_log

SCHEMA = Path(__file__).parents[2] / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ci"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/admin"
BUCKET = "arn:aws:s3:::payroll"
ENI = f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-interface/eni-1"
INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1"


def hop(source: str, target: str, relation: str, layer: str) -> Hop:
    return Hop(source, target, relation, layer, f"{source} {relation} {target}")


def route(*layers: str, value: int = 2, target: str = BUCKET) -> AttackPath:
    ends = ["internet", ENI, INSTANCE, ROLE, target][: len(layers) + 1]
    ends[-1] = target
    hops = tuple(
        hop(a, b, "CAN_REACH", layer) for a, b, layer in zip(ends, ends[1:], layers, strict=False)
    )
    return AttackPath("internet", target, "tagged sensitive=true", value, hops, ENI)


PRIVESC_ROW = {
    "principal": ROLE,
    "account_id": ACCOUNT,
    "target": ADMIN,
    "techniques": ["iam:PassRole+lambda"],
    "chain": [f"{ROLE} -[iam:PassRole+lambda via fn]-> {ADMIN}"],
    "permissions": ["iam:PassRole", "lambda:CreateFunction"],
    "explanation": "passes admin to a new function",
}


def undecided_row(status: str, technique: str = "iam:CreatePolicyVersion") -> dict[str, Any]:
    return {
        "principal": ROLE,
        "account_id": ACCOUNT,
        "target": ADMIN,
        "technique": technique,
        "status": status,
        "reason": f"why {status}",
        "via": None,
        "permissions": ["iam:CreatePolicyVersion"],
        "grants_admin": True,
    }


def coverage_row(status: str, control: str = "DET-GUARDDUTY") -> dict[str, Any]:
    return {
        "target_kind": "account",
        "target_id": ACCOUNT,
        "account_id": ACCOUNT,
        "account_name": "app-dev",
        "ou_path": "Root/Workloads",
        "region": "us-east-1",
        "control_id": control,
        "title": "GuardDuty enabled",
        "layer": "detection",
        "capability": "threat-detection",
        "service": "guardduty",
        "status": status,
        "scope": None,
        "evidence": "detector: none",
        "reason": "no detector",
        "remediation": "Enable GuardDuty.",
    }


def chokepoint(removed: int, total: int, disconnected: tuple[str, ...]) -> Chokepoint:
    the_hop = hop("internet", ENI, "CAN_REACH", "network")
    return Chokepoint(
        "hop", the_hop.text, the_hop, disconnected, removed, total, True, ("close 22",), (), ()
    )


def every_kind() -> list[Finding]:
    return [
        *path_findings([route("network"), route("network", "identity", "data", value=3)]),
        *privesc_findings([PRIVESC_ROW]),
        *undecided_findings([undecided_row(s) for s in ("conditional", "unknown", "latent")]),
        *coverage_findings(
            [coverage_row(s, f"CTRL-{s.upper()}") for s in ("missing", "partial", "unknown")]
        ),
        *chokepoint_findings([chokepoint(3, 3, (BUCKET,))]),
    ]


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


# --- severities -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layers", "value", "expected"),
    [
        (("network",), 2, Severity.critical),
        (("network", "identity"), 2, Severity.high),
        (("network", "identity"), 3, Severity.critical),
        (("network", "identity", "data"), 2, Severity.medium),
        (("network", "identity", "data", "detection"), 2, Severity.low),
        (("network", "identity", "data", "detection"), 3, Severity.medium),
    ],
)
def test_a_path_is_worse_with_fewer_layers_and_an_admin_target(
    layers: tuple[str, ...], value: int, expected: Severity
) -> None:
    assert path_severity(route(*layers, value=value)) == expected


def test_exploitable_escalation_is_critical_and_undecided_ones_are_never_counted_as_it() -> None:
    [exploitable] = privesc_findings([PRIVESC_ROW])
    assert exploitable.severity == Severity.critical
    assert exploitable.rule.id == "kg.privesc.exploitable"
    undecided = undecided_findings([undecided_row(s) for s in ("conditional", "unknown", "latent")])
    assert [(f.rule.id, f.severity) for f in undecided] == [
        ("kg.privesc.conditional", Severity.high),
        ("kg.privesc.unknown", Severity.medium),
        ("kg.privesc.latent", Severity.low),
    ]
    assert at_or_above(undecided, Severity.critical) == []


def test_only_coverage_gaps_are_findings() -> None:
    rows = [coverage_row(s) for s in ("in_place", "not_applicable", "missing", "partial")]
    found = coverage_findings(rows)
    assert [(f.properties["status"], f.severity) for f in found] == [
        ("missing", Severity.high),
        ("partial", Severity.medium),
    ]
    assert found[0].rule.id == "kg.coverage.DET-GUARDDUTY"
    assert found[0].account_id == ACCOUNT


def test_a_chokepoint_on_every_route_is_critical() -> None:
    every, several, one = chokepoint_findings(
        [
            chokepoint(3, 3, (BUCKET,)),
            chokepoint(2, 3, (BUCKET, ADMIN)),
            chokepoint(1, 3, (BUCKET,)),
        ]
    )
    assert (every.severity, several.severity, one.severity) == (
        Severity.critical,
        Severity.high,
        Severity.medium,
    )


@pytest.mark.parametrize(
    ("threshold", "count"),
    [(Severity.low, 10), (Severity.medium, 8), (Severity.high, 6), (Severity.critical, 3)],
)
def test_at_or_above_counts_the_threshold_itself(threshold: Severity, count: int) -> None:
    assert len(at_or_above(every_kind(), threshold)) == count


def test_the_finding_id_is_stable_and_tells_findings_apart() -> None:
    first = [f.uid for f in every_kind()]
    assert first == [f.uid for f in every_kind()]
    assert len(set(first)) == len(first)
    # Counts and wording are not part of the identity: the same route stays the same finding.
    [a] = chokepoint_findings([chokepoint(3, 3, (BUCKET,))])
    [b] = chokepoint_findings([chokepoint(1, 5, (BUCKET, ADMIN))])
    assert a.uid == b.uid
    # A control's gap in one place stays one finding as its status changes; another place or
    # another control is another finding.
    missing, partial = coverage_findings([coverage_row("missing"), coverage_row("partial")])
    assert missing.uid == partial.uid
    elsewhere = coverage_findings([{**coverage_row("missing"), "region": "eu-west-1"}])
    other = coverage_findings([coverage_row("missing", "DET-CLOUDTRAIL")])
    assert len({missing.uid, elsewhere[0].uid, other[0].uid}) == 3


# --- SARIF ------------------------------------------------------------------------------------


def test_sarif_of_every_kind_is_valid(sarif_validator: jsonschema.Draft4Validator) -> None:
    log = sarif_log(every_kind())
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert errors == []
    assert log["version"] == "2.1.0"


def test_sarif_validation_catches_a_broken_log(sarif_validator: jsonschema.Draft4Validator) -> None:
    log = sarif_log(every_kind())
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator.is_valid(log)


def test_sarif_has_a_rule_per_kind_and_a_located_result_per_finding() -> None:
    found = every_kind()
    log = sarif_log(found)
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "kg"
    assert len(rules) == len({f.rule.id for f in found})
    assert all(rule["help"]["text"] for rule in rules)
    results = run["results"]
    assert len(results) == len(found)
    for result, finding in zip(results, found, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule.id
        [location] = result["locations"]
        assert location["logicalLocations"][0]["fullyQualifiedName"] == finding.resource
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == artifact_path(finding.resource) and ":" not in uri
        assert result["partialFingerprints"] == {"kgFinding/v1": finding.uid}
    levels = {r["properties"]["severity"]: r["level"] for r in results}
    assert levels == {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


@pytest.mark.parametrize(
    ("resource", "path"),
    [
        (ROLE, f"aws/{ACCOUNT}/global/iam/role/ci"),
        (BUCKET, "aws/global/global/s3/payroll"),
        (INSTANCE, f"aws/{ACCOUNT}/us-east-1/ec2/instance/i-1"),
        ("arn:aws:logs:us-east-1:1:log-group:a b:*", "aws/1/us-east-1/logs/log-group/a%20b/%2A"),
        (ACCOUNT, f"aws/{ACCOUNT}"),
    ],
)
def test_each_result_names_its_resource_as_a_relative_artifact_path(
    resource: str, path: str
) -> None:
    assert artifact_path(resource) == path


def test_sarif_of_nothing_is_a_valid_empty_run(sarif_validator: jsonschema.Draft4Validator) -> None:
    log = sarif_log([])
    assert sarif_validator.is_valid(log)
    assert log["runs"][0]["results"] == []


# --- OCSF -------------------------------------------------------------------------------------

# Required by the OCSF schema 1.x for a Detection Finding (its own attributes and those of the
# Finding and Base Event classes it extends), and by the objects it requires.
REQUIRED = {
    "activity_id",
    "category_uid",
    "class_uid",
    "finding_info",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
}


def test_ocsf_detection_findings_have_the_required_fields() -> None:
    found = every_kind()
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    events = ocsf.ocsf_findings(found, now)
    assert len(events) == len(found)
    for event, finding in zip(events, found, strict=True):
        assert set(event) >= REQUIRED
        assert (event["class_uid"], event["category_uid"], event["activity_id"]) == (2004, 2, 1)
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"] == 200401
        assert event["time"] == int(now.timestamp() * 1000)
        assert event["finding_info"]["uid"] == finding.uid
        assert event["finding_info"]["title"] == finding.title
        assert event["metadata"]["version"].startswith("1.")
        assert event["metadata"]["product"]["name"] == "kg"
        assert event["resources"][0]["uid"] == finding.resource
    severities = {e["unmapped"].get("status"): e["severity_id"] for e in events[2:6]}
    assert severities == {"exploitable": 5, "conditional": 4, "unknown": 3, "latent": 2}
    json.dumps(events)  # plain JSON, nothing else
