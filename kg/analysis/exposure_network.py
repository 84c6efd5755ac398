"""Read the loaded network facts from the graph into the reachability engine's model.

One read transaction gathers every account-region at once, so peering, transit gateway routes
and cross-account security group references are followed by the engine (`Network` holds them
all). Ids map back to the graph's keys (ARNs) through `GraphNetwork.arn_of`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from kg.analysis.reachability import (
    Instance,
    Listener,
    LoadBalancer,
    Network,
    NetworkAcl,
    NetworkAclEntry,
    NetworkInterface,
    PrefixList,
    ReachabilityInputError,
    Route,
    RouteTable,
    RouteTarget,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Target,
    TargetGroup,
    Vpc,
)
from kg.errors import SnapshotError, about
from kg.graph.driver import Graph, query_rows
from kg.graph.records import GraphRecords
from kg.model import load_schema

Row = dict[str, Any]

# Each query returns a node's properties under their own names (and what it joins under names
# of their own), so that one builder per kind serves the graph's rows and, before a load, the
# records' (`check_network`).
_VPCS = "MATCH (v:Vpc) RETURN v.vpc_id AS vpc_id, v.cidrs AS cidrs, v.ipv6_cidrs AS ipv6_cidrs"
_SUBNETS = """
MATCH (s:Subnet)
OPTIONAL MATCH (t:RouteTable)-[:ASSOCIATED_WITH]->(s)
OPTIONAL MATCH (a:NetworkAcl)-[:PROTECTS]->(s)
RETURN s.subnet_id AS subnet_id, s.vpc_id AS vpc_id, s.cidr AS cidr,
       s.ipv6_cidrs AS ipv6_cidrs, head(collect(DISTINCT t.route_table_id)) AS table,
       head(collect(DISTINCT a.network_acl_id)) AS acl
"""
_ROUTE_TABLES = """
MATCH (t:RouteTable)
OPTIONAL MATCH (t)-[:HAS_ROUTE]->(r:Route)
RETURN t.route_table_id AS id, t.vpc_id AS vpc, coalesce(t.is_main, false) AS main,
       [x IN collect(r) | x {.destination, .target_type, .target_id, .state, .origin,
                             .destination_prefix_list_cidrs}] AS routes
"""
_ACLS = """
MATCH (a:NetworkAcl)
OPTIONAL MATCH (a)-[:HAS_ENTRY]->(e:NetworkAclEntry)
RETURN a.network_acl_id AS id, a.vpc_id AS vpc, coalesce(a.is_default, false) AS is_default,
       [x IN collect(e) | x {.rule_number, .egress, .rule_action, .protocol, .cidr, .ipv6_cidr,
                             .from_port, .to_port, .icmp_type}] AS entries
"""
_GROUPS = """
MATCH (g:SecurityGroup)
OPTIONAL MATCH (g)-[:HAS_RULE]->(r:SecurityGroupRule)
RETURN g.group_id AS id, g.vpc_id AS vpc, g.name AS name,
       [x IN collect(r) | x {.direction, .protocol, .from_port, .to_port, .cidr, .ipv6_cidr,
                             .prefix_list_id, .prefix_list_cidrs, .referenced_group_id}] AS rules
"""
_INTERFACES = """
MATCH (i:NetworkInterface)
OPTIONAL MATCH (i)-[:PROTECTED_BY]->(g:SecurityGroup)
OPTIONAL MATCH (e:Ec2Instance)-[h:HAS_INTERFACE]->(i)
OPTIONAL MATCH (b:LoadBalancer)-[:HAS_INTERFACE]->(i)
RETURN i.arn AS arn, i.network_interface_id AS network_interface_id, i.subnet_id AS subnet_id,
       i.vpc_id AS vpc_id, i.private_ip AS private_ip, i.private_ips AS private_ips,
       i.public_ips AS public_ips, i.public_ip AS public_ip, i.ipv6_addresses AS ipv6_addresses,
       i.elastic_ip AS elastic_ip, i.interface_type AS interface_type,
       collect(DISTINCT g.group_id) AS groups,
       coalesce(e.instance_id, i.attached_instance_id) AS instance, h.device_index AS device,
       b.arn AS balancer
"""
_INSTANCES = "MATCH (e:Ec2Instance) RETURN e.arn AS arn, e.instance_id AS id, e.state AS state"
_BALANCERS = """
MATCH (b:LoadBalancer)
OPTIONAL MATCH (b)-[:IN]->(s:Subnet)
OPTIONAL MATCH (b)-[:PROTECTED_BY]->(g:SecurityGroup)
WITH b, collect(DISTINCT s.subnet_id) AS subnets, collect(DISTINCT g.group_id) AS groups
OPTIONAL MATCH (b)-[:HAS_LISTENER]->(l:Listener)
OPTIONAL MATCH (l)-[:FORWARDS_TO]->(t:TargetGroup)
WITH b, subnets, groups, l, collect(t.arn) AS forwards
RETURN b.arn AS arn, b.load_balancer_name AS name, b.scheme AS scheme, b.type AS type,
       b.vpc_id AS vpc, subnets, groups,
       [x IN collect(CASE WHEN l IS NULL THEN null ELSE
           {arn: l.arn, protocol: l.protocol, port: l.port, forwards: forwards} END)
        WHERE x IS NOT NULL] AS listeners
