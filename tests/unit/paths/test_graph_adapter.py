"""Graph rows to the reachability engine: the adapter keeps what each control says."""

from __future__ import annotations

from typing import Any

from kg.analysis.exposure import reach_records, traffic_ports, traffic_protocols
from kg.analysis.exposure_network import network_from_rows
from kg.analysis.reachability import TrafficSet

ENI_ARN = "arn:aws:ec2:us-east-1:111111111111:network-interface/eni-1"


def _rows(acl_ssh_action: str = "allow") -> dict[str, list[dict[str, Any]]]:
    def entry(number: int, egress: bool, action: str, first: int | None, last: int | None) -> Any:
        return {
            "rule_number": number,
            "egress": egress,
            "rule_action": action,
            "protocol": "-1" if first is None else "6",
            "cidr": "0.0.0.0/0",
            "ipv6_cidr": None,
            "from_port": first,
            "to_port": last,
            "icmp_type": None,
        }

    return {
        "vpcs": [{"vpc_id": "vpc-1", "cidrs": ["10.0.0.0/16"], "ipv6_cidrs": None}],
        "subnets": [
            {"subnet_id": "subnet-1", "vpc_id": "vpc-1", "cidr": "10.0.1.0/24",
             "ipv6_cidrs": None, "table": None, "acl": "acl-1"}
        ],
        "route_tables": [
            {"id": "rtb-1", "vpc": "vpc-1", "main": True, "routes": [
                {"destination": "10.0.0.0/16", "target_type": "local", "target_id": "local",
                 "state": "active", "origin": "CreateRouteTable",
                 "destination_prefix_list_cidrs": None},
                {"destination": "0.0.0.0/0", "target_type": "igw", "target_id": "igw-1",
                 "state": "active", "origin": "CreateRoute",
                 "destination_prefix_list_cidrs": None},
            ]}
        ],
        "network_acls": [
            {"id": "acl-1", "vpc": "vpc-1", "is_default": False, "entries": [
                entry(90, False, acl_ssh_action, 22, 22),
                entry(100, False, "allow", None, None),
                entry(100, True, "allow", None, None),
            ]}
        ],
        "security_groups": [
            {"id": "sg-1", "vpc": "vpc-1", "name": "ssh", "rules": [
                {"direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
                 "cidr": "0.0.0.0/0", "ipv6_cidr": None, "prefix_list_id": None,
                 "prefix_list_cidrs": None, "referenced_group_id": None},
                {"direction": "egress", "protocol": "-1", "from_port": None, "to_port": None,
                 "cidr": "0.0.0.0/0", "ipv6_cidr": None, "prefix_list_id": None,
                 "prefix_list_cidrs": None, "referenced_group_id": None},
            ]}
        ],
        "interfaces": [
            {"arn": ENI_ARN, "network_interface_id": "eni-1", "subnet_id": "subnet-1",
             "vpc_id": "vpc-1", "private_ip": "10.0.1.5", "private_ips": ["10.0.1.5"],
             "public_ips": None, "public_ip": "54.0.0.1", "ipv6_addresses": None,
             "elastic_ip": False, "interface_type": "interface", "groups": ["sg-1"],
             "instance": "i-1", "device": 0, "balancer": None}
        ],
        "instances": [{"arn": "arn:aws:ec2:us-east-1:1:instance/i-1", "id": "i-1",
                       "state": "running"}],
        "load_balancers": [],
        "target_groups": [],
    }  # fmt: skip


def _internet_edges(rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    records = reach_records(network_from_rows(rows))
    return records.rels[("CAN_REACH", "Internet", "NetworkInterface")]


def test_public_interface_behind_allowing_controls_gets_one_internet_edge_on_ssh() -> None:
    [edge] = _internet_edges(_rows())
    assert (edge["source"], edge["target"]) == ("internet", ENI_ARN)
    props = edge["props"]
    assert (props["protocol"], props["ports"]) == ("tcp", ["22-22"])
    assert any(c.startswith("sg-1") for c in props["controls"])
    assert any(c.startswith("acl-1") for c in props["controls"])


def test_nacl_deny_numbered_before_the_allow_removes_the_edge() -> None:
    assert _internet_edges(_rows(acl_ssh_action="deny")) == []


def test_traffic_is_written_as_protocols_and_from_to_ranges() -> None:
    traffic = TrafficSet.of("tcp", 22) | TrafficSet.of("tcp", 8000, 8080)
    assert (traffic_protocols(traffic), traffic_ports(traffic)) == ("tcp", ["22-22", "8000-8080"])
    assert (traffic_protocols(TrafficSet.everything()), traffic_ports(TrafficSet.everything())) == (
        "all",
        [],
    )


def test_an_instance_and_its_interface_are_tied_both_ways_for_forward_paths() -> None:
    records = reach_records(network_from_rows(_rows()))
    instance_arn = "arn:aws:ec2:us-east-1:1:instance/i-1"
    [delivers] = records.rels[("DELIVERS_TO", "NetworkInterface", "Ec2Instance")]
    [sends] = records.rels[("SENDS_THROUGH", "Ec2Instance", "NetworkInterface")]
    assert (delivers["source"], delivers["target"]) == (ENI_ARN, instance_arn)
    assert (sends["source"], sends["target"]) == (instance_arn, ENI_ARN)
