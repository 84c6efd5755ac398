"""Sets of traffic (protocols and port ranges) with exact interval arithmetic.

Security group and network ACL rules each allow or deny a protocol on a port range; combining
them is intersection, union and difference of such sets. Ranges are kept as sorted, disjoint
intervals, so a rule for ports 0-65535 costs one interval, never 65536 ports.

Protocols are IANA numbers (6 tcp, 17 udp, 1 icmp, 58 icmpv6); -1 means every protocol, as AWS
writes it. For ICMP the "ports" are the ICMP types (AWS puts the type where a port would be).
Other protocols have no ports: a rule for them covers the whole protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from kg.analysis.reachability.errors import ReachabilityInputError

ALL_PROTOCOLS = -1
ICMP, TCP, UDP, ICMPV6 = 1, 6, 17, 58
PROTOCOL_NAMES = {ICMP: "icmp", TCP: "tcp", UDP: "udp", ICMPV6: "icmpv6"}
_PROTOCOL_NUMBERS = {name: number for number, name in PROTOCOL_NAMES.items()}
PORTED_PROTOCOLS = frozenset({TCP, UDP})
TYPED_PROTOCOLS = frozenset({ICMP, ICMPV6})

MAX_PORT = 65535
# The client ports that answers go back to (AWS advises opening 1024-65535 for them).
EPHEMERAL_PORTS = (1024, MAX_PORT)

Interval = tuple[int, int]


def protocol_number(value: str | int) -> int:
    """The protocol number for an AWS protocol value: "-1", "tcp", "6", 6, "icmpv6", ..."""
    text = str(value).strip().lower()
    if text in ("-1", "all"):
        return ALL_PROTOCOLS
    if text in _PROTOCOL_NUMBERS:
        return _PROTOCOL_NUMBERS[text]
    if text.isdigit() and int(text) <= 255:
        return int(text)
    raise ReachabilityInputError(f"{value!r} is not a protocol (expected -1, a name or 0-255)")


def protocol_name(protocol: int) -> str:
    return PROTOCOL_NAMES.get(protocol) or f"protocol {protocol}"


@dataclass(frozen=True)
class PortSet:
    """Ports (or ICMP types) as sorted, disjoint, non-adjacent closed intervals."""

    ranges: tuple[Interval, ...] = ()

    @classmethod
    def of(cls, first: int, last: int) -> PortSet:
        if not 0 <= first <= last <= MAX_PORT:
            raise ReachabilityInputError(f"port range {first}-{last} is outside 0-{MAX_PORT}")
        return cls(((first, last),))

    @classmethod
    def normalized(cls, intervals: Iterable[Interval]) -> PortSet:
        merged: list[Interval] = []
        for first, last in sorted(intervals):
            if merged and first <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        return cls(tuple(merged))

    @property
    def is_full(self) -> bool:
        return self.ranges == ((0, MAX_PORT),)

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __or__(self, other: PortSet) -> PortSet:
        return PortSet.normalized(self.ranges + other.ranges)

    def __and__(self, other: PortSet) -> PortSet:
        found: list[Interval] = []
        mine, theirs = self.ranges, other.ranges
        i = j = 0
        while i < len(mine) and j < len(theirs):
            first = max(mine[i][0], theirs[j][0])
            last = min(mine[i][1], theirs[j][1])
            if first <= last:
                found.append((first, last))
            if mine[i][1] < theirs[j][1]:
                i += 1
            else:
                j += 1
        return PortSet(tuple(found))

    def __sub__(self, other: PortSet) -> PortSet:
        return self & other.complement()

    def complement(self) -> PortSet:
        gaps: list[Interval] = []
        start = 0
        for first, last in self.ranges:
            if first > start:
                gaps.append((start, first - 1))
            start = last + 1
        if start <= MAX_PORT:
            gaps.append((start, MAX_PORT))
        return PortSet(tuple(gaps))

    def describe(self, protocol: int) -> str:
        """ "22", "1024-65535", "type 8" (ICMP), "" for a whole protocol without ports."""
        if self.is_full and protocol not in PORTED_PROTOCOLS:
            return ""
        texts = [str(first) if first == last else f"{first}-{last}" for first, last in self.ranges]
        return ("type " if protocol in TYPED_PROTOCOLS else "") + ",".join(texts)


ALL_PORTS = PortSet(((0, MAX_PORT),))
NO_PORTS = PortSet()


@dataclass(frozen=True)
class TrafficSet:
    """Protocols with their ports: the protocols listed, plus every other protocol when `others`.

    `listed` holds only protocols whose ports differ from what `others` gives them (all ports
    when `others` is true, none when false), so equal sets compare equal.
    """

    listed: tuple[tuple[int, PortSet], ...] = ()
    others: bool = False

    @classmethod
    def everything(cls) -> TrafficSet:
        return cls(others=True)

    @classmethod
    def nothing(cls) -> TrafficSet:
        return cls()

    @classmethod
    def of(
        cls, protocol: str | int, first: int | None = None, last: int | None = None
    ) -> TrafficSet:
        """One protocol on a port range (ports ignored for -1 and port-less protocols)."""
        number = protocol_number(protocol)
        if number == ALL_PROTOCOLS:
            return cls.everything()
        if number not in PORTED_PROTOCOLS | TYPED_PROTOCOLS or first is None:
            return cls(((number, ALL_PORTS),))
        return cls(((number, PortSet.of(first, first if last is None else last)),))

    @classmethod
    def _build(cls, ports: dict[int, PortSet], others: bool) -> TrafficSet:
        default = ALL_PORTS if others else NO_PORTS
        listed = tuple(sorted((p, s) for p, s in ports.items() if s != default))
        return cls(listed, others)

    def ports(self, protocol: int) -> PortSet:
        for listed_protocol, ports in self.listed:
            if listed_protocol == protocol:
                return ports
        return ALL_PORTS if self.others else NO_PORTS

    def _combine(self, other: TrafficSet, op: Callable[[PortSet, PortSet], PortSet]) -> TrafficSet:
        mine = ALL_PORTS if self.others else NO_PORTS
        theirs = ALL_PORTS if other.others else NO_PORTS
        my_ports, their_ports = dict(self.listed), dict(other.listed)
        ports = {
            p: op(my_ports.get(p, mine), their_ports.get(p, theirs))
            for p in my_ports.keys() | their_ports.keys()
        }
        return TrafficSet._build(ports, bool(op(mine, theirs)))

    # All traffic and no traffic list no protocol: with either on one side, each operation
    # below has its answer at hand (the sets being kept in their one form, see the class).

    def __or__(self, other: TrafficSet) -> TrafficSet:
        if not self.listed:
            return self if self.others else other
        if not other.listed:
            return other if other.others else self
        return self._combine(other, PortSet.__or__)

    def __and__(self, other: TrafficSet) -> TrafficSet:
        if not self.listed:
            return other if self.others else self
        if not other.listed:
            return self if other.others else other
        return self._combine(other, PortSet.__and__)

    def __sub__(self, other: TrafficSet) -> TrafficSet:
        if not other.listed:
            return TrafficSet.nothing() if other.others else self
        if not self.listed and not self.others:
            return self
        return self._combine(other, PortSet.__sub__)

    def __bool__(self) -> bool:
        return self.others or any(ports.ranges for _, ports in self.listed)

    def return_traffic(self) -> TrafficSet:
        """The answers this traffic gets: TCP and UDP to the client's ephemeral ports, any
        other protocol whole (an echo reply is a different ICMP type than the request)."""
        ephemeral = PortSet.of(*EPHEMERAL_PORTS)
        ports = {
            p: (ephemeral if p in PORTED_PROTOCOLS else ALL_PORTS)
            for p in {p for p, _ in self.listed} | PORTED_PROTOCOLS
            if self.ports(p)
        }
        return TrafficSet._build(ports, self.others)

    def answered_by(self, answers: TrafficSet) -> TrafficSet:
        """This traffic, keeping only the protocols for which some answer gets through."""
        protocols = {p for p, _ in self.listed} | {p for p, _ in answers.listed}
        ports = {p: self.ports(p) if answers.ports(p) else NO_PORTS for p in protocols}
        return TrafficSet._build(ports, self.others and answers.others)

    def protocols(self) -> tuple[tuple[str, tuple[Interval, ...]], ...]:
        """(protocol name, port ranges) of each listed protocol, for serializing (no ranges: none
        of it); every protocol not listed is included whole exactly when `others` is true."""
        return tuple((protocol_name(p), ports.ranges) for p, ports in self.listed)

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        """Hashed once per set: sets are keys of the checks' shared decisions."""
        return hash((self.listed, self.others))

    def __str__(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        """The description, made once per set: explanations repeat the same few sets."""
        if self.others and not self.listed:
            return "all traffic"
        parts = []
        for protocol, ports in self.listed:
            if ports:
                described = ports.describe(protocol)
                name = protocol_name(protocol)
                parts.append(f"{name}/{described}" if described else name)
        if self.others:
            parts.append("all other protocols")
        return ", ".join(parts) or "no traffic"
