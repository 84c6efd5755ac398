"""node_property: do the nodes a control is about have the expected properties?

Resource-scoped controls are reported per account (the account's nodes of the label together):
in place when every node matching `where` passes, partial when some do, missing when none do,
not_applicable when the account has no such node. The evidence names the nodes that fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kg.analysis.coverage.conditions import condition_holds, failing
from kg.analysis.coverage.verdicts import IN_PLACE, MISSING, NOT_APPLICABLE, PARTIAL, Observation

_SHOWN = 5  # failing nodes named in the evidence


def name_of(props: Mapping[str, Any]) -> str:
    return str(props.get("arn") or props.get("id") or props.get("name") or "?")


def each(label: str, relevant: int, failures: Mapping[str, str]) -> Observation:
    """Nodes judged one by one, as one observation: partial when some fail."""
    if not relevant:
        return Observation(NOT_APPLICABLE, "", f"no {label} the control applies to")
    if not failures:
        return Observation(IN_PLACE, f"{relevant} {label} checked", "every one passes")
    shown = "; ".join(f"{name}: {why}" for name, why in list(failures.items())[:_SHOWN])
    more = f" (and {len(failures) - _SHOWN} more)" if len(failures) > _SHOWN else ""
    status = PARTIAL if len(failures) < relevant else MISSING
    return Observation(status, shown + more, f"{len(failures)} of {relevant} {label} fail")


def relevant_nodes(nodes: Iterable[Mapping[str, Any]], params: Mapping[str, Any]) -> list[Any]:
    where = params.get("where") or ()
    return [n for n in nodes if all(condition_holds(n, c) for c in where)]


def judge_nodes(
    nodes: Iterable[Mapping[str, Any]], label: str, params: Mapping[str, Any]
) -> Observation:
    """node_property over one target's nodes: where, then expect and expect_any."""
    relevant = relevant_nodes(nodes, params)
    expect, expect_any = params.get("expect") or (), params.get("expect_any") or ()
    failures = {
        name_of(node): "not " + ", ".join(reasons)
        for node in relevant
        if (reasons := failing(node, expect, expect_any))
    }
    return each(label, len(relevant), failures)


def judge_related(
    nodes: Iterable[Mapping[str, Any]], label: str, params: Mapping[str, Any]
) -> Observation:
    """resource_relationship over one target's nodes, each carrying its "related" nodes."""
    other_where = params.get("other_where") or ()
    want = params.get("presence", "present") == "present"
    link = f"{params['relationship']} from {params['other_label']}"
    relevant = relevant_nodes(nodes, params)
    failures = {
        name_of(node): f"no {link}" if want else f"has {link}"
        for node in relevant
        if any(all(condition_holds(o, c) for c in other_where) for o in node["related"]) != want
    }
    return each(label, len(relevant), failures)


def judge_exists(
    nodes: Iterable[Mapping[str, Any]], label: str, params: Mapping[str, Any]
) -> Observation:
    """resource_exists: at least one node of the label matches every `where` condition."""
    where = params["where"]
    found = next((n for n in nodes if all(condition_holds(n, c) for c in where)), None)
    if found is None:
        wanted = ", ".join(f"{c['property']} {c['operator']} {c.get('value')!r}" for c in where)
        return Observation(MISSING, "", f"no {label} with {wanted}")
    return Observation(IN_PLACE, f"{label} {name_of(found)}", "exists")


_PORT_PROTOCOLS = ("-1", "tcp", "udp", "6", "17")


def _opens(rule: Mapping[str, Any], ports: Iterable[int], sources: set[str]) -> list[int]:
    """The listed ports an ingress rule lets in from a listed source."""
    if rule.get("direction") != "ingress" or str(rule.get("protocol")) not in _PORT_PROTOCOLS:
        return []
    peers = {rule.get("cidr"), rule.get("ipv6_cidr"), *(rule.get("prefix_list_cidrs") or [])}
    if not peers & sources:
        return []
    if str(rule.get("protocol")) == "-1" or rule.get("from_port") is None:
        return list(ports)
    low, high = int(rule["from_port"]), int(rule.get("to_port", rule["from_port"]))
    return [port for port in ports if low <= port <= high]


def judge_open_ingress(
    rules: Iterable[Mapping[str, Any]], label: str, params: Mapping[str, Any]
) -> Observation:
    """sg_ingress_not_open over one account's security group rules, group by group."""
    ports, sources = list(params["ports"]), set(params.get("sources") or ())
    groups: dict[str, set[int]] = {}
    for rule in rules:
        groups.setdefault(str(rule.get("group_id")), set()).update(_opens(rule, ports, sources))
    if not groups:
        return Observation(NOT_APPLICABLE, "", "no security group rules")
    open_groups = {group: sorted(found) for group, found in groups.items() if found}
    if not open_groups:
        return Observation(IN_PLACE, f"{len(groups)} security groups checked", "none open")
    named = list(open_groups.items())[:_SHOWN]
    shown = "; ".join(f"{group} open on {', '.join(map(str, found))}" for group, found in named)
    more = f" (and {len(open_groups) - _SHOWN} more)" if len(open_groups) > _SHOWN else ""
    status = PARTIAL if len(open_groups) < len(groups) else MISSING
    reason = (
        f"{len(open_groups)} of {len(groups)} security groups open to {', '.join(sorted(sources))}"
    )
    return Observation(status, shown + more, reason)
