"""Graph records: what transforms and analyses produce and the writer loads.

A transform never talks to Neo4j; it returns GraphRecords. Nodes come in two kinds: a full node
is the authority on its properties (a reload replaces them), a reference only makes sure the node
exists (an external account named in a trust policy, a service principal), so it never overwrites
what the authority wrote.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

NodeRef = tuple[str, Any]  # (label, key value)
RelIdent = tuple[str, str, str]  # (type, source label, target label)

PropertyValue = str | int | float | bool | list[str] | list[int] | list[float] | list[bool] | None


@dataclass
class GraphRecords:
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    refs: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rels: dict[RelIdent, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def node(self, label: str, **props: Any) -> None:
        """A node whose properties this record states in full."""
        self.nodes[label].append(props)

    def ref(self, label: str, **props: Any) -> None:
        """A node that must exist; props are only set when it is created here."""
        self.refs[label].append(props)

    def rel(self, rel_type: str, source: NodeRef, target: NodeRef, **props: Any) -> None:
        self.rels[(rel_type, source[0], target[0])].append(
            {"source": source[1], "target": target[1], "props": props}
        )

    def extend(self, other: GraphRecords) -> None:
        for label, rows in other.nodes.items():
            self.nodes[label].extend(rows)
        for label, rows in other.refs.items():
            self.refs[label].extend(rows)
        for ident, rows in other.rels.items():
            self.rels[ident].extend(rows)

    def counts(self) -> dict[str, int]:
        return {
            "nodes": sum(len(r) for r in self.nodes.values()),
            "refs": sum(len(r) for r in self.refs.values()),
            "relationships": sum(len(r) for r in self.rels.values()),
        }
