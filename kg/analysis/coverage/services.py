"""service_enabled, account_setting_enabled and delegated_admin_registered: switched on where?

Each reads the control state nodes (label SecurityControlState) the security services ingest
writes per account and region. A state with status unknown (the call failed) or no state at all
(the region was not collected) is unknown, never missing, and so is an enabled state lacking a
property the control expects (the call that reads it was not answered). A control that lists
`features` is graded: some of them on is partial, naming what is on and off; only none on is
missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kg.analysis.coverage.conditions import failing
from kg.analysis.coverage.facts import Facts
from kg.analysis.coverage.verdicts import IN_PLACE, MISSING, PARTIAL, UNKNOWN, Observation

ACCOUNT_SETTING = "AccountSetting"
# Operators an absent property can satisfy; for any other, absent means not observed.
ABSENCE_OPERATORS = ("is_not_set", "not_equals")


def find_state(facts: Facts, account_id: str, region: str, service: str) -> dict[str, Any] | None:
    """The account's state node for the service in the region (not an account setting)."""
    for props in facts.states.get((account_id, region), []):
        if props["label"] != ACCOUNT_SETTING and props.get("service") == service:
            return props
    return None


def find_setting(facts: Facts, account_id: str, region: str, setting: str) -> dict[str, Any] | None:
    for props in facts.states.get((account_id, region), []):
        if props["label"] == ACCOUNT_SETTING and props.get("setting") == setting:
            return props
    return None


def judge_state(
    state: Mapping[str, Any] | None, where: str, params: Mapping[str, Any]
) -> Observation:
    """One state node against the control: enabled and every expected condition holds?"""
    if state is None:
        return Observation(UNKNOWN, "", f"not collected for {where}")
    evidence = f"{state['label']} {state['id']}: status {state['status']}"
    why = state.get("status_reason") or state["status"]
    if state["status"] == "unknown":
        return Observation(UNKNOWN, evidence, f"could not observe: {why}")
    if state["status"] != "enabled":
        return Observation(MISSING, evidence, str(why))
    expect = params.get("expect") or ()
    unobserved = sorted(
        {
            c["property"]
            for c in expect
            if state.get(c["property"]) is None and c["operator"] not in ABSENCE_OPERATORS
        }
    )
    if unobserved:
        reason = f"enabled, but {', '.join(unobserved)} not observed"
        return Observation(UNKNOWN, evidence, reason)
    failed = failing(state, expect, params.get("expect_any") or ())
    if failed:
        return Observation(MISSING, evidence, "enabled, but not " + "; ".join(failed))
    if params.get("features"):
        on = state.get(params["features_property"]) or ()
        return judge_features(evidence, params["features"], on)
    return Observation(IN_PLACE, evidence, "enabled")


def judge_features(evidence: str, needed: Iterable[str], on: Iterable[str]) -> Observation:
    """A graded control: which of the features it covers are on. Some on is partial, so a
    reader never takes "EC2 scanned, ECR not" for "no scanning at all"."""
    present = set(on)
    wanted = list(needed)
    enabled = [f for f in wanted if f in present]
    disabled = [f for f in wanted if f not in present]
    parts = (("on", enabled), ("off", disabled))
    listing = "; ".join(f"{word}: {', '.join(names)}" for word, names in parts if names)
    if not disabled:
        return Observation(IN_PLACE, evidence, listing)
    return Observation(PARTIAL if enabled else MISSING, evidence, listing)


def service_admin_account(facts: Facts, service_principal: str | None) -> str | None:
    """The account that runs the service for the organization: its delegated administrator
    (other than the management account), else the management account."""
    admins = facts.delegated_admins.get(service_principal or "", [])
    members = [a for a in admins if a != facts.management_account_id]
    return members[0] if members else facts.management_account_id


def judge_delegated_admin(facts: Facts, service_principal: str) -> Observation:
    admins = facts.delegated_admins.get(service_principal, [])
    members = [a for a in admins if a != facts.management_account_id]
    if members:
        return Observation(
            IN_PLACE,
            f"account {members[0]} DELEGATED_ADMIN_FOR {service_principal}",
            "a member account administers the service for the organization",
        )
    if admins:
        return Observation(
            MISSING,
            f"account {admins[0]} DELEGATED_ADMIN_FOR {service_principal}",
            "the management account is its own delegated administrator",
        )
    return Observation(MISSING, "", f"no delegated administrator for {service_principal}")
