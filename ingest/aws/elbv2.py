"""Elastic Load Balancing v2: load balancers, listeners, target groups and registered targets.

The path traffic takes: an internet-facing load balancer accepts it on a listener, the listener
(its default action or a rule) forwards it to target groups, and each target group sends it to
its registered targets on their ports.
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._ec2_common import ec2_arn
from ingest.aws._ec2_compute import interfaces_by_private_ip
from ingest.aws._shapes import Item, ResourceCalls, account_regions, listed
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.errors import SnapshotError
from kg.graph.records import GraphRecords, NodeRef

SCOPE = "region"
CLIENT = "elbv2"


def collect(ctx: CallContext) -> None:
    balancers = ctx.call(CLIENT, "describe_load_balancers")
    for balancer in (balancers or {}).get("LoadBalancers", []):
        listeners = ctx.call(
            CLIENT,
            "describe_listeners",
            balancer["LoadBalancerName"],
            LoadBalancerArn=balancer["LoadBalancerArn"],
        )
        if balancer.get("Type") != "application":
            continue  # only application load balancers have rules beyond the default action
        for listener in (listeners or {}).get("Listeners", []):
            arn = listener["ListenerArn"]
            ctx.call(CLIENT, "describe_rules", arn, ListenerArn=arn)
    groups = ctx.call(CLIENT, "describe_target_groups")
    for group in (groups or {}).get("TargetGroups", []):
        ctx.call(
            CLIENT,
            "describe_target_health",
            group["TargetGroupName"],
            TargetGroupArn=group["TargetGroupArn"],
        )


def _forwarded_groups(actions: list[Item]) -> list[str]:
    """Target groups a list of actions forwards to (single or weighted forward)."""
    found = []
    for action in actions:
        if action.optional_string("Type") != "forward":
            continue
        if arn := action.optional_string("TargetGroupArn"):
            found.append(arn)
        found += [
            g.string("TargetGroupArn")
            for g in action.child("ForwardConfig").children("TargetGroups")
        ]
    return found


def _listener(snapshot: Snapshot, out: AccountRecords, balancer: NodeRef, listener: Item) -> None:
    arn = listener.string("ListenerArn")
    port = listener.optional_int("Port")
    protocol = listener.optional_string("Protocol")
    calls = ResourceCalls(snapshot, out.account_id, out.region, CLIENT, arn)
    forwards: dict[str, list[str]] = {}
    for group_arn in _forwarded_groups(listener.children("DefaultActions")):
        forwards.setdefault(group_arn, []).append("default")
    rules = calls.get("describe_rules", "rules")
    for rule in rules.children("Rules") if rules else []:
        if rule.flag("IsDefault"):
            continue  # the listener's default actions, read above
        for group_arn in _forwarded_groups(rule.children("Actions")):
            forwards.setdefault(group_arn, []).append(rule.string("Priority"))
    ref = out.owned(
        "Listener",
        arn,
        name=f"{protocol}:{port}",
        port=port,
        protocol=protocol,
        ssl_policy=listener.optional_string("SslPolicy"),
        load_balancer_arn=balancer[1],
        unknown=calls.unknown,
    )
    out.rel("HAS_LISTENER", balancer, ref)
    for group_arn, via in forwards.items():
        out.rel("FORWARDS_TO", ref, ("TargetGroup", group_arn), rules=sorted(set(via)))


def _load_balancer(snapshot: Snapshot, out: AccountRecords, balancer: Item) -> None:
    name = balancer.string("LoadBalancerName")
    calls = ResourceCalls(snapshot, out.account_id, out.region, CLIENT, name)
    listeners = calls.get("describe_listeners", "listeners")
    ref = out.owned(
        "LoadBalancer",
        balancer.string("LoadBalancerArn"),
        name=name,
        load_balancer_name=name,
        scheme=balancer.optional_string("Scheme"),
        type=balancer.optional_string("Type"),
        dns_name=balancer.optional_string("DNSName"),
        state=balancer.child("State").optional_string("Code"),
        vpc_id=balancer.optional_string("VpcId"),
        ip_address_type=balancer.optional_string("IpAddressType"),
        unknown=calls.unknown,
    )
    for zone in balancer.children("AvailabilityZones"):
        if subnet_id := zone.optional_string("SubnetId"):
            subnet = ec2_arn("Subnet", subnet_id, out.account_id, out.region)
            out.rel("IN", ref, ("Subnet", subnet))
    for group_id in balancer.strings("SecurityGroups"):
        group = ec2_arn("SecurityGroup", group_id, out.account_id, out.region)
        out.rel("PROTECTED_BY", ref, ("SecurityGroup", group))
    for listener in listeners.children("Listeners") if listeners else []:
        _listener(snapshot, out, ref, listener)


def _target_group(
    snapshot: Snapshot,
    out: AccountRecords,
    group: Item,
    interfaces: dict[tuple[str, str], NodeRef],
) -> None:
    name = group.string("TargetGroupName")
    target_type = group.optional_string("TargetType")
    vpc_id = group.optional_string("VpcId") or ""
    calls = ResourceCalls(snapshot, out.account_id, out.region, CLIENT, name)
    health = calls.get("describe_target_health", "targets")
    targets: list[tuple[NodeRef | None, Item, Item]] = []
    for description in health.children("TargetHealthDescriptions") if health else []:
        target = description.child("Target")
        target_id = target.string("Id")
        node: NodeRef | None
        if target_type == "instance":
            node = ("Ec2Instance", ec2_arn("Ec2Instance", target_id, out.account_id, out.region))
        elif target_type == "ip":
            node = interfaces.get((vpc_id, target_id))
        elif target_type == "lambda":
            node = ("LambdaFunction", target_id)
        else:  # "alb": an application load balancer behind a network load balancer
            node = ("LoadBalancer", target_id)
        targets.append((node, target, description.child("TargetHealth")))
    default_port = group.optional_int("Port")
    ref = out.owned(
        "TargetGroup",
        group.string("TargetGroupArn"),
        name=name,
        target_group_name=name,
        protocol=group.optional_string("Protocol"),
        port=default_port,
        target_type=target_type,
        vpc_id=group.optional_string("VpcId"),
        load_balancer_arns=group.strings("LoadBalancerArns"),
        unresolved_targets=sorted(
            f"{t.string('Id')}:{t.optional_int('Port') or default_port}"
            for node, t, _ in targets
            if node is None
        ),
        unknown=calls.unknown,
    )
    for node, target, target_health in targets:
        if node is None:
            continue
        props: dict[str, object] = {
            "health_state": target_health.optional_string("State"),
            "health_reason": target_health.optional_string("Reason"),
        }
        if target_type != "lambda":
            port = target.optional_int("Port") or default_port
            if port is None:
                raise SnapshotError(f"{target.where}: target without a port")
            props["port"] = port
        out.rel("HAS_TARGET", ref, node, **props)


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        for balancer in listed(
            snapshot, account_id, region, CLIENT, "describe_load_balancers", "LoadBalancers"
        ):
            _load_balancer(snapshot, out, balancer)
        interfaces = interfaces_by_private_ip(snapshot, account_id, region)
        for group in listed(
            snapshot, account_id, region, CLIENT, "describe_target_groups", "TargetGroups"
        ):
            _target_group(snapshot, out, group, interfaces)
    return records
