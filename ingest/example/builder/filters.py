"""Traffic filters: network ACLs with their ordered entries, security groups with every rule,
and the prefix lists those rules and routes name."""

from __future__ import annotations

from typing import Any

from ingest.example.builder.network import (
    AWS_PREFIX_LISTS,
    NaclEntry,
    RegionNetwork,
    Rule,
    SecurityGroup,
    Vpc,
    group_id,
    nacl_id,
    name_tags,
    prefix_list_id,
    subnet_id,
    vpc_id,
)
from ingest.example.builder.scope import Batch, Scope

EC2 = "ec2"
_ALLOW_ALL = (NaclEntry(100, "allow"), NaclEntry(100, "allow", egress=True))
_DENY_REST = (NaclEntry(32767, "deny"), NaclEntry(32767, "deny", egress=True))
_DEFAULT_GROUP = SecurityGroup(
    "default", "default VPC security group", ingress=(Rule(groups=("default",)),)
)


def _nacl_entry(entry: NaclEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "CidrBlock": entry.cidr,
        "Egress": entry.egress,
        "Protocol": entry.protocol,
        "RuleAction": entry.action,
        "RuleNumber": entry.number,
    }
    if entry.ports:
        item["PortRange"] = {"From": entry.ports[0], "To": entry.ports[1]}
    return item


def network_acls(scope: Scope, vpc: Vpc) -> list[dict[str, Any]]:
    custom = {s for acl in vpc.nacls for s in acl.subnets}
    acls: list[tuple[str, tuple[NaclEntry, ...], list[str]]] = [
        ("default", _ALLOW_ALL, [s.name for s in vpc.subnets if s.name not in custom])
    ]
    acls += [(acl.name, acl.entries, list(acl.subnets)) for acl in vpc.nacls]
    items = []
    for name, entries, subnets in acls:
        acl_id = nacl_id(scope, vpc, name)
        ordered = sorted((*entries, *_DENY_REST), key=lambda e: (e.egress, e.number))
        items.append(
            {
                "Associations": [
                    {
                        "NetworkAclAssociationId": scope.ec2_id("aclassoc", vpc.name, s),
                        "NetworkAclId": acl_id,
                        "SubnetId": subnet_id(scope, vpc, s),
                    }
                    for s in subnets
                ],
                "Entries": [_nacl_entry(e) for e in ordered],
                "IsDefault": name == "default",
                "NetworkAclId": acl_id,
                "Tags": [] if name == "default" else name_tags(name),
                "VpcId": vpc_id(scope, vpc),
                "OwnerId": scope.account_id,
            }
        )
    return items


def _permission(scope: Scope, vpc: Vpc, rule: Rule) -> dict[str, Any]:
    note = {"Description": rule.description} if rule.description else {}
    item: dict[str, Any] = {
        "IpProtocol": rule.protocol,
        "IpRanges": [{"CidrIp": c, **note} for c in rule.cidrs],
        "Ipv6Ranges": [{"CidrIpv6": c, **note} for c in rule.ipv6_cidrs],
        "PrefixListIds": [
            {"PrefixListId": prefix_list_id(scope, p), **note} for p in rule.prefix_lists
        ],
        "UserIdGroupPairs": [
            {"GroupId": group_id(scope, vpc, g), "UserId": scope.account_id, **note}
            for g in rule.groups
        ],
    }
    if rule.ports:
        item["FromPort"], item["ToPort"] = rule.ports
    return item


def security_groups(scope: Scope, vpc: Vpc) -> list[dict[str, Any]]:
    items = []
    for group in [_DEFAULT_GROUP, *vpc.security_groups]:
        gid = group_id(scope, vpc, group.name)
        items.append(
            {
                "Description": group.description,
                "GroupName": group.name,
                "GroupId": gid,
                "IpPermissions": [_permission(scope, vpc, r) for r in group.ingress],
                "IpPermissionsEgress": [_permission(scope, vpc, r) for r in group.egress],
                "OwnerId": scope.account_id,
                "VpcId": vpc_id(scope, vpc),
                "SecurityGroupArn": scope.arn("ec2", f"security-group/{gid}"),
                "Tags": [] if group.name == "default" else name_tags(group.name),
            }
        )
    return items


def add_prefix_lists(batch: Batch, scope: Scope, network: RegionNetwork) -> None:
    """The region's AWS managed lists and the account's own; entries of those referenced."""
    listed = batch.items(EC2, "describe_managed_prefix_lists", "PrefixLists")
    entries: dict[str, tuple[str, ...]] = {}
    for (region, service), (list_id, cidrs) in AWS_PREFIX_LISTS.items():
        if region == scope.region:
            listed.append(
                {
                    "PrefixListId": list_id,
                    "AddressFamily": "IPv4",
                    "State": "create-complete",
                    "PrefixListArn": f"arn:aws:ec2:{region}:aws:prefix-list/{list_id}",
                    "PrefixListName": f"com.amazonaws.{region}.{service}",
                    "Tags": [],
                    "OwnerId": "AWS",
                }
            )
            entries[list_id] = cidrs
    for custom in network.prefix_lists:
        list_id = prefix_list_id(scope, custom.name)
        listed.append(
            {
                "PrefixListId": list_id,
                "AddressFamily": "IPv4",
                "State": "create-complete",
                "PrefixListName": custom.name,
                "PrefixListArn": scope.arn("ec2", f"prefix-list/{list_id}"),
                "MaxEntries": max(5, len(custom.cidrs)),
                "Version": 1,
                "Tags": [],
                "OwnerId": scope.account_id,
            }
        )
        entries[list_id] = custom.cidrs
    for list_id in sorted(_referenced(batch)):
        cidrs = entries.get(list_id, ())
        batch.detail(
            EC2,
            "describe_security_groups",
            "get_managed_prefix_list_entries",
            list_id,
            {"Entries": [{"Cidr": c} for c in cidrs]},
        )


def _referenced(batch: Batch) -> set[str]:
    """Prefix lists that security group rules or routes name (as the collector finds them)."""
    found = set()
    for group in batch.items(EC2, "describe_security_groups", "SecurityGroups"):
        for permission in group["IpPermissions"] + group["IpPermissionsEgress"]:
            found |= {p["PrefixListId"] for p in permission["PrefixListIds"]}
    for table in batch.items(EC2, "describe_route_tables", "RouteTables"):
        found |= {
            r["DestinationPrefixListId"] for r in table["Routes"] if "DestinationPrefixListId" in r
        }
    return found
