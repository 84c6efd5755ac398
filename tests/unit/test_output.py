"""Console width: tables written to a pipe or a log are not wrapped at 80 columns."""

from __future__ import annotations

import io

import pytest

from kg.report import output


def test_piped_output_is_wide_unless_columns_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdout", io.StringIO())
    monkeypatch.delenv("COLUMNS", raising=False)
    assert output.make_console().width == output.PIPED_WIDTH
    monkeypatch.setenv("COLUMNS", "100")
    assert output.make_console().width == 100
