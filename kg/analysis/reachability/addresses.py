"""IP addresses as integers: CIDR blocks, address ranges, and the internet's address space.

A flow from a range of sources (the internet, the nodes of a load balancer in a subnet) is
decided per *piece* of that range: the range is cut at every boundary of every CIDR that a route,
network ACL entry or security group rule names, so each rule either covers a whole piece or none
of it. Evaluating one address of each piece is then exact for the whole piece.
"""

from __future__ import annotations

import ipaddress
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from kg.analysis.reachability.errors import ReachabilityInputError

IPV4, IPV6 = 4, 6


@dataclass(frozen=True)
class Cidr:
    """A CIDR block as AWS states it, with its first and last address as integers."""

    text: str
    family: int
    first: int
    last: int

    @property
    def prefix_length(self) -> int:
        size = self.last - self.first + 1
        return (32 if self.family == IPV4 else 128) - (size.bit_length() - 1)

    def contains(self, family: int, address: int) -> bool:
        return family == self.family and self.first <= address <= self.last


@cache
def parse_cidr(text: str) -> Cidr:
    """The block of a CIDR string; AWS canonical form is not required ("10.0.0.5/16" is fine)."""
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ReachabilityInputError(f"{text!r} is not a CIDR block") from None
    return Cidr(text, network.version, int(network.network_address), int(network.broadcast_address))


@cache
def parse_address(text: str) -> tuple[int, int]:
    """(family, address as an integer) of an IP address string."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ReachabilityInputError(f"{text!r} is not an IP address") from None
    return address.version, int(address)


def is_global_ipv6(text: str) -> bool:
    """Whether an IPv6 address is routable on the internet (AWS gives VPCs global addresses)."""
    address = ipaddress.ip_address(text)
    return address.version == IPV6 and address.is_global


@dataclass(frozen=True)
class AddressRange:
    """A contiguous range of addresses of one family, both ends included."""

    family: int
    first: int
    last: int

    @classmethod
    def of_cidr(cls, cidr: Cidr) -> AddressRange:
        return cls(cidr.family, cidr.first, cidr.last)

    def cidrs(self) -> list[str]:
        """The range as the fewest CIDR blocks."""
        make = ipaddress.IPv4Address if self.family == IPV4 else ipaddress.IPv6Address
        if self.first == self.last:  # one address, the common case: no summarizing needed
            return [f"{make(self.first)}/{32 if self.family == IPV4 else 128}"]
        return [
            str(n) for n in ipaddress.summarize_address_range(make(self.first), make(self.last))
        ]


def merge_ranges(ranges: Iterable[AddressRange]) -> list[AddressRange]:
    """Overlapping and adjacent ranges of the same family joined, sorted by family then start."""
    merged: list[AddressRange] = []
    for piece in sorted(ranges, key=lambda r: (r.family, r.first)):
        last = merged[-1] if merged else None
        if last and last.family == piece.family and piece.first <= last.last + 1:
            merged[-1] = AddressRange(last.family, last.first, max(last.last, piece.last))
        else:
            merged.append(piece)
    return merged


def boundaries(blocks: Iterable[Cidr | AddressRange]) -> Iterator[tuple[int, int]]:
    """(family, address) where each block starts, and where the next address after it starts."""
    for block in blocks:
        yield block.family, block.first
        yield block.family, block.last + 1


def split_ranges(
    ranges: Sequence[AddressRange], cuts: Iterable[tuple[int, int]]
) -> list[AddressRange]:
    """`ranges` cut before every (family, address) of `cuts`."""
    points: dict[int, set[int]] = {IPV4: set(), IPV6: set()}
    for family, address in cuts:
        points[family].add(address)
    ordered = {family: sorted(found) for family, found in points.items()}
    pieces: list[AddressRange] = []
    for whole in ranges:
        family_cuts = ordered[whole.family]
        start = whole.first
        index = bisect_right(family_cuts, start)
        while index < len(family_cuts) and family_cuts[index] <= whole.last:
            pieces.append(AddressRange(whole.family, start, family_cuts[index] - 1))
            start = family_cuts[index]
            index += 1
        pieces.append(AddressRange(whole.family, start, whole.last))
    return pieces


def _without(family: int, excluded: Iterable[str]) -> tuple[AddressRange, ...]:
    """The whole address space of a family minus the excluded blocks."""
    top = (1 << (32 if family == IPV4 else 128)) - 1
    remaining = [AddressRange(family, 0, top)]
    for block in map(parse_cidr, excluded):
        kept: list[AddressRange] = []
        for piece in remaining:
            if block.last < piece.first or block.first > piece.last:
                kept.append(piece)
                continue
            if piece.first < block.first:
                kept.append(AddressRange(family, piece.first, block.first - 1))
            if block.last < piece.last:
                kept.append(AddressRange(family, block.last + 1, piece.last))
        remaining = kept
    return tuple(remaining)


# Sources the internet can present through an internet gateway: public addresses only. A rule
# for 10.0.0.0/8 admits no one from the internet.
INTERNET_IPV4 = _without(
    IPV4,
    (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/3",
    ),
)
INTERNET_IPV6 = (AddressRange.of_cidr(parse_cidr("2000::/3")),)
