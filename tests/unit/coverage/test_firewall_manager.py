"""Firewall Manager per member account (ACCT-FIREWALL-MANAGER-POLICY): judged from the
administrator's organization view alone, since members run nothing of their own. In place when
a policy covers the member and reports it compliant, partial when one reports it non-compliant,
missing when none covers it or there is no administrator, unknown when the administrator's
policies or a covering policy's compliance could not be read."""

from __future__ import annotations

from typing import Any

from kg.analysis.coverage import evaluate
from kg.analysis.coverage.facts import Facts, Target
from kg.analysis.coverage.verdicts import Verdict
from kg.catalog import load_catalog

ROOT = "arn:aws:organizations::111111111111:root/o-x/r-1"
ORG = "arn:aws:organizations::111111111111:organization/o-x"
MANAGEMENT, TOOLING, MEMBER = "111111111111", "222222222222", "333333333333"
CONTROL = "ACCT-FIREWALL-MANAGER-POLICY"
STATE_ID = f"{MANAGEMENT}|global|firewall-manager"
POLICIES = "Firewall Manager policies sg-audit (us-east-1)"
NON_COMPLIANT = (
    "policy sg-audit (SECURITY_GROUPS_CONTENT_AUDIT, audit only): NON_COMPLIANT (2 violators)"
)


def _facts(
    org_status: str = "configured",
    enrolled: dict[str, dict[str, Any]] | None = None,
    reason: str = "1 policies cover 1 accounts",
) -> Facts:
    """The management account administers Firewall Manager; `enrolled` are the accounts its
    policies cover, with their compliance."""
    facts = Facts(ORG, MANAGEMENT, ROOT)
    facts.accounts = [
        Target("Account", account_id, name, "Root", (ROOT, account_id))
        for account_id, name in ((MANAGEMENT, "management"), (TOOLING, "tooling"), (MEMBER, "m"))
    ]
    configured = org_status == "configured"
    facts.states[(MANAGEMENT, "global")].append(
        {
            "label": "FirewallManagerAdmin",
            "id": STATE_ID,
            "service": "firewall-manager",
            "account_id": MANAGEMENT,
            "region": "global",
            "status": "enabled",
            "admin_account_id": MANAGEMENT,
            "org_status": org_status,
            "org_status_reason": reason,
            "org_resource": POLICIES if configured else None,
            "org_zone": "policies" if configured else None,
        }
    )
    for account_id, props in (enrolled or {}).items():
        facts.enrollments[STATE_ID][account_id] = {"enabled": True, **props}
    return facts


def _verdict(facts: Facts, account_id: str = MEMBER) -> Verdict:
    found = [
        v
        for v in evaluate(load_catalog(), facts)
        if v.control_id == CONTROL and v.target.key == account_id
    ]
    assert len(found) == 1
    return found[0]


def _covered(compliance: str | None, detail: str) -> dict[str, dict[str, Any]]:
    return {MEMBER: {"compliance": compliance, "relationship": detail}}


def test_a_member_a_policy_covers_and_finds_compliant_is_in_place_through_the_organization() -> (
    None
):
    verdict = _verdict(_facts(enrolled=_covered("COMPLIANT", "policy sg-audit: COMPLIANT")))
    assert (verdict.status, verdict.scope) == ("in_place", "organization")
    assert f"{POLICIES} in administrator {MANAGEMENT}" in verdict.evidence
    assert "policy sg-audit: COMPLIANT" in verdict.reason


def test_a_covered_member_a_policy_finds_non_compliant_is_partial_naming_the_violators() -> None:
    verdict = _verdict(_facts(enrolled=_covered("NON_COMPLIANT", NON_COMPLIANT)))
    assert (verdict.status, verdict.scope) == ("partial", "organization")
    assert NON_COMPLIANT in verdict.reason


def test_a_member_outside_every_policy_is_missing() -> None:
    facts = _facts(enrolled={TOOLING: {"compliance": "COMPLIANT", "relationship": ""}})
    verdict = _verdict(facts)
    assert (verdict.status, verdict.scope) == ("missing", None)
    assert f"no policy covers account {MEMBER}" in verdict.reason
    assert _verdict(facts, TOOLING).status == "in_place"


def test_no_administrator_is_missing_for_every_account() -> None:
    facts = _facts("not_configured", reason="no Firewall Manager administrator")
    for account_id in (MANAGEMENT, TOOLING, MEMBER):
        assert _verdict(facts, account_id).status == "missing"


def test_unreadable_administrator_policies_are_unknown_never_missing_nor_in_place() -> None:
    facts = _facts(
        "unknown",
        enrolled=_covered("COMPLIANT", "stale"),
        reason="scope of policy sg-audit not read: AccessDenied on fms.get_policy (p-1)",
    )
    for account_id in (MANAGEMENT, MEMBER):
        verdict = _verdict(facts, account_id)
        assert verdict.status == "unknown"
        assert "AccessDenied on fms.get_policy" in verdict.reason


def test_a_covered_member_whose_compliance_was_not_read_is_unknown() -> None:
    detail = "policy sg-audit: compliance not read: AccessDenied on fms.list_compliance_status"
    verdict = _verdict(_facts(enrolled=_covered("unknown", detail)))
    assert (verdict.status, verdict.scope) == ("unknown", None)
    assert detail in verdict.reason


def test_the_administrator_s_own_account_is_judged_by_the_policies_like_any_member() -> None:
    """Firewall Manager policies apply to every account of the organization their scope names,
    the management account and the administrator included."""
    facts = _facts(enrolled={MANAGEMENT: {"compliance": "NON_COMPLIANT", "relationship": "x"}})
    assert _verdict(facts, MANAGEMENT).status == "partial"
    assert _verdict(facts, MEMBER).status == "missing"


def test_an_administrator_state_that_was_not_collected_is_unknown() -> None:
    facts = _facts(enrolled=_covered("COMPLIANT", "c"))
    facts.states.pop((MANAGEMENT, "global"))
    verdict = _verdict(facts)
    assert verdict.status == "unknown"
    assert "was not collected" in verdict.reason
