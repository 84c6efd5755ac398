"""Network reachability: who reaches which interface, on which protocols and ports, and why.

Pure Python over the network facts of one or more account-regions; no database. Typical use::

    network = build_network(RegionResponses(vpcs=..., subnets=..., route_tables=..., ...))
    analyzer = ReachabilityAnalyzer(network)
    reach = analyzer.internet_to_interface("eni-0a1b2c3d4e5f60718")
    reach.traffic            # TrafficSet, e.g. "tcp/22, tcp/443"
    reach.explain()          # ["sg-123 allows tcp/22 from 0.0.0.0/0",
                             #  "acl-9 rule 100 allows tcp/22 inbound from 0.0.0.0/0", ...]
    reach.blocked_by         # the steps that stopped the rest
    for exposure in analyzer.load_balancer_exposures():
        exposure.front, exposure.exposed_targets
    analyzer.internal_reachability()   # interface -> interface pairs that connect

An adapter reading the graph builds the `model` classes (Vpc, Subnet, RouteTable, ...) itself
and passes them to `Network`. Several account-regions combine with `Network.combine`, so
peering, transit gateways and cross-account group references are followed.
"""

from kg.analysis.reachability.analyzer import ReachabilityAnalyzer
from kg.analysis.reachability.errors import ReachabilityInputError
from kg.analysis.reachability.from_aws import RegionResponses, build_network
from kg.analysis.reachability.model import (
    Instance,
    Listener,
    LoadBalancer,
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
from kg.analysis.reachability.network import Network
from kg.analysis.reachability.results import (
    INTERNET,
    ControlKind,
    LoadBalancerExposure,
    Reachability,
    SourceTraffic,
    Step,
    TargetReach,
    Verdict,
)
from kg.analysis.reachability.traffic import PortSet, TrafficSet

__all__ = [
    "INTERNET",
    "ControlKind",
    "Instance",
    "Listener",
    "LoadBalancer",
    "LoadBalancerExposure",
    "Network",
    "NetworkAcl",
    "NetworkAclEntry",
    "NetworkInterface",
    "PortSet",
    "PrefixList",
    "Reachability",
    "ReachabilityAnalyzer",
    "ReachabilityInputError",
    "RegionResponses",
    "Route",
    "RouteTable",
    "RouteTarget",
    "SecurityGroup",
    "SecurityGroupRule",
    "SourceTraffic",
    "Step",
    "Subnet",
    "Target",
    "TargetGroup",
    "TargetReach",
    "TrafficSet",
    "Verdict",
    "Vpc",
    "build_network",
]
