"""The `kg` command line: a thin layer over the library (kg.*, ingest.*).

Each command group lives in its own module and registers itself on `app` here. Errors a user can
cause print one line and exit non-zero; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kg import __version__
from kg.cli import state
from kg.config import Neo4jSettings
from kg.errors import KgError

PROG_NAME = "kg"

app = typer.Typer(
    name=PROG_NAME,
    help="A knowledge graph of an AWS organization's defense in depth, in Neo4j.\n\n"
    "Example: kg neo4j start && kg load ./snapshot && kg coverage",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    uri: Annotated[
        str | None, typer.Option("--uri", envvar="NEO4J_URI", help="Bolt URI of Neo4j.")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", envvar="NEO4J_USER")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            envvar="NEO4J_PASSWORD",
            show_default=False,
            help="Neo4j password (prefer the NEO4J_PASSWORD variable).",
        ),
    ] = None,
    database: Annotated[str | None, typer.Option("--database", envvar="NEO4J_DATABASE")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Global options: where Neo4j is. Flags win over NEO4J_* variables, which win over defaults."""
    state.settings = Neo4jSettings.from_env(uri, user, password, database)
    state.debug = debug


def _register() -> None:
    """Every kg.cli.*_cmd module adds its commands; adding a command is adding a module."""
    import importlib
    import pkgutil

    import kg.cli

    for info in sorted(pkgutil.iter_modules(kg.cli.__path__), key=lambda m: m.name):
        if info.name.endswith("_cmd"):
            importlib.import_module(f"kg.cli.{info.name}").register(app)


def _usage_line(exc: typer.TyperException) -> str:
    """A usage error as one line naming the command whose --help to read (typer would print the
    usage, a hint and a boxed message over several lines)."""
    command = getattr(getattr(exc, "ctx", None), "command_path", None) or PROG_NAME
    message = " ".join(exc.format_message().split())
    if not message.endswith((".", "?")):
        message += "."
    return f"{PROG_NAME}: error: {message} See '{command} --help'."


def main() -> None:
    """Console-script entry point: run the app, turning expected failures into one line."""
    _register()
    try:
        code = app(prog_name=PROG_NAME, standalone_mode=False)
    except KgError as exc:
        if state.debug:
            raise
        print(f"kg: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:
        # Typer's own exceptions are usage errors: an unknown command or option, a bad value, a
        # missing argument. A group called without a command has already printed its help and
        # has nothing to add.
        if state.debug:
            raise
        if exc.format_message().strip():
            print(_usage_line(exc), file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("kg: aborted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
