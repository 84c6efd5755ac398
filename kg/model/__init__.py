"""The graph model: every area's node and relationship declarations, gathered into one Schema.

Each module of this package that defines `NODES` and `RELS` (and `MARKS`, the labels its
analysis puts on other nodes) is one area of the model (the organization, identity, network,
...). They are discovered rather than listed, so adding an area
is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from kg.model.schema import MarkSchema, NodeSchema, RelSchema, Schema

__all__ = ["MarkSchema", "NodeSchema", "RelSchema", "Schema", "area_modules", "load_schema"]


def area_modules() -> list[str]:
    """Names of the modules that declare part of the model, in a stable order."""
    names = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "schema":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NODES"):
            names.append(info.name)
    return names


@cache
def load_schema() -> Schema:
    nodes: list[NodeSchema] = []
    rels: list[RelSchema] = []
    marks: list[MarkSchema] = []
    for name in area_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        nodes.extend(module.NODES)
        rels.extend(getattr(module, "RELS", ()))
        marks.extend(getattr(module, "MARKS", ()))
    return Schema(nodes, rels, marks)
