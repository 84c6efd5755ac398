"""Dual-scope coverage: a member's verdict from its own state and what the service's
administrator runs for the organization, per service, and graded controls.

Each service is tried four ways: organization-wide with the member enrolled (in place through
the organization), organization-wide but the member not enrolled or the region not reached
(partial or missing), neither (missing), and an administrator that could not be read (unknown,
never missing, never in place)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kg.analysis.coverage import evaluate
from kg.analysis.coverage.facts import Facts, Target
from kg.analysis.coverage.verdicts import Verdict
from kg.catalog import load_catalog

ROOT = "arn:aws:organizations::111111111111:root/o-x/r-1"
ORG = "arn:aws:organizations::111111111111:organization/o-x"
MANAGEMENT, TOOLING, MEMBER = "111111111111", "222222222222", "333333333333"
REGION, OTHER = "us-east-1", "eu-west-1"


@dataclass(frozen=True)
class Service:
    control: str
    service: str
    label: str
    principal: str
    # organization: covers every member; members: covers those it enrolls, which then run it
    # themselves; administered: covers those it enrolls, which show nothing of their own
    zone: str

    @property
    def member_shows_nothing(self) -> str:
        """The member's own status when the organization alone covers it: off where the
        service leaves nothing in the member, else unread (an own state read as off would
        contradict an enrollment)."""
        return "unknown" if self.zone == "members" else "disabled"

    resource: str


ACCESS_ANALYZER = Service(
    "ACCT-ACCESS-ANALYZER-ENABLED",
    "access-analyzer",
    "AccessAnalyzerStatus",
    "access-analyzer.amazonaws.com",
    "organization",
    "analyzer arn:aws:access-analyzer:us-east-1:222222222222:analyzer/org",
)
GUARDDUTY = Service(
    "ACCT-GUARDDUTY-ENABLED",
    "guardduty",
    "GuardDutyDetector",
    "guardduty.amazonaws.com",
    "members",
    "detector d-admin",
)
INSPECTOR = Service(
    "ACCT-INSPECTOR-ENABLED",
    "inspector",
    "InspectorStatus",
    "inspector2.amazonaws.com",
    "members",
    "Inspector administrator 222222222222",
)
MACIE = Service(
    "ACCT-MACIE-ENABLED",
    "macie",
    "MacieSession",
    "macie.amazonaws.com",
    "members",
    "Macie administrator 222222222222",
)
SECURITY_HUB = Service(
    "ACCT-SECURITYHUB-ENABLED",
    "securityhub",
    "SecurityHub",
    "securityhub.amazonaws.com",
    "members",
    "configuration policy baseline (home region us-east-1)",
)
DETECTIVE = Service(
    "ACCT-DETECTIVE-ENABLED",
    "detective",
    "DetectiveGraph",
    "detective.amazonaws.com",
    "administered",
    "behavior graph arn:aws:detective:us-east-1:222222222222:graph:g1",
)
SERVICES = (ACCESS_ANALYZER, GUARDDUTY, SECURITY_HUB, INSPECTOR, MACIE, DETECTIVE)


def _state(service: Service, account_id: str, region: str, **props: Any) -> dict[str, Any]:
    return {
        "label": service.label,
        "id": f"{account_id}|{region}|{service.service}",
        "service": service.service,
        "account_id": account_id,
        "region": region,
        **props,
    }


def _facts(
    service: Service,
    *,
    org_status: str = "configured",
    member_status: str = "disabled",
    enrolled: dict[str, Any] | None = None,
    admin_regions: tuple[str, ...] = (REGION,),
    member_props: dict[str, Any] | None = None,
) -> Facts:
    """The tooling account administers the service; the member's own state is member_status."""
    facts = Facts(ORG, MANAGEMENT, ROOT)
    facts.accounts = [
        Target("Account", MANAGEMENT, "management", "Root", (ROOT, MANAGEMENT)),
        Target("Account", TOOLING, "tooling", "Root", (ROOT, TOOLING)),
        Target("Account", MEMBER, "member", "Root", (ROOT, MEMBER)),
    ]
    facts.delegated_admins[service.principal].append(TOOLING)
    for region in (REGION, OTHER):
        configured = region in admin_regions
        view = {
            "org_status": org_status if configured else "not_configured",
            "org_status_reason": "AccessDeniedException on the call"
            if org_status == "unknown"
            else "",
            "org_resource": service.resource if configured else None,
            "org_zone": service.zone if configured else None,
        }
        admin_status = "unknown" if org_status == "unknown" else "enabled"
        admin = _state(
            service, TOOLING, region, status=admin_status, enabled_features=["ec2", "ecr"], **view
        )
        facts.states[(TOOLING, region)].append(admin)
        facts.states[(MANAGEMENT, region)].append(
            _state(service, MANAGEMENT, region, status="disabled")
        )
        own = _state(service, MEMBER, region, status=member_status, **(member_props or {}))
        facts.states[(MEMBER, region)].append(own)
        if enrolled is not None:
            facts.enrollments[admin["id"]][MEMBER] = enrolled
    return facts


