"""The catalog as a Markdown document: layers, capabilities, services, check kinds and controls.

`kg catalog` prints it and docs/catalog.md is generated from it, so the documentation is the
catalog itself and cannot drift from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kg.catalog.model import Catalog, CheckKind, Control

INFERRED_MARK = "†"


def catalog_markdown(catalog: Catalog) -> str:
    """The whole catalog as one Markdown document (GitHub-flavoured tables)."""
    sections = [
        "# Reference catalog",
        "The layers, capabilities, security services and controls that `kg coverage` judges. "
        f"{INFERRED_MARK} marks a mapping that is this catalog's judgement rather than an AWS "
        "statement.",
        _layers(catalog),
        _capabilities(catalog),
        _services(catalog),
        _check_kinds(catalog.check_kinds),
        _controls(catalog),
    ]
    return "\n\n".join(sections) + "\n"


def _layers(catalog: Catalog) -> str:
    rows = [
        [str(layer.order), layer.title, f"`{layer.id}`", layer.description]
        for layer in catalog.layers
    ]
    return "## Layers\n\n" + _table(["Order", "Layer", "Id", "What it covers"], rows)


def _capabilities(catalog: Catalog) -> str:
    rows = [[c.title, f"`{c.id}`", c.description] for c in catalog.capabilities]
    return "## Capabilities\n\n" + _table(["Capability", "Id", "What it covers"], rows)


def _services(catalog: Catalog) -> str:
    rows = [
        [
            _marked(service.title, service.inferred),
            f"`{service.id}`",
            f"`{service.service_principal}`" if service.service_principal else "",
            "yes" if service.dual_scope else "no",
            ", ".join(catalog.capability(c).title for c in service.capabilities),
            ", ".join(catalog.layer(layer).title for layer in service.layers),
            service.description,
        ]
        for service in catalog.services
    ]
    header = [
        "Service",
        "Id",
        "Service principal",
        "Org-wide via delegated admin",
        "Capabilities",
        "Layers",
        "What it does",
    ]
    return "## Services and features\n\n" + _table(header, rows)


def _check_kinds(kinds: Iterable[CheckKind]) -> str:
    parts = ["## Check kinds"]
    for kind in kinds:
        rows = [
            [
                f"`{param.name}`",
                param.type,
                "yes" if param.required else "no",
                ", ".join(param.allowed),
                "" if param.default is None else _value(param.default),
                param.description,
            ]
            for param in kind.params
        ]
        header = ["Param", "Type", "Required", "Allowed", "Default", "Meaning"]
        scopes = ", ".join(kind.scopes)
        parts.append(
            f"### `{kind.id}`\n\n{_inline(kind.description)}\n\nScopes: {scopes}.\n\n"
            + _table(header, rows)
        )
    return "\n\n".join(parts)


def _controls(catalog: Catalog) -> str:
    header = [
        "Id",
        "Control",
        "Capability",
        "Service",
        "Scope",
        "Severity",
        "In place when",
        "Check",
        "Remediation",
        "Reference",
    ]
    parts = [f"## Controls ({len(catalog.controls)})"]
    for layer in catalog.layers:
        controls = catalog.controls_at(layer.id)
        rows = [_control_row(catalog, control) for control in controls]
        parts.append(f"### {layer.title} ({len(controls)})\n\n" + _table(header, rows))
    return "\n\n".join(parts)


def _control_row(catalog: Catalog, control: Control) -> list[str]:
    in_place_when = control.in_place_when
    if control.satisfied_by:
        in_place_when += " Also in place through: " + ", ".join(control.satisfied_by) + "."
    return [
        f"`{control.id}`",
        _marked(control.title, control.inferred),
        catalog.capability(control.capability).title,
        catalog.service(control.service).title,
        control.scope,
        control.severity,
        in_place_when,
        f"`{control.check.kind}` `{_params(control.check.params)}`",
        control.remediation,
        f"[AWS docs]({control.reference})",
    ]


def _params(params: Mapping[str, Any]) -> str:
    return "; ".join(f"{name}: {_value(value)}" for name, value in params.items())


def _value(value: Any) -> str:
    """A param value in one short line: conditions as sentences, lists comma-joined."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(
            _condition(item) if isinstance(item, Mapping) else _value(item) for item in value
        )
    return value if isinstance(value, str) else json.dumps(value)


def _condition(condition: Mapping[str, Any]) -> str:
    words = [condition["property"], condition["operator"]]
    if "value" in condition:
        words.append(_value(condition["value"]))
    return " ".join(words)


def _marked(text: str, inferred: bool) -> str:
    return f"{text} {INFERRED_MARK}" if inferred else text


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = [_row(header), _row(["---"] * len(header))]
    lines.extend(_row(row) for row in rows)
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    """Text on one line, with asterisks outside code spans escaped so they never turn into
    emphasis (IAM actions, ARN patterns and globs are full of them)."""
    parts = " ".join(text.split()).split("`")
    parts[::2] = [part.replace("*", "\\*") for part in parts[::2]]
    return "`".join(parts)
