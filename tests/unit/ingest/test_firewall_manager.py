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
from ingest.snapshot import Snapshot
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


REGION, OTHER_REGION = "us-east-1", "eu-west-1"
Policies = dict[str, tuple[dict[str, Any], dict[str, int]]]  # id -> (scope, violators)
Denied = tuple[tuple[str, str, str | None], ...]


def _admin_calls(policies: Policies, admin: str = MANAGEMENT) -> ManagementCalls:
    """The calls of the administrator in one region, where it has these policies."""
    calls: ManagementCalls = {
        ("fms", "get_admin_account", None): {"AdminAccount": admin, "RoleStatus": "READY"},
        ("fms", "list_policies", None): {
            "PolicyList": [
                {
                    "PolicyId": policy_id,
                    "PolicyName": f"name-{policy_id}",
                    "SecurityServiceType": "SECURITY_GROUPS_CONTENT_AUDIT",
                }
                for policy_id in policies
            ]
        },
    }
    for policy_id, (scope, violators) in policies.items():
        calls[("fms", "get_policy", policy_id)] = _policy(policy_id, **scope)
        calls[("fms", "list_compliance_status", policy_id)] = _compliance(policy_id, violators)
    return calls


def _snapshot(
    root: Path,
    by_region: dict[str, Policies],
    *,
    admin: str = MANAGEMENT,
    failed: Denied = (),
    collected: dict[str, list[str]] | None = None,
) -> Snapshot:
    """The organization, and the administrator's policies of each region, read in its own
    account; the management account (when it is not the administrator) names it. `failed`
    calls (of the organization, or of Firewall Manager in us-east-1) were denied."""
    regional: dict[tuple[str, str], ManagementCalls] = {}
    for region, policies in by_region.items():
        regional[(admin, region)] = _admin_calls(policies, admin)
        if admin != MANAGEMENT:
            regional[(MANAGEMENT, region)] = _admin_calls({}, admin)
            del regional[(MANAGEMENT, region)][("fms", "list_policies", None)]
    regions = list(by_region) or [REGION]
    accounts = collected if collected is not None else {MANAGEMENT: regions, admin: regions}
    return management_snapshot(
        root,
        organization_calls(),
        tuple(f for f in failed if f[0] == "organizations"),
        regional=regional,
        regional_failed=tuple((admin, REGION, *f) for f in failed if f[0] == "fms"),
        collected=accounts,
    )


def _enrolls(records: GraphRecords, region: str = REGION) -> dict[str, dict[str, Any]]:
    rels = records.rels[("ENROLLS", "FirewallManagerAdmin", "Account")]
    return {row["target"]: row["props"] for row in rels if row["props"]["region"] == region}


def _admin(
    records: GraphRecords, region: str = REGION, account: str = MANAGEMENT
) -> dict[str, Any]:
    return state(records, "FirewallManagerAdmin", account_id=account, region=region)


def test_policies_enroll_the_accounts_in_their_scope_with_their_compliance(tmp_path: Path) -> None:
    policies: Policies = {
        "p-prod": ({"IncludeMap": {"ORG_UNIT": [WORKLOADS]}}, {PROD: 0}),
        "p-sandbox": ({"IncludeMap": {"ACCOUNT": [SANDBOX, PROD]}}, {SANDBOX: 0, PROD: 3}),
    }
    records = fms.transform(_snapshot(tmp_path, {REGION: policies}))
    admin = _admin(records)
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


def test_each_region_s_policies_make_that_region_s_view(tmp_path: Path) -> None:
    """Policies are regional: one that lives in eu-west-1 covers nobody in us-east-1."""
    eu_only: Policies = {"p-eu": ({"IncludeMap": {"ACCOUNT": [PROD]}}, {PROD: 0})}
    records = fms.transform(_snapshot(tmp_path, {REGION: {}, OTHER_REGION: eu_only}))
    assert len(records.nodes["FirewallManagerAdmin"]) == 2  # one state per region
    home, eu = _admin(records), _admin(records, OTHER_REGION)
    assert (home["status"], home["org_status"]) == ("enabled", "not_configured")
    assert home["org_status_reason"] == "the administrator has no policies in us-east-1"
    assert (eu["org_status"], eu["org_resource"]) == (
        "configured",
        "Firewall Manager policies name-p-eu (eu-west-1)",
    )
    assert _enrolls(records) == {}
    assert _enrolls(records, OTHER_REGION)[PROD]["compliance"] == "COMPLIANT"


def test_a_region_whose_policies_were_denied_is_unknown_there_only(tmp_path: Path) -> None:
    both: Policies = {"p-all": ({}, {PROD: 0})}
    failed: Denied = (("fms", "list_policies", None),)  # in us-east-1
    records = fms.transform(_snapshot(tmp_path, {REGION: both, OTHER_REGION: both}, failed=failed))
    home = _admin(records)
    assert home["org_status"] == "unknown"
    assert "AccessDenied on fms.list_policies" in home["org_status_reason"]
    assert _enrolls(records) == {}
    assert _admin(records, OTHER_REGION)["org_status"] == "configured"


def test_unread_compliance_leaves_the_members_it_covers_unknown(tmp_path: Path) -> None:
    failed: Denied = (("fms", "list_compliance_status", "p-all"),)
    records = fms.transform(_snapshot(tmp_path, {REGION: {"p-all": ({}, {})}}, failed=failed))
    enrolled = _enrolls(records)
    assert set(enrolled) == MEMBERS  # no IncludeMap: every account of the organization
    assert {e["compliance"] for e in enrolled.values()} == {"unknown"}
    assert "AccessDenied on fms.list_compliance_status (p-all)" in enrolled[PROD]["relationship"]


