"""The reference catalog: layers, CAF capabilities, AWS security services and concrete controls.

The catalog is data (the YAML files of this package), not code; this package reads it into
frozen, validated objects for the coverage engine, the graph loader and the docs:

    catalog = load_catalog()
    catalog.control("ORG-SCP-DENY-LEAVE").check.params["actions"]
"""

from kg.catalog._entries import CatalogError
from kg.catalog.loader import load_catalog, read_catalog
from kg.catalog.markdown import catalog_markdown
from kg.catalog.model import (
    Capability,
    Catalog,
    Check,
    CheckKind,
    Control,
    Layer,
    ParamSpec,
    Service,
)

__all__ = [
    "Capability",
    "Catalog",
    "CatalogError",
    "Check",
    "CheckKind",
    "Control",
    "Layer",
    "ParamSpec",
    "Service",
    "catalog_markdown",
    "load_catalog",
    "read_catalog",
]
