"""The building blocks of coverage: SCP statements, property conditions, combining regions, and
the catalog as reference records."""

from __future__ import annotations

import pytest

from kg.analysis.coverage.conditions import condition_holds, failing
from kg.analysis.coverage.org_policies import statement_denies
from kg.analysis.coverage.properties import judge_nodes, judge_open_ingress, judge_related
from kg.analysis.coverage.records import catalog_records
from kg.analysis.coverage.verdicts import Observation, combine
from kg.catalog import load_catalog

UNCONDITIONAL: dict[str, object] = {}


@pytest.mark.parametrize(
    ("statement", "denied"),
    [
        ({"Effect": "Deny", "Action": "organizations:Leave*", "Resource": "*"}, True),
        ({"Effect": "Deny", "Action": "*", "Resource": "*"}, True),
        ({"Effect": "Deny", "NotAction": ["iam:*"], "Resource": "*"}, True),
        ({"Effect": "Deny", "NotAction": ["organizations:*"], "Resource": "*"}, False),
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, False),
        ({"Effect": "Deny", "Action": "organizations:*", "Resource": "arn:aws:x"}, False),
        (
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
            },
            False,
        ),
        (
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/Admin"}},
            },
            True,
        ),
    ],
)
def test_statement_denies_leave_organization(statement: dict[str, object], denied: bool) -> None:
    assert statement_denies(statement, "organizations:LeaveOrganization", UNCONDITIONAL) is denied


def test_a_required_condition_key_must_be_present() -> None:
    statement = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}},
    }
    params = {"condition_key": "aws:RequestedRegion"}
    assert statement_denies(statement, "ec2:RunInstances", params)
    assert not statement_denies(
        {"Effect": "Deny", "Action": "*", "Resource": "*"}, "ec2:RunInstances", params
    )


def test_conditions() -> None:
    props = {"enabled_features": ["S3_DATA_EVENTS"], "count": 3, "mode": "required"}
    assert condition_holds(
        props, {"property": "enabled_features", "operator": "contains", "value": "S3_DATA_EVENTS"}
    )
    assert condition_holds(props, {"property": "count", "operator": "at_least", "value": 2})
    assert not condition_holds(props, {"property": "absent", "operator": "equals", "value": 1})
    assert condition_holds(props, {"property": "absent", "operator": "is_not_set"})
    assert failing(props, [], [{"property": "mode", "operator": "in", "value": ["off"]}])


def test_combine_every_region() -> None:
    on, off = Observation("in_place", "a", "enabled"), Observation("missing", "b", "disabled")
    unseen = Observation("unknown", "", "denied")
    assert combine([on, on]).status == "in_place"
    assert combine([on, off]).status == "partial"
    assert combine([off, unseen]).status == "missing"
    assert combine([on, unseen]).status == "unknown"
    assert combine([off, on], every=False).status == "in_place"


def test_catalog_records_link_every_control() -> None:
    catalog = load_catalog()
    records = catalog_records(catalog)
    assert len(records.nodes["Control"]) == len(catalog.controls)
    layers = {row["id"] for row in records.nodes["Layer"]}
    for rel_type, label in (
        ("AT_LAYER", "Layer"),
        ("SERVES", "Capability"),
        ("USES", "SecurityService"),
    ):
        targets = {row["target"] for row in records.rels[(rel_type, "Control", label)]}
        assert targets <= {row["id"] for row in records.nodes[label]}
    assert layers == {layer.id for layer in catalog.layers}


def test_node_property_names_the_failing_nodes() -> None:
    params = {
        "where": [{"property": "password_enabled", "operator": "equals", "value": True}],
        "expect": [{"property": "mfa_enabled", "operator": "equals", "value": True}],
    }
    users = [
        {"arn": "arn:aws:iam::1:user/jane", "password_enabled": True, "mfa_enabled": False},
        {"arn": "arn:aws:iam::1:user/admin", "password_enabled": True, "mfa_enabled": True},
        {"arn": "arn:aws:iam::1:user/ci", "password_enabled": False},
    ]
    seen = judge_nodes(users, "User", params)
    assert seen.status == "partial"
    assert "user/jane" in seen.evidence and "user/ci" not in seen.evidence
    assert judge_nodes(users[1:], "User", params).status == "in_place"
    assert judge_nodes(users[:1], "User", params).status == "missing"
    assert judge_nodes(users[2:], "User", params).status == "not_applicable"


def _rule(group: str, protocol: str, ports: tuple[int, int] | None, **peer: object) -> dict:
    low, high = ports or (None, None)
    return {
        "group_id": group,
        "direction": "ingress",
        "protocol": protocol,
        "from_port": low,
        "to_port": high,
        **peer,
    }


def test_security_groups_open_to_the_world_on_admin_ports() -> None:
    params = {"ports": [22, 3389], "sources": ["0.0.0.0/0", "::/0"]}
    ssh_open = _rule("sg-open", "tcp", (20, 23), cidr="0.0.0.0/0")
    all_v6 = _rule("sg-all", "-1", None, ipv6_cidr="::/0")
    internal = _rule("sg-int", "tcp", (22, 22), cidr="10.0.0.0/8")
    web = _rule("sg-web", "tcp", (443, 443), cidr="0.0.0.0/0")
    seen = judge_open_ingress([ssh_open, all_v6, internal, web], "SecurityGroupRule", params)
    assert seen.status == "partial"
    assert "sg-open open on 22" in seen.evidence and "sg-all open on 22, 3389" in seen.evidence
    assert "sg-int" not in seen.evidence and "sg-web" not in seen.evidence
    assert judge_open_ingress([internal, web], "SecurityGroupRule", params).status == "in_place"
    assert judge_open_ingress([], "SecurityGroupRule", params).status == "not_applicable"


def test_relationship_present_or_absent() -> None:
    params = {
        "relationship": "MONITORS",
        "direction": "in",
        "other_label": "FlowLog",
        "other_where": [{"property": "status", "operator": "equals", "value": "ACTIVE"}],
    }
    watched = {"arn": "arn:aws:ec2:r:1:vpc/vpc-a", "related": [{"status": "ACTIVE"}]}
    stale = {"arn": "arn:aws:ec2:r:1:vpc/vpc-b", "related": [{"status": "FAILED"}]}
    bare = {"arn": "arn:aws:ec2:r:1:vpc/vpc-c", "related": []}
    seen = judge_related([watched, stale, bare], "Vpc", params)
    assert seen.status == "partial"
    assert "vpc-b: no MONITORS from FlowLog" in seen.evidence and "vpc-a" not in seen.evidence
    absent = {**params, "presence": "absent", "other_where": []}
    assert judge_related([bare], "Vpc", absent).status == "in_place"
    assert judge_related([watched], "Vpc", absent).status == "missing"