def test_a_member_the_compliance_list_leaves_out_is_unknown(tmp_path: Path) -> None:
    policies: Policies = {"p-all": ({"ExcludeMap": {"ORG_UNIT": [WORKLOADS]}}, {SANDBOX: 0})}
    enrolled = _enrolls(fms.transform(_snapshot(tmp_path, {REGION: policies})))
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
    policies: Policies = {
        "p-a": ({"IncludeMap": {"ACCOUNT": [SANDBOX]}}, {SANDBOX: 0}),
        "p-b": ({"IncludeMap": {"ORG_UNIT": [WORKLOADS]}}, {PROD: 0}),
    }
    records = fms.transform(_snapshot(tmp_path, {REGION: policies}, failed=(failed,)))
    admin = _admin(records)
    assert admin["org_status"] == "unknown"
    assert why in admin["org_status_reason"]
    assert _enrolls(records) == {}  # no member is in or out on a partial reading


def test_no_administrator_and_no_policies_are_not_configured(tmp_path: Path) -> None:
    none = fms.transform(
        management_snapshot(
            tmp_path / "none", organization_calls(), collected={MANAGEMENT: [REGION]}
        )
    )
    assert _admin(none)["org_status"] == "not_configured"
    empty = fms.transform(_snapshot(tmp_path / "empty", {REGION: {}}))
    admin = _admin(empty)
    assert (admin["status"], admin["org_status"]) == ("enabled", "not_configured")


def test_a_delegated_administrator_s_policies_are_read_in_its_own_account(tmp_path: Path) -> None:
    """kg assumes a role in every member, the administrator included: its session lists the
    policies, and its state carries the organization view; the management account's points
    there."""
    policies: Policies = {"p-prod": ({"IncludeMap": {"ORG_UNIT": [WORKLOADS]}}, {PROD: 1})}
    records = fms.transform(_snapshot(tmp_path, {OTHER_REGION: policies}, admin=PROD))
    delegated = _admin(records, OTHER_REGION, PROD)
    assert (delegated["admin_account_id"], delegated["org_status"]) == (PROD, "configured")
    assert _enrolls(records, OTHER_REGION)[PROD]["compliance"] == "NON_COMPLIANT"
    management = _admin(records, OTHER_REGION)
    assert (management["admin_account_id"], management["org_status"]) == (PROD, "unknown")
    assert management["org_status_reason"] == (
        f"policies are visible only from administrator {PROD}, read in its own state"
    )


def test_a_delegated_administrator_not_collected_is_unknown_naming_why(tmp_path: Path) -> None:
    policies: Policies = {"p-prod": ({}, {PROD: 0})}
    snap = _snapshot(tmp_path, {REGION: policies}, admin=PROD, collected={MANAGEMENT: [REGION]})
    records = fms.transform(snap)
    admin = _admin(records)
    assert (admin["status"], admin["org_status"]) == ("enabled", "unknown")
    assert admin["org_status_reason"] == (
        f"policies are visible only from administrator {PROD}, which was not collected"
    )
    assert _enrolls(records) == {}


def test_the_administrator_collects_each_policy_s_scope_and_compliance(tmp_path: Path) -> None:
    """Stubber: moto does not implement Firewall Manager. The policies are read in the
    region of the call (no fixed endpoint)."""
    ctx, session, writer = stubbed_context(tmp_path, region=OTHER_REGION)
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
    assert ctx.client("fms").meta.region_name == OTHER_REGION
    files = collected(writer, MANAGEMENT, OTHER_REGION)
    assert files[f"fms/get_policy/{POLICY_ID}"]["Policy"]["PolicyId"] == POLICY_ID
    assert files[f"fms/list_compliance_status/{POLICY_ID}"] == _compliance(POLICY_ID, {PROD: 0})


def test_a_member_that_is_not_the_administrator_only_asks_who_is(tmp_path: Path) -> None:
    ctx, session, writer = stubbed_context(tmp_path, region=REGION)
    session.stub("fms").add_response(
        "get_admin_account", {"AdminAccount": PROD, "RoleStatus": "READY"}
    )
    fms.collect(ctx)
    session.assert_all_answered()  # no list_policies: only the administrator may list them
    assert set(collected(writer, MANAGEMENT, REGION)) == {"fms/get_admin_account", "!failed"}


def test_a_snapshot_with_firewall_manager_under_global_only_is_unknown_not_off(
    tmp_path: Path,
) -> None:
    """The collector used to read Firewall Manager once, through the us-east-1 endpoint, under
    global: such a snapshot's regions hold no answer, and that is not "no administrator"."""
    calls = {**organization_calls(), **_admin_calls({"p-all": ({}, {PROD: 0})})}
    snap = management_snapshot(tmp_path, calls, collected={MANAGEMENT: [REGION, OTHER_REGION]})
    records = fms.transform(snap)
    for region in (REGION, OTHER_REGION):
        admin = _admin(records, region)
        assert (admin["status"], admin["org_status"]) == ("unknown", "unknown")
        assert "under global (an earlier collector)" in admin["org_status_reason"]
    assert _enrolls(records) == {}
