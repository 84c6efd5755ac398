"""Findings as OCSF Detection Findings (class 2004, category 2: Findings), the JSON that Security
Hub and Prowler users ingest: one event per finding, in a JSON array.

The fields follow the OCSF schema 1.x (the Detection Finding class and the Finding and Base Event
classes it extends); docs/operations.md says which are filled and from what.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from kg import __version__
from kg.report.findings import Finding, Severity

OCSF_VERSION = "1.3.0"
CATEGORY_UID = 2  # Findings
CLASS_UID = 2004  # Detection Finding
ACTIVITY_CREATE = 1
TYPE_UID = CLASS_UID * 100 + ACTIVITY_CREATE
STATUS_NEW = 1
SEVERITY_ID = {
    Severity.low: 2,
    Severity.medium: 3,
    Severity.high: 4,
    Severity.critical: 5,
}
PRODUCT = {"name": "kg", "vendor_name": "kg", "version": __version__}


def _event(finding: Finding, time_ms: int) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "uid": finding.resource,
        "type": finding.resource_kind,
        "cloud_partition": "aws",
    }
    if finding.account_id:
        resource["owner"] = {"account": {"uid": finding.account_id, "type": "AWS Account"}}
    event: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": TYPE_UID,
        "type_name": "Detection Finding: Create",
        "severity_id": SEVERITY_ID[finding.severity],
        "severity": finding.severity.value.capitalize(),
        "status_id": STATUS_NEW,
        "status": "New",
        "time": time_ms,
        "message": finding.message,
        "metadata": {"product": PRODUCT, "version": OCSF_VERSION},
        "finding_info": {
            "uid": finding.uid,
            "title": finding.title,
            "desc": finding.message,
            "types": [finding.rule.name],
            "analytic": {
                "uid": finding.rule.id,
                "name": finding.rule.name,
                "desc": finding.rule.summary,
                "type_id": 1,  # Rule
                "type": "Rule",
            },
        },
        "cloud": {"provider": "AWS"},
        "resources": [resource, *({"uid": arn} for arn in finding.related)],
        "remediation": {"desc": finding.rule.help},
        "unmapped": dict(finding.properties),
    }
    if finding.account_id:
        event["cloud"]["account"] = {"uid": finding.account_id, "type": "AWS Account"}
    return event


def ocsf_findings(found: Sequence[Finding], now: datetime | None = None) -> list[dict[str, Any]]:
    """One Detection Finding per finding, all stamped with the same time (epoch milliseconds)."""
    time_ms = int((now or datetime.now(UTC)).timestamp() * 1000)
    return [_event(finding, time_ms) for finding in found]
