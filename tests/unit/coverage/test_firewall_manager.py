"""Firewall Manager per member account and region (ACCT-FIREWALL-MANAGER-POLICY): judged from
the administrator's organization view in the region alone, since members run nothing of their
own and policies are regional. In place when a policy of the region covers the member and
reports it compliant, partial when one reports it non-compliant, missing when none covers it or
there is no administrator, unknown when the administrator's policies in the region, or a
covering policy's compliance, could not be read, or the administrator was not collected."""

from __future__ import annotations

from typing import Any

from kg.analysis.coverage import evaluate
from kg.analysis.coverage.facts import Facts, Target
from kg.analysis.coverage.verdicts import Verdict
from kg.catalog import load_catalog

ROOT = "arn:aws:organizations::111111111111:root/o-x/r-1"
ORG = "arn:aws:organizations::111111111111:organization/o-x"
MANAGEMENT, TOOLING, MEMBER = "111111111111", "222222222222", "333333333333"
US, EU = "us-east-1", "eu-west-1"
CONTROL = "ACCT-FIREWALL-MANAGER-POLICY"
FMS_PRINCIPAL = "fms.amazonaws.com"
NON_COMPLIANT = (
    "policy sg-audit (SECURITY_GROUPS_CONTENT_AUDIT, audit only): NON_COMPLIANT (2 violators)"
)


def _state_id(account_id: str, region: str) -> str:
    return f"{account_id}|{region}|firewall-manager"


def _policies(region: str) -> str:
    return f"Firewall Manager policies sg-audit ({region})"


def _add_state(
    facts: Facts,
    account_id: str,
    region: str,
    *,
    admin: str | None = MANAGEMENT,
    org_status: str = "configured",
    reason: str = "1 policies cover 1 accounts",
    enrolled: dict[str, dict[str, Any]] | None = None,
    status: str = "enabled",
) -> None:
    """One account's Firewall Manager state in a region, as the ingest writes it."""
    configured = org_status == "configured"
    facts.states[(account_id, region)].append(
        {
            "label": "FirewallManagerAdmin",
            "id": _state_id(account_id, region),
            "service": "firewall-manager",
            "account_id": account_id,
            "region": region,
            "status": status,
            "admin_account_id": admin,
            "org_status": org_status,
            "org_status_reason": reason,
            "org_resource": _policies(region) if configured else None,
            "org_zone": "policies" if configured else None,
        }
    )
    for member, props in (enrolled or {}).items():
        facts.enrollments[_state_id(account_id, region)][member] = {"enabled": True, **props}


def _organization(regions: tuple[str, ...] = (US,), admin: str = MANAGEMENT) -> Facts:
    """Three accounts collected in `regions`; every non-administrator's state names `admin`
    and holds no policies (only the administrator sees them)."""
    facts = Facts(ORG, MANAGEMENT, ROOT)
    facts.accounts = [
        Target("Account", account_id, name, "Root", (ROOT, account_id))
        for account_id, name in ((MANAGEMENT, "management"), (TOOLING, "tooling"), (MEMBER, "m"))
    ]
    for account_id in (MANAGEMENT, TOOLING, MEMBER):
        if account_id == admin:
            continue
        for region in regions:
            why = f"policies are visible only from administrator {admin}, read in its own state"
            _add_state(facts, account_id, region, admin=admin, org_status="unknown", reason=why)
    return facts


def _facts(
    org_status: str = "configured",
    enrolled: dict[str, dict[str, Any]] | None = None,
    reason: str = "1 policies cover 1 accounts",
) -> Facts:
    """The management account administers Firewall Manager in us-east-1; `enrolled` are the
    accounts its policies there cover, with their compliance."""
    facts = _organization()
    _add_state(facts, MANAGEMENT, US, org_status=org_status, reason=reason, enrolled=enrolled or {})
    return facts


def _verdicts(facts: Facts, account_id: str = MEMBER) -> dict[str, Verdict]:
    return {
        v.region: v
        for v in evaluate(load_catalog(), facts)
        if v.control_id == CONTROL and v.target.key == account_id
    }


def _verdict(facts: Facts, account_id: str = MEMBER, region: str = US) -> Verdict:
    found = _verdicts(facts, account_id)
    assert set(found) >= {region}
    return found[region]


def _covered(compliance: str | None, detail: str) -> dict[str, dict[str, Any]]:
    return {MEMBER: {"compliance": compliance, "relationship": detail}}


def test_a_member_a_policy_covers_and_finds_compliant_is_in_place_through_the_organization() -> (
    None
):
    verdict = _verdict(_facts(enrolled=_covered("COMPLIANT", "policy sg-audit: COMPLIANT")))
    assert (verdict.status, verdict.scope) == ("in_place", "organization")
    assert f"{_policies(US)} in administrator {MANAGEMENT}" in verdict.evidence
    assert "policy sg-audit: COMPLIANT" in verdict.reason


def test_a_covered_member_a_policy_finds_non_compliant_is_partial_naming_the_violators() -> None:
    verdict = _verdict(_facts(enrolled=_covered("NON_COMPLIANT", NON_COMPLIANT)))
    assert (verdict.status, verdict.scope) == ("partial", "organization")
    assert NON_COMPLIANT in verdict.reason


def test_a_member_outside_every_policy_is_missing() -> None:
    facts = _facts(enrolled={TOOLING: {"compliance": "COMPLIANT", "relationship": ""}})
    verdict = _verdict(facts)
    assert (verdict.status, verdict.scope) == ("missing", None)
    assert f"no policy in {US} covers account {MEMBER}" in verdict.reason
    assert _verdict(facts, TOOLING).status == "in_place"


