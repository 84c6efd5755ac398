"""An access hop of a path says which objects it reaches and which it does not claim."""

from __future__ import annotations

import json

from kg.analysis.paths import hop_from
from kg.analysis.route_graph import Node

ROLE = Node("arn:aws:iam::111111111111:role/app", "Role", "app", "111111111111", "", False, False)
BUCKET = Node("arn:aws:s3:::home-dirs", "S3Bucket", "home-dirs", "111111111111", "", False, True)


def test_an_access_hop_names_its_scopes_and_their_exclusions() -> None:
    detail = [
        {"scope": "home/alice/*", "actions": ["s3:PutObject"], "excluding": []},
        {"scope": "home/alice/*", "actions": ["s3:GetObject"], "excluding": ["home/alice/p/*"]},
        {"scope": "logs/*", "actions": ["s3:GetObject"], "excluding": []},
    ]
    props = {"access_levels": ["Read", "Write"], "scope_detail": json.dumps(detail)}
    hop = hop_from(ROLE, BUCKET, "CAN_ACCESS", [{"properties": props}])
    assert hop.explanation == (
        "app has Read, Write access to home-dirs "
        "(scope home/alice/*, except home/alice/p/* for s3:GetObject; logs/*)"
    )


def test_an_access_hop_without_objects_names_no_scope() -> None:
    hop = hop_from(ROLE, BUCKET, "CAN_ACCESS", [{"properties": {"access_levels": ["List"]}}])
    assert hop.explanation == "app has List access to home-dirs"
