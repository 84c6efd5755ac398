"""A user or role of an account outside the organization, named by a trust or resource policy,
is an attack source of its own: it assumes the roles that trust it, reaches the resources whose
policies grant it, `kg who-can` lists it and `kg paths --from external` starts from it. Its
account, which those policies do not name, gets nothing from them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.example.demo import facts
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import paths, pipeline
from kg.analysis.who_can import asked_resource, who_can
from kg.graph.driver import Graph
from tests.integration.graph_state import DEMO

pytestmark = pytest.mark.integration

VENDOR_ACCOUNT_ID = "777788889999"
VENDOR_ROLE_ARN = f"arn:aws:iam::{VENDOR_ACCOUNT_ID}:role/vendor-auditor"
VENDOR_USER_ARN = f"arn:aws:iam::{VENDOR_ACCOUNT_ID}:user/vendor-sync"


def _trust_also_naming_the_vendor_role(snapshot: Path) -> None:
    account = facts.ANALYTICS_READER_ROLE_ARN.split(":")[4]
    details = snapshot / account / "global" / "iam" / "get_account_authorization_details.json"
    data = json.loads(details.read_text())
    [role] = [r for r in data["RoleDetailList"] if r["Arn"] == facts.ANALYTICS_READER_ROLE_ARN]
    role["AssumeRolePolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": VENDOR_ROLE_ARN}, "Action": "sts:AssumeRole"}
    )
    details.write_text(json.dumps(data))


def _bucket_policy_also_granting_the_vendor_user(snapshot: Path) -> None:
    bucket = facts.CUSTOMER_RECORDS_BUCKET_ARN.removeprefix("arn:aws:s3:::")
    [response] = snapshot.glob(f"*/*/s3/get_bucket_policy/{bucket}.json")
    policy = json.loads(json.loads(response.read_text())["Policy"])
    policy["Statement"].append(
        {
            "Sid": "VendorSync",
            "Effect": "Allow",
            "Principal": {"AWS": VENDOR_USER_ARN},
            "Action": "s3:GetObject",
            "Resource": f"{facts.CUSTOMER_RECORDS_BUCKET_ARN}/*",
        }
    )
    response.write_text(json.dumps({"Policy": json.dumps(policy)}))


@pytest.fixture
def vendor_trusted(graph: Graph, tmp_path: Path) -> Graph:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(DEMO, snapshot)
    _trust_also_naming_the_vendor_role(snapshot)
    _bucket_policy_also_granting_the_vendor_user(snapshot)
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
    found = paths.find_paths(vendor_trusted, "external", "crown-jewels").paths
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


def test_the_user_a_bucket_policy_names_reads_the_bucket_and_its_account_does_not(
    vendor_trusted: Graph,
) -> None:
    rows = vendor_trusted.read(
        "MATCH (x)-[e:CAN_ACCESS]->(:S3Bucket {arn: $bucket}) "
        "WHERE x.account_id = $account OR x.arn STARTS WITH $prefix "
        "RETURN labels(x) AS labels, x.arn AS arn, e.actions AS actions, "
        "e.allowed_by AS allowed_by",
        bucket=facts.CUSTOMER_RECORDS_BUCKET_ARN,
        account=VENDOR_ACCOUNT_ID,
        prefix=f"arn:aws:iam::{VENDOR_ACCOUNT_ID}:",
    )
    assert rows == [
        {
            "labels": ["User", "Principal"],
            "arn": VENDOR_USER_ARN,
            "actions": ["s3:GetObject"],
            # A user needs its own account's policies to allow a cross-account call too; they
            # are not in the graph, so they are taken to allow anything.
            "allowed_by": [
                f"policies of {VENDOR_ACCOUNT_ID} (not in the graph: taken to allow all)"
                "#Statement[0]",
                f"{facts.CUSTOMER_RECORDS_BUCKET_ARN} policy#VendorSync",
            ],
        }
    ]
    objects = asked_resource(vendor_trusted, f"{facts.CUSTOMER_RECORDS_BUCKET_ARN}/x")
    allowed = who_can(vendor_trusted, "s3:GetObject", objects)
    assert VENDOR_USER_ARN in {row["principal"] for row in allowed}
    assert VENDOR_ACCOUNT_ID not in {row["principal"] for row in allowed}
    found = paths.find_paths(vendor_trusted, "external", facts.CUSTOMER_RECORDS_BUCKET_ARN).paths
    assert {(p.source, len(p.hops)) for p in found} == {
        (VENDOR_USER_ARN, 1),
        (VENDOR_ROLE_ARN, 2),
    }
