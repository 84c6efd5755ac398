"""Ranking and chokepoints over in-memory paths, and the query row -> path adapter."""

from __future__ import annotations

import pytest

from kg.analysis.paths import (
    AttackPath,
    Hop,
    check_arguments,
    chokepoints,
    path_from_row,
    rank,
)
from kg.errors import ConfigError

BASTION_REACH = Hop("internet", "eni-1", "CAN_REACH", "network", "reach ssh", ("sg-1 allows",))
BASTION_BOX = Hop("eni-1", "i-1", "DELIVERS_TO", "network", "lands")
BASTION_ROLE = Hop("i-1", "role/bastion", "RUNS_AS", "principals", "runs as")


def _path(target: str, value: int, *hops: Hop) -> AttackPath:
    return AttackPath("internet", target, "", value, hops)


def test_fewer_defensive_layers_rank_first_whatever_the_length() -> None:
    guarded = _path("bucket", 2, BASTION_REACH, BASTION_BOX, BASTION_ROLE)
    network_only = _path("i-1", 1, BASTION_REACH, BASTION_BOX)
    assert network_only.score == 1 and guarded.score == 2
    assert rank([guarded, network_only]) == [network_only, guarded]


def test_equal_layers_rank_the_more_valuable_target_first() -> None:
    bucket = _path("bucket", 2, BASTION_REACH, BASTION_ROLE)
    admin = _path("admin", 3, BASTION_REACH, BASTION_ROLE)
    assert rank([bucket, admin]) == [admin, bucket]


def test_chokepoint_is_the_hop_shared_by_most_paths() -> None:
    other_reach = Hop("internet", "eni-2", "CAN_REACH", "network", "reach web")
    found = [
        _path("a", 1, BASTION_REACH, BASTION_BOX),
        _path("b", 1, BASTION_REACH, BASTION_BOX, BASTION_ROLE),
        _path("c", 1, other_reach),
    ]
    top, second, *_ = chokepoints(found)
    assert {top.hop.key, second.hop.key} == {BASTION_REACH.key, BASTION_BOX.key}
    assert (top.paths_broken, top.paths_total) == (2, 3)
    assert chokepoints(found)[-1].paths_broken == 1


def test_a_hop_repeated_within_one_path_counts_once() -> None:
    loop = _path("a", 1, BASTION_REACH, BASTION_REACH)
    assert [c.paths_broken for c in chokepoints([loop])] == [1]


def test_row_becomes_hops_with_layers_explanations_and_controls() -> None:
    row = {
        "nodes": [
            {"key": "internet", "name": "internet", "label": "Internet"},
            {"key": "arn:eni", "name": "eni-1", "label": "NetworkInterface"},
            {"key": "arn:i", "name": "dev-bastion", "label": "Ec2Instance"},
            {"key": "arn:role", "name": "bastion", "label": "Role", "is_admin": True},
        ],
        "rels": [
            {
                "relation": "CAN_REACH",
                "properties": {"traffic": "tcp/22", "controls": ["sg-1 allows tcp/22"]},
            },
            {"relation": "DELIVERS_TO", "properties": {}},
            {"relation": "RUNS_AS", "properties": {}},
        ],
    }
    path = path_from_row(row)
    assert (path.source, path.target, path.target_value) == ("internet", "arn:role", 3)
    assert [h.layer for h in path.hops] == ["network", "network", "principals"]
    assert path.hops[0].explanation == "internet can connect to eni-1 on tcp/22"
    assert path.hops[0].controls == ("sg-1 allows tcp/22",)
    assert path.hops[1].explanation == "traffic to eni-1 lands on dev-bastion"


def test_conditional_assumption_lists_its_undecided_conditions_as_controls() -> None:
    row = {
        "nodes": [
            {"key": "arn:a", "name": "a"},
            {"key": "arn:b", "name": "b", "crown_jewel_reason": "tagged sensitive=true"},
        ],
        "rels": [
            {
                "relation": "CAN_ASSUME",
                "properties": {
                    "via": "sts:AssumeRole",
                    "conditional": True,
                    "conditions": '[{"condition": "aws:SourceIp"}]',
                },
            }
        ],
    }
    [hop] = path_from_row(row).hops
    assert hop.controls == ('condition: {"condition": "aws:SourceIp"}',)
    assert "sts:AssumeRole" in hop.explanation


@pytest.mark.parametrize(
    ("source", "target", "max_hops", "named"),
    [
        ("everyone", "admin", 6, "--from"),
        ("internet", "bucket", 6, "--to"),
        ("internet", "admin", 0, "--max-hops"),
        ("internet", "admin", 11, "--max-hops"),
    ],
)
def test_bad_arguments_name_the_option(source: str, target: str, max_hops: int, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        check_arguments(source, target, max_hops)


def test_an_account_id_is_a_start_and_an_end_of_the_path_query() -> None:
    check_arguments("999988887777", "444455557777", 6)
    with pytest.raises(ConfigError, match="an account id or an ARN"):
        check_arguments("99998888777", "admin", 6)
