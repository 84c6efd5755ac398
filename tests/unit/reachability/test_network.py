"""The network's lookups: interfaces by address within the VPCs asked about, target groups by
load balancer."""

from __future__ import annotations

from kg.analysis.reachability import Network, NetworkInterface, TargetGroup
from kg.analysis.reachability.addresses import parse_cidr


def _interface(interface_id: str, vpc_id: str, ip: str) -> NetworkInterface:
    return NetworkInterface(interface_id, f"subnet-{vpc_id}", vpc_id, private_ips=(ip,))


def test_interfaces_in_a_cidr_come_from_the_vpcs_asked_about_in_address_order() -> None:
    network = Network(
        interfaces=(
            _interface("eni-c", "vpc-b", "10.0.0.30"),
            _interface("eni-a", "vpc-a", "10.0.0.10"),
            _interface("eni-other", "vpc-c", "10.0.0.20"),
            _interface("eni-b", "vpc-a", "10.0.0.40"),
            _interface("eni-outside", "vpc-a", "10.1.0.5"),
        )
    )
    found = network.interfaces_in(parse_cidr("10.0.0.0/24"), frozenset({"vpc-a", "vpc-b"}))
    assert [i.network_interface_id for i in found] == ["eni-a", "eni-c", "eni-b"]
    assert network.interfaces_in(parse_cidr("0.0.0.0/0"), ("vpc-c",)) == [
        network.interface["eni-other"]
    ]
    assert network.interfaces_in(parse_cidr("10.0.0.0/24"), ("vpc-unknown",)) == []


def test_target_groups_of_a_load_balancer_keep_the_order_of_the_facts() -> None:
    def group(arn: str, *balancers: str) -> TargetGroup:
        return TargetGroup(arn, arn, "HTTP", 80, "instance", load_balancer_arns=balancers)

    network = Network(
        target_groups=(
            group("tg-b", "lb-1", "lb-1"),
            group("tg-other", "lb-2"),
            group("tg-a", "lb-2", "lb-1"),
        )
    )
    assert [g.target_group_arn for g in network.target_groups_of("lb-1")] == ["tg-b", "tg-a"]
    assert network.target_groups_of("lb-unknown") == ()
