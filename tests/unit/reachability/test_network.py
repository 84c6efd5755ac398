"""The network's lookups: interfaces found by address within the VPCs asked about."""

from __future__ import annotations

from kg.analysis.reachability import Network, NetworkInterface
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
