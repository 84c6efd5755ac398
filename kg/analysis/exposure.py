"""Network exposure: write CAN_REACH from the reachability engine.

The engine decides (kg.analysis.reachability); this module only reads the loaded network from
the graph (exposure_network), turns each answer into one relationship carrying the traffic that
gets through and the controls that were evaluated, and replaces the previous run's output.
Next to it, DELIVERS_TO (interface -> instance) and SENDS_THROUGH (instance -> interface) let an
attack path walk forward through an instance: in at one interface, onwards from any of them.

The targets paths lead to, the crown jewels, are marked by kg.analysis.crown_jewels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.analysis.exposure_network import GraphNetwork, read_network
from kg.analysis.reachability import (
    INTERNET,
    NetworkInterface,
    Reachability,
    ReachabilityAnalyzer,
    TrafficSet,
)
from kg.analysis.workers import map_chunks
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema

DERIVED = ("CAN_REACH", "DELIVERS_TO", "SENDS_THROUGH")


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
    """CAN_REACH for every reachable pair the engine finds; an instance's ties to its interfaces."""
    analyzer = ReachabilityAnalyzer(found.network)
    records = GraphRecords()
    records.ref("Internet", name=INTERNET)
    internet = ("Internet", INTERNET)

    def add(source: tuple[str, str], target: tuple[str, str], reach: Reachability) -> None:
        add_props(source, target, reach_props(reach))

    def add_props(source: tuple[str, str], target: tuple[str, str], props: ReachProps) -> None:
        records.rel("CAN_REACH", source, target, **vars(props))

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

    def decide(targets: Sequence[NetworkInterface]) -> list[tuple[str, str, ReachProps]]:
        return [
            (found.arn_of[reach.source], found.arn_of[reach.target], reach_props(reach))
            for reach in analyzer.internal_reachability(targets=targets)
        ]

    for source_arn, target_arn, props in map_chunks(decide, found.network.interfaces):
        add_props(("NetworkInterface", source_arn), ("NetworkInterface", target_arn), props)
    for interface in found.network.interfaces:
        instance_arn = found.arn_of.get(interface.instance_id or "")
        interface_arn = found.arn_of.get(interface.network_interface_id)
        if instance_arn is not None and interface_arn is not None:
            instance = ("Ec2Instance", instance_arn)
            records.rel("DELIVERS_TO", ("NetworkInterface", interface_arn), instance)
            records.rel("SENDS_THROUGH", instance, ("NetworkInterface", interface_arn))
    return records


def derive(graph: Graph) -> int:
    """Rewrite CAN_REACH, DELIVERS_TO and SENDS_THROUGH; return how many edges it wrote."""
    records = reach_records(read_network(graph))
    GraphWriter(graph, load_schema()).replace_derived(records, rel_types=DERIVED)
    return records.counts()["relationships"]
