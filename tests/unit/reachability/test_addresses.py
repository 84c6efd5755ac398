"""Address ranges: cutting sources where rules change, and the internet's address space."""

from __future__ import annotations

from kg.analysis.reachability.addresses import (
    INTERNET_IPV4,
    AddressRange,
    boundaries,
    merge_ranges,
    parse_address,
    parse_cidr,
    split_ranges,
)


def _contains(ranges: tuple[AddressRange, ...], ip: str) -> bool:
    family, address = parse_address(ip)
    return any(r.family == family and r.first <= address <= r.last for r in ranges)


def test_sources_are_cut_where_a_cidr_starts_and_ends() -> None:
    whole = AddressRange.of_cidr(parse_cidr("10.0.0.0/16"))
    pieces = split_ranges([whole], boundaries([parse_cidr("10.0.1.0/24")]))
    assert [c for p in pieces for c in p.cidrs()] == [
        "10.0.0.0/24",
        "10.0.1.0/24",
        "10.0.2.0/23",
        "10.0.4.0/22",
        "10.0.8.0/21",
        "10.0.16.0/20",
        "10.0.32.0/19",
        "10.0.64.0/18",
        "10.0.128.0/17",
    ]


def test_merging_joins_adjacent_pieces_back() -> None:
    whole = AddressRange.of_cidr(parse_cidr("10.0.0.0/16"))
    pieces = split_ranges([whole], boundaries([parse_cidr("10.0.1.0/24")]))
    assert [c for r in merge_ranges(pieces) for c in r.cidrs()] == ["10.0.0.0/16"]


def test_the_internet_is_public_addresses_only() -> None:
    assert _contains(INTERNET_IPV4, "8.8.8.8")
    assert _contains(INTERNET_IPV4, "203.0.113.9")
    for private in ("10.1.2.3", "172.20.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1"):
        assert not _contains(INTERNET_IPV4, private)


def test_a_single_address_is_one_host_block() -> None:
    for ip, block in (("10.1.2.3", "10.1.2.3/32"), ("2001:db8::1", "2001:db8::1/128")):
        family, address = parse_address(ip)
        assert AddressRange(family, address, address).cidrs() == [block]
