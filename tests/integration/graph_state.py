"""The whole graph as comparable text, for tests that two ways of writing give the same graph."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import pipeline
from kg.graph.driver import Graph

DEMO = Path(__file__).resolve().parents[2] / "ingest" / "example" / "demo_snapshot"


def graph_state(graph: Graph, ignore: tuple[str, ...] = ("last_updated",)) -> list[str]:
    """Every node and relationship with its labels and properties, minus `ignore` (sorted text).

    Left out: kg's record of who last wrote to the graph and how many loads it has had
    (KgGraphState), which differs between two loads of the same snapshot."""
    rows = graph.read(
        "MATCH (n) WHERE NOT n:KgGraphState OPTIONAL MATCH (n)-[r]->(m) "
        "RETURN labels(n) AS labels, properties(n) AS props, type(r) AS rel, "
        "properties(r) AS rel_props, properties(m) AS target"
    )
    state = []
    for row in rows:
        row["labels"] = sorted(row["labels"])
        for key in ("props", "rel_props", "target"):
            if row[key] is not None:
                row[key] = {k: str(v) for k, v in row[key].items() if k not in ignore}
        state.append(json.dumps(row, sort_keys=True))
    return sorted(state)


def graph_checksum(graph: Graph, ignore: tuple[str, ...] = ()) -> str:
    """A digest of every node, relationship and property (minus `ignore`): equal digests mean
    byte-for-byte equal graphs, which is what "a failed load changes nothing" promises."""
    text = "\n".join(graph_state(graph, ignore=ignore))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def demo_state(graph: Graph) -> list[str]:
    """The demo organization loaded and derived into the (empty) graph, as `graph_state`."""
    load_snapshot(graph, Snapshot.open(DEMO))
    pipeline.derive_all(graph)
    return graph_state(graph, ignore=("last_updated", "first_seen"))
