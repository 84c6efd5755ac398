"""IAM Identity Center for each member: its workforce signs in through the organization instance.

The organization instance (in the management account, or as its delegated administrator sees
it) assigns permission sets in member accounts; its state enrolls every account a permission set
is assigned in (ingest/aws/ssoadmin.py). A member is in place (scope organization) when it is
enrolled; partial when it is, but IAM users of its own still sign in with a console password
(the access Identity Center is there to replace); missing when no permission set is assigned in
it, or there is no organization instance; unknown when the instance's assignments, or the
administrator's state, could not be read.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kg.analysis.coverage.facts import Facts, Target
from kg.analysis.coverage.services import service_admin_account
from kg.analysis.coverage.verdicts import (
    IN_PLACE,
    MISSING,
    ORGANIZATION_SCOPE,
    PARTIAL,
    UNKNOWN,
    Observation,
)
from kg.model.security_services import ORG_CONFIGURED

SERVICE = "identity-center"
MAX_NAMED = 3  # console users named in a reason


def _instance_states(facts: Facts, account_id: str) -> list[dict[str, Any]]:
    return [
        props
        for region in sorted({r for (a, r) in facts.states if a == account_id})
        for props in facts.states[(account_id, region)]
        if props.get("service") == SERVICE
    ]


def judge_identity_center(facts: Facts, service_principal: str | None) -> dict[str, Observation]:
    """Every member account against the organization instance of IAM Identity Center, by
    account id: the instance is found, and the console users counted, once."""
    admins = [facts.management_account_id]
    delegated = service_admin_account(facts, service_principal)
    if delegated not in admins:
        admins.append(delegated)
    views = [s for admin in admins if admin for s in _instance_states(facts, admin)]
    organization = [s for s in views if s.get("org_status") == ORG_CONFIGURED]
    if not organization:
        whole = _without_instance(views)
        return {account.key: whole for account in facts.accounts}
    state = organization[0]
    evidence = f"organization: {state.get('org_resource')} in account {state['account_id']}"
    enrolled = facts.enrollments.get(state["id"], {})
    console: dict[str, list[str]] = defaultdict(list)
    for user in facts.nodes.get("User", []):
        if user.get("password_enabled"):
            console[user.get("account_id") or ""].append(str(user.get("name") or user.get("arn")))
    return {
        account.key: _judged(account, evidence, enrolled.get(account.key), console[account.key])
        for account in facts.accounts
    }


def _without_instance(views: list[dict[str, Any]]) -> Observation:
    """Every member's verdict when no organization instance was seen configured."""
    if not views:
        return Observation(UNKNOWN, "", "the management account's Identity Center was not read")
    unread = [s for s in views if s.get("org_status") == UNKNOWN]
    if unread:
        why = unread[0].get("org_status_reason") or "not read"
        at = f"{unread[0]['label']} {unread[0]['id']}"
        return Observation(UNKNOWN, at, f"the organization instance could not be read: {why}")
    return Observation(MISSING, "", "the organization has no IAM Identity Center instance")


def _judged(
    account: Target, evidence: str, enrolled: dict[str, Any] | None, console: list[str]
) -> Observation:
    if enrolled is None:
        reason = f"no permission set is assigned in account {account.key}"
        return Observation(MISSING, evidence, reason, scope=ORGANIZATION_SCOPE)
    evidence = f"{evidence}; {enrolled.get('relationship')}"
    if console:
        names = sorted(console)
        named = ", ".join(names[:MAX_NAMED]) + (", ..." if len(names) > MAX_NAMED else "")
        reason = (
            f"permission sets are assigned, but {len(names)} IAM users of the account still "
            f"sign in with a console password: {named}"
        )
        return Observation(PARTIAL, evidence, reason, scope=ORGANIZATION_SCOPE)
    reason = "its workforce signs in through the organization's Identity Center"
    return Observation(IN_PLACE, evidence, reason, scope=ORGANIZATION_SCOPE)
