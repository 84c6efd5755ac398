"""`kg privesc`, `kg who-can`, `kg access`: the IAM analysis's answers on the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from kg import queries
from kg.analysis.who_can import who_can
from kg.cli import state
from kg.report.output import Format
from kg.report.rows import render_rows

_FORMAT = typer.Option("--format")


def privesc(
    principal: Annotated[
        str | None, typer.Option("--principal", help="Start or target principal ARN.")
    ] = None,
    account: Annotated[str | None, typer.Option("--account", help="Starting account id.")] = None,
    output: Annotated[Format, _FORMAT] = Format.table,
) -> None:
    """Who can become admin-equivalent, by which chain of techniques.

    Each row: principal, target, techniques, the hop-by-hop chain and the permissions used.
    Example: kg privesc --account 444455556666 --format json
    """
    with state.connect(for_queries=True) as graph:
        rows = queries.run(graph, "privesc", principal=principal, account=account)
    render_rows(rows, output, title="Privilege escalation to admin")


def who_can_command(
    action: Annotated[str, typer.Argument(help="IAM action, e.g. s3:GetObject.")],
    resource: Annotated[str | None, typer.Option("--resource", help="Resource ARN.")] = None,
    output: Annotated[Format, _FORMAT] = Format.table,
) -> None:
    """Principals that can perform ACTION (on --resource), the statements that allow it, and
    any conditions it depends on. On a resource, also the external accounts (by id) and
    everyone, as its policy lets them in.

    Example: kg who-can s3:GetObject --resource arn:aws:s3:::my-bucket/*
    """
    with state.connect(for_queries=True) as graph:
        rows = who_can(graph, action, resource)
    render_rows(rows, output, title=f"Who can {action}")


def access(
    principal: Annotated[
        str,
        typer.Argument(help="Principal ARN, external account id, or 'everyone' (grants to \"*\")."),
    ],
    output: Annotated[Format, _FORMAT] = Format.table,
) -> None:
    """What PRINCIPAL can reach: resources by type with access levels, and roles it can assume,
    with what everyone may do where it has no grant of its own (granted_to says whose).

    Example: kg access arn:aws:iam::555566667777:role/dev-bastion
    """
    with state.connect(for_queries=True) as graph:
        rows = queries.run(graph, "principal-access", principal=principal)
    render_rows(rows, output, title=f"Access of {principal}")


def register(app: typer.Typer) -> None:
    app.command("privesc")(privesc)
    app.command("who-can")(who_can_command)
    app.command("access")(access)