def _member(facts: Facts, control: str, region: str = REGION) -> Verdict:
    found = [
        v
        for v in evaluate(load_catalog(), facts)
        if v.control_id == control and v.target.key == MEMBER and v.region == region
    ]
    assert len(found) == 1
    return found[0]


ENROLLED = {"enabled": True, "relationship": "Enabled", "features_on": ["ec2", "ecr"]}


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_organization_wide_and_member_enrolled_is_in_place_through_the_organization(
    service: Service,
) -> None:
    facts = _facts(service, enrolled=ENROLLED, member_status=service.member_shows_nothing)
    verdict = _member(facts, service.control)
    assert verdict.status == "in_place"
    assert verdict.scope == "organization"
    assert service.resource in verdict.evidence
    assert f"administrator {TOOLING}" in verdict.evidence


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_the_member_s_own_state_and_the_organization_together_are_both(service: Service) -> None:
    props = {"enabled_features": ["ec2", "ecr"]}
    facts = _facts(service, enrolled=ENROLLED, member_status="enabled", member_props=props)
    verdict = _member(facts, service.control)
    assert (verdict.status, verdict.scope) == ("in_place", "both")


@pytest.mark.parametrize(
    "service", [s for s in SERVICES if s.zone == "members"], ids=lambda s: s.service
)
def test_an_enrolled_member_whose_own_state_is_off_is_partial_not_in_place(
    service: Service,
) -> None:
    """The administrator lists it as enabled, its own detector, hub or session reads off: the
    scopes disagree, and neither in place nor missing would be the truth."""
    verdict = _member(_facts(service, enrolled=ENROLLED), service.control)
    assert (verdict.status, verdict.scope) == ("partial", "organization")
    assert "the two scopes disagree" in verdict.reason


@pytest.mark.parametrize(
    "service", [s for s in SERVICES if s.zone != "organization"], ids=lambda s: s.service
)
def test_organization_wide_but_member_not_enrolled_is_partial(service: Service) -> None:
    not_enrolled = _member(_facts(service), service.control)
    assert (not_enrolled.status, not_enrolled.scope) == ("partial", "organization")
    assert f"account {MEMBER} is not enrolled" in not_enrolled.reason
    invited = {"enabled": False, "relationship": "Invited", "features_on": None}
    verdict = _member(_facts(service, enrolled=invited), service.control)
    assert verdict.status == "partial"
    assert "(Invited)" in verdict.reason


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_a_region_the_organization_configuration_does_not_reach_is_judged_there_alone(
    service: Service,
) -> None:
    facts = _facts(service, enrolled=ENROLLED, member_status=service.member_shows_nothing)
    facts.states[(MEMBER, OTHER)][0]["status"] = "disabled"
    assert _member(facts, service.control, REGION).status == "in_place"
    other = _member(facts, service.control, OTHER)
    assert other.status == "missing"
    assert "runs no organization configuration in eu-west-1" in other.reason


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_neither_scope_is_missing(service: Service) -> None:
    verdict = _member(_facts(service, org_status="not_configured"), service.control)
    assert (verdict.status, verdict.scope) == ("missing", None)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_an_unreadable_administrator_is_unknown_never_missing(service: Service) -> None:
    verdict = _member(_facts(service, org_status="unknown", enrolled=ENROLLED), service.control)
    assert verdict.status == "unknown"
    assert f"administrator {TOOLING} could not be read" in verdict.reason
    assert "AccessDenied" in verdict.reason


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_an_unreadable_administrator_does_not_hide_the_member_s_own_control(
    service: Service,
) -> None:
    props = {"enabled_features": ["ec2", "ecr"]}
    facts = _facts(service, org_status="unknown", member_status="enabled", member_props=props)
    verdict = _member(facts, service.control)
    assert (verdict.status, verdict.scope) == ("in_place", "account")


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.service)
def test_an_administrator_region_not_collected_is_unknown(service: Service) -> None:
    facts = _facts(service)
    facts.states.pop((TOOLING, REGION))
    verdict = _member(facts, service.control)
    assert verdict.status == "unknown"
    assert "was not collected" in verdict.reason


def test_guardduty_auto_enable_does_not_override_a_member_list_that_leaves_the_member_out() -> None:
    """satisfied_by (auto-enable ALL) only speaks where the organization's view was not read."""
    facts = _facts(GUARDDUTY, member_status="unknown")
    for region in (REGION, OTHER):
        facts.states[(TOOLING, region)][0]["org_auto_enable_members"] = "ALL"
    verdict = _member(facts, GUARDDUTY.control)
    assert verdict.status == "unknown"
    assert "not enrolled" in verdict.reason


