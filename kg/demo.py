"""The demo: a local Neo4j, the example organization loaded and analysed, ready to explore.

This is what `kg demo` (and `make demo`) runs; its output is the README's first impression, so
every step here is the same library code a real load uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

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
    browser_url: str | None
    load: LoadSummary
    derive: DeriveSummary


def _is_local(settings: Neo4jSettings) -> bool:
    return urlparse(settings.uri).hostname in ("127.0.0.1", "localhost")


def ensure_server(settings: Neo4jSettings) -> tuple[bool, str | None]:
    """Use the configured Neo4j if it answers; start the local one only when it is local."""
    browser = server.local_config(settings).browser_url if _is_local(settings) else None
    try:
        with Graph(settings) as graph:
            graph.verify()
        return False, browser
    except Neo4jUnavailableError:
        if not _is_local(settings):
            raise
    status = server.start(settings)
    return True, status.browser_url


def run_demo(
    settings: Neo4jSettings,
    snapshot_path: Path = DEMO_SNAPSHOT,
    crown_jewels: CrownJewelConfig = DEFAULT,
    replace: bool = False,
) -> DemoRun:
    started, browser = ensure_server(settings)
    with Graph(settings) as graph:
        graph.verify()
        loaded, derived = load_and_derive(
            graph,
            Snapshot.open(snapshot_path),
            command="kg demo",
            replace=replace,
            crown_jewels=crown_jewels,
        )
    return DemoRun(started, browser, loaded, derived)
