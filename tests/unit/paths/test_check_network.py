"""Network values the reachability engine cannot read reject the records before a load writes
them, naming the fact; values it reads pass."""

from __future__ import annotations

from typing import Any

import pytest

from kg.analysis.exposure_network import check_network
from kg.errors import SnapshotError
from kg.graph.records import GraphRecords
from kg.model import load_schema

GOOD: dict[str, dict[str, Any]] = {
    "Vpc": {"arn": "vpc-arn", "vpc_id": "vpc-1", "cidrs": ["10.0.0.0/16"], "ipv6_cidrs": []},
    "Subnet": {
        "arn": "subnet-arn",
        "subnet_id": "subnet-1",
        "vpc_id": "vpc-1",
        "cidr": "10.0.1.0/24",
        "ipv6_cidrs": ["2600:1f18::/64"],
    },
    "Route": {
        "route_id": "rtb-1|0.0.0.0/0",
        "destination": "0.0.0.0/0",
        "target_type": "igw",
        "target_id": "igw-1",
    },
    "NetworkAclEntry": {
        "entry_id": "acl-1|ingress|100",
        "rule_number": 100,
        "egress": False,
        "rule_action": "allow",
        "protocol": "6",
        "cidr": "0.0.0.0/0",
        "from_port": 22,
        "to_port": 22,
    },
    "SecurityGroupRule": {
        "rule_id": "sg-1|ingress|tcp|22",
        "protocol": "tcp",
        "from_port": 22,
        "to_port": 22,
        "cidr": "0.0.0.0/0",
        "prefix_list_id": "pl-1",
        "prefix_list_cidrs": ["10.1.0.0/16"],
    },
    "NetworkInterface": {
        "arn": "eni-arn",
        "network_interface_id": "eni-1",
        "subnet_id": "subnet-1",
        "vpc_id": "vpc-1",
        "private_ip": "10.0.1.5",
        "public_ip": "54.0.0.1",
        "ipv6_addresses": ["2600:1f18::5"],
    },
    "Listener": {"arn": "listener-arn", "protocol": "HTTPS", "port": 443},
}
# One value the engine cannot read, per label and property.
BAD = [
    ("Vpc", "cidrs", ["10.0.0.0/33"]),
    ("Vpc", "ipv6_cidrs", ["not-a-cidr"]),
    ("Subnet", "cidr", "10.0.1.0/240"),
    ("Route", "destination", "0.0.0.0/x"),
    ("NetworkAclEntry", "cidr", "300.0.0.0/0"),
    ("NetworkAclEntry", "protocol", "bogus"),
    ("NetworkAclEntry", "to_port", 70000),
    ("SecurityGroupRule", "cidr", "not-a-cidr"),
    ("SecurityGroupRule", "protocol", "256"),
    ("SecurityGroupRule", "prefix_list_cidrs", ["1.2.3.4/99"]),
    ("NetworkInterface", "private_ip", "10.0.1.500"),
    ("NetworkInterface", "public_ip", "not-an-address"),
    ("Listener", "protocol", "CARRIER-PIGEON"),
]


def _records(label: str, row: dict[str, Any]) -> GraphRecords:
    records = GraphRecords()
    records.node(label, **row)
    return records


@pytest.mark.parametrize(
    "listener",
    [
        {"arn": "gwlb-listener", "protocol": None, "port": None},
        {"arn": "quic-listener", "protocol": "QUIC", "port": 443},
        {"arn": "tcp-quic-listener", "protocol": "TCP_QUIC", "port": 443},
    ],
    ids=["gateway load balancer", "QUIC", "TCP_QUIC"],
)
def test_listeners_aws_allows_pass(listener: dict[str, Any]) -> None:
    """A Gateway Load Balancer's listener has no protocol or port; NLBs listen on QUIC too."""
    check_network(_records("Listener", listener))


def test_readable_network_facts_pass() -> None:
    records = GraphRecords()
    for label, row in GOOD.items():
        records.node(label, **row)
    check_network(records)


@pytest.mark.parametrize(("label", "prop", "value"), BAD, ids=[f"{b[0]}.{b[1]}" for b in BAD])
def test_an_unreadable_value_rejects_the_records_naming_the_fact(
    label: str, prop: str, value: Any
) -> None:
    row = {**GOOD[label], prop: value}
    with pytest.raises(SnapshotError) as raised:
        check_network(_records(label, row))
    message = str(raised.value)
    key = load_schema().node(label).key
    assert message.startswith(f"snapshot {label} {row[key]}: ")
    assert "\n" not in message
