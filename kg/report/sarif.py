"""Findings as a SARIF 2.1.0 log, for code-scanning CI.

There is no source file behind an AWS finding: each result names what it is about with a logical
location whose fully qualified name is the ARN (or account id), and carries a partial fingerprint
that stays the same across runs, so code scanning keeps one alert per finding. Code scanning also
wants a relative artifact path on every result, so the same location names the resource as one
too (`aws/<account>/<region>/<service>/<resource>`); no such file exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from kg import __version__
from kg.report.findings import Finding, Rule, Severity

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVEL = {
    Severity.critical: "error",
    Severity.high: "error",
    Severity.medium: "warning",
    Severity.low: "note",
}
# GitHub code scanning reads a rule's `security-severity` (a CVSS-like score) to label alerts.
SECURITY_SEVERITY = {
    Severity.critical: "9.5",
    Severity.high: "8.0",
    Severity.medium: "5.5",
    Severity.low: "3.0",
}
FINGERPRINT = "kgFinding/v1"


def artifact_path(resource: str) -> str:
    """A relative path that names the resource: the ARN's account, region, service and resource
    (global where the ARN has none), or the name itself (internet, an account id)."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        _, partition, service, region, account, rest = parts
        segments = [partition, account or "global", region or "global", service, rest]
    else:
        segments = ["aws", resource]
    path = "/".join(segment.replace(":", "/") for segment in segments)
    return quote(path, safe="/=+@,.-_")


def _rule(rule: Rule, severity: Severity) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": ["security", "aws"],
            "security-severity": SECURITY_SEVERITY[severity],
        },
    }


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    locations = [
        {
            "physicalLocation": {"artifactLocation": {"uri": artifact_path(finding.resource)}},
            "logicalLocations": [
                {
                    "name": finding.resource.rsplit("/", 1)[-1].rsplit(":", 1)[-1],
                    "fullyQualifiedName": finding.resource,
                    "kind": finding.resource_kind,
                }
            ],
        }
    ]
    related = [
        {"id": index, "logicalLocations": [{"fullyQualifiedName": arn}]}
        for index, arn in enumerate(finding.related, start=1)
    ]
    return {
        "ruleId": finding.rule.id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": locations,
        **({"relatedLocations": related} if related else {}),
        "partialFingerprints": {FINGERPRINT: finding.uid},
        "properties": {
            "severity": finding.severity.value,
            "title": finding.title,
            **({"accountId": finding.account_id} if finding.account_id else {}),
            **finding.properties,
        },
    }


def sarif_log(found: Sequence[Finding]) -> dict[str, Any]:
    """One run of kg: a rule per kind of finding (the worst severity seen sets its default
    level), a result per finding."""
    worst: dict[str, Severity] = {}
    rules: dict[str, Rule] = {}
    for finding in found:
        rules.setdefault(finding.rule.id, finding.rule)
        seen = worst.get(finding.rule.id)
        if seen is None or finding.severity.rank > seen.rank:
            worst[finding.rule.id] = finding.severity
    ordered = sorted(rules)
    index = {rule_id: number for number, rule_id in enumerate(ordered)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kg",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(rules[rule_id], worst[rule_id]) for rule_id in ordered],
                    }
                },
                "results": [_result(each, index[each.rule.id]) for each in found],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
