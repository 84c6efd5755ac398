"""Security groups and network ACLs, with every rule as its own node.

Rules are kept exactly as AWS states them: protocol as AWS writes it ("-1" means all protocols;
security groups say "tcp", network ACLs say "6"), port ranges as given (absent when the protocol is
all), one node per source or destination, so an evaluator never re-parses a rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ingest.aws._ec2_common import Ec2Region
from ingest.aws._shapes import Item, name_tag, tag_list


def _ports(from_port: int | None, to_port: int | None) -> str:
    if from_port is None and to_port is None:
        return "all ports"
    return str(from_port) if from_port == to_port else f"{from_port}-{to_port}"


def _protocol(protocol: str) -> str:
    return "all traffic" if protocol == "-1" else protocol


def _peers(r: Ec2Region, permission: Item) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each source (ingress) or destination (egress) of one permission, with its properties."""
    for field, cidr_field, peer_type in (
        ("IpRanges", "CidrIp", "cidr"),
        ("Ipv6Ranges", "CidrIpv6", "ipv6_cidr"),
    ):
        for block in permission.children(field):
            cidr = block.string(cidr_field)
            yield (
                cidr,
                {
                    "peer_type": peer_type,
                    peer_type: cidr,
                    "description": block.optional_string("Description"),
                },
            )
    for prefix_list in permission.children("PrefixListIds"):
        list_id = prefix_list.string("PrefixListId")
        yield (
            list_id,
            {
                "peer_type": "prefix_list",
                "prefix_list_id": list_id,
                "prefix_list_name": r.prefix_list_name(list_id),
                "prefix_list_cidrs": r.prefix_list_cidrs(list_id),
                "description": prefix_list.optional_string("Description"),
            },
        )
    for pair in permission.children("UserIdGroupPairs"):
        group_id = pair.string("GroupId")
        yield (
            group_id,
            {
                "peer_type": "security_group",
                "referenced_group_id": group_id,
                "referenced_account_id": pair.optional_string("UserId"),
                "referenced_vpc_id": pair.optional_string("VpcId"),
                "peering_connection_id": pair.optional_string("VpcPeeringConnectionId"),
                "peering_status": pair.optional_string("PeeringStatus"),
                "description": pair.optional_string("Description"),
            },
        )


def _rules(r: Ec2Region, group_ref: tuple[str, str], group_id: str, group: Item) -> None:
    for direction, field in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        towards = "from" if direction == "ingress" else "to"
        for permission in group.children(field):
            protocol = permission.string("IpProtocol")
            from_port = permission.optional_int("FromPort")
            to_port = permission.optional_int("ToPort")
            for peer, props in _peers(r, permission):
                rule_id = f"{group_id}|{direction}|{protocol}|{from_port}|{to_port}|{peer}"
                r.out.part(
                    "SecurityGroupRule",
                    rule_id=rule_id,
                    group_id=group_id,
                    direction=direction,
                    protocol=protocol,
                    from_port=from_port,
                    to_port=to_port,
                    summary=f"{direction} {_protocol(protocol)} {_ports(from_port, to_port)} "
                    f"{towards} {peer}",
                    **props,
                )
                rule_ref = ("SecurityGroupRule", rule_id)
                r.out.rel("HAS_RULE", group_ref, rule_ref)
                if props["peer_type"] == "security_group":
                    other = r.node("SecurityGroup", peer, props["referenced_account_id"])
                    rel_type = "ALLOWS_FROM" if direction == "ingress" else "ALLOWS_TO"
                    r.out.rel(rel_type, rule_ref, other)


def security_groups(r: Ec2Region) -> None:
    for group in r.items("describe_security_groups", "SecurityGroups"):
        group_id = group.string("GroupId")
        owner = group.optional_string("OwnerId")
        ref = r.register("SecurityGroup", group_id, owner)
        if not r.states(owner):
            continue
        vpc_id = group.optional_string("VpcId")
        r.out.owned(
            "SecurityGroup",
            ref[1],
            owner,
            group_id=group_id,
            name=group.optional_string("GroupName") or group_id,
            description=group.optional_string("Description"),
            vpc_id=vpc_id,
            owner_id=owner,
            tags=tag_list(group.children("Tags")),
        )
        if vpc_id:
            r.out.rel("IN", ref, r.node("Vpc", vpc_id, owner))
        _rules(r, ref, group_id, group)


def network_acls(r: Ec2Region) -> None:
    for acl in r.items("describe_network_acls", "NetworkAcls"):
        acl_id = acl.string("NetworkAclId")
        owner = acl.optional_string("OwnerId")
        ref = r.register("NetworkAcl", acl_id, owner)
        if not r.states(owner):
            continue
        vpc_id = acl.string("VpcId")
        tags = acl.children("Tags")
        r.out.owned(
            "NetworkAcl",
            ref[1],
            owner,
            network_acl_id=acl_id,
            name=name_tag(tags) or acl_id,
            is_default=acl.flag("IsDefault"),
            vpc_id=vpc_id,
            owner_id=owner,
            tags=tag_list(tags),
        )
        r.out.rel("IN", ref, r.node("Vpc", vpc_id, owner))
        for association in acl.children("Associations"):
            r.out.rel("PROTECTS", ref, r.node("Subnet", association.string("SubnetId"), owner))
        # Rule-number order per direction: the order AWS evaluates them in.
        entries = acl.children("Entries")
        for entry in sorted(entries, key=lambda e: (e.flag("Egress"), e.integer("RuleNumber"))):
            _acl_entry(r, ref, acl_id, entry)


def _acl_entry(r: Ec2Region, acl_ref: tuple[str, str], acl_id: str, entry: Item) -> None:
    direction = "egress" if entry.flag("Egress") else "ingress"
    rule_number = entry.integer("RuleNumber")
    cidr = entry.optional_string("CidrBlock")
    ipv6_cidr = entry.optional_string("Ipv6CidrBlock")
    protocol = entry.string("Protocol")
    action = entry.string("RuleAction")
    ports = entry.child("PortRange")
    from_port, to_port = ports.optional_int("From"), ports.optional_int("To")
    icmp = entry.child("IcmpTypeCode")
    entry_id = f"{acl_id}|{direction}|{rule_number}|{cidr or ipv6_cidr}"
    r.out.part(
        "NetworkAclEntry",
        entry_id=entry_id,
        network_acl_id=acl_id,
        direction=direction,
        egress=direction == "egress",
        rule_number=rule_number,
        rule_action=action,
        protocol=protocol,
        from_port=from_port,
        to_port=to_port,
        icmp_type=icmp.optional_int("Type"),
        icmp_code=icmp.optional_int("Code"),
        cidr=cidr,
        ipv6_cidr=ipv6_cidr,
        summary=f"{rule_number} {direction} {action} {_protocol(protocol)} "
        f"{_ports(from_port, to_port)} {cidr or ipv6_cidr}",
    )
    r.out.rel("HAS_ENTRY", acl_ref, ("NetworkAclEntry", entry_id))
