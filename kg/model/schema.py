"""The graph schema as data: node and relationship declarations.

Each area of the model declares its nodes and relationships in its own module of kg.model as
module-level tuples `NODES` and `RELS`. From those declarations (and nothing else) the project
generates the constraints and indexes, the load and cleanup queries, `kg schema show` and the
model documentation, so the code and the doc cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from kg.errors import SchemaError

Scope = Literal["account", "global", "reference", "derived"]
LAYERS = (
    "organization",
    "organizational_unit",
    "account",
    "network",
    "principals",
    "resources",
    "reference",
)
SCOPES: tuple[str, ...] = ("account", "global", "reference", "derived")
_LABEL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_REL_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_PROPERTY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class NodeSchema:
    """One node label.

    scope says who owns the node's lifetime: "account" nodes carry account_id and are replaced
    account by account on reload; "global" nodes are shared (an external account, a service
    principal, the internet) and only removed when nothing refers to them; "reference" nodes come
    from the catalog; "derived" nodes are rewritten by analysis. caption is the property Neo4j
    Browser shows on the node (a name people recognise, not an id); caption_detail, when set, is
    shown after it, for kinds whose caption property can be missing (an external account has an
    id but no name).
    """

    label: str
    key: str
    layer: str
    description: str
    scope: Scope = "account"
    extra_labels: tuple[str, ...] = ()
    properties: dict[str, str] = field(default_factory=dict)
    indexes: tuple[str, ...] = ()
    caption: str = "name"
    caption_detail: str = ""


@dataclass(frozen=True)
class RelSchema:
    """One relationship type between two labels; reads as a sentence: source TYPE target.

    merge_on names the properties that tell two relationships of this type between the same pair
    of nodes apart (most types have at most one per pair, so it is usually empty).
    """

    type: str
    source: str
    target: str
    layer: str
    description: str
    scope: Scope = "account"
    properties: dict[str, str] = field(default_factory=dict)
    merge_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class MarkSchema:
    """A label an analysis adds to nodes of other labels, and takes off again on its next run.

    A mark makes the nodes an analysis singles out a label scan away (`MATCH (n:CrownJewel)`).
    It carries no key, constraint or properties of its own.
    """

    label: str
    description: str


class Schema:
    """The whole declared model, validated once, with lookups for the writer and the docs."""

    def __init__(
        self,
        nodes: Iterable[NodeSchema],
        rels: Iterable[RelSchema],
        marks: Iterable[MarkSchema] = (),
    ) -> None:
        self.nodes: dict[str, NodeSchema] = {}
        for node in nodes:
            if node.label in self.nodes:
                raise SchemaError(f"node label {node.label} is declared twice")
            self.nodes[node.label] = node
        self.rels: dict[tuple[str, str, str], RelSchema] = {}
        for rel in rels:
            ident = (rel.type, rel.source, rel.target)
            if ident in self.rels:
                raise SchemaError(f"relationship {rel.source}-{rel.type}->{rel.target} twice")
            self.rels[ident] = rel
        self.marks: dict[str, MarkSchema] = {}
        for mark in marks:
            if mark.label in self.marks:
                raise SchemaError(f"mark {mark.label} is declared twice")
            self.marks[mark.label] = mark
        self._validate()

    @property
    def labels(self) -> frozenset[str]:
        """Every label a node can carry: the declared labels and their extra labels."""
        return frozenset(self.nodes).union(*(node.extra_labels for node in self.nodes.values()))

    def _validate(self) -> None:
        all_labels = self.labels
        for node in self.nodes.values():
            for label in (node.label, *node.extra_labels):
                if not _LABEL.match(label):
                    raise SchemaError(f"label {label!r} is not PascalCase")
            detail = (node.caption_detail,) if node.caption_detail else ()
            for prop in (node.key, node.caption, *detail, *node.properties, *node.indexes):
                if not _PROPERTY.match(prop):
                    raise SchemaError(f"{node.label}.{prop} is not snake_case")
            if node.layer not in LAYERS:
                raise SchemaError(f"{node.label}: unknown layer {node.layer!r}")
            if node.scope not in SCOPES:
                raise SchemaError(f"{node.label}: unknown scope {node.scope!r}")
        for mark in self.marks.values():
            if not _LABEL.match(mark.label):
                raise SchemaError(f"label {mark.label!r} is not PascalCase")
            if mark.label in all_labels:
                raise SchemaError(f"mark {mark.label} is also a node label")
        for rel in self.rels.values():
            if not _REL_TYPE.match(rel.type):
                raise SchemaError(f"relationship type {rel.type!r} is not UPPER_SNAKE_CASE")
            for end in (rel.source, rel.target):
                if end not in all_labels:
                    raise SchemaError(f"{rel.type}: endpoint label {end} is not declared")
            if rel.layer not in LAYERS:
                raise SchemaError(f"{rel.type}: unknown layer {rel.layer!r}")
            for prop in (*rel.properties, *rel.merge_on):
                if not _PROPERTY.match(prop):
                    raise SchemaError(f"{rel.type}.{prop} is not snake_case")

    def node(self, label: str) -> NodeSchema:
        try:
            return self.nodes[label]
        except KeyError:
            raise SchemaError(f"node label {label} is not declared in the schema") from None

    def rel(self, rel_type: str, source: str, target: str) -> RelSchema:
        try:
            return self.rels[(rel_type, source, target)]
        except KeyError:
            raise SchemaError(
                f"relationship ({source})-[:{rel_type}]->({target}) is not declared in the schema"
            ) from None

    def rels_of_type(self, rel_type: str) -> list[RelSchema]:
        return [r for r in self.rels.values() if r.type == rel_type]

    def labels_in_scope(self, scope: str) -> list[NodeSchema]:
        return [n for n in self.nodes.values() if n.scope == scope]

    def rel_types_in_scope(self, scope: str) -> list[str]:
        return sorted({r.type for r in self.rels.values() if r.scope == scope})
