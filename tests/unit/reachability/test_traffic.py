"""Port and protocol arithmetic: exact ranges, -1 as every protocol, answers of a flow."""

from __future__ import annotations

import pytest

from kg.analysis.reachability.errors import ReachabilityInputError
from kg.analysis.reachability.model import rule_traffic
from kg.analysis.reachability.traffic import TCP, UDP, PortSet, TrafficSet


def test_port_range_intersection_is_exact() -> None:
    rule = PortSet.of(1000, 2000) | PortSet.of(8000, 8080)
    acl = PortSet.of(1500, 8040)
    assert (rule & acl).ranges == ((1500, 2000), (8000, 8040))


def test_port_difference_splits_a_range() -> None:
    assert (PortSet.of(0, 65535) - PortSet.of(22, 22)).ranges == ((0, 21), (23, 65535))


def test_union_merges_adjacent_ranges() -> None:
    assert (PortSet.of(20, 21) | PortSet.of(22, 25)).ranges == ((20, 25),)


def test_protocol_minus_one_means_every_protocol_on_every_port() -> None:
    everything = rule_traffic("rule", "-1", None, None)
    assert everything & TrafficSet.of("tcp", 22) == TrafficSet.of("tcp", 22)
    assert everything & TrafficSet.of("50") == TrafficSet.of("50")  # ESP, a port-less protocol
    assert str(everything) == "all traffic"


def test_a_rule_for_a_port_less_protocol_covers_it_whole() -> None:
    # AWS ignores the ports stated for protocols other than TCP, UDP and ICMP.
    assert rule_traffic("rule", "47", 10, 20) == TrafficSet.of("47")


def test_tcp_and_6_are_the_same_protocol() -> None:
    assert rule_traffic("rule", "tcp", 443, 443) == rule_traffic("rule", "6", 443, 443)


def test_removing_one_port_from_everything_keeps_the_rest() -> None:
    rest = TrafficSet.everything() - TrafficSet.of("tcp", 22)
    assert rest.ports(TCP).ranges == ((0, 21), (23, 65535))
    assert rest.ports(UDP).is_full
    assert str(rest) == "tcp/0-21,23-65535, all other protocols"


def test_answers_go_to_ephemeral_ports_and_keep_only_answered_protocols() -> None:
    asked = TrafficSet.of("tcp", 22) | TrafficSet.of("udp", 53)
    answers = asked.return_traffic()
    assert answers.ports(TCP).ranges == ((1024, 65535),)
    # An ACL that lets only TCP answers out keeps the TCP flow and drops the UDP one.
    let_out = answers & TrafficSet.of("tcp", 32768, 65535)
    assert asked.answered_by(let_out) == TrafficSet.of("tcp", 22)


def test_bad_ports_and_protocols_are_rejected() -> None:
    with pytest.raises(ReachabilityInputError, match="outside 0-65535"):
        PortSet.of(10, 70000)
    with pytest.raises(ReachabilityInputError, match="'gre' is not a protocol"):
        TrafficSet.of("gre")


def _general(left: TrafficSet, right: TrafficSet, op: str) -> TrafficSet:
    """The protocol-by-protocol combination, without the shortcuts for all and no traffic."""
    ops = {"|": PortSet.__or__, "&": PortSet.__and__, "-": PortSet.__sub__}
    return left._combine(right, ops[op])


@pytest.mark.parametrize("op", ["|", "&", "-"])
def test_all_and_no_traffic_combine_as_the_general_rule_does(op: str) -> None:
    sets = [
        TrafficSet.everything(),
        TrafficSet.nothing(),
        TrafficSet.of("tcp", 22),
        TrafficSet.everything() - TrafficSet.of("udp", 53),
        TrafficSet.of("50"),
    ]
    combine = {"|": TrafficSet.__or__, "&": TrafficSet.__and__, "-": TrafficSet.__sub__}[op]
    for left in sets:
        for right in sets:
            assert combine(left, right) == _general(left, right, op), (left, op, right)


def test_equal_sets_hash_and_read_alike() -> None:
    built = (TrafficSet.of("tcp", 22) | TrafficSet.of("udp", 53)) & TrafficSet.everything()
    same = TrafficSet.of("udp", 53) | TrafficSet.of("tcp", 22)
    assert built == same and hash(built) == hash(same)
    assert str(built) == str(same) == "tcp/22, udp/53"
    assert not TrafficSet.nothing() and TrafficSet.everything() and same