"""
_TARGET_GROUPS = """
MATCH (t:TargetGroup)
OPTIONAL MATCH (t)-[h:HAS_TARGET]->(x)
WHERE x:Ec2Instance OR x:NetworkInterface
RETURN t.arn AS arn, t.target_group_name AS name, t.protocol AS protocol, t.port AS port,
       t.target_type AS type, t.vpc_id AS vpc, coalesce(t.load_balancer_arns, []) AS balancers,
       [y IN collect(CASE WHEN x IS NULL THEN null ELSE
           {id: coalesce(x.instance_id, x.private_ip), port: h.port} END)
        WHERE y IS NOT NULL] AS targets
"""
_QUERIES = {
    "vpcs": _VPCS,
    "subnets": _SUBNETS,
    "route_tables": _ROUTE_TABLES,
    "network_acls": _ACLS,
    "security_groups": _GROUPS,
    "interfaces": _INTERFACES,
    "instances": _INSTANCES,
    "load_balancers": _BALANCERS,
    "target_groups": _TARGET_GROUPS,
}
_ROUTE_TARGETS = {t.value: t for t in RouteTarget}


@dataclass(frozen=True)
class GraphNetwork:
    """The engine's network, with the graph key (ARN) of each interface and instance by id."""

    network: Network
    arn_of: dict[str, str]


def read_network(graph: Graph) -> GraphNetwork:
    def work(tx: ManagedTransaction) -> dict[str, list[Row]]:
        return {name: query_rows(tx, query, {}) for name, query in _QUERIES.items()}

    return network_from_rows(graph.execute_read(work, "exposure: read network"))


def network_from_rows(rows: dict[str, list[Row]]) -> GraphNetwork:
    """Build the engine's model from the rows of the read queries (one list per query)."""
    arn_of = {r["network_interface_id"]: r["arn"] for r in rows["interfaces"] if r["arn"]}
    arn_of.update({r["id"]: r["arn"] for r in rows["instances"] if r["arn"]})
    network = Network(
        vpcs=tuple(_vpc(r) for r in rows["vpcs"]),
        subnets=tuple(_subnet(r) for r in rows["subnets"]),
        route_tables=tuple(_route_table(r) for r in rows["route_tables"]),
        network_acls=tuple(_network_acl(r) for r in rows["network_acls"]),
        security_groups=tuple(_security_group(r) for r in rows["security_groups"]),
        interfaces=tuple(_interface(r) for r in rows["interfaces"]),
        instances=tuple(Instance(r["id"], r["state"] or "running") for r in rows["instances"]),
        load_balancers=tuple(_load_balancer(r) for r in rows["load_balancers"]),
        target_groups=tuple(_target_group(r) for r in rows["target_groups"]),
    )
    return GraphNetwork(network, arn_of)


def _in_fixed_order(items: Iterable[Any]) -> list[Any]:
    """Collected rows in an order of their own: Neo4j collects in none, and the controls an
    answer lists (its explanation) follow the order of the rules, routes and listeners."""
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))


