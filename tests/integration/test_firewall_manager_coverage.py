"""Firewall Manager coverage in a real Neo4j, from variants of the demo organization where
security-tooling is the delegated Firewall Manager administrator and its one policy lives in
eu-west-1: members are judged per region, from the administrator's own account; a region or an
administrator that was not read is unknown, never missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.example.builder.account import AccountSpec, write_snapshot
from ingest.example.builder.security import FmsPolicy
from ingest.example.demo import COLLECTED_AT, demo_organization
from ingest.example.demo.accounts import (
    APP_DEV,
    MANAGEMENT,
    OTHER_REGION,
    PAYMENTS_PROD,
    SANDBOX,
    SECURITY_TOOLING,
    WORKLOADS_OU,
)
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis.coverage import derive
from kg.graph.driver import Graph

pytestmark = pytest.mark.integration

HOME_REGION = "us-east-1"
CONTROL = "ACCT-FIREWALL-MANAGER-POLICY"
FMS = "fms.amazonaws.com"

_VERDICTS = """
MATCH (a:Account {account_id: $account_id})-[c:HAS_COVERAGE]->(:Control {id: $control})
RETURN c.region AS region, c.status AS status, c.evidence AS evidence, c.reason AS reason
ORDER BY region
"""


def _load_variant(
    graph: Graph, root: Path, change: Callable[[list[AccountSpec]], list[AccountSpec]]
) -> None:
    """The demo, with security-tooling as the Firewall Manager administrator (Organizations
    lists it as delegated administrator for Firewall Manager) and a policy in eu-west-1 only
    over the Workloads OU; `change` adjusts what was collected."""
    context, accounts = demo_organization()
    context.fms_admin = SECURITY_TOOLING
    delegated = context.org.delegated_admins
    delegated[SECURITY_TOOLING] = (*delegated[SECURITY_TOOLING], FMS)
    context.fms_policies = (
        FmsPolicy(
            "eu-security-group-audit",
            "SECURITY_GROUPS_CONTENT_AUDIT",
            (WORKLOADS_OU,),
            {PAYMENTS_PROD: 0, APP_DEV: 2},
            regions=(OTHER_REGION,),
        ),
    )
    write_snapshot(
        root,
        source="demo",
        ids=context.org.ids,
        context=context,
        accounts=change(accounts),
        collected_at=COLLECTED_AT,
    )
    load_snapshot(graph, Snapshot.open(root))
    derive(graph)


def _verdicts(graph: Graph, account_id: str) -> dict[str, dict[str, str]]:
    rows = graph.read(_VERDICTS, account_id=account_id, control=CONTROL)
    return {row["region"]: row for row in rows}


def _statuses(graph: Graph, account_id: str) -> dict[str, str]:
    return {region: row["status"] for region, row in _verdicts(graph, account_id).items()}


def test_a_collected_delegated_administrator_s_regional_policy_judges_members_there(
    graph: Graph, tmp_path: Path
) -> None:
    _load_variant(graph, tmp_path, lambda accounts: accounts)
    assert _statuses(graph, PAYMENTS_PROD) == {HOME_REGION: "missing", OTHER_REGION: "in_place"}
    assert _statuses(graph, APP_DEV) == {HOME_REGION: "missing", OTHER_REGION: "partial"}
    assert _statuses(graph, SANDBOX) == {HOME_REGION: "missing", OTHER_REGION: "missing"}
    prod = _verdicts(graph, PAYMENTS_PROD)
    assert "eu-security-group-audit (eu-west-1)" in prod[OTHER_REGION]["evidence"]
    assert f"in administrator {SECURITY_TOOLING}" in prod[OTHER_REGION]["evidence"]
    assert f"no organization configuration in {HOME_REGION}" in prod[HOME_REGION]["reason"]


def test_a_region_whose_policies_were_denied_reads_unknown_not_missing(
    graph: Graph, tmp_path: Path
) -> None:
    def deny(accounts: list[AccountSpec]) -> list[AccountSpec]:
        for account in accounts:
            if account.account_id == SECURITY_TOOLING:
                account.denied.add((OTHER_REGION, "fms", "list_policies"))
        return accounts

    _load_variant(graph, tmp_path, deny)
    assert _statuses(graph, PAYMENTS_PROD) == {HOME_REGION: "missing", OTHER_REGION: "unknown"}
    assert _statuses(graph, SANDBOX) == {HOME_REGION: "missing", OTHER_REGION: "unknown"}
    reason = _verdicts(graph, PAYMENTS_PROD)[OTHER_REGION]["reason"]
    assert "fms.list_policies" in reason


def test_a_delegated_administrator_that_was_not_collected_reads_unknown_naming_it(
    graph: Graph, tmp_path: Path
) -> None:
    _load_variant(
        graph, tmp_path, lambda accounts: [a for a in accounts if a.account_id != SECURITY_TOOLING]
    )
    for account_id in (MANAGEMENT, PAYMENTS_PROD, SANDBOX):
        verdicts = _verdicts(graph, account_id)
        assert {row["status"] for row in verdicts.values()} == {"unknown"}, verdicts
        for row in verdicts.values():
            assert f"administrator {SECURITY_TOOLING} was not collected" in row["reason"]
