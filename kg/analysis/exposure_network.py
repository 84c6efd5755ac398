"""Read the loaded network facts from the graph into the reachability engine's model.

One read transaction gathers every account-region at once, so peering, transit gateway routes
and cross-account security group references are followed by the engine (`Network` holds them
all). Ids map back to the graph's keys (ARNs) through `GraphNetwork.arn_of`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
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
from kg.graph.driver import Graph, query_rows

Row = dict[str, Any]

_VPCS = "MATCH (v:Vpc) RETURN v.vpc_id AS id, v.cidrs AS cidrs, v.ipv6_cidrs AS ipv6"
_SUBNETS = """
MATCH (s:Subnet)
OPTIONAL MATCH (t:RouteTable)-[:ASSOCIATED_WITH]->(s)
OPTIONAL MATCH (a:NetworkAcl)-[:PROTECTS]->(s)
RETURN s.subnet_id AS id, s.vpc_id AS vpc, s.cidr AS cidr, s.ipv6_cidrs AS ipv6,
       head(collect(DISTINCT t.route_table_id)) AS table,
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
RETURN i.arn AS arn, i.network_interface_id AS id, i.subnet_id AS subnet, i.vpc_id AS vpc,
       i.private_ip AS private_ip, i.private_ips AS private_ips, i.public_ips AS public_ips,
       i.public_ip AS public_ip, i.ipv6_addresses AS ipv6, coalesce(i.elastic_ip, false) AS eip,
       i.interface_type AS type, collect(DISTINCT g.group_id) AS groups,
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
    arn_of = {r["id"]: r["arn"] for r in rows["interfaces"] + rows["instances"] if r["arn"]}
    network = Network(
        vpcs=tuple(Vpc(r["id"], _t(r["cidrs"]), _t(r["ipv6"])) for r in rows["vpcs"]),
        subnets=tuple(
            Subnet(r["id"], r["vpc"], r["cidr"], _t(r["ipv6"]), r["table"], r["acl"])
            for r in rows["subnets"]
        ),
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


def _route_table(row: Row) -> RouteTable:
    routes = []
    for route in _in_fixed_order(row["routes"]):
        target = _ROUTE_TARGETS.get(route["target_type"] or "", RouteTarget.OTHER)
        cidrs = route["destination_prefix_list_cidrs"]
        routes.append(
            Route(
                destination=route["destination"],
                target=target,
                target_id=route["target_id"] or "",
                prefix_list_cidrs=None if cidrs is None else tuple(cidrs),
                state=route["state"] or "active",
                propagated=route["origin"] == "EnableVgwRoutePropagation",
            )
        )
    return RouteTable(row["id"], row["vpc"], tuple(routes), bool(row["main"]))


def _network_acl(row: Row) -> NetworkAcl:
    entries = tuple(
        NetworkAclEntry(
            rule_number=e["rule_number"],
            egress=bool(e["egress"]),
            allow=e["rule_action"] == "allow",
            protocol=str(e["protocol"]),
            cidr=e["cidr"] or e["ipv6_cidr"],
            from_port=e["from_port"] if e["from_port"] is not None else e["icmp_type"],
            to_port=e["to_port"],
        )
        for e in _in_fixed_order(row["entries"])
    )
    return NetworkAcl(row["id"], row["vpc"], entries, bool(row["is_default"]))


def _security_group(row: Row) -> SecurityGroup:
    ingress: list[SecurityGroupRule] = []
    egress: list[SecurityGroupRule] = []
    for rule in _in_fixed_order(row["rules"]):
        cidrs = rule["prefix_list_cidrs"]
        prefix_lists = (
            (PrefixList(rule["prefix_list_id"], None if cidrs is None else tuple(cidrs)),)
            if rule["prefix_list_id"]
            else ()
        )
        parsed = SecurityGroupRule(
            protocol=str(rule["protocol"]),
            from_port=rule["from_port"],
            to_port=rule["to_port"],
            ipv4_ranges=(rule["cidr"],) if rule["cidr"] else (),
            ipv6_ranges=(rule["ipv6_cidr"],) if rule["ipv6_cidr"] else (),
            prefix_lists=prefix_lists,
            group_ids=(rule["referenced_group_id"],) if rule["referenced_group_id"] else (),
        )
        (egress if rule["direction"] == "egress" else ingress).append(parsed)
    return SecurityGroup(row["id"], row["vpc"], tuple(ingress), tuple(egress), row["name"] or "")


def _interface(row: Row) -> NetworkInterface:
    private = [row["private_ip"]] if row["private_ip"] else []
    private += [ip for ip in row["private_ips"] or () if ip not in private]
    public = list(row["public_ips"] or ([row["public_ip"]] if row["public_ip"] else []))
    return NetworkInterface(
        network_interface_id=row["id"],
        subnet_id=row["subnet"],
        vpc_id=row["vpc"],
        private_ips=tuple(private),
        public_ips=tuple(public),
        ipv6_addresses=_t(row["ipv6"]),
        security_group_ids=tuple(sorted(row["groups"])),
        elastic_ip=bool(row["eip"]),
        instance_id=row["instance"],
        device_index=row["device"],
        load_balancer_arn=row["balancer"],
        interface_type=row["type"] or "interface",
    )


def _load_balancer(row: Row) -> LoadBalancer:
    listeners = tuple(
        Listener(x["arn"], x["protocol"], x["port"], tuple(sorted(x["forwards"])))
        for x in _in_fixed_order(row["listeners"])
    )
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
