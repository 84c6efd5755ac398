"""Checks of one rule set share their decisions between peers; what names a peer stays its own."""

from __future__ import annotations

from kg.analysis.reachability.addresses import AddressRange, parse_address
from kg.analysis.reachability.checks import (
    AclDecisions,
    GroupDecisions,
    NetworkAclCheck,
    Peer,
    PeerRouteCheck,
    RouteDecisions,
    SecurityGroupCheck,
)
from kg.analysis.reachability.model import (
    NetworkAcl,
    NetworkAclEntry,
    Route,
    RouteTable,
    RouteTarget,
    SecurityGroup,
    SecurityGroupRule,
)
from kg.analysis.reachability.results import ControlKind, Step, Verdict
from kg.analysis.reachability.traffic import TrafficSet

ACL = NetworkAcl(
    "acl-1",
    "vpc-1",
    (
        NetworkAclEntry(
            100,
            egress=False,
            allow=True,
            protocol="tcp",
            cidr="10.0.0.0/8",
            from_port=22,
            to_port=22,
        ),
    ),
)


def _piece(ip: str) -> AddressRange:
    family, address = parse_address(ip)
    return AddressRange(family, address, address)


def _acl_inbound(label: str, decided: AclDecisions) -> NetworkAclCheck:
    return NetworkAclCheck(ACL, egress=False, peer=Peer(label), decided=decided)


def test_peers_matching_the_same_acl_rules_share_a_decision_but_keep_their_names() -> None:
    decided: AclDecisions = {}
    first = _acl_inbound("10.1.1.1 (eni-a)", decided).evaluate(
        _piece("10.1.1.1"), TrafficSet.everything()
    )
    second = _acl_inbound("10.2.2.2 (eni-b)", decided).evaluate(
        _piece("10.2.2.2"), TrafficSet.everything()
    )
    assert len(decided) == 1
    assert first.allowed == second.allowed == TrafficSet.of("tcp", 22)
    assert [s.detail for s in first.steps] == [
        "rule 100 allows tcp/22 inbound from 10.0.0.0/8",
        "rule * denies tcp/0-21,23-65535, all other protocols inbound from 10.1.1.1 (eni-a)"
        ": no rule allows it",
    ]
    assert second.steps[-1].detail.endswith("inbound from 10.2.2.2 (eni-b): no rule allows it")


def test_a_peer_matching_other_acl_rules_gets_its_own_decision() -> None:
    decided: AclDecisions = {}
    _acl_inbound("10.1.1.1 (eni-a)", decided).evaluate(_piece("10.1.1.1"), TrafficSet.everything())
    outside = _acl_inbound("192.168.0.9 (eni-c)", decided).evaluate(
        _piece("192.168.0.9"), TrafficSet.everything()
    )
    assert len(decided) == 2
    assert not outside.allowed
    assert [s.detail for s in outside.steps] == [
        "rule * denies all traffic inbound from 192.168.0.9 (eni-c): no rule allows it"
    ]


APP = SecurityGroup(
    "sg-app",
    "vpc-1",
    ingress=(
        SecurityGroupRule("tcp", 443, 443, group_ids=("sg-web",)),
        SecurityGroupRule("tcp", 22, 22, ipv4_ranges=("10.9.0.0/16",)),
    ),
)


def _app_ingress(
    peer: Peer, peer_groups: frozenset[str], decided: GroupDecisions
) -> SecurityGroupCheck:
    return SecurityGroupCheck("eni-app", (APP,), (), True, peer, peer_groups, decided)


def test_security_group_decisions_follow_how_the_rules_name_each_peer() -> None:
    decided: GroupDecisions = {}
    everything = TrafficSet.everything()
    web = _app_ingress(Peer("10.0.0.5 (eni-web)"), frozenset({"sg-web"}), decided)
    other_web = _app_ingress(Peer("10.0.0.6 (eni-web2)"), frozenset({"sg-web"}), decided)
    admin = _app_ingress(Peer("10.9.0.7 (eni-admin)"), frozenset(), decided)
    stranger = _app_ingress(Peer("10.8.0.1 (eni-x)"), frozenset(), decided)
    assert web.evaluate(_piece("10.0.0.5"), everything).allowed == TrafficSet.of("tcp", 443)
    assert other_web.evaluate(_piece("10.0.0.6"), everything).allowed == TrafficSet.of("tcp", 443)
    assert len(decided) == 1
    admin_outcome = admin.evaluate(_piece("10.9.0.7"), everything)
    assert [s.detail for s in admin_outcome.steps] == ["allows tcp/22 from 10.9.0.0/16"]
    blocked = stranger.evaluate(_piece("10.8.0.1"), everything)
    assert not blocked.allowed
    assert [s.detail for s in blocked.steps] == ["allows none of all traffic from 10.8.0.1 (eni-x)"]
    assert len(decided) == 3


def test_equal_steps_are_one_key() -> None:
    made = Step(
        "sg-app", ControlKind.SECURITY_GROUP, Verdict.ALLOWS, "allows tcp/22 from 10.9.0.0/16"
    )
    again = Step(
        "sg-app", ControlKind.SECURITY_GROUP, Verdict.ALLOWS, "allows tcp/22 from 10.9.0.0/16"
    )
    assert hash(made) == hash(again) and {made: None, again: None} == {made: None}


LOCAL = RouteTable("rtb-1", "vpc-1", (Route("10.0.0.0/16", RouteTarget.LOCAL, "local"),))


def _routes(source_label: str, decided: RouteDecisions) -> PeerRouteCheck:
    destination = parse_address("10.0.2.5")
    return PeerRouteCheck(LOCAL, LOCAL, destination, "10.0.2.5 (eni-db)", source_label, decided)


def test_sources_reached_by_the_same_routes_share_a_decision() -> None:
    decided: RouteDecisions = {}
    everything = TrafficSet.everything()
    first = _routes("10.0.1.1 (eni-a)", decided).evaluate(_piece("10.0.1.1"), everything)
    second = _routes("10.0.3.3 (eni-b)", decided).evaluate(_piece("10.0.3.3"), everything)
    assert first == second and first.allowed == everything and len(decided) == 1
    assert [s.detail for s in first.steps] == ["routes 10.0.0.0/16 to local"] * 2


def test_a_missing_route_back_names_the_source() -> None:
    decided: RouteDecisions = {}
    outcome = _routes("192.168.0.1 (eni-c)", decided).evaluate(
        _piece("192.168.0.1"), TrafficSet.everything()
    )
    assert not outcome.allowed and not decided
    assert [s.detail for s in outcome.steps] == [
        "routes 10.0.0.0/16 to local",
        "has no route to 192.168.0.1 (eni-c)",
    ]
