"""Shared output plumbing: one console, JSON scripts can rely on, quiet progress off-terminal."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from kg.errors import OutputError

# Off a terminal (a pipe, a CI log) rich would wrap tables at 80 columns, which cuts ARNs apart;
# COLUMNS still wins when set.
PIPED_WIDTH = 160


def make_console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    piped = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(stderr=stderr, width=PIPED_WIDTH if piped else None)


console = make_console()
error_console = make_console(stderr=True)


class Format(StrEnum):
    """What `kg paths` writes: rows, or one HTML page."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"


class RowFormat(StrEnum):
    """What every other data command writes: its rows, no HTML (so asking for it is a usage
    error, not a table)."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class PathsFormat(StrEnum):
    """What `kg paths` writes: its rows, one HTML page, or its routes as findings (SARIF, OCSF)."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    sarif = "sarif"
    ocsf = "ocsf"


class FindingFormat(StrEnum):
    """What a command whose rows are findings writes (kg privesc, kg coverage): its rows, or
    the findings as SARIF 2.1.0 or OCSF Detection Findings."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    sarif = "sarif"
    ocsf = "ocsf"


FINDING_FORMATS = ("sarif", "ocsf")


class DocumentFormat(StrEnum):
    """What a command that reports one document writes (kg status, kg schema apply)."""

    table = "table"
    json = "json"


class ModelFormat(StrEnum):
    """What `kg schema show` writes."""

    table = "table"
    json = "json"
    markdown = "markdown"


@contextmanager
def written_to(path: Path | None) -> Iterator[None]:
    """Everything the command prints goes to `path` instead of the terminal (None: the
    terminal). The file is replaced only once all of it is written: a failed command leaves
    the previous file as it was."""
    if path is None:
        yield
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        handle = partial.open("w", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    previous = console.file
    try:
        with handle, redirect_stdout(handle):
            console.file = handle
            yield
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        console.file = previous
    os.replace(partial, path)
    error_console.print(f"wrote {path}")


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=_default)


def print_json(data: Any) -> None:
    """JSON on stdout, nothing else, so `kg ... --format json | jq` always works."""
    sys.stdout.write(to_json(data) + "\n")


def interactive() -> bool:
    return console.is_terminal and not console.is_dumb_terminal


class Counter:
    """A progress handle; silent unless a progress bar is showing."""

    def __init__(self, progress: Progress | None, task: Any) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def total(self, total: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=total)


@contextmanager
def progress_bars(descriptions: Sequence[str], enabled: bool = True) -> Iterator[list[Counter]]:
    """One progress bar per description, shown together on a terminal (stderr); nothing in CI,
    pipes or JSON mode."""
    if not enabled or not error_console.is_terminal:
        yield [Counter(None, None) for _ in descriptions]
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
    ) as bar:
        yield [Counter(bar, bar.add_task(description, total=None)) for description in descriptions]


@contextmanager
def progress(description: str, total: int | None = None, enabled: bool = True) -> Iterator[Counter]:
    """A progress bar on a terminal (stderr); nothing in CI, pipes or JSON mode."""
    with progress_bars([description], enabled) as (counter,):
        if total is not None:
            counter.total(total)
        yield counter
