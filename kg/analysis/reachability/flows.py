"""Running checks over a range of sources, and merging flows into one answer.

A flow's sources are cut into pieces that every check treats alike; each piece passes the checks
in path order, each check narrowing the traffic, until nothing is left (the check that emptied
it is the one that blocked) or the end is reached (what is left gets through).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

from kg.analysis.reachability.addresses import (
    AddressRange,
    boundaries,
    merge_ranges,
    split_ranges,
)
from kg.analysis.reachability.checks import Check
from kg.analysis.reachability.results import Reachability, SourceTraffic, Step, Verdict
from kg.analysis.reachability.traffic import TrafficSet


@dataclass
class Flow:
    """What got through from which sources, and every step seen, in order, without repeats."""

    reached: list[tuple[AddressRange, TrafficSet]] = field(default_factory=list)
    steps: dict[Step, None] = field(default_factory=dict)
    blocked_by: dict[Step, None] = field(default_factory=dict)

    def note(self, steps: Iterable[Step], blocking: bool = False) -> None:
        for step in steps:
            self.steps[step] = None
            if blocking and step.verdict == Verdict.BLOCKS:
                self.blocked_by[step] = None

    @property
    def traffic(self) -> TrafficSet:
        total = TrafficSet.nothing()
        for _, traffic in self.reached:
            total |= traffic
        return total


def run_flow(sources: Sequence[AddressRange], checks: Sequence[Check], query: TrafficSet) -> Flow:
    """Decide `query` from every source address through `checks` (in path order)."""
    flow = Flow()
    for piece in _pieces(sources, checks):
        remaining = query
        for check in checks:
            outcome = check.evaluate(piece, remaining)
            remaining = outcome.allowed
            flow.note(outcome.steps, blocking=not remaining)
            if not remaining:
                break
        if remaining:
            flow.reached.append((piece, remaining))
    return flow


def _pieces(sources: Sequence[AddressRange], checks: Sequence[Check]) -> Sequence[AddressRange]:
    """The sources cut where any check's CIDRs start or end; single addresses (an interface's)
    cannot be cut, so their checks' CIDRs are not even listed."""
    if all(source.first == source.last for source in sources):
        return sources
    return split_ranges(sources, boundaries(chain.from_iterable(c.cidrs() for c in checks)))


def merge_flows(flows: Iterable[Flow]) -> Flow:
    """One flow whose sources reach with the union of what each flow lets them reach with
    (the paths of a load balancer through each of its subnets)."""
    merged = Flow()
    reached: list[tuple[AddressRange, TrafficSet]] = []
    for flow in flows:
        merged.note(flow.steps)
        merged.blocked_by.update(flow.blocked_by)
        reached += flow.reached
    cuts = list(boundaries(piece for piece, _ in reached))
    by_piece: defaultdict[AddressRange, TrafficSet] = defaultdict(TrafficSet.nothing)
    for piece, traffic in reached:
        for part in split_ranges((piece,), cuts):
            by_piece[part] |= traffic
    merged.reached = sorted(by_piece.items(), key=lambda item: (item[0].family, item[0].first))
    return merged


def answer(source: str, target: str, flow: Flow) -> Reachability:
    """The flow as a `Reachability`, its sources grouped by the traffic they get through with."""
    groups: defaultdict[TrafficSet, list[AddressRange]] = defaultdict(list)
    for piece, traffic in flow.reached:
        groups[traffic].append(piece)
    by_source = [
        SourceTraffic(
            tuple(cidr for whole in merge_ranges(pieces) for cidr in whole.cidrs()), traffic
        )
        for traffic, pieces in groups.items()
    ]
    return Reachability(
        source=source,
        target=target,
        traffic=flow.traffic,
        by_source=tuple(by_source),
        steps=tuple(flow.steps),
        blocked_by=tuple(flow.blocked_by),
    )
