"""`kg privesc`, `kg who-can`, `kg access`: the IAM analysis's answers on the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from kg import queries
from kg.analysis import names
from kg.analysis.who_can import asked_resource, who_can
from kg.cli import state
from kg.cli.options import FailOnOption, FormatOption, OutputOption, fail_on, print_findings
from kg.report.findings import privesc_findings, undecided_findings
from kg.report.output import FINDING_FORMATS, FindingFormat, RowFormat, error_console, written_to
from kg.report.rows import render_rows


def privesc(
    principal: Annotated[
        str | None,
        typer.Option("--principal", help="Start or target user or role (ARN or name)."),
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Starting account (id, root ARN or name).")
    ] = None,
    latent: Annotated[
        bool,
        typer.Option(
            "--latent",
            help="Instead: techniques whose permissions hold but that fail as deployed "
            "(latent), depend on a fact kg did not collect (unknown), or hold only under "
            "conditions kg cannot decide (conditional).",
        ),
    ] = False,
    output: Annotated[
        FindingFormat, typer.Option("--format", help="How to write the rows or findings.")
    ] = FindingFormat.table,
    out_file: OutputOption = None,
    threshold: FailOnOption = None,
) -> None:
    """Who can become admin-equivalent, by which chain of techniques that work as deployed.

    Each row: principal, target, techniques, the hop-by-hop chain and the permissions used.
    With --latent: principal, target, technique, status (latent, unknown or conditional) and
    the reason.
    A principal or account that is not in the graph exits 2 with the closest names.
    Exploitable escalations are critical findings; with --latent, conditional ones are high,
    unknown medium and latent low (so --fail-on counts each set on its own).
    Example: kg privesc --account payments-prod --format json

    Example: kg privesc --format sarif -o privesc.sarif --fail-on critical
    """
    with state.connect(for_queries=True) as graph:
        scope = {
            "principal": names.resolve_key(graph, "--principal", principal, names.PRINCIPALS),
            "account": names.resolve_key(graph, "--account", account, names.ACCOUNTS),
        }
        rows = queries.run(graph, "privesc-latent" if latent else "privesc", **scope)
        undecided = [] if latent else queries.run(graph, "privesc-latent", **scope)
    findings = undecided_findings(rows) if latent else privesc_findings(rows)
    title = "Latent or undecided escalations" if latent else "Privilege escalation to admin"
    with written_to(out_file):
        if output in FINDING_FORMATS:
            print_findings(findings, output)
        else:
            render_rows(rows, output, title=title)
    if undecided and (threshold is not None or output in FINDING_FORMATS):
        error_console.print(
            f"note: {len(undecided)} latent, unknown or conditional escalation(s) are not "
            "among these findings; see kg privesc --latent"
        )
    fail_on(findings, threshold)


def who_can_command(
    action: Annotated[str, typer.Argument(help="IAM action, e.g. s3:GetObject.")],
    resource: Annotated[
        str | None,
        typer.Option(
            "--resource",
            help="Resource or role (ARN or name); an object ARN (bucket/key) is asked about "
            "under its bucket's policy.",
        ),
    ] = None,
    assume_exists: Annotated[
        bool,
        typer.Option(
            "--assume-exists",
            help="Ask about a resource ARN the graph does not hold, as a resource kg has not "
            "seen (no resource policy, no RCPs); a note on stderr says so.",
        ),
    ] = False,
    output: FormatOption = RowFormat.table,
    out_file: OutputOption = None,
) -> None:
    """Principals that can perform ACTION (on --resource), the statements that allow it, and
    any conditions it depends on. On a resource, also the external accounts (by id) and
    everyone, as its policy lets them in. A resource that is not in the graph exits 2 with
    the closest names, unless --assume-exists.

    Example: kg who-can s3:GetObject --resource arn:aws:s3:::my-bucket/*

    Example: kg who-can sts:AssumeRole --resource analytics-reader (a role, by name)
    """
    with state.connect(for_queries=True) as graph:
        asked = None if resource is None else asked_resource(graph, resource, assume_exists)
        rows = who_can(graph, action, asked)
    if asked is not None and asked.unseen:
        typer.echo(
            f"kg: note: {asked.arn} is not in the graph: asked as a resource kg has not seen "
            "(no resource policy, no RCPs)",
            err=True,
        )
    with written_to(out_file):
        render_rows(rows, output, title=f"Who can {action}")


def access(
    principal: Annotated[
        str,
        typer.Argument(
            help="User or role (ARN or name), account outside the organization (id or root "
            "ARN), or 'everyone' (grants to \"*\")."
        ),
    ],
    output: FormatOption = RowFormat.table,
    out_file: OutputOption = None,
) -> None:
    """What PRINCIPAL can reach: resources by type with access levels, and roles it can assume,
    with what everyone may do where it has no grant of its own (granted_to says whose).
    A principal that is not in the graph exits 2 with the closest names.

    Example: kg access arn:aws:iam::555566667777:role/dev-bastion

    Example: kg access arn:aws:iam::999988887777:root (an account outside the organization)
    """
    with state.connect(for_queries=True) as graph:
        requester = names.resolve(graph, "PRINCIPAL", principal, names.REQUESTERS)
        rows = queries.run(graph, "principal-access", principal=requester.key)
    with written_to(out_file):
        render_rows(rows, output, title=f"Access of {requester}")


def register(app: typer.Typer) -> None:
    app.command("privesc")(privesc)
    app.command("who-can")(who_can_command)
    app.command("access")(access)
