"""IAM Identity Center per member: covered through the organization instance when it assigns a
permission set in the account; partial while IAM users there keep console passwords; missing
when nothing is assigned or there is no instance; unknown when the instance's assignments, or
the administrator's Identity Center, could not be read."""

from __future__ import annotations

from typing import Any

from kg.analysis.coverage import evaluate
from kg.analysis.coverage.facts import Facts, Target
from kg.analysis.coverage.verdicts import Verdict
from kg.catalog import load_catalog

ROOT = "arn:aws:organizations::111111111111:root/o-x/r-1"
ORG = "arn:aws:organizations::111111111111:organization/o-x"
MANAGEMENT, SECURITY, MEMBER, OTHER = "111111111111", "222222222222", "333333333333", "444444444444"
CONTROL = "PRIN-IDENTITY-CENTER-ACCESS"
INSTANCE = "arn:aws:sso:::instance/ssoins-1"
STATE = f"{MANAGEMENT}:eu-west-1:identity-center"


def _facts(
    org_status: str | None = "configured", *, delegated: bool = False, **extra: Any
) -> Facts:
    facts = Facts(ORG, MANAGEMENT, ROOT)
    facts.accounts = [
        Target("Account", account, account, "Root", (ROOT, account))
        for account in (MANAGEMENT, SECURITY, MEMBER, OTHER)
    ]
    admin = SECURITY if delegated else MANAGEMENT
    if delegated:
        facts.delegated_admins["sso.amazonaws.com"] = [SECURITY]
    state = {
        "label": "IdentityCenterInstance",
        "id": STATE,
        "account_id": admin,
        "service": "identity-center",
        "status": "enabled",
        "org_status": org_status,
        "org_status_reason": extra.pop("reason", "read"),
        "org_resource": f"instance {INSTANCE}",
    }
    if org_status is not None:
        facts.states[(admin, "eu-west-1")].append(state)
    facts.enrollments[STATE] = {
        MEMBER: {"enabled": True, "relationship": "permission sets: Admin, ReadOnly"}
    }
    facts.nodes["User"] = extra.pop("users", [])
    return facts


def _verdicts(facts: Facts) -> dict[str, Verdict]:
    return {v.target.key: v for v in evaluate(load_catalog(), facts) if v.control_id == CONTROL}


def test_a_member_with_a_permission_set_assigned_is_covered_through_the_organization() -> None:
    verdicts = _verdicts(_facts())
    member = verdicts[MEMBER]
    assert (member.status, member.scope) == ("in_place", "organization")
    assert INSTANCE in member.evidence and "permission sets: Admin, ReadOnly" in member.evidence
    other = verdicts[OTHER]
    assert other.status == "missing"
    assert f"no permission set is assigned in account {OTHER}" in other.reason


def test_console_passwords_left_in_a_covered_member_make_it_partial_naming_them() -> None:
    users = [
        {"name": "ops", "account_id": MEMBER, "password_enabled": True},
        {"name": "ci", "account_id": MEMBER, "password_enabled": False},
        {"name": "elsewhere", "account_id": OTHER, "password_enabled": True},
    ]
    member = _verdicts(_facts(users=users))[MEMBER]
    assert member.status == "partial"
    assert "1 IAM users" in member.reason and "ops" in member.reason
    assert "ci" not in member.reason and "elsewhere" not in member.reason


def test_unread_assignments_or_an_unread_administrator_are_unknown_never_missing() -> None:
    unread = _verdicts(_facts("unknown", reason="AccessDenied on list_account_assignments"))
    assert {v.status for v in unread.values()} == {"unknown"}
    assert "AccessDenied" in unread[OTHER].reason
    not_collected = _verdicts(_facts(None))
    assert {v.status for v in not_collected.values()} == {"unknown"}


def test_no_organization_instance_is_missing() -> None:
    verdicts = _verdicts(_facts("not_configured"))
    assert {v.status for v in verdicts.values()} == {"missing"}
    assert "no IAM Identity Center instance" in verdicts[MEMBER].reason


def test_the_delegated_administrators_view_counts() -> None:
    member = _verdicts(_facts(delegated=True))[MEMBER]
    assert (member.status, member.scope) == ("in_place", "organization")
    assert f"in account {SECURITY}" in member.evidence