def test_no_administrator_is_missing_for_every_account() -> None:
    facts = _organization(admin="none")
    for account_id in (MANAGEMENT, TOOLING, MEMBER):
        facts.states[(account_id, US)] = []
        _add_state(
            facts,
            account_id,
            US,
            admin=None,
            status="disabled",
            org_status="not_configured",
            reason="no Firewall Manager administrator",
        )
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


# Regions: policies are regional -------------------------------------------------------------------


def test_a_member_covered_only_by_a_policy_in_eu_west_1_is_in_place_there_missing_elsewhere() -> (
    None
):
    facts = _organization((US, EU))
    _add_state(
        facts, MANAGEMENT, US, org_status="not_configured", reason="no policies in us-east-1"
    )
    _add_state(facts, MANAGEMENT, EU, enrolled=_covered("COMPLIANT", "policy sg-audit: COMPLIANT"))
    verdicts = _verdicts(facts)
    assert {r: v.status for r, v in verdicts.items()} == {US: "missing", EU: "in_place"}
    assert _policies(EU) in verdicts[EU].evidence
    assert f"runs no organization configuration in {US}" in verdicts[US].reason


def test_a_region_whose_policies_were_denied_is_unknown_there_not_missing() -> None:
    facts = _organization((US, EU))
    _add_state(facts, MANAGEMENT, US, enrolled=_covered("COMPLIANT", "c"))
    denied = "AccessDeniedException on fms.list_policies"
    _add_state(facts, MANAGEMENT, EU, org_status="unknown", reason=denied)
    verdicts = _verdicts(facts)
    assert {r: v.status for r, v in verdicts.items()} == {US: "in_place", EU: "unknown"}
    assert denied in verdicts[EU].reason


def test_a_region_the_administrator_was_not_collected_in_is_unknown_not_missing() -> None:
    facts = _organization((US, EU))  # the member was collected in both regions
    _add_state(facts, MANAGEMENT, US, enrolled=_covered("COMPLIANT", "c"))  # the admin in one
    verdict = _verdict(facts, MEMBER, EU)
    assert (verdict.status, verdict.scope) == ("unknown", None)
    assert f"administrator {MANAGEMENT}'s view of {EU} was not collected" in verdict.reason


# A delegated administrator ------------------------------------------------------------------------


def test_a_collected_delegated_administrator_gives_real_answers() -> None:
    """Organizations lists it as the delegated administrator for Firewall Manager: its own
    state in the region holds the policies."""
    facts = _organization((EU,), admin=TOOLING)
    facts.delegated_admins[FMS_PRINCIPAL].append(TOOLING)
    _add_state(
        facts,
        TOOLING,
        EU,
        admin=TOOLING,
        enrolled={
            MEMBER: {"compliance": "NON_COMPLIANT", "relationship": NON_COMPLIANT},
            TOOLING: {"compliance": "COMPLIANT", "relationship": "c"},
        },
    )
    member = _verdict(facts, MEMBER, EU)
    assert (member.status, member.scope) == ("partial", "organization")
    assert f"in administrator {TOOLING}" in member.evidence
    assert _verdict(facts, TOOLING, EU).status == "in_place"
    assert _verdict(facts, MANAGEMENT, EU).status == "missing"


def test_the_administrator_firewall_manager_names_is_followed_when_organizations_does_not() -> None:
    """No delegated administrator in the graph (the management account's view is consulted),
    but Firewall Manager names another account: that account's state decides."""
    facts = _organization((EU,), admin=TOOLING)
    _add_state(facts, TOOLING, EU, admin=TOOLING, enrolled=_covered("COMPLIANT", "c"))
    member = _verdict(facts, MEMBER, EU)
    assert (member.status, member.scope) == ("in_place", "organization")
    assert f"in administrator {TOOLING}" in member.evidence


def test_a_delegated_administrator_that_was_not_collected_is_unknown_naming_it() -> None:
    facts = _organization((US,), admin=TOOLING)
    facts.delegated_admins[FMS_PRINCIPAL].append(TOOLING)
    facts.states.pop((TOOLING, US), None)  # the administrator was not collected at all
    for account_id in (MANAGEMENT, MEMBER):
        verdict = _verdict(facts, account_id)
        assert (verdict.status, verdict.scope) == ("unknown", None)
        assert f"administrator {TOOLING} was not collected" in verdict.reason


def test_a_delegated_administrator_named_only_by_firewall_manager_and_not_collected() -> None:
    facts = _organization((US,), admin=TOOLING)
    verdict = _verdict(facts)
    assert verdict.status == "unknown"
    assert f"administrator {TOOLING} was not collected" in verdict.reason


def test_further_administrators_whose_policies_were_not_read_leave_coverage_unknown() -> None:
    """Firewall Manager can have several administrators, each with policies of its own: kg
    reads the default one's, so "no policy covers it" or "compliant" could be wrong."""
    facts = _facts(
        enrolled={
            MEMBER: {"compliance": "COMPLIANT", "relationship": "c"},
            TOOLING: {"compliance": "NON_COMPLIANT", "relationship": NON_COMPLIANT},
        }
    )
    # a scoped administrator, listed by Organizations; its state names the default one
    facts.delegated_admins[FMS_PRINCIPAL].append(TOOLING)
    covered, outside = _verdict(facts), _verdict(facts, MANAGEMENT)
    assert (covered.status, outside.status) == ("unknown", "unknown")
    assert f"administrators {TOOLING} may have policies of their own" in outside.reason
    assert _verdict(facts, TOOLING).status == "partial"  # a violation is one whoever else looks
