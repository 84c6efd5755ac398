"""Editable copies of the shipped catalog, for tests that feed the loader broken or changed data."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

Entries = list[dict[str, Any]]


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A folder holding a copy of every YAML file of the shipped catalog."""
    for item in files("kg.catalog").iterdir():
        if item.name.endswith(".yaml"):
            (tmp_path / item.name).write_text(item.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def edit(folder: Path, file_name: str, change: Callable[[Entries], object]) -> None:
    """Rewrite one catalog file after applying `change` to its parsed entries."""
    path = folder / file_name
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(entries)
    path.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")


def entry(entries: Entries, entry_id: str) -> dict[str, Any]:
    """The entry with the id (the test fails loudly when the catalog no longer has it)."""
    return next(item for item in entries if item["id"] == entry_id)
