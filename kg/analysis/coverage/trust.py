"""resource_policy_no_untrusted_principals: does a resource or trust policy let in anyone
outside the organization?

An Allow statement is untrusted when its principal is everyone ("*", AWS "*", or a NotPrincipal)
or an AWS account outside the organization, and no condition on a restricting key (the
organization id, a source account or network, an external id, ...) narrows it. Service and
federated principals do not count here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from kg.analysis.coverage.properties import each, name_of, relevant_nodes
from kg.analysis.coverage.verdicts import UNKNOWN, Observation

_ACCOUNT = re.compile(r"^(?:arn:aws[a-z-]*:iam::)?(\d{12})(?::|$)")


def _aws_principals(statement: Mapping[str, Any]) -> list[str]:
    if "NotPrincipal" in statement:
        return ["*"]
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, Mapping):
        return []
    aws = principal.get("AWS", [])
    return [aws] if isinstance(aws, str) else [str(p) for p in aws]


def _restricted(statement: Mapping[str, Any], keys: Collection[str]) -> bool:
    wanted = {key.lower() for key in keys}
    return any(
        key.lower() in wanted
        for block in (statement.get("Condition") or {}).values()
        for key in block
    )


def untrusted_principals(
    document: Mapping[str, Any], organization_accounts: Collection[str], keys: Collection[str]
) -> list[str]:
    """The principals an Allow statement of the document grants without a restricting key."""
    statements = document.get("Statement", [])
    found = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") != "Allow" or _restricted(statement, keys):
            continue
        for principal in _aws_principals(statement):
            account = _ACCOUNT.match(principal)
            if principal == "*" or (account and account.group(1) not in organization_accounts):
                found.append(principal)
    return found


def judge_untrusted(
    nodes: Iterable[Mapping[str, Any]],
    label: str,
    params: Mapping[str, Any],
    organization_accounts: Collection[str],
) -> Observation:
    """The policies of one target's nodes; a policy that could not be read makes it unknown
    unless another node already fails."""
    prop = params.get("policy_property") or "policy"
    keys = params.get("restricting_condition_keys") or ()
    relevant = relevant_nodes(nodes, params)
    failures: dict[str, str] = {}
    unread = []
    for node in relevant:
        if prop in (node.get("unknown") or []):
            unread.append(name_of(node))
        elif node.get(prop):
            granted = untrusted_principals(json.loads(node[prop]), organization_accounts, keys)
            if granted:
                failures[name_of(node)] = "grants " + ", ".join(sorted(set(granted)))
    if unread and not failures:
        return Observation(UNKNOWN, "; ".join(unread[:5]), f"could not read {prop} of {label}")
    return each(label, len(relevant), failures)
