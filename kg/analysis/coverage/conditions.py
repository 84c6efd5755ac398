"""Conditions on node properties, as the catalog's check kinds write them (see checks.yaml)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any


def _is_set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != ()


def _holds(actual: Any, operator: str, expected: Any) -> bool:
    if operator == "is_not_set":
        return not _is_set(actual)
    if operator == "not_equals":
        return actual != expected
    if actual is None:
        return False
    values = list(actual) if isinstance(actual, list | tuple) else None
    if operator == "equals":
        return bool(actual == expected)
    if operator == "in":
        return actual in expected
    if operator == "at_least":
        return isinstance(actual, int | float) and actual >= expected
    if operator == "is_set":
        return _is_set(actual)
    if operator == "contains":
        return values is not None and expected in values
    if operator == "matches":
        candidates = values if values is not None else [actual]
        return any(fnmatchcase(str(item), str(expected)) for item in candidates)
    raise ValueError(f"unknown condition operator {operator!r}")


def condition_holds(props: Mapping[str, Any], condition: Mapping[str, Any]) -> bool:
    """Whether one {property, operator, value} condition holds on a node's properties."""
    return _holds(props.get(condition["property"]), condition["operator"], condition.get("value"))


def failing(
    props: Mapping[str, Any],
    expect: Iterable[Mapping[str, Any]],
    expect_any: Iterable[Mapping[str, Any]],
) -> list[str]:
    """The conditions that fail, as text for the evidence (empty: all hold)."""
    failed = [
        f"{c['property']} {c['operator']} {c.get('value')!r}"
        for c in expect
        if not condition_holds(props, c)
    ]
    any_of = list(expect_any)
    if any_of and not any(condition_holds(props, c) for c in any_of):
        failed.append(
            "one of: "
            + "; ".join(f"{c['property']} {c['operator']} {c.get('value')!r}" for c in any_of)
        )
    return failed
