"""`kg report` on the demo organization in a real Neo4j, opened in a real headless browser: the
page runs with no error, draws every node of the routes `kg paths` finds, by name, and its
first screen is not blank; `kg paths --format html` renders the same way."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

import ingest.example
from ingest.example.demo import facts
from ingest.load import load_and_derive
from ingest.snapshot import Snapshot
from kg.analysis.route_graph import Node
from kg.graph.driver import Graph
from kg.report.html import STARTS, paths_page, write_report
from tests import browser
from tests.e2e.conftest import KgRunner
from tests.unit.report.test_html import HOSTILE, NODES, ROUTES

pytestmark = pytest.mark.e2e

DEMO_SNAPSHOT = Path(ingest.example.__file__).parent / "demo_snapshot"
_DATA = re.compile(r'<script id="report-data" type="application/json">(.*?)</script>', re.S)


def _data(page: str) -> Any:
    found = _DATA.search(page)
    assert found is not None, "the page embeds its data"
    return json.loads(found.group(1))


def _attribute(dom: str, element: str, name: str) -> str:
    found = re.search(rf"<{element}\b[^>]*\b{name}=\"([^\"]*)\"", dom)
    assert found is not None, f"no {name} on <{element}>"
    return found.group(1)


@pytest.fixture(scope="module")
def demo_graph(_session_graph: Graph) -> Graph:
    _session_graph.read_guard = _session_graph.write_guard = None
    _session_graph.write("MATCH (n) DETACH DELETE n")
    load_and_derive(_session_graph, Snapshot.open(DEMO_SNAPSHOT), command="test", replace=True)
    return _session_graph


@pytest.fixture(scope="module")
def report_page(demo_graph: Graph, kg: KgRunner, tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("report") / "report.html"
    result = kg("report", "-o", str(page))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", "with -o the page goes to the file only"
    return page


def _paths_json(kg: KgRunner, start: str) -> Any:
    result = kg("paths", "--from", start, "--to", "crown-jewels", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_report_draws_the_routes_of_kg_paths_by_name(report_page: Path, kg: KgRunner) -> None:
    data = _data(report_page.read_text())
    expected_nodes: set[str] = set()
    expected_routes = 0
    for start in STARTS:
        found = _paths_json(kg, start)
        expected_routes += len(found["paths"])
        for path in found["paths"]:
            expected_nodes |= {path["source"], *(hop["to"] for hop in path["hops"])}
    nodes = {node["id"]: node for node in data["graph"]["nodes"]}
    assert set(nodes) == expected_nodes
    assert len(data["routes"]) == expected_routes
    assert facts.CUSTOMER_RECORDS_BUCKET_ARN in nodes
    assert nodes[facts.BASTION_INSTANCE_ARN]["name"] == "dev-bastion"
    assert not [n["name"] for n in nodes.values() if n["name"].startswith("arn:")]
    assert facts.NACL_BLOCKED_INSTANCE_ARN not in nodes


def test_the_library_writes_the_page_the_command_writes(
    report_page: Path, demo_graph: Graph, tmp_path: Path
) -> None:
    """What `kg demo` calls: the same page as `kg report -o`."""
    written = write_report(demo_graph, tmp_path / "report.html")
    assert written.read_text() == report_page.read_text().rstrip("\n")
    assert not list(tmp_path.glob(".*.partial"))


def test_the_heatmap_has_every_target_and_each_cell_its_verdicts(
    report_page: Path, demo_graph: Graph
) -> None:
    coverage = _data(report_page.read_text())["coverage"]
    [row] = demo_graph.read(
        "MATCH (t)-[c:HAS_COVERAGE]->() RETURN count(DISTINCT t) AS targets, count(c) AS verdicts"
    )
    assert len(coverage["targets"]) == row["targets"]
    assert sum(len(rows) for rows in coverage["verdicts"].values()) == row["verdicts"]
    kinds = [target["kind"] for target in coverage["targets"]]
    assert kinds[0] == "organization" and "organizational_unit" in kinds and "account" in kinds
    for target in coverage["targets"]:
        counted = sum(target["overall"][s] for s in ("in_place", "partial", "missing", "unknown"))
        assert counted == target["overall"]["applicable"]
        assert counted + target["overall"]["not_applicable"] == len(
            coverage["verdicts"][target["id"]]
        )


def test_the_report_runs_in_a_browser_with_no_error_and_draws_every_node(
    report_page: Path,
) -> None:
    data = _data(report_page.read_text())
    dom = browser.dump_dom(report_page)
    errors = _attribute(dom, "html", "data-errors")
    assert errors == "0", _attribute(dom, "html", "data-error-messages")
    assert _attribute(dom, "html", "data-report-ready") == "true"
    assert int(_attribute(dom, "div", "data-rendered-nodes")) == len(data["graph"]["nodes"]) > 0
    assert int(_attribute(dom, "div", "data-rendered-edges")) == len(data["graph"]["edges"]) > 0
    heatmap = dom.split('id="heatmap-table"', 1)[1].split("</table>", 1)[0]
    assert heatmap.count("<tr") == len(data["coverage"]["targets"]) + 1
    assert dom.count('<li data-route="') == len(data["routes"])


def test_a_cell_opens_its_verdicts_with_evidence(report_page: Path) -> None:
    coverage = _data(report_page.read_text())["coverage"]
    row, target = next(
        (i, t)
        for i, t in enumerate(coverage["targets"])
        if t["kind"] == "account" and t["by_layer"]["network"]["missing"]
    )
    dom = browser.dump_dom(report_page, fragment=f"cell-{row}-network")
    assert _attribute(dom, "html", "data-errors") == "0"
    opened = dom.split('id="coverage-detail"', 1)[1].split("</section>", 1)[0]
    network = [
        v
        for v in coverage["verdicts"][target["id"]]
        if coverage["controls"][v["control_id"]]["layer"] == "network"
    ]
    assert opened.count("<tr") == len(network) + 1
    assert f"{len(network)} verdicts" in opened
    assert html.escape(target["name"], quote=False) in opened
    [missing, *_] = [v for v in network if v["status"] == "missing" and v["evidence"]]
    assert html.escape(missing["evidence"], quote=False) in opened
    remedy = coverage["controls"][missing["control_id"]]["remediation"]
    assert remedy
    assert html.escape(remedy, quote=False) in opened


def test_a_link_to_a_route_opens_with_its_hops_explained(report_page: Path) -> None:
    data = _data(report_page.read_text())
    route = data["routes"][0]
    dom = browser.dump_dom(report_page, fragment=f"route-{route['start']}-{route['number']}")
    assert _attribute(dom, "html", "data-errors") == "0"
    assert 'class="picked"' in dom
    explained = dom.split('id="explain"', 1)[1].split("<h2>Routes", 1)[0]
    edges = {edge["id"]: edge for edge in data["graph"]["edges"]}
    for hop in route["hops"]:
        assert html.escape(edges[hop]["explanation"], quote=False) in explained
    assert html.escape(route["target"], quote=False) in explained


def test_the_reports_first_screen_is_not_blank(report_page: Path, tmp_path: Path) -> None:
    picture = browser.screenshot(report_page, tmp_path / "report.png")
    width, height, _ = browser.png_pixels(picture)
    assert (width, height) == browser.WINDOW
    assert browser.distinct_colours(picture) > 20


def test_the_paths_page_reads_names_and_runs_in_a_browser(
    demo_graph: Graph, kg: KgRunner, tmp_path: Path
) -> None:
    page = tmp_path / "paths.html"
    result = kg("paths", "--format", "html", "-o", str(page))
    assert result.returncode == 0, result.stderr
    data = _data(page.read_text())
    assert data["coverage"] is None
    expected = {
        key
        for path in _paths_json(kg, "internet")["paths"]
        for key in (path["source"], *(hop["to"] for hop in path["hops"]))
    }
    assert {node["id"] for node in data["graph"]["nodes"]} == expected
    assert not [n["name"] for n in data["graph"]["nodes"] if n["name"].startswith("arn:")]
    dom = browser.dump_dom(page)
    assert _attribute(dom, "html", "data-errors") == "0", dom[-2000:]
    assert int(_attribute(dom, "div", "data-rendered-nodes")) == len(expected)


def test_a_name_that_closes_a_script_is_shown_as_text(tmp_path: Path) -> None:
    [bucket] = [key for key, node in NODES.items() if node.label == "S3Bucket"]
    hostile = Node(bucket, "S3Bucket", HOSTILE, None, "tagged", False, True)
    routes = type(ROUTES)(ROUTES.paths, ROUTES.targets, nodes={**NODES, bucket: hostile})
    page = tmp_path / "hostile.html"
    page.write_text(paths_page(routes, "internet", title="Paths"))
    dom = browser.dump_dom(page)
    assert _attribute(dom, "html", "data-errors") == "0"
    assert "<title>Paths</title>" in dom, "no script of the data ran"
    assert "&lt;/script&gt;&lt;script&gt;" in dom, "the name is shown as text"
    assert int(_attribute(dom, "div", "data-rendered-nodes")) == len(NODES)


def test_a_large_graph_is_drawn_a_part_at_a_time_and_a_route_clicked_is_added(
    tmp_path: Path,
) -> None:
    page = tmp_path / "large.html"
    page.write_text(paths_page(ROUTES, "internet", title="Paths", drawn_nodes=3))
    dom = browser.dump_dom(page)
    assert _attribute(dom, "html", "data-errors") == "0"
    assert _attribute(dom, "div", "data-rendered-nodes") == "0", "no route fits in 3 nodes"
    assert f"of {len(NODES)} nodes" in dom
    dom = browser.dump_dom(page, fragment="route-internet-1")
    assert _attribute(dom, "html", "data-errors") == "0"
    assert int(_attribute(dom, "div", "data-rendered-nodes")) == len(NODES)
    dom = browser.dump_dom(page, fragment="route-internet-2")
    assert int(_attribute(dom, "div", "data-rendered-nodes")) == len(NODES) - 1
