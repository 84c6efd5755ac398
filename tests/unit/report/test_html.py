"""The HTML report's data and page, without a database: nodes by name, each hop once, coverage
tallied per target and column, and a page that no value can break."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from kg.analysis.coverage.report import tally
from kg.analysis.hop_controls import MissingControl
from kg.analysis.paths import AttackPath, Hop, Routes, TargetRoutes
from kg.analysis.route_graph import Node
from kg.catalog import load_catalog
from kg.errors import ReportAssetError
from kg.report import html
from kg.report.html import StartFindings, attack_data, coverage_data, paths_page, render

ACCOUNT = "111122223333"
INTERFACE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-interface/eni-0abc"
INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0web"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/web-role"
BUCKET = "arn:aws:s3:::customer-records"
HOSTILE = "</script><script>document.title='owned'</script>"
MISSING = MissingControl("NET-IMDSV2", "IMDSv2 required", "missing", ACCOUNT, ("us-east-1",), "")


def _node(key: str, label: str, name: str, reason: str = "") -> Node:
    return Node(key, label, name, ACCOUNT, reason, False, bool(reason))


NODES = {
    "internet": _node("internet", "Internet", "internet"),
    INTERFACE: _node(INTERFACE, "NetworkInterface", INTERFACE),  # no name: its ARN
    INSTANCE: _node(INSTANCE, "EC2Instance", "web-1"),
    ROLE: _node(ROLE, "Role", "web-role"),
    BUCKET: _node(BUCKET, "S3Bucket", "customer-records", "tagged data=confidential"),
}
REACH = Hop("internet", INTERFACE, "CAN_REACH", "network", "internet can connect to eni-0abc")
LANDS = Hop(INTERFACE, INSTANCE, "DELIVERS_TO", "network", "traffic lands on web-1")
RUNS = Hop(INSTANCE, ROLE, "RUNS_AS", "principals", "web-1 runs as web-role", (), (MISSING,))
READS = Hop(ROLE, BUCKET, "CAN_ACCESS", "resources", "web-role can read customer-records")


def _path(*hops: Hop) -> AttackPath:
    return AttackPath("internet", hops[-1].target, "tagged", 2, hops, INTERFACE)


ROUTES = Routes(
    [_path(REACH, LANDS, RUNS, READS), _path(REACH, LANDS, RUNS)],
    [TargetRoutes(BUCKET, "tagged data=confidential", 1, 1, True, 1)],
    nodes=NODES,
)


def test_the_graph_names_nodes_and_holds_each_hop_once() -> None:
    data = attack_data([StartFindings("internet", ROUTES)])
    names = {node["id"]: node["name"] for node in data["graph"]["nodes"]}
    assert names == {
        "internet": "internet",
        INTERFACE: "eni-0abc",
        INSTANCE: "web-1",
        ROLE: "web-role",
        BUCKET: "customer-records",
    }
    edges = data["graph"]["edges"]
    assert len(edges) == 4, "the hops the two routes share are drawn once"
    first, second = data["routes"]
    assert second["hops"] == first["hops"][:3]
    by_id = {edge["id"]: edge for edge in edges}
    assert [by_id[i]["relation"] for i in first["hops"]] == [
        "CAN_REACH",
        "DELIVERS_TO",
        "RUNS_AS",
        "CAN_ACCESS",
    ]
    assert (first["source"], first["target"], first["entry"]) == (
        "internet",
        "customer-records",
        "eni-0abc",
    )
    [runs] = [edge for edge in edges if edge["relation"] == "RUNS_AS"]
    assert runs["missing_controls"][0]["control_id"] == "NET-IMDSV2"
    assert "missing in 111122223333 us-east-1" in runs["missing_controls"][0]["summary"]


def test_accounts_are_named_where_their_names_are_known() -> None:
    data = attack_data([StartFindings("internet", ROUTES)], {ACCOUNT: "app-dev"})
    [runs] = [edge for edge in data["graph"]["edges"] if edge["relation"] == "RUNS_AS"]
    assert runs["missing_controls"][0]["summary"] == (
        "NET-IMDSV2 (IMDSv2 required) missing in app-dev us-east-1"
    )
    assert runs["missing_controls"][0]["account_id"] == ACCOUNT
    nodes = {node["id"]: node for node in data["graph"]["nodes"]}
    assert nodes[ROLE]["account"] == f"app-dev ({ACCOUNT})"


def test_nodes_carry_their_layer_and_which_are_starts_and_targets() -> None:
    nodes = {n["id"]: n for n in attack_data([StartFindings("internet", ROUTES)])["graph"]["nodes"]}
    assert [key for key, node in nodes.items() if node["start"]] == ["internet"]
    assert nodes[BUCKET]["target_reason"] == "tagged data=confidential"
    assert nodes[ROLE]["layer"] == "principals"
    assert nodes[BUCKET]["layer"] == "resources"
    assert nodes[INTERFACE]["layer"] == "network"


def _row(target: dict[str, Any], layer: str, capability: str, status: str) -> dict[str, Any]:
    return {
        **target,
        "region": None,
        "control_id": f"{layer}-{status}",
        "title": "a control",
        "layer": layer,
        "capability": capability,
        "service": None,
        "status": status,
        "scope": "account",
        "evidence": f"seen {status}",
        "reason": None,
        "remediation": "turn it on",
    }


ORG = {
    "target_kind": "organization",
    "target_id": "arn:aws:organizations::1:organization/o-1",
    "account_id": None,
    "account_name": None,
    "ou_path": "Root",
}
DEV = {
    "target_kind": "account",
    "target_id": ACCOUNT,
    "account_id": ACCOUNT,
    "account_name": "app-dev",
    "ou_path": "Root/Workloads",
}


def test_coverage_is_tallied_per_target_and_column_with_its_verdicts() -> None:
    catalog = load_catalog()
    capability = catalog.capabilities[0].id
    rows = [
        _row(ORG, "organization", capability, "in_place"),
        _row(DEV, "network", capability, "missing"),
        _row(DEV, "network", capability, "in_place"),
        _row(DEV, "principals", capability, "not_applicable"),
    ]
    found = coverage_data(rows, catalog)
    org, dev = found["targets"]
    assert (org["name"], org["kind"]) == ("Organization", "organization")
    assert (dev["name"], dev["ou_path"]) == ("app-dev", "Root/Workloads")
    assert dev["by_layer"]["network"] == tally(rows[1:3])
    assert dev["by_layer"]["network"]["in_place_percent"] == 50.0
    assert dev["by_layer"]["principals"]["applicable"] == 0
    assert dev["by_capability"][capability] == tally(rows[1:])
    assert dev["overall"] == tally(rows[1:])
    assert set(dev["by_layer"]) == {layer.id for layer in catalog.layers}
    assert [v["evidence"] for v in found["verdicts"][ACCOUNT]] == [
        "seen missing",
        "seen in_place",
        "seen not_applicable",
    ]
    assert found["controls"]["network-missing"] == {
        "title": "a control",
        "layer": "network",
        "capability": capability,
        "remediation": "turn it on",
    }


def _ou(path: str) -> dict[str, Any]:
    return {**ORG, "target_kind": "organizational_unit", "target_id": f"ou-{path}", "ou_path": path}


def test_the_heatmap_lists_each_ou_with_its_accounts_before_its_child_ous() -> None:
    catalog = load_catalog()
    capability = catalog.capabilities[0].id
    management = {**DEV, "target_id": "1", "account_name": "management", "ou_path": "Root"}
    targets = [_ou("Root/Workloads"), _ou("Root/Workloads/Dev"), DEV, management, ORG]
    rows = [_row(target, "account", capability, "missing") for target in targets]
    found = coverage_data(rows, catalog)
    assert [t["name"] for t in found["targets"]] == [
        "Organization",
        "management",
        "Workloads",
        "app-dev",
        "Dev",
    ]


def _data_block(page: str) -> Any:
    found = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page)
    assert found is not None
    return json.loads(found.group(1))


def test_no_name_or_title_can_end_a_script_or_add_markup() -> None:
    hostile = Node(BUCKET, "S3Bucket", HOSTILE, ACCOUNT, HOSTILE, False, True)
    routes = Routes(ROUTES.paths, ROUTES.targets, nodes={**NODES, BUCKET: hostile})
    page = paths_page(routes, "internet", title=f"Paths {HOSTILE}")
    assert HOSTILE not in page
    assert page.count("<script") == page.count("</script>")
    data = _data_block(page)
    assert HOSTILE in [node["name"] for node in data["graph"]["nodes"]]
    assert "<title>Paths &lt;/script&gt;" in page


def test_the_page_loads_nothing_from_elsewhere() -> None:
    page = paths_page(ROUTES, "internet", title="Paths")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script src" not in page
    assert "cytoscape" in page, "the graph library is inlined"


def test_without_coverage_the_page_has_no_heatmap() -> None:
    page = paths_page(ROUTES, "internet", title="Paths")
    assert _data_block(page)["coverage"] is None
    assert 'id="heatmap"' not in page
    data = {**html.catalog_data(load_catalog()), "coverage": coverage_data([], load_catalog())}
    data |= attack_data([])
    assert 'id="heatmap"' in render(data, "Report")


def test_a_missing_graph_library_says_how_to_build_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "GRAPH_LIBRARY", "not-built.js")
    with pytest.raises(ReportAssetError, match="make setup"):
        paths_page(ROUTES, "internet", title="Paths")
