"""Options every data command shares, declared once so they read and behave alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.report.output import RowFormat

FormatOption = Annotated[RowFormat, typer.Option("--format", help="How to write the rows.")]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file instead of the terminal (replaced only once complete).",
    ),
]
