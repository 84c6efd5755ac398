"""`kg collect aws`, `kg load`, `kg ingest aws`: from AWS to a snapshot to the graph."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ingest.aws.collect import CollectPlan, CollectSummary, collect_snapshot
from ingest.load import LoadProgress, LoadSummary, load_and_derive
from ingest.snapshot import Snapshot
from kg.analysis import crown_jewels, pipeline
from kg.analysis.crown_jewels import CrownJewelConfig
from kg.analysis.pipeline import DeriveSummary
from kg.cli import state
from kg.errors import ConfigError
from kg.report.output import (
    DocumentFormat,
    console,
    error_console,
    print_json,
    progress,
    progress_bars,
)

collect_app = typer.Typer(
    help="Collect a snapshot of AWS API responses (read-only).\n\n"
    "Example: kg collect aws -o ./snapshot --regions us-east-1,eu-west-1",
    no_args_is_help=True,
)
ingest_app = typer.Typer(
    help="Collect from AWS and load in one step.\n\nExample: kg ingest aws --profile audit",
    no_args_is_help=True,
)

Profile = Annotated[str | None, typer.Option("--profile", help="AWS profile to start from.")]
RoleName = Annotated[str, typer.Option("--role-name", help="Role assumed in member accounts.")]
ExternalId = Annotated[str | None, typer.Option("--external-id", help="ExternalId for that role.")]
Accounts = Annotated[
    str | None, typer.Option("--accounts", help="Comma-separated account ids (default: all).")
]
Regions = Annotated[
    str | None, typer.Option("--regions", help="Comma-separated regions (default: enabled ones).")
]
Workers = Annotated[int, typer.Option("--workers", min=1, max=64, help="Accounts in parallel.")]
OutputFormat = Annotated[DocumentFormat, typer.Option("--format", help="table or json.")]
CrownJewels = Annotated[
    Path | None,
    typer.Option(
        "--crown-jewels",
        envvar=crown_jewels.ENV_VAR,
        help="YAML file of crown jewel ARNs or patterns, tag rules and the Macie threshold "
        "(docs/paths.md); checked before anything is written.",
    ),
]
Replace = Annotated[
    bool,
    typer.Option(
        "--replace",
        help="Replace the whole graph with this snapshot (needed to load another organization).",
    ),
]
Wait = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0,
        metavar="SECONDS",
        help="When another kg process is writing to the graph, wait this long for it "
        "(default: refuse at once).",
    ),
]
Strict = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Refuse a snapshot with files nothing reads (misnamed or misplaced responses), "
        "before anything is written.",
    ),
]


def _split(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _collect(out: Path, plan: CollectPlan, profile: str | None, quiet: bool) -> CollectSummary:
    with progress("Collecting accounts", enabled=not quiet) as bar:
        summary = collect_snapshot(
            out, plan, profile, on_plan=bar.total, on_account_done=lambda _: bar.advance()
        )
    return summary


def _print_collect(summary: CollectSummary, out: Path) -> None:
    console.print(
        f"Collected {summary.accounts} account(s), {summary.calls} calls, "
        f"{summary.failures} failed call(s) into {out}"
    )
    if summary.failed_accounts:
        console.print(f"[yellow]Accounts that failed: {', '.join(summary.failed_accounts)}")


@collect_app.command("aws")
def collect_aws(
    output: Annotated[Path, typer.Option("-o", "--output", help="Snapshot folder to write.")],
    profile: Profile = None,
    role_name: RoleName = "OrganizationAccountAccessRole",
    external_id: ExternalId = None,
    accounts: Accounts = None,
    regions: Regions = None,
    workers: Workers = 8,
    output_format: OutputFormat = DocumentFormat.table,
) -> None:
    """Collect the organization (or the caller's account) into a snapshot folder."""
    plan = CollectPlan(_split(regions), _split(accounts), role_name, external_id, workers)
    summary = _collect(output, plan, profile, quiet=output_format == DocumentFormat.json)
    if output_format == DocumentFormat.json:
        print_json({"snapshot": str(output), **summary.__dict__})
    else:
        _print_collect(summary, output)


@dataclass(frozen=True)
class LoadRequest:
    """How `kg load` and `kg ingest` load: the options the two share."""

    jewels: CrownJewelConfig
    replace: bool
    strict: bool
    wait: float
    quiet: bool


def _load_and_derive(
    path: Path, account_id: str | None, command: str, request: LoadRequest
) -> tuple[LoadSummary, DeriveSummary]:
    if path.is_file():
        if not account_id:
            raise ConfigError(f"{path} is a file: pass --account-id for a lone IAM export")
        from ingest.aws.iam import snapshot_from_authorization_file

        path = snapshot_from_authorization_file(path, account_id, Path(tempfile.mkdtemp()))
    snapshot = Snapshot.open(path)
    with (
        state.connect() as graph,
        progress_bars(["Loading", "Deriving"], enabled=not request.quiet) as (rows, steps),
    ):
        steps.total(len(pipeline.STEPS))
        return load_and_derive(
            graph,
            snapshot,
            command=command,
            replace=request.replace,
            strict=request.strict,
            wait_seconds=request.wait,
            crown_jewels=request.jewels,
            progress=LoadProgress(rows=rows.advance, derived=lambda _: steps.advance()),
        )


def _report_load(
    loaded: LoadSummary, derived: DeriveSummary, output_format: DocumentFormat
) -> None:
    data = {
        "accounts": loaded.accounts,
        "stale_accounts": loaded.stale_accounts,
        "nodes_written": loaded.write.nodes,
        "relationships_written": loaded.write.relationships,
        "nodes_deleted": loaded.write.deleted_nodes,
        "relationships_deleted": loaded.write.deleted_relationships,
        "derived": derived.counts,
        "warnings": loaded.warnings,
    }
    if output_format == DocumentFormat.json:
        print_json(data)
        return
    console.print(
        f"Loaded {len(loaded.accounts)} account(s): {loaded.write.nodes} nodes and "
        f"{loaded.write.relationships} relationships written, {loaded.write.deleted_nodes} "
        f"stale nodes removed."
    )
    if loaded.stale_accounts:
        stale = ", ".join(loaded.stale_accounts)
        error_console.print(f"[yellow]Not collected, previous facts kept (stale): {stale}")
    for warning in loaded.warnings:
        error_console.print(
            f"warning: {warning}", style="yellow", markup=False, highlight=False, soft_wrap=True
        )
    for step, count in derived.counts.items():
        console.print(f"  derived {step}: {count}")


def load(
    path: Annotated[Path, typer.Argument(help="Snapshot folder, or a lone IAM export file.")],
    account_id: Annotated[
        str | None, typer.Option("--account-id", help="Account of a lone IAM export file.")
    ] = None,
    crown_jewel_file: CrownJewels = None,
    replace: Replace = False,
    wait: Wait = 0.0,
    output_format: OutputFormat = DocumentFormat.table,
    strict: Strict = False,
) -> None:
    """Load a snapshot into Neo4j, then derive access, paths and coverage.

    The whole snapshot is read and checked before anything is written; queries refuse until the
    derive has finished. One kg process writes to a graph at a time, and a graph holds one
    organization (--replace loads another in its place).

    Example: kg load ./snapshot
    Example: kg load ./snapshot --crown-jewels crown-jewels.yaml
    Example: kg load ./other-org-snapshot --replace
    Example: kg load ./auth-details.json --account-id 123456789012
    """
    request = LoadRequest(
        crown_jewels.load_config(crown_jewel_file),
        replace,
        strict,
        wait,
        output_format == DocumentFormat.json,
    )
    loaded, derived = _load_and_derive(path, account_id, f"kg load {path}", request)
    _report_load(loaded, derived, output_format)


@ingest_app.command("aws")
def ingest_aws(
    profile: Profile = None,
    role_name: RoleName = "OrganizationAccountAccessRole",
    external_id: ExternalId = None,
    accounts: Accounts = None,
    regions: Regions = None,
    workers: Workers = 8,
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Keep the snapshot in this folder.")
    ] = None,
    crown_jewel_file: CrownJewels = None,
    replace: Replace = False,
    wait: Wait = 0.0,
    output_format: OutputFormat = DocumentFormat.table,
    strict: Strict = False,
) -> None:
    """Collect from AWS into a temporary snapshot, then load it (as `kg load` does)."""
    request = LoadRequest(
        crown_jewels.load_config(crown_jewel_file),
        replace,
        strict,
        wait,
        output_format == DocumentFormat.json,
    )
    plan = CollectPlan(_split(regions), _split(accounts), role_name, external_id, workers)
    with tempfile.TemporaryDirectory(prefix="kg-snapshot-") as tmp:
        out = keep or Path(tmp)
        summary = _collect(out, plan, profile, request.quiet)
        if not request.quiet:
            _print_collect(summary, out)
        loaded, derived = _load_and_derive(out, None, "kg ingest aws", request)
    _report_load(loaded, derived, output_format)


def register(app: typer.Typer) -> None:
    app.add_typer(collect_app, name="collect")
    app.add_typer(ingest_app, name="ingest")
    app.command("load")(load)
