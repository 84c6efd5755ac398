"""A user or role of an account outside the organization, named by a trust policy, is an
attack source of its own: it assumes the roles that trust it, and `kg paths --from external`
starts from it. Its account, which the trust does not name, gets nothing from that trust."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.example.demo import facts
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import paths, pipeline
from kg.graph.driver import Graph
from tests.integration.graph_state import DEMO

pytestmark = pytest.mark.integration

VENDOR_ACCOUNT_ID = "777788889999"
VENDOR_ROLE_ARN = f"arn:aws:iam::{VENDOR_ACCOUNT_ID}:role/vendor-auditor"


def _trust_also_naming_the_vendor_role(snapshot: Path) -> None:
    account = facts.ANALYTICS_READER_ROLE_ARN.split(":")[4]
    details = snapshot / account / "global" / "iam" / "get_account_authorization_details.json"
    data = json.loads(details.read_text())
    [role] = [r for r in data["RoleDetailList"] if r["Arn"] == facts.ANALYTICS_READER_ROLE_ARN]
    role["AssumeRolePolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": VENDOR_ROLE_ARN}, "Action": "sts:AssumeRole"}
    )
    details.write_text(json.dumps(data))


@pytest.fixture
def vendor_trusted(graph: Graph, tmp_path: Path) -> Graph:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(DEMO, snapshot)
    _trust_also_naming_the_vendor_role(snapshot)
    load_snapshot(graph, Snapshot.open(snapshot))
    pipeline.derive_all(graph)
    return graph


def test_the_named_external_role_assumes_the_trusting_role_and_its_account_does_not(
    vendor_trusted: Graph,
) -> None:
    rows = vendor_trusted.read(
        "MATCH (x)-[e:CAN_ASSUME]->(:Role {arn: $role}) "
        "RETURN coalesce(x.arn, x.account_id) AS who, e.conditional AS conditional",
        role=facts.ANALYTICS_READER_ROLE_ARN,
    )
    assert sorted(rows, key=lambda row: row["who"]) == [
        {"who": facts.BASTION_ROLE_ARN, "conditional": False},
        {"who": VENDOR_ROLE_ARN, "conditional": False},
    ]
    # The trust names one role of the vendor's account, not the account: the account's node
    # exists (the role belongs to it) but assumes nothing.
    assert vendor_trusted.read(
        "MATCH (a:Account {account_id: $account}) "
        "RETURN a.external AS external, COUNT { (a)-[:CAN_ASSUME]->() } AS assumes",
        account=VENDOR_ACCOUNT_ID,
    ) == [{"external": True, "assumes": 0}]


def test_paths_from_external_start_at_the_named_role(vendor_trusted: Graph) -> None:
    found = paths.find_paths(vendor_trusted, "external", "crown-jewels")
    from_vendor = {p.target: p for p in found if p.source == VENDOR_ROLE_ARN}
    path = from_vendor[facts.CUSTOMER_RECORDS_BUCKET_ARN]
    assert [(hop.relation, hop.target) for hop in path.hops] == [
        ("CAN_ASSUME", facts.ANALYTICS_READER_ROLE_ARN),
        ("CAN_ACCESS", facts.CUSTOMER_RECORDS_BUCKET_ARN),
    ]
    # The partner account's path is still there.
    assert (facts.EXTERNAL_ACCOUNT_ID, facts.PARTNER_BUCKET_ARN) in {
        (p.source, p.target) for p in found
    }
