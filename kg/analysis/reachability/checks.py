"""The controls on a flow, each as a check that narrows the traffic and says why.

A check decides one piece of the source addresses at a time (see `addresses`): it gets the
traffic still alive and returns the part it lets through with the steps that explain it. Checks
on the source's side of a flow look at the fixed destination address (`Peer.fixed`); checks on
the destination's side look at the source piece being decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from kg.analysis.reachability.addresses import AddressRange, Cidr
from kg.analysis.reachability.model import (
    NetworkAcl,
    NetworkAclEntry,
    Route,
    RouteTable,
    RouteTarget,
    SecurityGroup,
    SecurityGroupRule,
)
from kg.analysis.reachability.results import ControlKind, Step, Verdict
from kg.analysis.reachability.traffic import TrafficSet


@dataclass(frozen=True)
class Outcome:
    allowed: TrafficSet
    steps: tuple[Step, ...]


class Check(Protocol):
    def cidrs(self) -> Iterable[Cidr]:
        """The CIDRs this check compares source addresses with (where pieces must be cut)."""
        ...

    def evaluate(self, source: AddressRange, traffic: TrafficSet) -> Outcome: ...


@dataclass(frozen=True)
class Peer:
    """The other end as a check sees it: the source piece (`fixed` None) or one address."""

    label: str
    fixed: tuple[int, int] | None = None

    def address(self, source: AddressRange) -> tuple[int, int]:
        return self.fixed or (source.family, source.first)


@dataclass(frozen=True)
class Unknown:
    """A control whose facts are missing: traffic passes, marked unknown."""

    control_id: str
    kind: ControlKind
    detail: str

    def cidrs(self) -> Iterable[Cidr]:
        return ()

    def evaluate(self, source: AddressRange, traffic: TrafficSet) -> Outcome:
        return Outcome(traffic, (Step(self.control_id, self.kind, Verdict.UNKNOWN, self.detail),))


# A rule set's decision on some traffic for the rules that match a peer, whoever the peer is
# (and, for an ACL, the traffic no rule decided). Checks of the same rule set share these (see
# `Paths`): most peers match the same few rules, and only a step naming the peer is their own.
AclDecisions = dict[tuple[tuple[int, ...], TrafficSet], tuple[Outcome, TrafficSet]]
Match = tuple[Verdict, str]
GroupDecisions = dict[tuple[tuple[Match | None, ...], TrafficSet], Outcome]
RouteDecisions = dict[tuple[Route, Route, TrafficSet], Outcome]


@dataclass(frozen=True)
class NetworkAclCheck:
    """A network ACL on one direction, rules in number order, the first match deciding.

    With `answer`, the check is on the return traffic of a flow (ACLs are stateless): the flow
    keeps a protocol when any answer to it gets out, on any ephemeral port, since a client (an
    attacker included) chooses its own source port.
    """

    acl: NetworkAcl
    egress: bool
    peer: Peer
    answer: bool = False
    decided: AclDecisions = field(default_factory=dict, compare=False, repr=False)

    def cidrs(self) -> Iterable[Cidr]:
        if self.peer.fixed is not None:
            return ()
        return (entry.block for entry in self.acl.ordered(self.egress))

    def evaluate(self, source: AddressRange, traffic: TrafficSet) -> Outcome:
        peer = self.peer.address(source)
        entries = self.acl.ordered(self.egress)
        key = (tuple(i for i, entry in enumerate(entries) if entry.block.contains(*peer)), traffic)
        if key not in self.decided:
            self.decided[key] = self._decide(tuple(entries[i] for i in key[0]), traffic)
        outcome, undecided = self.decided[key]
        if not undecided:
            return outcome
        detail = (
            f"rule * denies {undecided} {self._toward} {self.peer.label}{self._purpose}"
            ": no rule allows it"
        )
        return Outcome(outcome.allowed, (*outcome.steps, self._step(Verdict.BLOCKS, detail)))

    def _decide(
        self, entries: tuple[NetworkAclEntry, ...], traffic: TrafficSet
    ) -> tuple[Outcome, TrafficSet]:
        """The entries (those matching the peer, in order) on the traffic, or on its answers."""
        asked = traffic.return_traffic() if self.answer else traffic
        remaining, allowed = asked, TrafficSet.nothing()
        steps: list[Step] = []
        for entry in entries:
            if not remaining:
                break
            matched = remaining & entry.traffic
            if matched:
                verdict = Verdict.ALLOWS if entry.allow else Verdict.BLOCKS
                steps.append(
                    self._step(
                        verdict,
                        f"rule {entry.label} {'allows' if entry.allow else 'denies'} {matched} "
                        f"{self._toward} {entry.cidr}{self._purpose}",
                    )
                )
                if entry.allow:
                    allowed |= matched
                remaining -= matched
        let_through = traffic.answered_by(allowed) if self.answer else allowed
        return Outcome(let_through, tuple(steps)), remaining

    @property
    def _toward(self) -> str:
        return "outbound to" if self.egress else "inbound from"

    @property
    def _purpose(self) -> str:
        return " (return traffic)" if self.answer else ""

    def _step(self, verdict: Verdict, detail: str) -> Step:
        return Step(self.acl.network_acl_id, ControlKind.NETWORK_ACL, verdict, detail)


@dataclass(frozen=True)
class SecurityGroupCheck:
    """The security groups of one end, on one direction: a rule of any group lets traffic through
    (groups and rules are a union, allow-only). A rule naming a group matches the private
    addresses of interfaces in that group, so it matches a peer by its groups."""

    owner_id: str
    groups: tuple[SecurityGroup, ...]
    missing_group_ids: tuple[str, ...]
    ingress: bool
    peer: Peer
    peer_group_ids: frozenset[str] = field(default_factory=frozenset)
    decided: GroupDecisions = field(default_factory=dict, compare=False, repr=False)

    def cidrs(self) -> Iterable[Cidr]:
        if self.peer.fixed is not None:
            return ()
        return (block for _, rule in self._rules() for block, _ in rule.blocks)

    def _rules(self) -> Iterable[tuple[SecurityGroup, SecurityGroupRule]]:
        for group in self.groups:
            for rule in group.ingress if self.ingress else group.egress:
                yield group, rule

    def evaluate(self, source: AddressRange, traffic: TrafficSet) -> Outcome:
        if not self.groups and not self.missing_group_ids:
            detail = "has no security group: nothing is filtered here"
            return Outcome(
                traffic, (Step(self.owner_id, ControlKind.SECURITY_GROUP, Verdict.ALLOWS, detail),)
            )
        peer = self.peer.address(source)
        matches = tuple(self._match(rule, peer) for _, rule in self._rules())
        if (matches, traffic) not in self.decided:
            self.decided[(matches, traffic)] = self._decide(matches, traffic)
        outcome = self.decided[(matches, traffic)]
        if outcome.allowed:
            return outcome
        toward = "from" if self.ingress else "to"
        blocks = (
            Step(
                group.group_id,
                ControlKind.SECURITY_GROUP,
                Verdict.BLOCKS,
                f"allows none of {traffic} {toward} {self.peer.label}",
            )
            for group in self.groups
        )
        return Outcome(outcome.allowed, (*outcome.steps, *blocks))

    def _decide(self, matches: tuple[Match | None, ...], traffic: TrafficSet) -> Outcome:
        """The rules on the traffic, given how each names the peer (`_match`, in rule order)."""
        toward = "from" if self.ingress else "to"
        allowed = TrafficSet.nothing()
        steps: list[Step] = []
        for (group, rule), match in zip(self._rules(), matches, strict=True):
            matched = rule.traffic & traffic
            if matched and match is not None:
                verdict, whom = match
                detail = f"allows {matched} {toward} {whom}"
                steps.append(Step(group.group_id, ControlKind.SECURITY_GROUP, verdict, detail))
                allowed |= matched
        if self.missing_group_ids:
            # A group whose rules are unknown may allow anything.
            steps += [
                Step(group_id, ControlKind.SECURITY_GROUP, Verdict.UNKNOWN, "is not in the facts")
                for group_id in self.missing_group_ids
            ]
            allowed = traffic
        return Outcome(allowed, tuple(steps))

    def _match(self, rule: SecurityGroupRule, peer: tuple[int, int]) -> Match | None:
        """How the rule names the peer (the first CIDR or group that does), or that it may (a
        prefix list whose entries are unknown); None when it does not."""
        for block, label in rule.blocks:
            if block.contains(*peer):
                return Verdict.ALLOWS, label
        for group_id in rule.group_ids:
            if group_id in self.peer_group_ids:
                return Verdict.ALLOWS, group_id
        for prefix_list in rule.prefix_lists:
            if prefix_list.cidrs is None:
                return Verdict.UNKNOWN, f"{prefix_list.prefix_list_id} (entries not in the facts)"
        return None


def select_route(table: RouteTable, address: tuple[int, int]) -> Route | None:
    """The route AWS uses for an address: longest prefix, then static over prefix list over
    propagated routes."""
    best: tuple[int, int] | None = None
    chosen = None
    for route in table.routes:
        for destination in route.destinations:
            if destination.contains(*address):
                rank = (destination.prefix_length, -route.priority)
                if best is None or rank > best:
                    best, chosen = rank, route
    return chosen


def _route_cidrs(table: RouteTable) -> Iterable[Cidr]:
    return (cidr for route in table.routes for cidr in route.destinations)


def _route_step(table: RouteTable, route: Route, verdict: Verdict, why: str = "") -> Step:
    detail = f"routes {route.destination} to {route.target_id}{why}"
    return Step(table.route_table_id, ControlKind.ROUTE_TABLE, verdict, detail)


_NO_INBOUND = {
    RouteTarget.NAT_GATEWAY: ": a NAT gateway accepts no connections from the internet",
    RouteTarget.EGRESS_ONLY_INTERNET_GATEWAY: (
        ": an egress-only internet gateway accepts no connections from the internet"
    ),
}


@dataclass(frozen=True)
class InternetRouteCheck:
    """The destination subnet's route back to an internet source must reach an internet gateway,
    or answers never leave (and AWS does not deliver the connection). Addresses the VPC routes
    locally are its own (a VPC's IPv6 block is global), so no internet source has them: they are
    dropped without a step."""

    table: RouteTable

    def cidrs(self) -> Iterable[Cidr]:
        return _route_cidrs(self.table)

    def evaluate(self, source: AddressRange, traffic: TrafficSet) -> Outcome:
        route = select_route(self.table, (source.family, source.first))
        if route is not None and route.target == RouteTarget.LOCAL:
            return Outcome(TrafficSet.nothing(), ())
        if route is None:
            step = Step(
                self.table.route_table_id,
                ControlKind.ROUTE_TABLE,
                Verdict.BLOCKS,
                "has no route to the internet",
            )
            return Outcome(TrafficSet.nothing(), (step,))
        if route.is_blackhole:
            why = ", a blackhole (its target is gone)"
        elif route.target == RouteTarget.INTERNET_GATEWAY:
            return Outcome(traffic, (_route_step(self.table, route, Verdict.ALLOWS),))
        else:
            why = _NO_INBOUND.get(route.target, ", not to an internet gateway")
        return Outcome(TrafficSet.nothing(), (_route_step(self.table, route, Verdict.BLOCKS, why),))


_BETWEEN_VPCS = (RouteTarget.LOCAL, RouteTarget.PEERING_CONNECTION, RouteTarget.TRANSIT_GATEWAY)
_NOT_FOLLOWED = (RouteTarget.NETWORK_INTERFACE, RouteTarget.OTHER)


@dataclass(frozen=True)
class PeerRouteCheck:
    """Routes between two interfaces: the source subnet's route to the destination and the
    destination subnet's route back must use the same path (the VPC's local route, one peering
    connection, or one transit gateway, whose own route tables are not evaluated)."""

    source_table: RouteTable
    destination_table: RouteTable
    destination: tuple[int, int]
    destination_label: str
    source_label: str
    decided: RouteDecisions = field(default_factory=dict, compare=False, repr=False)

    def cidrs(self) -> Iterable[Cidr]:
        return _route_cidrs(self.destination_table)

    def evaluate(self, source: AddressRange, traffic: TrafficSet) -> Outcome:
        forward = select_route(self.source_table, self.destination)
        back = select_route(self.destination_table, (source.family, source.first))
        if forward is None or back is None:  # told by the name of the end it fails to reach
            return self._decide(forward, back, traffic)
        if (forward, back, traffic) not in self.decided:
            self.decided[(forward, back, traffic)] = self._decide(forward, back, traffic)
        return self.decided[(forward, back, traffic)]

    def _decide(self, forward: Route | None, back: Route | None, traffic: TrafficSet) -> Outcome:
        """The route there, then (unless it blocks) the route back."""
        steps: list[Step] = []
        legs = (
            (self.source_table, forward, self.destination_label),
            (self.destination_table, back, self.source_label),
        )
        first: Route | None = None
        for table, route, label in legs:
            verdict, why = self._judge(route, first)
            if route is None:
                steps.append(
                    Step(
                        table.route_table_id,
                        ControlKind.ROUTE_TABLE,
                        verdict,
                        f"has no route to {label}",
                    )
                )
            else:
                steps.append(_route_step(table, route, verdict, why))
            if verdict == Verdict.BLOCKS:
                return Outcome(TrafficSet.nothing(), tuple(steps))
            if verdict == Verdict.ALLOWS:
                first = first or route
        return Outcome(traffic, tuple(steps))

    @staticmethod
    def _judge(route: Route | None, forward: Route | None) -> tuple[Verdict, str]:
        if route is None:
            return Verdict.BLOCKS, ""
        if route.is_blackhole:
            return Verdict.BLOCKS, ", a blackhole (its target is gone)"
        if route.target in _NOT_FOLLOWED:
            return Verdict.UNKNOWN, " (through an appliance, not followed)"
        if route.target not in _BETWEEN_VPCS:
            return Verdict.BLOCKS, ", which does not lead to the other interface"
        if forward is not None and (route.target, route.target_id) != (
            forward.target,
            forward.target_id,
        ):
            return Verdict.BLOCKS, f", not back through {forward.target_id}"
        if route.target == RouteTarget.TRANSIT_GATEWAY:
            return Verdict.ALLOWS, " (its transit gateway route tables are not evaluated)"
        return Verdict.ALLOWS, ""