# Graded controls ---------------------------------------------------------------------------------


def test_inspector_member_scanning_ec2_but_not_ecr_is_partial_naming_on_and_off() -> None:
    ec2_only = {"enabled": True, "relationship": "ENABLED", "features_on": ["ec2", "lambda"]}
    verdict = _member(_facts(INSPECTOR, enrolled=ec2_only), INSPECTOR.control)
    assert (verdict.status, verdict.scope) == ("partial", "organization")
    assert "on: ec2; off: ecr" in verdict.reason


def test_inspector_member_scanning_nothing_it_covers_is_missing() -> None:
    lambda_only = {"enabled": True, "relationship": "ENABLED", "features_on": ["lambda"]}
    verdict = _member(_facts(INSPECTOR, enrolled=lambda_only), INSPECTOR.control)
    assert verdict.status == "missing"
    assert "off: ec2, ecr" in verdict.reason


def test_inspector_member_features_the_administrator_did_not_report_are_unknown() -> None:
    unreported = {"enabled": True, "relationship": "ENABLED", "features_on": None}
    verdict = _member(_facts(INSPECTOR, enrolled=unreported), INSPECTOR.control)
    assert verdict.status == "unknown"


def test_inspector_own_state_is_graded_too() -> None:
    facts = _facts(
        INSPECTOR,
        org_status="not_configured",
        member_status="enabled",
        member_props={"enabled_features": ["ecr"]},
    )
    verdict = _member(facts, INSPECTOR.control)
    assert (verdict.status, verdict.scope) == ("partial", "account")
    assert "on: ecr; off: ec2" in verdict.reason


def test_organization_auto_enable_of_some_resource_types_is_partial() -> None:
    facts = _facts(INSPECTOR)
    for region in (REGION, OTHER):
        facts.states[(TOOLING, region)][0]["org_auto_enable_resource_types"] = ["ec2", "ecr"]
    found = {
        v.region: v
        for v in evaluate(load_catalog(), facts)
        if v.control_id == "ORG-INSPECTOR-AUTO-ENABLE"
    }
    assert found[REGION].status == "partial"
    assert "on: ec2, ecr; off: lambda" in found[REGION].reason
    facts.states[(TOOLING, REGION)][0]["org_auto_enable_resource_types"] = []
    found = {
        v.region: v
        for v in evaluate(load_catalog(), facts)
        if v.control_id == "ORG-INSPECTOR-AUTO-ENABLE"
    }
    assert found[REGION].status == "missing"


# CloudTrail: organization trails belong to the management account --------------------------------

CLOUDTRAIL = Service(
    "ACCT-CLOUDTRAIL-LOGGING",
    "cloudtrail",
    "CloudTrailStatus",
    "cloudtrail.amazonaws.com",
    "organization",
    "organization trail arn:aws:cloudtrail:us-east-1:111111111111:trail/org",
)


def _trail_facts(org_status: str, member_status: str = "unknown") -> Facts:
    """The management account owns the trail; a delegated administrator runs nothing."""
    facts = _facts(CLOUDTRAIL, org_status="not_configured", member_status=member_status)
    for region in (REGION, OTHER):
        management = facts.states[(MANAGEMENT, region)][0]
        management.update(
            status="unknown" if org_status == "unknown" else "enabled",
            org_status=org_status,
            org_status_reason="AccessDeniedException on cloudtrail.describe_trails",
            org_resource=CLOUDTRAIL.resource,
            org_zone="organization",
        )
    return facts


def test_the_management_account_s_organization_trail_covers_a_member_it_could_not_read() -> None:
    verdict = _member(_trail_facts("configured"), CLOUDTRAIL.control, OTHER)
    assert (verdict.status, verdict.scope) == ("in_place", "organization")
    assert f"{CLOUDTRAIL.resource} in administrator {MANAGEMENT}" in verdict.evidence


def test_cloudtrail_ignores_the_delegated_administrator_and_reads_the_management_account() -> None:
    assert _member(_trail_facts("not_configured"), CLOUDTRAIL.control).status == "unknown"
    missing = _member(_trail_facts("not_configured", "disabled"), CLOUDTRAIL.control)
    assert missing.status == "missing"
    assert f"administrator {MANAGEMENT} runs no organization configuration" in missing.reason
    unread = _member(_trail_facts("unknown", "disabled"), CLOUDTRAIL.control)
    assert unread.status == "unknown"
    assert f"administrator {MANAGEMENT} could not be read" in unread.reason


# Config rules: deployed by the organization, judging only what the member records --------------

CONFIG_RULES = Service(
    "ACCT-CONFIG-RULES",
    "config",
    "ConfigRecorder",
    "config-multiaccountsetup.amazonaws.com",
    "recorded",
    "organization rule required-tags",
)
DEPLOYED = {"enabled": True, "relationship": "deployed", "features_on": None}
NO_OWN_RULES = {"has_config_rules": False}


