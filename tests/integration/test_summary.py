"""`kg summary` says no more than the detailed commands: over the two-door organization (two
public web servers lead to one confidential bucket), its fixes are the verified cuts and its
counts those of `kg paths`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import chokepoints, paths, pipeline
from kg.catalog import load_catalog
from kg.graph.driver import Graph
from kg.report.summary import STARTS, build_summary, summary_document, summary_text
from tests.integration import two_doors as org

pytestmark = pytest.mark.integration


@pytest.fixture
def shop(graph: Graph, tmp_path: Path) -> Graph:
    load_snapshot(graph, Snapshot.open(org.write_two_doors(tmp_path / "snapshot")))
    pipeline.derive_all(graph)
    return graph


def test_the_summary_fixes_are_the_verified_cuts_and_its_counts_those_of_paths(
    shop: Graph,
) -> None:
    summary = build_summary(shop, load_catalog())
    assert [start.start for start in summary.starts] == list(STARTS)
    for start in summary.starts:
        cuts = chokepoints.find_chokepoints(shop, start.start, "crown-jewels")
        assert [fix.change for fix in start.fixes] == [cut.fix for cut in cuts]
        routes = paths.find_paths(shop, start.start, "crown-jewels")
        assert start.targets == len(routes.targets)
        assert start.routes == sum(each.total for each in routes.targets)
    internet = summary.starts[0]
    assert internet.targets >= 1
    assert org.RECORDS_BUCKET in {name for fix in internet.fixes for name in fix.protects}
    [worst] = internet.worst
    assert worst.score == min(p.score for p in paths.find_paths(shop, "internet").paths)


def test_the_summary_counts_every_account_and_every_verdict(shop: Graph) -> None:
    summary = build_summary(shop, load_catalog())
    [row] = shop.read(
        "MATCH (a:Account) WHERE NOT coalesce(a.external, false) RETURN count(a) AS accounts"
    )
    assert summary.accounts == row["accounts"]
    [verdicts] = shop.read("MATCH ()-[c:HAS_COVERAGE]->() RETURN count(c) AS n")
    counted = sum(summary.overall[s] for s in ("in_place", "partial", "missing", "unknown"))
    assert counted + summary.overall["not_applicable"] == verdicts["n"]
    document = summary_document(summary)
    assert document["coverage"]["overall"] == summary.overall
    text = summary_text(summary, width=72)
    assert max(len(line) for line in text.splitlines()) <= 72
