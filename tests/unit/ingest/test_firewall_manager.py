"""Firewall Manager per member account: which accounts each policy covers (its IncludeMap or
ExcludeMap against the organization's tree), each member's compliance, and the organization view
the administrator's state carries. Recorded responses: moto does not implement Firewall Manager.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.aws import fms
from ingest.aws.fms import ScopeUnknown, accounts_in_scope
from ingest.aws.organizations import unit_accounts
from ingest.snapshot import GLOBAL_REGION
from kg.graph.records import GraphRecords
from tests.unit.ingest.organization_fixtures import (
    MANAGEMENT,
    PROD,
    PROD_OU,
    ROOT_ID,
    SANDBOX,
    SANDBOX_OU,
    SUSPENDED,
    WORKLOADS,
    ManagementCalls,
    management_snapshot,
    organization_calls,
)
from tests.unit.ingest.security_snapshot import collected, state, stubbed_context

POLICY_ID = "11111111-2222-3333-4444-555555555555"  # AWS policy ids are 36 characters
MEMBERS = frozenset({MANAGEMENT, PROD, SANDBOX, SUSPENDED})
# Root: management, suspended; Workloads/Prod: prod; Sandbox: sandbox
UNITS: dict[str, frozenset[str] | None] = {
    ROOT_ID: MEMBERS,
    WORKLOADS: frozenset({PROD}),
    PROD_OU: frozenset({PROD}),
    SANDBOX_OU: frozenset({SANDBOX}),
}


# Scope resolution --------------------------------------------------------------------------------


def test_a_policy_without_an_include_map_covers_every_member() -> None:
    assert accounts_in_scope(None, None, MEMBERS, UNITS) == MEMBERS


def test_an_exclude_map_removes_accounts_and_the_accounts_under_an_ou() -> None:
    exclude = {"ACCOUNT": [MANAGEMENT], "ORG_UNIT": [WORKLOADS]}
    assert accounts_in_scope(None, exclude, MEMBERS, UNITS) == {SANDBOX, SUSPENDED}


def test_an_include_map_names_accounts_and_the_accounts_of_nested_ous() -> None:
    include = {"ACCOUNT": [SANDBOX], "ORG_UNIT": [WORKLOADS]}  # prod sits in Workloads/Prod
    assert accounts_in_scope(include, None, MEMBERS, UNITS) == {SANDBOX, PROD}


def test_an_include_map_makes_firewall_manager_ignore_the_exclude_map() -> None:
    include = {"ORG_UNIT": [WORKLOADS]}
    exclude = {"ACCOUNT": [PROD]}
    assert accounts_in_scope(include, exclude, MEMBERS, UNITS) == {PROD}


@pytest.mark.parametrize(
    ("include", "exclude", "members", "why"),
    [
        ({"ORG_UNIT": ["ou-ab12-unread"]}, None, MEMBERS, "ou-ab12-unread were not read"),
        (None, {"ORG_UNIT": ["ou-ab12-unread"]}, MEMBERS, "ou-ab12-unread were not read"),
        (None, None, frozenset(), "organization's accounts were not read"),
    ],
)
def test_a_scope_that_cannot_be_resolved_is_unknown_never_guessed(
    include: dict[str, list[str]] | None,
    exclude: dict[str, list[str]] | None,
    members: frozenset[str],
    why: str,
) -> None:
    units = {**UNITS, "ou-ab12-unread": None}
    with pytest.raises(ScopeUnknown, match=why):
        accounts_in_scope(include, exclude, members, units)


# The organization's tree, from the snapshot ------------------------------------------------------


def test_each_ou_holds_the_accounts_of_the_ous_below_it(tmp_path: Path) -> None:
    assert unit_accounts(management_snapshot(tmp_path, organization_calls())) == UNITS


def test_an_unread_listing_leaves_its_ou_and_those_above_it_unknown(tmp_path: Path) -> None:
    failed = (("organizations", "list_accounts_for_parent", PROD_OU),)
    units = unit_accounts(management_snapshot(tmp_path, organization_calls(), failed))
    assert units == {ROOT_ID: None, WORKLOADS: None, PROD_OU: None, SANDBOX_OU: {SANDBOX}}


# The administrator's organization view and whom it covers ----------------------------------------


def _policy(policy_id: str, **scope: Any) -> dict[str, Any]:
    return {
        "Policy": {
            "PolicyId": policy_id,
            "PolicyName": f"name-{policy_id}",
            "SecurityServicePolicyData": {"Type": "SECURITY_GROUPS_CONTENT_AUDIT"},
            "ResourceType": "AWS::EC2::SecurityGroup",
            "ExcludeResourceTags": False,
            "RemediationEnabled": False,
            **scope,
        },
        "PolicyArn": f"arn:aws:fms:us-east-1:{MANAGEMENT}:policy/{policy_id}",
    }


def _compliance(policy_id: str, violators: dict[str, int]) -> dict[str, Any]:
    return {
        "PolicyComplianceStatusList": [
            {
                "PolicyOwner": MANAGEMENT,
                "PolicyId": policy_id,
                "PolicyName": f"name-{policy_id}",
                "MemberAccount": account_id,
                "EvaluationResults": [
                    {
                        "ComplianceStatus": "NON_COMPLIANT" if count else "COMPLIANT",
                        "ViolatorCount": count,
                    }
                ],
            }
            for account_id, count in violators.items()
        ]
    }


def _fms_calls(policies: dict[str, tuple[dict[str, Any], dict[str, int]]]) -> ManagementCalls:
    """An administrator (the management account) with the policies: id -> (scope, violators)."""
    calls = organization_calls()
    calls[("fms", "get_admin_account", None)] = {"AdminAccount": MANAGEMENT, "RoleStatus": "READY"}
    calls[("fms", "list_policies", None)] = {
        "PolicyList": [
            {
                "PolicyId": policy_id,
                "PolicyName": f"name-{policy_id}",
                "SecurityServiceType": "SECURITY_GROUPS_CONTENT_AUDIT",
            }
            for policy_id in policies
        ]
    }
    for policy_id, (scope, violators) in policies.items():
        calls[("fms", "get_policy", policy_id)] = _policy(policy_id, **scope)
        calls[("fms", "list_compliance_status", policy_id)] = _compliance(policy_id, violators)
    return calls


def _enrolls(records: GraphRecords) -> dict[str, dict[str, Any]]:
    rels = records.rels[("ENROLLS", "FirewallManagerAdmin", "Account")]
    return {row["target"]: row["props"] for row in rels}


def test_policies_enroll_the_accounts_in_their_scope_with_their_compliance(tmp_path: Path) -> None:
    calls = _fms_calls(
        {
            "p-prod": ({"IncludeMap": {"ORG_UNIT": [WORKLOADS]}}, {PROD: 0}),
            "p-sandbox": ({"IncludeMap": {"ACCOUNT": [SANDBOX, PROD]}}, {SANDBOX: 0, PROD: 3}),
        }
    )
    records = fms.transform(management_snapshot(tmp_path, calls))
    admin = state(records, "FirewallManagerAdmin", region=GLOBAL_REGION)
    assert (admin["org_status"], admin["org_zone"]) == ("configured", "policies")
    assert admin["org_resource"] == (
        "Firewall Manager policies name-p-prod, name-p-sandbox (us-east-1)"
    )
    enrolled = _enrolls(records)
    assert set(enrolled) == {PROD, SANDBOX}  # the management and suspended accounts are outside
    assert enrolled[SANDBOX]["compliance"] == "COMPLIANT"
    assert enrolled[PROD]["compliance"] == "NON_COMPLIANT"  # one covering policy says so
    assert (
        "name-p-sandbox (SECURITY_GROUPS_CONTENT_AUDIT, audit only): NON_COMPLIANT (3 violators)"
        in (enrolled[PROD]["relationship"])
    )


def test_unread_compliance_leaves_the_members_it_covers_unknown(tmp_path: Path) -> None:
    calls = _fms_calls({"p-all": ({}, {})})
    failed = (("fms", "list_compliance_status", "p-all"),)
    enrolled = _enrolls(fms.transform(management_snapshot(tmp_path, calls, failed)))
    assert set(enrolled) == MEMBERS  # no IncludeMap: every account of the organization
    assert {e["compliance"] for e in enrolled.values()} == {"unknown"}
    assert "AccessDenied on fms.list_compliance_status (p-all)" in enrolled[PROD]["relationship"]


def test_a_member_the_compliance_list_leaves_out_is_unknown(tmp_path: Path) -> None:
    calls = _fms_calls({"p-all": ({"ExcludeMap": {"ORG_UNIT": [WORKLOADS]}}, {SANDBOX: 0})})
    enrolled = _enrolls(fms.transform(management_snapshot(tmp_path, calls)))
    assert set(enrolled) == {MANAGEMENT, SANDBOX, SUSPENDED}
    assert enrolled[SANDBOX]["compliance"] == "COMPLIANT"
    assert enrolled[MANAGEMENT]["compliance"] == "unknown"


@pytest.mark.parametrize(
    ("failed", "why"),
    [
        (("fms", "get_policy", "p-b"), "scope of policy name-p-b not read"),
        (("fms", "list_policies", None), "AccessDenied on fms.list_policies"),
        (
            ("organizations", "list_accounts_for_parent", PROD_OU),
            "scope of policy name-p-b unknown",
        ),
    ],
)
def test_a_policy_whose_scope_was_not_read_leaves_the_organization_view_unknown(
    tmp_path: Path, failed: tuple[str, str, str | None], why: str
) -> None:
    calls = _fms_calls(
        {
            "p-a": ({"IncludeMap": {"ACCOUNT": [SANDBOX]}}, {SANDBOX: 0}),
            "p-b": ({"IncludeMap": {"ORG_UNIT": [WORKLOADS]}}, {PROD: 0}),
        }
    )
    records = fms.transform(management_snapshot(tmp_path, calls, (failed,)))
    admin = state(records, "FirewallManagerAdmin", region=GLOBAL_REGION)
    assert admin["org_status"] == "unknown"
    assert why in admin["org_status_reason"]
    assert _enrolls(records) == {}  # no member is in or out on a partial reading


def test_no_administrator_and_no_policies_are_not_configured(tmp_path: Path) -> None:
    none = fms.transform(management_snapshot(tmp_path / "none", organization_calls()))
    assert state(none, "FirewallManagerAdmin", region=GLOBAL_REGION)["org_status"] == (
        "not_configured"
    )
    empty = fms.transform(management_snapshot(tmp_path / "empty", _fms_calls({})))
    admin = state(empty, "FirewallManagerAdmin", region=GLOBAL_REGION)
    assert (admin["status"], admin["org_status"]) == ("enabled", "not_configured")


def test_another_administrator_s_policies_are_unknown_not_absent(tmp_path: Path) -> None:
    calls = organization_calls()
    calls[("fms", "get_admin_account", None)] = {"AdminAccount": PROD, "RoleStatus": "READY"}
    admin = state(
        fms.transform(management_snapshot(tmp_path, calls)),
        "FirewallManagerAdmin",
        region=GLOBAL_REGION,
    )
    assert admin["org_status"] == "unknown"
    assert f"visible only from administrator {PROD}" in admin["org_status_reason"]


def test_the_administrator_collects_each_policy_s_scope_and_compliance(tmp_path: Path) -> None:
    """Stubber: moto does not implement Firewall Manager."""
    ctx, session, writer = stubbed_context(tmp_path, region=GLOBAL_REGION)
    stub = session.stub("fms")
    stub.add_response("get_admin_account", {"AdminAccount": MANAGEMENT, "RoleStatus": "READY"})
    listed = {"PolicyId": POLICY_ID, "PolicyName": "name-p-1", "SecurityServiceType": "WAFV2"}
    stub.add_response("list_policies", {"PolicyList": [listed]})
    stub.add_response("get_policy", _policy(POLICY_ID), {"PolicyId": POLICY_ID})
    stub.add_response(
        "list_compliance_status", _compliance(POLICY_ID, {PROD: 0}), {"PolicyId": POLICY_ID}
    )
    fms.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, GLOBAL_REGION)
    assert files[f"fms/get_policy/{POLICY_ID}"]["Policy"]["PolicyId"] == POLICY_ID
    assert files[f"fms/list_compliance_status/{POLICY_ID}"] == _compliance(POLICY_ID, {PROD: 0})