def _t(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(values or ())


def _vpc(row: Row) -> Vpc:
    return Vpc(row["vpc_id"], _t(row.get("cidrs")), _t(row.get("ipv6_cidrs")))


def _subnet(row: Row) -> Subnet:
    return Subnet(
        row["subnet_id"],
        row["vpc_id"],
        row.get("cidr"),
        _t(row.get("ipv6_cidrs")),
        row.get("table"),
        row.get("acl"),
    )


def _route(route: Row) -> Route:
    cidrs = route.get("destination_prefix_list_cidrs")
    return Route(
        destination=route["destination"],
        target=_ROUTE_TARGETS.get(route.get("target_type") or "", RouteTarget.OTHER),
        target_id=route.get("target_id") or "",
        prefix_list_cidrs=None if cidrs is None else tuple(cidrs),
        state=route.get("state") or "active",
        propagated=route.get("origin") == "EnableVgwRoutePropagation",
    )


def _route_table(row: Row) -> RouteTable:
    routes = tuple(_route(route) for route in _in_fixed_order(row["routes"]))
    return RouteTable(row["id"], row["vpc"], routes, bool(row["main"]))


def _acl_entry(entry: Row) -> NetworkAclEntry:
    from_port = entry.get("from_port")
    return NetworkAclEntry(
        rule_number=entry["rule_number"],
        egress=bool(entry.get("egress")),
        allow=entry.get("rule_action") == "allow",
        protocol=str(entry["protocol"]),
        cidr=entry.get("cidr") or entry["ipv6_cidr"],
        from_port=from_port if from_port is not None else entry.get("icmp_type"),
        to_port=entry.get("to_port"),
    )


def _network_acl(row: Row) -> NetworkAcl:
    entries = tuple(_acl_entry(entry) for entry in _in_fixed_order(row["entries"]))
    return NetworkAcl(row["id"], row["vpc"], entries, bool(row["is_default"]))


def _rule(rule: Row) -> SecurityGroupRule:
    cidrs = rule.get("prefix_list_cidrs")
    prefix_list = rule.get("prefix_list_id")
    referenced = rule.get("referenced_group_id")
    return SecurityGroupRule(
        protocol=str(rule["protocol"]),
        from_port=rule.get("from_port"),
        to_port=rule.get("to_port"),
        ipv4_ranges=(rule["cidr"],) if rule.get("cidr") else (),
        ipv6_ranges=(rule["ipv6_cidr"],) if rule.get("ipv6_cidr") else (),
        prefix_lists=(
            (PrefixList(prefix_list, None if cidrs is None else tuple(cidrs)),)
            if prefix_list
            else ()
        ),
        group_ids=(referenced,) if referenced else (),
    )


def _security_group(row: Row) -> SecurityGroup:
    ingress: list[SecurityGroupRule] = []
    egress: list[SecurityGroupRule] = []
    for rule in _in_fixed_order(row["rules"]):
        (egress if rule["direction"] == "egress" else ingress).append(_rule(rule))
    return SecurityGroup(row["id"], row["vpc"], tuple(ingress), tuple(egress), row["name"] or "")


def _interface(row: Row) -> NetworkInterface:
    private = [row["private_ip"]] if row.get("private_ip") else []
    private += [ip for ip in row.get("private_ips") or () if ip not in private]
    public = list(row.get("public_ips") or ([row["public_ip"]] if row.get("public_ip") else []))
    return NetworkInterface(
        network_interface_id=row["network_interface_id"],
        subnet_id=row["subnet_id"],
        vpc_id=row["vpc_id"],
        private_ips=tuple(private),
        public_ips=tuple(public),
        ipv6_addresses=_t(row.get("ipv6_addresses")),
        security_group_ids=tuple(sorted(row.get("groups") or ())),
        elastic_ip=bool(row.get("elastic_ip")),
        instance_id=row.get("instance"),
        device_index=row.get("device"),
        load_balancer_arn=row.get("balancer"),
        interface_type=row.get("interface_type") or "interface",
    )


def _listener(row: Row) -> Listener:
    forwards = tuple(sorted(row.get("forwards", ())))
    return Listener(row["arn"], row["protocol"], row["port"], forwards)


def _load_balancer(row: Row) -> LoadBalancer:
    listeners = tuple(_listener(x) for x in _in_fixed_order(row["listeners"]))
    return LoadBalancer(
        load_balancer_arn=row["arn"],
        name=row["name"] or row["arn"],
        scheme=row["scheme"] or "internal",
        type=row["type"] or "application",
        vpc_id=row["vpc"],
        subnet_ids=tuple(sorted(row["subnets"])),
        security_group_ids=tuple(sorted(row["groups"])),
        listeners=listeners,
    )


def _target_group(row: Row) -> TargetGroup:
    return TargetGroup(
        target_group_arn=row["arn"],
        name=row["name"] or row["arn"],
        protocol=row["protocol"],
        port=row["port"],
        target_type=row["type"] or "instance",
        vpc_id=row["vpc"],
        load_balancer_arns=tuple(row["balancers"]),
        targets=tuple(Target(t["id"], t["port"]) for t in row["targets"] if t["id"]),
    )


# The network facts the engine parses when it is built, by label, with the builder that does it.
_CHECKED: tuple[tuple[str, Callable[[Row], Any]], ...] = (
    ("Vpc", _vpc),
    ("Subnet", _subnet),
    ("Route", _route),
    ("NetworkAclEntry", _acl_entry),
    ("SecurityGroupRule", _rule),
    ("NetworkInterface", _interface),
    ("Listener", _listener),
)


def check_network(records: GraphRecords) -> None:
    """Build the engine's model of every network fact the records hold, as the exposure analysis
    will from the graph, so that a value it cannot read (a CIDR, an address, a protocol, a port)
    rejects the snapshot before anything is written rather than failing the derive after it."""
    schema = load_schema()
    for label, build in _CHECKED:
        key = schema.node(label).key
        for row in records.nodes.get(label, []):
            try:
                build(row)
            except ReachabilityInputError as exc:
                raise SnapshotError(about(f"snapshot {label}", str(row.get(key)), exc)) from None
