"""Routes and cuts over small graphs in memory, built to make them lie: routes the count did not
reach, routes longer than the hops asked for, hops that only some routes share."""

from __future__ import annotations

from typing import Any

import pytest

from kg.analysis import chokepoints, paths
from kg.analysis.route_graph import RouteGraph, Without, build


def graph_of(edges: list[tuple[str, str, str]], targets: set[str]) -> RouteGraph:
    """A route graph from (from, relation, to) triples, as the query's rows give it; the
    internet is the start."""
    keys = sorted({end for a, _, b in edges for end in (a, b)})
    rows: list[dict[str, Any]] = [
        {
            "id": key,
            "start": key == "internet",
            "target": key in targets,
            "key": key,
            "label": "Internet" if key == "internet" else "Node",
            "name": key,
            "account_id": None,
            "crown_jewel_reason": "tagged" if key in targets else None,
            "is_admin": False,
            "out": [[rel, b, f"{a}-{rel}-{b}"] for a, rel, b in edges if a == key],
        }
        for key in keys
    ]
    return build(rows)


def _keys(graph: RouteGraph, route: tuple[tuple[int, str, int], ...]) -> list[str]:
    return [graph.nodes[route[0][0]].key, *(graph.nodes[hop[2]].key for hop in route)]


def _cuts(graph: RouteGraph, max_hops: int = 6) -> dict[str, set[str]]:
    """Each verified cut (a hop as 'a>b', a node by key) with the targets it disconnects."""
    found = chokepoints.verified_cuts(graph, paths.search(graph, max_hops))
    named = {}
    for element, cut in found.items():
        key = (
            f"{graph.nodes[element[0]].key}>{graph.nodes[element[2]].key}"
            if isinstance(element, tuple)
            else graph.nodes[element].key
        )
        named[key] = {graph.nodes[t].key for t in cut.targets}
    return named


TWO_DOORS = [
    ("internet", "CAN_REACH", "eni-a"),
    ("internet", "CAN_REACH", "eni-b"),
    ("eni-a", "DELIVERS_TO", "web-a"),
    ("eni-b", "DELIVERS_TO", "web-b"),
    ("web-a", "RUNS_AS", "role"),
    ("web-b", "RUNS_AS", "role"),
    ("role", "CAN_ACCESS", "bucket"),
]


def test_two_doors_to_one_bucket_are_two_routes_shown_even_at_one_per_target() -> None:
    graph = graph_of(TWO_DOORS, {"bucket"})
    [found] = paths.search(graph, 6, per_target=1).by_target.values()
    assert found.entries == 2 and found.complete
    assert sorted(_keys(graph, route)[1] for route in found.shown) == ["eni-a", "eni-b"]


def test_only_what_every_route_shares_is_a_cut() -> None:
    cuts = _cuts(graph_of(TWO_DOORS, {"bucket"}))
    assert cuts == {"role>bucket": {"bucket"}, "role": {"bucket"}}


def test_a_route_the_count_did_not_reach_still_saves_the_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The two routes counted share role's access; a third, never counted, goes around it."""
    edges = [
        ("internet", "CAN_REACH", "eni-a"),
        ("eni-a", "DELIVERS_TO", "web-a"),
        ("web-a", "RUNS_AS", "role"),
        ("eni-a", "CAN_REACH", "eni-x"),
        ("eni-x", "DELIVERS_TO", "web-x"),
        ("web-x", "RUNS_AS", "role"),
        ("eni-a", "CAN_REACH", "eni-y"),
        ("eni-y", "DELIVERS_TO", "web-y"),
        ("web-y", "RUNS_AS", "role2"),
        ("role", "CAN_ACCESS", "bucket"),
        ("role2", "CAN_ACCESS", "bucket"),
    ]
    monkeypatch.setattr(paths, "ROUTES_COUNTED", 2)
    graph = graph_of(edges, {"bucket"})
    [found] = paths.search(graph, 6).by_target.values()
    assert not found.complete  # the count stopped: the total is a lower bound
    assert all("role" in _keys(graph, route) for route in found.counted)
    cuts = _cuts(graph)
    assert "role>bucket" not in cuts and "role" not in cuts
    assert cuts["internet>eni-a"] == {"bucket"}


def test_a_cut_holds_against_routes_longer_than_the_hops_asked_for() -> None:
    """Within 3 hops one route passes web-a; a 5-hop one goes around it: not a cut."""
    edges = [
        ("internet", "CAN_REACH", "eni-a"),
        ("eni-a", "DELIVERS_TO", "web-a"),
        ("web-a", "CAN_ACCESS", "bucket"),
        ("internet", "CAN_REACH", "n1"),
        ("n1", "CAN_REACH", "n2"),
        ("n2", "CAN_REACH", "n3"),
        ("n3", "CAN_REACH", "n4"),
        ("n4", "CAN_ACCESS", "bucket"),
    ]
    graph = graph_of(edges, {"bucket"})
    [found] = paths.search(graph, 3).by_target.values()
    assert [_keys(graph, route) for route in found.counted] == [
        ["internet", "eni-a", "web-a", "bucket"]
    ]
    assert _cuts(graph, max_hops=3) == {}


def test_without_a_hop_the_search_goes_around_it_or_finds_nothing() -> None:
    graph = graph_of(TWO_DOORS, {"bucket"})
    door = (graph.index["internet"], "CAN_REACH", graph.index["eni-a"])
    around = graph.removing(Without(hops=frozenset({door})))
    [found] = paths.search(around, 6).by_target.values()
    assert [_keys(around, route)[1] for route in found.counted] == ["eni-b"]
    role = graph.index["role"]
    assert paths.search(graph.removing(Without(nodes=frozenset({role}))), 6).by_target == {}


def test_routes_never_visit_a_node_twice_and_stop_at_their_target() -> None:
    edges = [
        ("internet", "CAN_REACH", "eni-a"),
        ("eni-a", "DELIVERS_TO", "web-a"),
        ("web-a", "SENDS_THROUGH", "eni-a"),
        ("web-a", "RUNS_AS", "admin"),
        ("admin", "CAN_ACCESS", "bucket"),
    ]
    graph = graph_of(edges, {"admin", "bucket"})
    found = paths.search(graph, 6).by_target
    routes = [_keys(graph, route) for each in found.values() for route in each.counted]
    assert sorted(routes) == [
        ["internet", "eni-a", "web-a", "admin"],
        ["internet", "eni-a", "web-a", "admin", "bucket"],
    ]
