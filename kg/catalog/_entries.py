"""Reading catalog YAML files entry by entry, with errors that name the file, entry and field."""

from __future__ import annotations

import re
from collections.abc import Collection
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from kg.errors import KgError

# libyaml's parser when PyYAML was built with it: the same safe subset of YAML, much faster
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(KgError):
    """A catalog file that is missing, malformed or inconsistent with the rest of the catalog."""


def read_entries(folder: Traversable, file_name: str) -> list[Entry]:
    """The entries of one catalog file, which must hold a YAML list of mappings."""
    resource = folder.joinpath(file_name)
    if not resource.is_file():
        raise CatalogError(f"{file_name}: missing from the catalog")
    try:
        data = yaml.load(resource.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CatalogError(f"{file_name}: invalid YAML{where}: {problem}") from None
    if not isinstance(data, list):
        raise CatalogError(f"{file_name}: expected a list of entries")
    return [Entry.in_file(file_name, index, item) for index, item in enumerate(data)]


class Entry:
    """One mapping of a catalog file, read field by field."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise CatalogError(f"{where}: must be a mapping")
        self.data: dict[str, Any] = data
        self.where = where

    @classmethod
    def in_file(cls, file_name: str, index: int, data: Any) -> Entry:
        """A top-level entry, named in errors by its id (or its position when it has none)."""
        name = data.get("id") if isinstance(data, dict) else None
        label = name if isinstance(name, str) else f"entry {index + 1}"
        return cls(data, f"{file_name}: {label}")

    def part(self, name: str) -> Entry:
        """A nested mapping field, read with the same error reporting."""
        return Entry(self.data.get(name, {}), f"{self.where}: {name}")

    def error(self, field: str, problem: str) -> CatalogError:
        return CatalogError(f"{self.where}: {field}: {problem}")

    def only_fields(self, allowed: Collection[str]) -> None:
        """Reject fields the catalog does not know (most often a typo)."""
        for name in self.data:
            if name not in allowed:
                raise self.error(str(name), "unknown field")

    def string(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, "must be a non-empty string")
        return value.strip()

    def optional_string(self, name: str) -> str | None:
        return None if self.data.get(name) is None else self.string(name)

    def identifier(self, name: str, pattern: re.Pattern[str], shape: str) -> str:
        value = self.string(name)
        if not pattern.match(value):
            raise self.error(name, f"{value!r} is not {shape}")
        return value

    def choice(self, name: str, choices: Collection[str]) -> str:
        value = self.string(name)
        if value not in choices:
            raise self.error(name, f"{value!r} is not one of {', '.join(sorted(choices))}")
        return value

    def boolean(self, name: str, default: bool | None = None) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, "must be true or false")
        return value

    def integer(self, name: str) -> int:
        value = self.data.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(name, "must be an integer")
        return value

    def strings(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(name, [] if not required else None)
        if not isinstance(value, list) or (required and not value):
            raise self.error(name, "must be a non-empty list of strings")
        if not all(isinstance(item, str) and item for item in value):
            raise self.error(name, "must hold only non-empty strings")
        if len(set(value)) != len(value):
            raise self.error(name, "lists an item twice")
        return tuple(value)

    def choices(self, name: str, choices: Collection[str]) -> tuple[str, ...]:
        values = self.strings(name)
        for value in values:
            if value not in choices:
                raise self.error(name, f"{value!r} is not one of {', '.join(sorted(choices))}")
        return values

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, "must be a mapping")
        return value
