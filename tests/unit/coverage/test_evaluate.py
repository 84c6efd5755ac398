"""The coverage checks over hand-built facts: SCP inheritance down the OU tree, the management
account's exemption, unknown versus missing, per-region verdicts and satisfied_by."""

from __future__ import annotations

from typing import Any

from kg.analysis.coverage import evaluate
from kg.analysis.coverage.facts import GLOBAL, Facts, OrgPolicy, Target
from kg.analysis.coverage.verdicts import Verdict
from kg.catalog import load_catalog

ROOT = "arn:aws:organizations::111111111111:root/o-x/r-1"
ORG = "arn:aws:organizations::111111111111:organization/o-x"
SECURITY_OU = "arn:aws:organizations::111111111111:ou/o-x/ou-sec"
SANDBOX_OU = "arn:aws:organizations::111111111111:ou/o-x/ou-sbx"
MANAGEMENT, TOOLING, SANDBOX = "111111111111", "222222222222", "333333333333"

_PROTECT_STATEMENTS: tuple[dict[str, Any], ...] = (
    {
        "Effect": "Deny",
        "Action": ["guardduty:Delete*", "guardduty:Disassociate*"],
        "Resource": "*",
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/SecAdmin"}},
    },
)
PROTECT_GUARDDUTY = OrgPolicy(
    "arn:aws:organizations::111111111111:policy/o-x/service_control_policy/p-1",
    "ProtectSecurityServices",
    "SERVICE_CONTROL_POLICY",
    _PROTECT_STATEMENTS,
    {"Version": "2012-10-17", "Statement": list(_PROTECT_STATEMENTS)},
)


def _state(account_id: str, region: str, status: str, **props: Any) -> dict[str, Any]:
    return {
        "label": "GuardDutyDetector",
        "id": f"{account_id}|{region}|guardduty",
        "service": "guardduty",
        "account_id": account_id,
        "region": region,
        "status": status,
        "status_reason": {"unknown": "AccessDeniedException: list_detectors"}.get(status, ""),
        **props,
    }


def _facts() -> Facts:
    facts = Facts(ORG, MANAGEMENT, ROOT)
    facts.ous = [
        Target("OrganizationalUnit", SECURITY_OU, "Security", "Root/Security", (ROOT, SECURITY_OU)),
        Target("OrganizationalUnit", SANDBOX_OU, "Sandbox", "Root/Sandbox", (ROOT, SANDBOX_OU)),
    ]
    facts.accounts = [
        Target("Account", MANAGEMENT, "management", "Root", (ROOT, MANAGEMENT)),
        Target("Account", TOOLING, "tooling", "Root/Security", (ROOT, SECURITY_OU, TOOLING)),
        Target("Account", SANDBOX, "sandbox", "Root/Sandbox", (ROOT, SANDBOX_OU, SANDBOX)),
    ]
    facts.attached[SECURITY_OU].append(PROTECT_GUARDDUTY)
    facts.delegated_admins["guardduty.amazonaws.com"].append(TOOLING)
    for account_id in (MANAGEMENT, TOOLING):
        for region in ("us-east-1", "eu-west-1"):
            facts.states[(account_id, region)].append(
                _state(account_id, region, "enabled", org_auto_enable_members="ALL")
            )
    facts.states[(SANDBOX, "us-east-1")].append(_state(SANDBOX, "us-east-1", "disabled"))
    facts.states[(SANDBOX, "eu-west-1")].append(_state(SANDBOX, "eu-west-1", "unknown"))
    return facts


def _by_target(verdicts: list[Verdict], control_id: str) -> dict[tuple[str, str], Verdict]:
    return {(v.target.key, v.region): v for v in verdicts if v.control_id == control_id}


def test_ou_scp_covers_the_ou_and_its_accounts_not_the_sibling() -> None:
    found = _by_target(evaluate(load_catalog(), _facts()), "OU-SCP-PROTECT-GUARDDUTY")
    assert found[(SECURITY_OU, GLOBAL)].status == "in_place"
    assert found[(TOOLING, GLOBAL)].status == "in_place"
    assert "ProtectSecurityServices" in found[(TOOLING, GLOBAL)].evidence
    assert found[(SANDBOX_OU, GLOBAL)].status == "missing"
    assert found[(SANDBOX, GLOBAL)].status == "missing"
    assert found[(MANAGEMENT, GLOBAL)].status == "not_applicable"


def test_unknown_stays_unknown_unless_org_auto_enable_covers_it() -> None:
    found = _by_target(evaluate(load_catalog(), _facts()), "ACCT-GUARDDUTY-ENABLED")
    assert found[(SANDBOX, "us-east-1")].status == "missing"
    covered = found[(SANDBOX, "eu-west-1")]
    assert covered.status == "in_place"
    assert covered.evidence.startswith("ORG-GUARDDUTY-AUTO-ENABLE in place")