def _config_facts(**kwargs: Any) -> Facts:
    """The member's own recorder is member_status and it has no rules of its own."""
    return _facts(CONFIG_RULES, member_props=NO_OWN_RULES, **kwargs)


def test_config_rules_deployed_to_a_recording_member_are_in_place_through_the_organization() -> (
    None
):
    """The member records but has no rules of its own: the organization alone covers it."""
    verdict = _member(
        _config_facts(enrolled=DEPLOYED, member_status="enabled"), "ACCT-CONFIG-RULES"
    )
    assert (verdict.status, verdict.scope) == ("in_place", "organization")
    assert f"{CONFIG_RULES.resource} in administrator {TOOLING}" in verdict.evidence


def test_config_rules_not_deployed_to_the_member_are_partial_naming_what_failed() -> None:
    absent = _member(_config_facts(member_status="enabled"), "ACCT-CONFIG-RULES")
    assert (absent.status, absent.scope) == ("partial", "organization")
    assert f"account {MEMBER} is not enrolled" in absent.reason
    failed = {"enabled": False, "relationship": "rule required-tags CREATE_FAILED"}
    verdict = _member(_config_facts(enrolled=failed, member_status="enabled"), "ACCT-CONFIG-RULES")
    assert verdict.status == "partial"
    assert "(rule required-tags CREATE_FAILED)" in verdict.reason


def test_config_rules_deployed_to_a_member_that_records_nothing_are_partial() -> None:
    """Rules evaluate recorded resources only: deployed without a recorder, they judge nothing."""
    verdict = _member(_config_facts(enrolled=DEPLOYED), "ACCT-CONFIG-RULES")
    assert (verdict.status, verdict.scope) == ("partial", "organization")
    assert "records nothing in us-east-1" in verdict.reason
    assert "rules evaluate only the resources a recorder records" in verdict.reason


def test_config_rules_deployed_to_a_member_whose_recorder_was_not_read_are_unknown() -> None:
    facts = _config_facts(enrolled=DEPLOYED, member_status="unknown")
    verdict = _member(facts, "ACCT-CONFIG-RULES")
    assert verdict.status == "unknown"
    assert f"whether account {MEMBER} records in us-east-1 is unknown" in verdict.reason


def test_config_rules_in_neither_scope_are_missing_and_own_rules_count() -> None:
    recording = _config_facts(org_status="not_configured", member_status="enabled")
    verdict = _member(recording, "ACCT-CONFIG-RULES")
    assert (verdict.status, verdict.scope) == ("missing", None)
    assert "not has_config_rules" in verdict.reason
    own = _facts(
        CONFIG_RULES,
        org_status="not_configured",
        member_status="enabled",
        member_props={"has_config_rules": True},
    )
    assert (_member(own, "ACCT-CONFIG-RULES").scope) == "account"


def test_config_rules_administrator_unreadable_is_unknown() -> None:
    facts = _config_facts(org_status="unknown", enrolled=DEPLOYED, member_status="enabled")
    verdict = _member(facts, "ACCT-CONFIG-RULES")
    assert verdict.status == "unknown"
    assert f"administrator {TOOLING} could not be read" in verdict.reason


def test_config_rules_are_read_from_the_multi_account_setup_administrator_only() -> None:
    """The aggregator's administrator (config.amazonaws.com) is not the rules' administrator:
    with no delegated administrator for the rules, the management account's view counts."""
    facts = _config_facts(enrolled=DEPLOYED, member_status="enabled")
    facts.delegated_admins.pop(CONFIG_RULES.principal)
    facts.delegated_admins["config.amazonaws.com"].append(TOOLING)
    verdict = _member(facts, "ACCT-CONFIG-RULES")
    assert (verdict.status, verdict.scope) == ("missing", None)


def test_config_rules_judge_the_administrator_s_own_account_by_their_status_there() -> None:
    """Organization rules report the administrator's account as any other: listed and
    deployed, it is covered through them; not listed, they do not evaluate it."""
    facts = _config_facts(enrolled=DEPLOYED, member_status="enabled")
    admin_state = facts.states[(TOOLING, REGION)][0]
    admin_state["has_config_rules"] = False
    assert _administrator(facts).status == "partial"
    facts.enrollments[admin_state["id"]][TOOLING] = DEPLOYED
    verdict = _administrator(facts)
    assert (verdict.status, verdict.scope) == ("in_place", "organization")


def _administrator(facts: Facts) -> Verdict:
    found = [
        v
        for v in evaluate(load_catalog(), facts)
        if v.control_id == "ACCT-CONFIG-RULES" and v.target.key == TOOLING and v.region == REGION
    ]
    assert len(found) == 1
    return found[0]
