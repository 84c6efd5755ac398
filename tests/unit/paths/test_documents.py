"""The documented JSON shape of paths and chokepoints (the HTML page: tests/unit/report)."""

from __future__ import annotations

from kg.analysis.hop_controls import MissingControl
from kg.analysis.paths import AttackPath, Hop, Routes, TargetRoutes, paths_document

ADMIN_PORTS = MissingControl(
    "NET-SG-NO-ADMIN-PORTS-OPEN", "No SSH", "partial", "111122223333", ("us-east-1",), "sg-1: 22"
)
HOPS = (
    Hop(
        "internet",
        "arn:eni",
        "CAN_REACH",
        "network",
        "reach",
        ("sg-1 allows tcp/22",),
        (ADMIN_PORTS,),
    ),
    Hop("arn:eni", "arn:i", "DELIVERS_TO", "network", "lands"),
)
PATH = AttackPath("internet", "arn:i", "tagged sensitive=true", 2, HOPS, "arn:eni")
ROUTES = Routes(
    [PATH], [TargetRoutes("arn:i", "tagged sensitive=true", 1, 3, complete=False, entries=1)]
)


def test_paths_document_has_the_documented_keys_in_hop_order() -> None:
    document = paths_document(ROUTES)
    assert set(document) == {"paths", "targets", "without", "cut_off"}
    [path] = document["paths"]
    assert set(path) == {"source", "entry", "target", "target_reason", "score", "layers", "hops"}
    assert (path["source"], path["target"], path["score"]) == ("internet", "arn:i", 1)
    assert path["hops"][0] == {
        "from": "internet",
        "to": "arn:eni",
        "relation": "CAN_REACH",
        "layer": "network",
        "explanation": "reach",
        "controls": ["sg-1 allows tcp/22"],
        "missing_controls": [
            {
                "control_id": "NET-SG-NO-ADMIN-PORTS-OPEN",
                "title": "No SSH",
                "status": "partial",
                "account_id": "111122223333",
                "regions": ["us-east-1"],
                "evidence": "sg-1: 22",
            }
        ],
    }
    assert [hop["to"] for hop in path["hops"]] == ["arn:eni", "arn:i"]


def test_each_target_says_how_many_routes_are_not_shown() -> None:
    [target] = paths_document(ROUTES)["targets"]
    assert target == {
        "target": "arn:i",
        "target_reason": "tagged sensitive=true",
        "entry_points": 1,
        "routes_shown": 1,
        "routes_total": 3,
        "routes_beyond": 2,
        "total_is_exact": False,
    }
