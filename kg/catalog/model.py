"""The reference catalog's types: layers, capabilities, services, check kinds and controls.

Every type is a frozen dataclass so the catalog, once loaded, can be shared and cached without
anyone changing it underneath the coverage engine. Check params are frozen too (tuples and
read-only mappings); `plain()` turns them back into JSON-ready values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

SEVERITIES = ("critical", "high", "medium", "low")
# Where a control is judged: once per organization, per OU (and the accounts below it), per
# account, per account and region, or per resource.
SCOPES = ("organization", "organizational_unit", "account", "region", "resource")
PARAM_TYPES = ("string", "strings", "integers", "conditions")
# Operators of a condition on a node property (see checks.yaml for their meaning).
OPERATORS = (
    "equals",
    "not_equals",
    "in",
    "at_least",
    "is_set",
    "is_not_set",
    "contains",
    "matches",
)
VALUELESS_OPERATORS = ("is_set", "is_not_set")


@dataclass(frozen=True)
class Layer:
    """One of the six layers of defense, from the organization down to a resource."""

    id: str
    title: str
    description: str
    order: int


@dataclass(frozen=True)
class Capability:
    """One of the nine AWS CAF security capabilities."""

    id: str
    title: str
    description: str


@dataclass(frozen=True)
class Service:
    """An AWS security service or feature that controls are made of."""

    id: str
    title: str
    description: str
    service_principal: str | None
    dual_scope: bool
    capabilities: tuple[str, ...]
    layers: tuple[str, ...]
    inferred: bool = False


@dataclass(frozen=True)
class ParamSpec:
    """One parameter a check kind accepts."""

    name: str
    type: str
    required: bool
    description: str
    allowed: tuple[str, ...] = ()
    default: Any = None


@dataclass(frozen=True)
class CheckKind:
    """A generic test the coverage engine implements, shared by many controls."""

    id: str
    description: str
    scopes: tuple[str, ...]
    params: tuple[ParamSpec, ...]
    # at least one of these params must be given (a test with nothing to test is a mistake)
    requires_one_of: tuple[str, ...] = ()

    def param(self, name: str) -> ParamSpec | None:
        return next((spec for spec in self.params if spec.name == name), None)


@dataclass(frozen=True)
class Check:
    """How a control is judged: a check kind and its params (defaults already filled in)."""

    kind: str
    params: Mapping[str, Any]

    def plain_params(self) -> dict[str, Any]:
        """The params as plain dicts and lists, ready for JSON."""
        return {name: plain(value) for name, value in self.params.items()}


@dataclass(frozen=True)
class Control:
    """A concrete defensive control, where it sits, how it is observed and judged."""

    id: str
    title: str
    layer: str
    capability: str
    service: str
    scope: str
    severity: str
    observed_by: tuple[str, ...]
    in_place_when: str
    check: Check
    remediation: str
    reference: str
    inferred: bool = False
    satisfied_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The whole reference catalog, in file order, with lookups by id."""

    layers: tuple[Layer, ...]
    capabilities: tuple[Capability, ...]
    services: tuple[Service, ...]
    check_kinds: tuple[CheckKind, ...]
    controls: tuple[Control, ...]

    def layer(self, layer_id: str) -> Layer:
        return _find(self.layers, layer_id, "layer")

    def capability(self, capability_id: str) -> Capability:
        return _find(self.capabilities, capability_id, "capability")

    def service(self, service_id: str) -> Service:
        return _find(self.services, service_id, "service")

    def check_kind(self, kind_id: str) -> CheckKind:
        return _find(self.check_kinds, kind_id, "check kind")

    def control(self, control_id: str) -> Control:
        return _find(self.controls, control_id, "control")

    def controls_at(self, layer_id: str) -> tuple[Control, ...]:
        return tuple(control for control in self.controls if control.layer == layer_id)


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_Identified)


def _find(items: tuple[_Item, ...], item_id: str, what: str) -> _Item:
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"the catalog has no {what} {item_id!r}")


def freeze(value: Any) -> Any:
    """A read-only copy of parsed YAML: mappings become read-only, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def plain(value: Any) -> Any:
    """The inverse of `freeze`: plain dicts and lists."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    return value