def test_without_auto_enable_an_access_denied_region_is_unknown() -> None:
    facts = _facts()
    for region in ("us-east-1", "eu-west-1"):
        facts.states[(TOOLING, region)][0]["org_auto_enable_members"] = "NEW"
    found = _by_target(evaluate(load_catalog(), facts), "ACCT-GUARDDUTY-ENABLED")
    assert found[(SANDBOX, "eu-west-1")].status == "unknown"
    assert "AccessDenied" in found[(SANDBOX, "eu-west-1")].reason
    org = _by_target(evaluate(load_catalog(), facts), "ORG-GUARDDUTY-AUTO-ENABLE")
    assert {region: v.status for (_, region), v in org.items()} == {
        "eu-west-1": "missing",
        "us-east-1": "missing",
    }


def test_delegated_admin_must_not_be_the_management_account() -> None:
    facts = _facts()
    found = _by_target(evaluate(load_catalog(), facts), "ORG-GUARDDUTY-DELEGATED-ADMIN")
    assert found[(ORG, GLOBAL)].status == "in_place"
    facts.delegated_admins["guardduty.amazonaws.com"] = [MANAGEMENT]
    found = _by_target(evaluate(load_catalog(), facts), "ORG-GUARDDUTY-DELEGATED-ADMIN")
    assert found[(ORG, GLOBAL)].status == "missing"


def test_an_account_with_no_collected_region_is_unknown() -> None:
    facts = _facts()
    facts.accounts.append(Target("Account", "444444444444", "new", "Root", (ROOT, "444444444444")))
    found = _by_target(evaluate(load_catalog(), facts), "ACCT-GUARDDUTY-ENABLED")
    assert found[("444444444444", GLOBAL)].status == "unknown"
    assert "no region" in found[("444444444444", GLOBAL)].reason


def test_organization_trail_exists_or_is_missing() -> None:
    facts = _facts()
    trail = {
        "arn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/org",
        "account_id": MANAGEMENT,
        "region": "us-east-1",
        "is_organization_trail": True,
        "is_multi_region": True,
        "is_logging": True,
    }
    facts.nodes["CloudTrailTrail"] = [trail]
    found = _by_target(evaluate(load_catalog(), facts), "ORG-CLOUDTRAIL-ORG-TRAIL")
    assert found[(ORG, GLOBAL)].status == "in_place"
    assert "trail/org" in found[(ORG, GLOBAL)].evidence
    facts.nodes["CloudTrailTrail"] = [{**trail, "is_organization_trail": False}]
    found = _by_target(evaluate(load_catalog(), facts), "ORG-CLOUDTRAIL-ORG-TRAIL")
    assert found[(ORG, GLOBAL)].status == "missing"


def test_resource_controls_are_judged_per_account() -> None:
    facts = _facts()
    facts.nodes["Secret"] = [
        {
            "arn": "arn:aws:secretsmanager:us-east-1:222222222222:secret:a",
            "account_id": TOOLING,
            "rotation_enabled": True,
        },
        {
            "arn": "arn:aws:secretsmanager:us-east-1:333333333333:secret:b",
            "account_id": SANDBOX,
            "rotation_enabled": False,
        },
    ]
    found = _by_target(evaluate(load_catalog(), facts), "RES-SECRET-ROTATION")
    assert found[(TOOLING, GLOBAL)].status == "in_place"
    assert found[(SANDBOX, GLOBAL)].status == "missing"
    assert found[(MANAGEMENT, GLOBAL)].status == "not_applicable"


def _declarative(name: str, tokens: str, lock: bool = False) -> OrgPolicy:
    leaf: dict[str, Any] = {"@@assign": tokens}
    if lock:
        leaf["@@operators_allowed_for_child_policies"] = ["@@none"]
    content = {"ec2_attributes": {"instance_metadata_defaults": {"http_tokens": leaf}}}
    arn = f"arn:aws:organizations::111111111111:policy/o-x/declarative_policy_ec2/p-{name}"
    return OrgPolicy(arn, name, "DECLARATIVE_POLICY_EC2", (), content)


def test_closest_declarative_assignment_wins_unless_locked_above() -> None:
    facts = _facts()
    facts.attached[ROOT].append(_declarative("root", "required"))
    facts.attached[SANDBOX_OU].append(_declarative("sandbox", "optional"))
    found = _by_target(evaluate(load_catalog(), facts), "OU-DECLARATIVE-IMDSV2")
    assert found[(TOOLING, GLOBAL)].status == "in_place"
    assert found[(SANDBOX, GLOBAL)].status == "missing"
    assert "sandbox" in found[(SANDBOX, GLOBAL)].evidence
    facts.attached[ROOT] = [_declarative("root", "required", lock=True)]
    found = _by_target(evaluate(load_catalog(), facts), "OU-DECLARATIVE-IMDSV2")
    assert found[(SANDBOX, GLOBAL)].status == "in_place"
