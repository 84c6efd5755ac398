"""Policy documents as AWS hands them out, read into one validated shape.

AWS returns documents as JSON objects (boto3), as JSON text (S3 bucket policies, KMS key
policies, SCP content), or URL-encoded JSON text (the raw IAM API). A statement may be a single
object or a list; Action, Resource, Principal values may be a single string or a list. This
module accepts all of those and rejects anything IAM would reject, with a message naming the
policy and the element.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

from kg.analysis.policy.conditions import ConditionBlock
from kg.analysis.policy.errors import PolicyError
from kg.analysis.policy.principals import PrincipalSpec

# Only the 2012-10-17 language knows policy variables; older documents treat `${...}` literally.
VERSION_WITH_VARIABLES = "2012-10-17"
_VERSIONS = (VERSION_WITH_VARIABLES, "2008-10-17")
_DOCUMENT_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True)
class StatementElements:
    """One statement's elements, validated; `negated` flags say Not<Element> was used."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...]
    actions_negated: bool
    resources: tuple[str, ...] | None  # None: no Resource element (trust policies)
    resources_negated: bool
    principal: PrincipalSpec | None  # None: no Principal element (identity policies, SCPs)
    principal_negated: bool
    condition: ConditionBlock


@dataclass(frozen=True)
class ParsedDocument:
    version: str | None
    statements: tuple[StatementElements, ...]
    normalized: dict[str, Any]  # {"Version": ..., "Statement": [...]}, statements as written


def load_document(document: str | Mapping[str, Any], *, source: str) -> dict[str, Any]:
    """The document as a JSON object, from an object, JSON text or URL-encoded JSON text."""
    if isinstance(document, Mapping):
        return dict(document)
    if not isinstance(document, str):
        raise PolicyError(f"{source}: expected a policy document, got {type(document).__name__}")
    text = document.strip()
    if not text.startswith("{"):
        text = unquote(text).strip()
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyError(
            f"{source}: invalid policy JSON at line {error.lineno} column {error.colno}: "
            f"{error.msg}"
        ) from None
    except RecursionError:
        raise PolicyError(f"{source}: policy JSON nested too deeply to read") from None
    if not isinstance(loaded, dict):
        raise PolicyError(f"{source}: expected a JSON object, got {type(loaded).__name__}")
    return loaded


def parse_document(document: str | Mapping[str, Any], *, source: str) -> ParsedDocument:
    """Read and validate a document; `source` (its ARN or id) prefixes every error message."""
    loaded = load_document(document, source=source)
    unknown = sorted(set(loaded) - _DOCUMENT_KEYS)
    if unknown:
        raise PolicyError(f"{source}: unknown top-level element {unknown[0]!r}")
    version = loaded.get("Version")
    if version is not None and version not in _VERSIONS:
        raise PolicyError(f"{source}: Version must be one of {', '.join(_VERSIONS)}: {version!r}")
    if "Statement" not in loaded:
        raise PolicyError(f"{source}: no Statement element")
    raw_statements = loaded["Statement"]
    if isinstance(raw_statements, Mapping):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise PolicyError(f"{source}: Statement must be an object or a list of objects")
    variables = version == VERSION_WITH_VARIABLES
    statements = tuple(
        _statement(raw, index, f"{source}: Statement[{index}]", variables)
        for index, raw in enumerate(raw_statements)
    )
    normalized: dict[str, Any] = {"Version": version} if version is not None else {}
    if "Id" in loaded:
        normalized["Id"] = loaded["Id"]
    normalized["Statement"] = [dict(raw) for raw in raw_statements]
    return ParsedDocument(version=version, statements=statements, normalized=normalized)


def normalize_document(document: str | Mapping[str, Any], *, source: str) -> dict[str, Any]:
    """The validated document with "Statement" always a list (the form stored on graph nodes)."""
    return parse_document(document, source=source).normalized


def _statement(raw: object, index: int, where: str, variables: bool) -> StatementElements:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: expected an object")
    unknown = sorted(set(raw) - _STATEMENT_KEYS)
    if unknown:
        raise PolicyError(f"{where}: unknown element {unknown[0]!r}")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}.Sid: expected a string")
    effect_text = raw.get("Effect")
    if effect_text not in (Effect.ALLOW, Effect.DENY):
        raise PolicyError(f'{where}.Effect: expected "Allow" or "Deny", got {effect_text!r}')
    effect = Effect(effect_text)
    actions, actions_negated = _pair(raw, "Action", where)
    if actions is None:
        raise PolicyError(f"{where}: needs Action or NotAction")
    resources, resources_negated = _pair(raw, "Resource", where)
    principal_name = _which(raw, "Principal", where)
    principal = (
        PrincipalSpec.parse(raw[principal_name], f"{where}.{principal_name}")
        if principal_name is not None
        else None
    )
    condition = (
        ConditionBlock.parse(raw["Condition"], f"{where}.Condition", variables)
        if "Condition" in raw
        else ConditionBlock()
    )
    return StatementElements(
        index=index,
        sid=sid,
        effect=effect,
        actions=actions,
        actions_negated=actions_negated,
        resources=resources,
        resources_negated=resources_negated,
        principal=principal,
        principal_negated=principal_name == "NotPrincipal",
        condition=condition,
    )


def _which(raw: Mapping[str, Any], element: str, where: str) -> str | None:
    """`element` or `Not<element>`, whichever the statement has; never both."""
    present = [name for name in (element, f"Not{element}") if name in raw]
    if len(present) > 1:
        raise PolicyError(f"{where}: has both {element} and Not{element}")
    return present[0] if present else None


def _pair(raw: Mapping[str, Any], element: str, where: str) -> tuple[tuple[str, ...] | None, bool]:
    """The values of `element` or `Not<element>` and whether it was the Not form."""
    name = _which(raw, element, where)
    if name is None:
        return None, False
    value = raw[name]
    values = [value] if isinstance(value, str) else value
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(item, str) and item for item in values)
    ):
        raise PolicyError(
            f"{where}.{name}: expected a non-empty string or list of strings, got {value!r}"
        )
    return tuple(values), name.startswith("Not")
