"""`kg neo4j start|stop|status|logs`: the local Neo4j server."""

from __future__ import annotations

from typing import Annotated

import typer

from kg import server
from kg.cli import state
from kg.report.output import DocumentFormat, console, print_json

neo4j_app = typer.Typer(
    help="Run a local Neo4j 5.26 (Docker when its engine answers, else the official jars).\n\n"
    "Example: kg neo4j start && kg status",
    no_args_is_help=True,
)

BackendOption = Annotated[
    str, typer.Option("--backend", help="auto, docker or jar.", case_sensitive=False)
]


def _backend(value: str) -> server.Backend:
    if value not in ("auto", "docker", "jar"):
        raise typer.BadParameter("--backend must be auto, docker or jar")
    return value  # type: ignore[return-value]


@neo4j_app.command("start")
def start(
    backend: BackendOption = "auto",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for Bolt.")] = 120.0,
    output: Annotated[DocumentFormat, typer.Option("--format")] = DocumentFormat.table,
) -> None:
    """Start Neo4j (idempotent) and wait until it answers on Bolt."""
    status = server.start(state.settings, _backend(backend), timeout)
    if output == DocumentFormat.json:
        print_json(status.__dict__)
        return
    console.print(f"Neo4j is running ({status.backend}): {status.bolt_uri}")
    console.print(f"Browser: {status.browser_url}")


@neo4j_app.command("stop")
def stop(backend: BackendOption = "auto") -> None:
    """Stop the server that `kg neo4j start` started (and no other process)."""
    stopped = server.stop(state.settings, _backend(backend))
    console.print("Neo4j stopped." if stopped else "Neo4j was not running (nothing to stop).")


@neo4j_app.command("status")
def status(
    output: Annotated[DocumentFormat, typer.Option("--format")] = DocumentFormat.table,
) -> None:
    """Is the local server running, and where: its Bolt address and Neo4j Browser's URL."""
    current = server.status(state.settings)
    if output == DocumentFormat.json:
        print_json(current.__dict__)
        return
    word = "running" if current.running else "not running"
    console.print(f"Neo4j is {word} at {current.bolt_uri} (backend: {current.backend})")
    console.print(f"Browser: {current.browser_url}")
    if not current.running:
        raise typer.Exit(1)


@neo4j_app.command("logs")
def logs(lines: Annotated[int, typer.Option("--lines", "-n")] = 50) -> None:
    """The last lines of the local server's log."""
    for line in server.log_lines(state.settings, lines):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.add_typer(neo4j_app, name="neo4j")
