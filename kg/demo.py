"""The demo: a local Neo4j, the example organization loaded and analysed, ready to explore.

This is what `kg demo` (and `make demo`) runs; its output is the README's first impression, so
every step here is the same library code a real load uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ingest.example
from ingest.load import LoadSummary, load_and_derive
from ingest.snapshot import Snapshot
from kg import server
from kg.analysis.crown_jewels import DEFAULT, CrownJewelConfig
from kg.analysis.pipeline import DeriveSummary
from kg.config import Neo4jSettings
from kg.errors import Neo4jUnavailableError
from kg.graph.driver import Graph

DEMO_SNAPSHOT = Path(ingest.example.__file__).parent / "demo_snapshot"


@dataclass(frozen=True)
class DemoRun:
    started_server: bool
    load: LoadSummary
    derive: DeriveSummary


def ensure_server(settings: Neo4jSettings) -> bool:
    """Use the configured Neo4j if it answers; start the local one only when it is local.
    True when it was started."""
    try:
        with Graph(settings) as graph:
            graph.verify()
        return False
    except Neo4jUnavailableError:
        if not server.is_local(settings):
            raise
    server.start(settings)
    return True


def run_demo(
    settings: Neo4jSettings,
    snapshot_path: Path = DEMO_SNAPSHOT,
    crown_jewels: CrownJewelConfig = DEFAULT,
    replace: bool = False,
) -> DemoRun:
    started = ensure_server(settings)
    with Graph(settings) as graph:
        graph.verify()
        loaded, derived = load_and_derive(
            graph,
            Snapshot.open(snapshot_path),
            command="kg demo",
            replace=replace,
            crown_jewels=crown_jewels,
        )
    return DemoRun(started, loaded, derived)
