"""org_policy_denies_actions: does an SCP or RCP in force deny the listed actions?

A Deny counts for an action when its Action covers it (wildcards honoured; NotAction read as its
complement) on every resource. Without condition_key or principal_arn in the params the deny
must be unconditional, apart from carve-outs that exempt named principals; with them, it must
be conditioned on that key (or on aws:PrincipalArn matching that pattern).
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from kg.analysis.coverage.facts import Facts, OrgPolicy, Target
from kg.analysis.coverage.verdicts import IN_PLACE, MISSING, NOT_APPLICABLE, PARTIAL, Observation

# Condition keys that only exempt some principals from a deny (a break-glass role, say): the
# deny still binds everyone else, so it counts.
_CARVE_OUTS = ("aws:principalarn", "aws:principaltag/*", "aws:principalaccount")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _matches(patterns: list[str], action: str) -> bool:
    return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in patterns)


def _condition_keys(statement: Mapping[str, Any]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for block in (statement.get("Condition") or {}).values():
        for key, values in block.items():
            keys.setdefault(key.lower(), []).extend(_as_list(values))
    return keys


def _conditions_fit(statement: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    keys = _condition_keys(statement)
    condition_key = params.get("condition_key")
    principal_arn = params.get("principal_arn")
    if condition_key:
        return condition_key.lower() in keys
    if principal_arn:
        return any(
            fnmatchcase(value, principal_arn) or value == principal_arn
            for value in keys.get("aws:principalarn", [])
        )
    return all(any(fnmatchcase(key, c) for c in _CARVE_OUTS) for key in keys)


def statement_denies(statement: Mapping[str, Any], action: str, params: Mapping[str, Any]) -> bool:
    """Whether one policy statement denies the action on every resource, as params require."""
    if statement.get("Effect") != "Deny" or "NotResource" in statement:
        return False
    if "*" not in _as_list(statement.get("Resource", "*")):
        return False
    if "NotAction" in statement:
        covered = not _matches(_as_list(statement["NotAction"]), action)
    else:
        covered = _matches(_as_list(statement.get("Action")), action)
    return covered and _conditions_fit(statement, params)


def _policies_in_force(
    facts: Facts, keys: tuple[str, ...], policy_type: str
) -> list[tuple[str, OrgPolicy]]:
    return [
        (key, policy)
        for key in keys
        for policy in facts.attached.get(key, [])
        if policy.policy_type == policy_type
    ]


def judge_denies(facts: Facts, target: Target, params: Mapping[str, Any]) -> Observation:
    """The target's status for an org_policy_denies_actions control."""
    if target.kind == "Account" and target.key == facts.management_account_id:
        return Observation(
            NOT_APPLICABLE,
            f"account {target.key} is the management account",
            "SCPs and RCPs do not bind the management account: protect it by other means",
        )
    keys = (facts.root_arn,) if params["attached_at"] == "root" else target.path_keys
    in_force = _policies_in_force(facts, tuple(k for k in keys if k), params["policy_type"])
    actions: list[str] = list(params["actions"])
    denying: dict[str, list[str]] = {}
    for attached_to, policy in in_force:
        for action in actions:
            if any(statement_denies(s, action, params) for s in policy.statements):
                where = "root" if attached_to == facts.root_arn else attached_to
                denying.setdefault(action, []).append(f"{policy.name} ({policy.arn}) on {where}")
    evidence = "; ".join(dict.fromkeys(e for found in denying.values() for e in found))
    missing = [action for action in actions if action not in denying]
    if not missing:
        return Observation(IN_PLACE, evidence, "denied by a policy in force")
    considered = len(in_force)
    reason = f"not denied by the {considered} {params['policy_type']} in force: " + ", ".join(
        missing
    )
    return Observation(PARTIAL if denying else MISSING, evidence, reason)


def _assigned(content: Mapping[str, Any], path: list[str]) -> tuple[Any, bool] | None:
    """The @@assign value a management policy gives the attribute, and whether it stops child
    policies from changing it (@@operators_allowed_for_child_policies: ["@@none"]); None when
    the policy does not set it."""
    node: Any = content
    locked = False
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        allowed = node.get("@@operators_allowed_for_child_policies")
        locked = locked or allowed == ["@@none"]
        node = node[part]
    if not isinstance(node, Mapping) or "@@assign" not in node:
        return None
    return node["@@assign"], locked or node.get("@@operators_allowed_for_child_policies") == [
        "@@none"
    ]


def judge_sets_attribute(facts: Facts, target: Target, params: Mapping[str, Any]) -> Observation:
    """org_policy_sets_attribute: the effective value along the path from the root (the closest
    assignment wins, unless a policy above locked the attribute) is an accepted one."""
    keys = (facts.root_arn,) if params["attached_at"] == "root" else target.path_keys
    path = str(params["attribute"]).split(".")
    effective: tuple[Any, str] | None = None
    locked = False
    for attached_to, policy in _policies_in_force(
        facts, tuple(k for k in keys if k), params["policy_type"]
    ):
        found = _assigned(policy.content, path)
        if found is None or locked:
            continue
        value, locks = found
        where = "root" if attached_to == facts.root_arn else attached_to
        effective = (value, f"{policy.name} ({policy.arn}) on {where} assigns {value!r}")
        locked = locks
    if effective is None:
        return Observation(MISSING, "", f"no {params['policy_type']} in force sets {path[-1]}")
    value, evidence = effective
    if str(value) in params["accepted"]:
        return Observation(IN_PLACE, evidence, "the effective value is accepted")
    return Observation(MISSING, evidence, f"effective value {value!r} is not accepted")
