"""Check kinds and the validation of a control's check params against its kind's declaration.

The kinds are declared in checks.yaml; a control's params are checked here for names, types and
allowed values, conditions are checked operator by operator, and declared defaults are filled in,
so the coverage engine can trust every params mapping it receives.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

from kg.catalog._entries import Entry
from kg.catalog.model import (
    OPERATORS,
    PARAM_TYPES,
    SCOPES,
    VALUELESS_OPERATORS,
    Check,
    CheckKind,
    ParamSpec,
    freeze,
)

SNAKE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CONDITION_FIELDS = ("property", "operator", "value")


def parse_check_kind(entry: Entry) -> CheckKind:
    entry.only_fields(("id", "description", "scopes", "params", "requires_one_of"))
    params = tuple(
        _parse_param(entry, name, spec) for name, spec in entry.mapping("params").items()
    )
    names = {param.name for param in params}
    requires_one_of = entry.strings("requires_one_of", required=False)
    for name in requires_one_of:
        if name not in names:
            raise entry.error("requires_one_of", f"{name!r} is not a declared param")
    return CheckKind(
        id=entry.identifier("id", SNAKE_ID, "snake_case"),
        description=entry.string("description"),
        scopes=entry.choices("scopes", SCOPES),
        params=params,
        requires_one_of=requires_one_of,
    )


def _parse_param(entry: Entry, name: Any, spec: Any) -> ParamSpec:
    where = f"params.{name}"
    if not isinstance(name, str) or not SNAKE_ID.match(name):
        raise entry.error(where, "param names must be snake_case")
    if not isinstance(spec, dict):
        raise entry.error(where, "must be a mapping with type, required and description")
    field = Entry(spec, f"{entry.where}: {where}")
    field.only_fields(("type", "required", "description", "allowed", "default"))
    param = ParamSpec(
        name=name,
        type=field.choice("type", PARAM_TYPES),
        required=field.boolean("required"),
        description=field.string("description"),
        allowed=field.strings("allowed", required=False),
        default=freeze(spec.get("default")),
    )
    if param.default is not None:
        _check_value(entry, where + ".default", param, spec["default"])
    return param


def parse_check(entry: Entry, kinds: dict[str, CheckKind], scope: str) -> Check:
    """The control's check, its params validated against the kind and defaults filled in."""
    section = entry.part("check")
    section.only_fields(("kind", "params"))
    kind_id = section.string("kind")
    kind = kinds.get(kind_id)
    if kind is None:
        raise section.error("kind", f"{kind_id!r} is not a check kind of checks.yaml")
    if scope not in kind.scopes:
        raise entry.error("scope", f"{scope!r} is not a scope check kind {kind.id} can judge")
    given = section.mapping("params")
    params: dict[str, Any] = {}
    for name, value in given.items():
        spec = kind.param(str(name))
        if spec is None:
            raise entry.error(f"check.params.{name}", f"not a param of check kind {kind.id}")
        _check_value(entry, f"check.params.{name}", spec, value)
        params[spec.name] = freeze(value)
    for spec in kind.params:
        if spec.name in params:
            continue
        if spec.required:
            raise entry.error(f"check.params.{spec.name}", f"required by check kind {kind.id}")
        if spec.default is not None:
            params[spec.name] = spec.default
    if kind.requires_one_of and not any(name in params for name in kind.requires_one_of):
        raise entry.error("check.params", f"needs one of {', '.join(kind.requires_one_of)}")
    return Check(kind=kind.id, params=MappingProxyType(params))


def _check_value(entry: Entry, where: str, spec: ParamSpec, value: Any) -> None:
    if spec.type == "string":
        if not isinstance(value, str) or not value:
            raise entry.error(where, "must be a non-empty string")
        if spec.allowed and value not in spec.allowed:
            raise entry.error(where, f"{value!r} is not one of {', '.join(spec.allowed)}")
    elif spec.type == "strings":
        if not _is_list_of(value, str):
            raise entry.error(where, "must be a non-empty list of strings")
    elif spec.type == "integers":
        if not _is_list_of(value, int):
            raise entry.error(where, "must be a non-empty list of integers")
    else:
        _check_conditions(entry, where, value)


def _is_list_of(value: Any, item_type: type) -> bool:
    """A non-empty list whose items all have the type (booleans never count as integers)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, item_type) and not isinstance(item, bool) for item in value)
    )


def _check_conditions(entry: Entry, where: str, value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise entry.error(where, "must be a non-empty list of conditions")
    for index, condition in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(condition, dict):
            raise entry.error(at, "must be a mapping with property, operator and value")
        unknown = set(condition) - set(_CONDITION_FIELDS)
        if unknown:
            raise entry.error(at, f"unknown field {sorted(unknown)[0]}")
        prop = condition.get("property")
        if not isinstance(prop, str) or not SNAKE_ID.match(prop):
            raise entry.error(at, "property must be a snake_case property name")
        operator = condition.get("operator")
        if operator not in OPERATORS:
            raise entry.error(at, f"operator must be one of {', '.join(OPERATORS)}")
        if operator in VALUELESS_OPERATORS:
            if "value" in condition:
                raise entry.error(at, f"operator {operator} takes no value")
            continue
        if "value" not in condition or condition["value"] is None:
            raise entry.error(at, f"operator {operator} needs a value")
        _check_operand(entry, at, operator, condition["value"])


def _check_operand(entry: Entry, at: str, operator: str, operand: Any) -> None:
    if operator == "in" and not isinstance(operand, list):
        raise entry.error(at, "operator in needs a list value")
    is_number = isinstance(operand, int | float) and not isinstance(operand, bool)
    if operator == "at_least" and not is_number:
        raise entry.error(at, "operator at_least needs a number")
    if operator == "matches" and not isinstance(operand, str):
        raise entry.error(at, "operator matches needs a glob pattern string")
    if operator != "in" and isinstance(operand, list | dict):
        raise entry.error(at, f"operator {operator} needs a single value")
