"""What an evaluation answers: the traffic that gets through, and why, control by control."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from kg.analysis.reachability.traffic import TrafficSet

INTERNET = "internet"


class Verdict(StrEnum):
    ALLOWS = "allows"
    BLOCKS = "blocks"
    UNKNOWN = "unknown"  # not evaluable from the facts given; treated as allowing


class ControlKind(StrEnum):
    PUBLIC_ADDRESS = "public_address"
    INSTANCE_STATE = "instance_state"
    ROUTE_TABLE = "route_table"
    NETWORK_ACL = "network_acl"
    SECURITY_GROUP = "security_group"
    LOAD_BALANCER = "load_balancer"
    PRIVATE_ADDRESS = "private_address"


@dataclass(frozen=True)
class Step:
    """One control evaluated on a flow, e.g. "sg-123 allows tcp/22 from 0.0.0.0/0"."""

    control_id: str
    kind: ControlKind
    verdict: Verdict
    detail: str

    def __str__(self) -> str:
        return f"{self.control_id} {self.detail}"

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        """Hashed once per step: flows collect steps in dictionaries, and most are shared."""
        return hash((self.control_id, self.kind, self.verdict, self.detail))


@dataclass(frozen=True)
class SourceTraffic:
    """Source addresses (as CIDR blocks) that all reach the target with the same traffic."""

    cidrs: tuple[str, ...]
    traffic: TrafficSet


@dataclass(frozen=True)
class Reachability:
    """Whether, and with which traffic, a source reaches a target.

    `traffic` is what gets through from at least one source address (per-source detail in
    `by_source`); `steps` lists every control evaluated in path order; `blocked_by` the controls
    that stopped the remaining traffic of some source (empty when nothing was stopped).
    """

    source: str
    target: str
    traffic: TrafficSet
    by_source: tuple[SourceTraffic, ...]
    steps: tuple[Step, ...]
    blocked_by: tuple[Step, ...]

    @property
    def reachable(self) -> bool:
        return bool(self.traffic)

    @property
    def unknowns(self) -> tuple[Step, ...]:
        """Controls that could not be evaluated (missing facts): the answer may overstate."""
        return tuple(step for step in self.steps if step.verdict == Verdict.UNKNOWN)

    def explain(self) -> list[str]:
        return [str(step) for step in self.steps]


@dataclass(frozen=True)
class TargetReach:
    """A load balancer's registered target and whether traffic arriving on a listener gets to it.

    `exposed` holds when the internet reaches the listener and the load balancer reaches the
    target on its port; `hop` explains the second part.
    """

    listener_arn: str
    listener_port: int | None  # None: a Gateway Load Balancer listener (every port)
    target_group_arn: str
    target_id: str
    interface_id: str
    port: int
    exposed: bool
    hop: Reachability


@dataclass(frozen=True)
class LoadBalancerExposure:
    """The internet's reach to a load balancer (`front`, on its listeners) and through it."""

    load_balancer_arn: str
    front: Reachability
    targets: tuple[TargetReach, ...]
    unresolved_targets: tuple[str, ...] = ()

    @property
    def exposed_targets(self) -> tuple[TargetReach, ...]:
        return tuple(t for t in self.targets if t.exposed)
