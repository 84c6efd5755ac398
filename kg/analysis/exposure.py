"""Network exposure: write CAN_REACH from the reachability engine.

The engine decides (kg.analysis.reachability); this module only reads the loaded network from
the graph (exposure_network), turns each answer into one relationship carrying the traffic that
gets through and the controls that were evaluated, and replaces the previous run's output.

The targets paths lead to, the crown jewels, are marked by kg.analysis.crown_jewels.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.analysis.exposure_network import GraphNetwork, read_network
from kg.analysis.reachability import INTERNET, Reachability, ReachabilityAnalyzer, TrafficSet
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema


@dataclass(frozen=True)
class ReachProps:
    protocol: str
    ports: list[str]
    traffic: str
    controls: list[str]
    unknown: bool


def reach_props(reach: Reachability) -> ReachProps:
    """The CAN_REACH properties of one answer: protocols, port ranges, traffic, controls."""
    return ReachProps(
        protocol=traffic_protocols(reach.traffic),
        ports=traffic_ports(reach.traffic),
        traffic=str(reach.traffic),
        controls=reach.explain(),
        unknown=bool(reach.unknowns),
    )


def traffic_protocols(traffic: TrafficSet) -> str:
    if traffic.others:
        return "all"
    return ",".join(name for name, ranges in traffic.protocols() if ranges)


def traffic_ports(traffic: TrafficSet) -> list[str]:
    """Port ranges of every listed protocol as 'from-to' (empty when all traffic passes)."""
    ranges = {r for _, intervals in traffic.protocols() for r in intervals}
    return [f"{first}-{last}" for first, last in sorted(ranges)]


def reach_records(found: GraphNetwork) -> GraphRecords:
    """CAN_REACH edges for every reachable pair the engine finds in the network."""
    analyzer = ReachabilityAnalyzer(found.network)
    records = GraphRecords()
    records.ref("Internet", name=INTERNET)
    internet = ("Internet", INTERNET)

    def add(source: tuple[str, str], target: tuple[str, str], reach: Reachability) -> None:
        records.rel("CAN_REACH", source, target, **vars(reach_props(reach)))

    for reach in analyzer.internet_exposures():
        if reach.reachable:
            add(internet, ("NetworkInterface", found.arn_of[reach.target]), reach)
    for exposure in analyzer.load_balancer_exposures():
        if not exposure.front.reachable:
            continue
        balancer = ("LoadBalancer", exposure.load_balancer_arn)
        add(internet, balancer, exposure.front)
        for target in exposure.exposed_targets:
            instance_arn = found.arn_of.get(target.target_id)
            if instance_arn is not None and target.target_id.startswith("i-"):
                add(balancer, ("Ec2Instance", instance_arn), target.hop)
            else:
                add(balancer, ("NetworkInterface", found.arn_of[target.interface_id]), target.hop)
    for reach in analyzer.internal_reachability():
        add(
            ("NetworkInterface", found.arn_of[reach.source]),
            ("NetworkInterface", found.arn_of[reach.target]),
            reach,
        )
    return records


def derive(graph: Graph) -> int:
    """Rewrite CAN_REACH; return how many edges it wrote."""
    records = reach_records(read_network(graph))
    GraphWriter(graph, load_schema()).replace_derived(records, rel_types=["CAN_REACH"])
    return records.counts()["relationships"]
