"""Ranking of paths, and a hop of the graph in words."""

from __future__ import annotations

import pytest

from kg.analysis.paths import (
    AttackPath,
    Hop,
    check_arguments,
    hop_from,
    rank,
    target_reason,
    target_value,
)
from kg.analysis.route_graph import Node
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


def _node(key: str, name: str, **more: object) -> Node:
    fields: dict[str, object] = {
        "account_id": None,
        "crown_jewel_reason": "",
        "is_admin": False,
        "target": False,
        **more,
    }
    return Node(key, "Node", name, **fields)  # type: ignore[arg-type]


def test_a_hop_in_words_with_its_layer_explanation_and_controls() -> None:
    internet, eni = _node("internet", "internet"), _node("arn:eni", "eni-1")
    rows = [{"properties": {"traffic": "tcp/22", "controls": ["sg-1 allows tcp/22"]}}]
    hop = hop_from(internet, eni, "CAN_REACH", rows)
    assert (hop.layer, hop.explanation) == ("network", "internet can connect to eni-1 on tcp/22")
    assert hop.controls == ("sg-1 allows tcp/22",)
    lands = hop_from(eni, _node("arn:i", "dev-bastion"), "DELIVERS_TO", [])
    assert lands.explanation == "traffic to eni-1 lands on dev-bastion"
    assert hop.text == "internet -[CAN_REACH]-> arn:eni"


def test_admin_principals_and_the_management_account_are_worth_most() -> None:
    assert target_value(_node("arn:role", "r", is_admin=True)) == 3
    assert target_reason(_node("arn:role", "r", is_admin=True)) == "admin-equivalent"
    assert target_value(_node("arn:b", "b", crown_jewel_reason="tagged sensitive=true")) == 2


def test_conditional_assumption_lists_its_undecided_conditions_as_controls() -> None:
    props = {
        "via": "sts:AssumeRole",
        "conditional": True,
        "conditions": '[{"condition": "aws:SourceIp"}]',
    }
    hop = hop_from(_node("arn:a", "a"), _node("arn:b", "b"), "CAN_ASSUME", [{"properties": props}])
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
