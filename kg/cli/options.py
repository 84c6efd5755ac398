"""Options every data command shares, declared once so they read and behave alike."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from kg.report.findings import Finding, Severity, at_or_above
from kg.report.ocsf import ocsf_findings
from kg.report.output import RowFormat, error_console, print_json
from kg.report.sarif import sarif_log

FormatOption = Annotated[RowFormat, typer.Option("--format", help="How to write the rows.")]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file instead of the terminal (replaced only once complete).",
    ),
]
FailOnOption = Annotated[
    Severity | None,
    typer.Option(
        "--fail-on",
        help="Exit 1 (after writing the output) when a finding at or above this severity "
        "exists; docs/operations.md says how each finding's severity is derived.",
    ),
]


def print_findings(found: Sequence[Finding], output: str) -> None:
    """The findings as a SARIF log or as OCSF Detection Findings, on stdout."""
    print_json(sarif_log(found) if output == "sarif" else ocsf_findings(found))


def fail_on(found: Sequence[Finding], threshold: Severity | None) -> None:
    """Exit 1 when a finding is at or above `threshold` (None: never), saying how many."""
    if threshold is None:
        return
    hits = at_or_above(found, threshold)
    if hits:
        error_console.print(f"{len(hits)} finding(s) at or above --fail-on {threshold.value}")
        raise typer.Exit(1)
