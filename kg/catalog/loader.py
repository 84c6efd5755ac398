"""Loading the reference catalog from its YAML files, validated as a whole.

The catalog is data shipped inside the package (layers.yaml, capabilities.yaml, services.yaml,
checks.yaml and one controls_<layer>.yaml per layer), read with importlib.resources so it works
the same from a source tree and from an installed wheel. Every cross-reference is checked on
load: a catalog that loads is one the coverage engine can rely on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from kg.catalog._checks import SNAKE_ID, parse_check, parse_check_kind
from kg.catalog._entries import CatalogError, Entry, read_entries
from kg.catalog.model import (
    SCOPES,
    SEVERITIES,
    Capability,
    Catalog,
    CheckKind,
    Control,
    Layer,
    Service,
)

CATALOG_PACKAGE = "kg.catalog"
LAYERS_FILE = "layers.yaml"
CAPABILITIES_FILE = "capabilities.yaml"
SERVICES_FILE = "services.yaml"
CHECKS_FILE = "checks.yaml"
CONTROL_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
SERVICE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9-]+\.amazonaws\.com$")
# boto3 client and method names, e.g. "accessanalyzer.list_analyzers", "sso-admin.list_instances"
BOTO3_CALL = re.compile(r"^[a-z][a-z0-9-]*\.[a-z][a-z0-9_]*$")
REFERENCE_URL = re.compile(r"^https://\S+$")

_CONTROL_FIELDS = (
    "id",
    "title",
    "layer",
    "capability",
    "service",
    "scope",
    "severity",
    "inferred",
    "observed_by",
    "in_place_when",
    "satisfied_by",
    "check",
    "remediation",
    "reference",
)


def controls_file(layer_id: str) -> str:
    """The file holding the controls of one layer."""
    return f"controls_{layer_id}.yaml"


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with kg (read once per process)."""
    return read_catalog(files(CATALOG_PACKAGE))


def read_catalog(folder: Traversable) -> Catalog:
    """Read and validate the catalog files in a folder (a package resource folder or a path)."""
    layers = tuple(_layer(entry) for entry in read_entries(folder, LAYERS_FILE))
    _unique(LAYERS_FILE, "id", (layer.id for layer in layers))
    _unique(LAYERS_FILE, "order", (str(layer.order) for layer in layers))
    layers = tuple(sorted(layers, key=lambda layer: layer.order))
    layer_ids = [layer.id for layer in layers]

    capabilities = tuple(_capability(entry) for entry in read_entries(folder, CAPABILITIES_FILE))
    _unique(CAPABILITIES_FILE, "id", (capability.id for capability in capabilities))
    capability_ids = [capability.id for capability in capabilities]

    services = tuple(
        _service(entry, capability_ids, layer_ids) for entry in read_entries(folder, SERVICES_FILE)
    )
    _unique(SERVICES_FILE, "id", (service.id for service in services))

    kinds = tuple(parse_check_kind(entry) for entry in read_entries(folder, CHECKS_FILE))
    _unique(CHECKS_FILE, "id", (kind.id for kind in kinds))

    references = _References(
        layer_ids, capability_ids, [s.id for s in services], {kind.id: kind for kind in kinds}
    )
    controls = tuple(
        _control(entry, layer.id, references)
        for layer in layers
        for entry in read_entries(folder, controls_file(layer.id))
    )
    _unique("controls", "id", (control.id for control in controls))
    _check_satisfied_by(controls)
    return Catalog(layers, capabilities, services, kinds, controls)


@dataclass(frozen=True)
class _References:
    """The ids a control may refer to."""

    layers: list[str]
    capabilities: list[str]
    services: list[str]
    kinds: dict[str, CheckKind]


def _layer(entry: Entry) -> Layer:
    entry.only_fields(("id", "title", "description", "order"))
    return Layer(
        id=entry.identifier("id", SNAKE_ID, "snake_case"),
        title=entry.string("title"),
        description=entry.string("description"),
        order=entry.integer("order"),
    )


def _capability(entry: Entry) -> Capability:
    entry.only_fields(("id", "title", "description"))
    return Capability(
        id=entry.identifier("id", SNAKE_ID, "snake_case"),
        title=entry.string("title"),
        description=entry.string("description"),
    )


def _service(entry: Entry, capabilities: list[str], layers: list[str]) -> Service:
    entry.only_fields(
        (
            "id",
            "title",
            "description",
            "service_principal",
            "dual_scope",
            "capabilities",
            "layers",
            "inferred",
        )
    )
    principal = entry.optional_string("service_principal")
    if principal is not None and not SERVICE_PRINCIPAL.match(principal):
        raise entry.error("service_principal", f"{principal!r} is not <name>.amazonaws.com")
    return Service(
        id=entry.identifier("id", SERVICE_ID, "lower-case words joined by hyphens"),
        title=entry.string("title"),
        description=entry.string("description"),
        service_principal=principal,
        dual_scope=entry.boolean("dual_scope"),
        capabilities=entry.choices("capabilities", capabilities),
        layers=entry.choices("layers", layers),
        inferred=entry.boolean("inferred", default=False),
    )


def _control(entry: Entry, file_layer: str, refs: _References) -> Control:
    entry.only_fields(_CONTROL_FIELDS)
    layer = entry.choice("layer", refs.layers)
    if layer != file_layer:
        raise entry.error("layer", f"{layer!r} control in {controls_file(file_layer)}")
    scope = entry.choice("scope", SCOPES)
    observed_by = entry.strings("observed_by")
    for call in observed_by:
        if not BOTO3_CALL.match(call):
            raise entry.error("observed_by", f"{call!r} is not <boto3 client>.<method>")
    reference = entry.string("reference")
    if not REFERENCE_URL.match(reference):
        raise entry.error("reference", f"{reference!r} is not an https URL")
    return Control(
        id=entry.identifier("id", CONTROL_ID, "upper-case words joined by hyphens"),
        title=entry.string("title"),
        layer=layer,
        capability=entry.choice("capability", refs.capabilities),
        service=entry.choice("service", refs.services),
        scope=scope,
        severity=entry.choice("severity", SEVERITIES),
        observed_by=observed_by,
        in_place_when=entry.string("in_place_when"),
        check=parse_check(entry, refs.kinds, scope),
        remediation=entry.string("remediation"),
        reference=reference,
        inferred=entry.boolean("inferred", default=False),
        satisfied_by=entry.strings("satisfied_by", required=False),
    )


def _check_satisfied_by(controls: tuple[Control, ...]) -> None:
    known = {control.id for control in controls}
    for control in controls:
        for other in control.satisfied_by:
            if other == control.id:
                raise CatalogError(
                    f"{controls_file(control.layer)}: {control.id}: "
                    "satisfied_by: names the control itself"
                )
            if other not in known:
                raise CatalogError(
                    f"{controls_file(control.layer)}: {control.id}: "
                    f"satisfied_by: {other!r} is not a control of the catalog"
                )


def _unique(where: str, field: str, values: Iterable[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise CatalogError(f"{where}: {field} {value!r} appears twice")
        seen.add(value)
