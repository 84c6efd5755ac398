"""The organization transform (from AWS-shaped responses) and collector (against moto)."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ingest.aws import organizations
from ingest.aws.collect import CallContext
from ingest.snapshot import GLOBAL_REGION, Snapshot, SnapshotWriter
from kg.errors import SnapshotError
from kg.graph.records import GraphRecords
from kg.graph.writer import validate
from kg.model import load_schema
from tests.unit.ingest.identity_fixtures import identity_snapshot
from tests.unit.ingest.network_fixtures import node, undeclared_properties
from tests.unit.ingest.organization_fixtures import (
    MANAGEMENT,
    ORG_ARN,
    ORG_ID,
    OU_ARNS,
    PROD,
    PROD_OU,
    ROOT_ARN,
    SANDBOX,
    SANDBOX_OU,
    SUSPENDED,
    TAG_CONTENT,
    WORKLOADS,
    management_snapshot,
    organization_responses,
    policy_arn,
)

Calls = dict[tuple[str, str | None], dict[str, Any]]
ORG = "organizations"


def _snapshot(
    root: Path,
    answers: Calls | None = None,
    failures: tuple[tuple[str, str, str | None], ...] = (),
    source: str = "synthetic",
) -> Snapshot:
    """The management account's organization calls (minus failures, which are recorded)."""
    calls = {(ORG, m, k): data for (m, k), data in (answers or organization_responses()).items()}
    return management_snapshot(root, calls, failures, source)


def _ends(records: GraphRecords, rel_type: str, source: str, target: str) -> set[tuple[Any, Any]]:
    return {(row["source"], row["target"]) for row in records.rels[(rel_type, source, target)]}


def test_the_tree_from_root_to_nested_units_and_where_each_account_sits(tmp_path: Path) -> None:
    records = organizations.transform(identity_snapshot(tmp_path))
    org = node(records, "Organization", ORG_ARN)
    assert (org["id"], org["feature_set"], org["management_account_id"]) == (
        ORG_ID,
        "ALL",
        MANAGEMENT,
    )
    root = node(records, "OrganizationRoot", ROOT_ARN)
    # BACKUP_POLICY is only pending: not in force.
    assert root["enabled_policy_types"] == [
        "RESOURCE_CONTROL_POLICY",
        "SERVICE_CONTROL_POLICY",
        "TAG_POLICY",
    ]
    assert {row["name"]: row["path"] for row in records.nodes["OrganizationalUnit"]} == {
        "Workloads": "Root/Workloads",
        "Prod": "Root/Workloads/Prod",
        "Sandbox": "Root/Sandbox",
    }
    assert _ends(records, "IN", "OrganizationalUnit", "OrganizationalUnit") == {
        (OU_ARNS[PROD_OU], OU_ARNS[WORKLOADS])
    }
    assert _ends(records, "IN", "OrganizationalUnit", "OrganizationRoot") == {
        (OU_ARNS[WORKLOADS], ROOT_ARN),
        (OU_ARNS[SANDBOX_OU], ROOT_ARN),
    }
    assert _ends(records, "IN", "OrganizationRoot", "Organization") == {(ROOT_ARN, ORG_ARN)}
    assert _ends(records, "IN", "Account", "OrganizationalUnit") == {
        (PROD, OU_ARNS[PROD_OU]),
        (SANDBOX, OU_ARNS[SANDBOX_OU]),
    }
    assert _ends(records, "IN", "Account", "OrganizationRoot") == {
        (MANAGEMENT, ROOT_ARN),
        (SUSPENDED, ROOT_ARN),
    }
    accounts = {row["account_id"]: row for row in records.nodes["Account"]}
    assert accounts[PROD]["ou_path"] == "Root/Workloads/Prod"
    assert accounts[MANAGEMENT]["ou_path"] == "Root"
    assert {a: row["is_management"] for a, row in accounts.items()} == {
        MANAGEMENT: True,
        PROD: False,
        SANDBOX: False,
        SUSPENDED: False,
    }
    assert accounts[SUSPENDED]["status"] == "SUSPENDED"
    assert not any(row["external"] for row in accounts.values())
    assert accounts[PROD]["joined_timestamp"] == "2024-01-02T03:04:05Z"


def test_policies_keep_their_documents_and_targets(tmp_path: Path) -> None:
    records = organizations.transform(identity_snapshot(tmp_path))
    deny_leave = node(records, "OrgPolicy", policy_arn("p-denyleave"))
    assert deny_leave["policy_type"] == "SERVICE_CONTROL_POLICY"
    assert deny_leave["aws_managed"] is False
    # A single statement object is stored as a list of one, the shape every evaluator reads.
    assert json.loads(deny_leave["document"])["Statement"] == [
        {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    ]
    tags = node(records, "OrgPolicy", policy_arn("p-tags"))
    assert json.loads(tags["document"]) == TAG_CONTENT  # management grammar: kept as written
    assert node(records, "OrgPolicy", policy_arn("p-FullAWSAccess"))["aws_managed"] is True
    assert node(records, "OrgPolicy", policy_arn("p-perimeter"))["policy_type"] == (
        "RESOURCE_CONTROL_POLICY"
    )
    assert _ends(records, "ATTACHED_TO", "OrgPolicy", "OrganizationRoot") == {
        (policy_arn(p), ROOT_ARN) for p in ("p-FullAWSAccess", "p-denyleave", "p-perimeter")
    }
    assert _ends(records, "ATTACHED_TO", "OrgPolicy", "OrganizationalUnit") == {
        (policy_arn("p-FullAWSAccess"), OU_ARNS[WORKLOADS]),
        (policy_arn("p-regions"), OU_ARNS[WORKLOADS]),
        (policy_arn("p-tags"), OU_ARNS[PROD_OU]),
    }
    assert _ends(records, "ATTACHED_TO", "OrgPolicy", "Account") == {
        (policy_arn("p-FullAWSAccess"), PROD),
        (policy_arn("p-sandbox"), SANDBOX),
    }


def test_delegated_administrators_and_trusted_services(tmp_path: Path) -> None:
    records = organizations.transform(identity_snapshot(tmp_path))
    assert _ends(records, "DELEGATED_ADMIN_FOR", "Account", "ServicePrincipal") == {
        (PROD, "guardduty.amazonaws.com"),
        (PROD, "securityhub.amazonaws.com"),
    }
    assert _ends(records, "TRUSTS_SERVICE", "Organization", "ServicePrincipal") == {
        (ORG_ARN, "guardduty.amazonaws.com"),
        (ORG_ARN, "sso.amazonaws.com"),
    }
    assert {row["name"] for row in records.refs["ServicePrincipal"]} == {
        "guardduty.amazonaws.com",
        "securityhub.amazonaws.com",
        "sso.amazonaws.com",
    }


def test_root_access_features_on_off_and_unknown(tmp_path: Path) -> None:
    on = node(organizations.transform(identity_snapshot(tmp_path / "on")), "Organization", ORG_ARN)
    assert on["iam_organization_features"] == ["RootCredentialsManagement"]
    # No answer and no failure from kg's collector: IAM said the features cannot be on.
    off = node(organizations.transform(_snapshot(tmp_path / "off")), "Organization", ORG_ARN)
    assert off["iam_organization_features"] == []
    assert "iam_organization_features" not in off["unknown"]
    features_failed = (("iam", "list_organizations_features", None),)
    for name, snapshot in (
        ("failed", _snapshot(tmp_path / "failed", failures=features_failed)),
        ("hand-made", _snapshot(tmp_path / "hand-made", source="file")),
    ):
        org = node(organizations.transform(snapshot), "Organization", ORG_ARN)
        assert org["iam_organization_features"] is None, name
        assert "iam_organization_features" in org["unknown"], name


def test_a_listing_that_failed_is_unknown_not_empty(tmp_path: Path) -> None:
    snapshot = _snapshot(
        tmp_path,
        failures=(
            (ORG, "list_organizational_units_for_parent", WORKLOADS),
            (ORG, "list_policies", "TAG_POLICY"),
            (ORG, "describe_policy", "p-regions"),
            (ORG, "list_delegated_administrators", None),
        ),
    )
    records = organizations.transform(snapshot)
    workloads = node(records, "OrganizationalUnit", OU_ARNS[WORKLOADS])
    assert workloads["unknown"] == ["child_units"]
    assert OU_ARNS[PROD_OU] not in {row["arn"] for row in records.nodes["OrganizationalUnit"]}
    # prod is still a member (list_accounts), but where it sits is unknown.
    prod = node(records, "Account", PROD)
    assert prod["ou_path"] is None
    assert PROD not in {
        source for source, _ in _ends(records, "IN", "Account", "OrganizationalUnit")
    }
    org = node(records, "Organization", ORG_ARN)
    assert {"policies:TAG_POLICY", "delegated_administrators"} <= set(org["unknown"])
    regions = node(records, "OrgPolicy", policy_arn("p-regions"))
    assert (regions["document"], regions["unknown"]) == (None, ["document"])
    assert not records.rels[("DELEGATED_ADMIN_FOR", "Account", "ServicePrincipal")]


def test_malformed_policy_content_names_the_file_and_field(tmp_path: Path) -> None:
    answers = organization_responses()
    answers[("describe_policy", "p-denyleave")]["Policy"]["Content"] = '{"Statement": ['
    with pytest.raises(SnapshotError, match=r"describe_policy/p-denyleave\.json\.Policy\.Content"):
        organizations.transform(_snapshot(tmp_path, answers))


def test_nothing_without_an_organization_account(tmp_path: Path) -> None:
    snapshot = identity_snapshot(tmp_path, accounts=(PROD,))
    assert snapshot.manifest.organization_account_id is None
    assert organizations.transform(snapshot).counts() == {"nodes": 0, "refs": 0, "relationships": 0}
    assert organizations.member_account_ids(snapshot) == set()


def test_member_account_ids_are_every_listed_account(tmp_path: Path) -> None:
    members = organizations.member_account_ids(identity_snapshot(tmp_path))
    assert members == {MANAGEMENT, PROD, SANDBOX, SUSPENDED}


def test_records_fit_the_declared_schema(tmp_path: Path) -> None:
    records = organizations.transform(identity_snapshot(tmp_path))
    validate(records, load_schema())
    # Account is declared in kg/model/core.py, which does not document ou_path yet.
    assert undeclared_properties(records) <= {"Account.ou_path"}


# Collector (moto) -----------------------------------------------------------------------------


def _moto_organization(session: boto3.Session) -> dict[str, str]:
    """An organization with nested OUs, accounts at three levels and SCPs at three levels."""
    client = session.client(ORG)
    client.create_organization(FeatureSet="ALL")
    root = client.list_roots()["Roots"][0]["Id"]
    client.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    client.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")
    workloads = client.create_organizational_unit(ParentId=root, Name="Workloads")
    prod = client.create_organizational_unit(
        ParentId=workloads["OrganizationalUnit"]["Id"], Name="Prod"
    )
    ids = {"root": root, "workloads": workloads["OrganizationalUnit"]["Id"]}
    ids["prod_ou"] = prod["OrganizationalUnit"]["Id"]
    for name, parent in (("prod", ids["prod_ou"]), ("closed", root)):
        status = client.create_account(AccountName=name, Email=f"{name}@example.com")
        ids[name] = status["CreateAccountStatus"]["AccountId"]
        if parent != root:
            client.move_account(
                AccountId=ids[name], SourceParentId=root, DestinationParentId=parent
            )
    client.close_account(AccountId=ids["closed"])
    for target in ("root", "workloads", "prod"):
        content = {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "x:*",
                                                         "Resource": "*"}}  # fmt: skip
        policy = client.create_policy(
            Content=json.dumps(content),
            Description=target,
            Name=f"scp-{target}",
            Type="SERVICE_CONTROL_POLICY",
        )["Policy"]["PolicySummary"]
        ids[f"scp-{target}"] = policy["Id"]
        client.attach_policy(PolicyId=policy["Id"], TargetId=ids[target])
    client.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    client.register_delegated_administrator(
        AccountId=ids["prod"], ServicePrincipal="guardduty.amazonaws.com"
    )
    return ids


@mock_aws
def test_collector_stores_every_call_at_its_documented_path(tmp_path: Path) -> None:
    session = boto3.Session(region_name="us-east-1")
    ids = _moto_organization(session)
    management = session.client("sts").get_caller_identity()["Account"]
    writer = SnapshotWriter(tmp_path, source="aws")
    ctx = CallContext(session, management, GLOBAL_REGION, writer)
    # moto does not implement iam.list_organizations_features: Stubber answers it instead.
    iam = Stubber(ctx.client("iam"))
    iam.add_response(
        "list_organizations_features",
        {"OrganizationId": "o-x", "EnabledFeatures": ["RootSessions"]},
    )
    with iam:
        organizations.collect(ctx)
    iam.assert_no_pending_responses()
    writer.set_account(management, ["us-east-1"])
    writer.finish(organization_account_id=management)
    assert writer.failures == []

    snapshot = Snapshot.open(tmp_path)
    keys = partial(snapshot.keys, management, GLOBAL_REGION, ORG)
    parents = {ids["root"], ids["workloads"], ids["prod_ou"]}
    assert set(keys("list_organizational_units_for_parent")) == parents
    assert set(keys("list_accounts_for_parent")) == parents
    # SCPs and tag policies are enabled on the root; no other type is listed.
    assert keys("list_policies") == ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
    scps = {ids[f"scp-{t}"] for t in ("root", "workloads", "prod")} | {"p-FullAWSAccess"}
    assert scps <= set(keys("describe_policy"))
    assert set(keys("describe_policy")) == set(keys("list_targets_for_policy"))
    assert keys("list_delegated_services_for_account") == [ids["prod"]]
    for method in (
        "describe_organization",
        "list_roots",
        "list_accounts",
        "list_delegated_administrators",
        "list_aws_service_access_for_organization",
    ):
        assert snapshot.read(management, GLOBAL_REGION, ORG, method) is not None, method
    assert snapshot.read(management, GLOBAL_REGION, "iam", "list_organizations_features")

    records = organizations.transform(snapshot)
    validate(records, load_schema())
    accounts = {row["account_id"]: row for row in records.nodes["Account"]}
    assert accounts[ids["prod"]]["ou_path"] == "Root/Workloads/Prod"
    assert accounts[ids["closed"]]["status"] == "SUSPENDED"
    attached = _ends(records, "ATTACHED_TO", "OrgPolicy", "OrganizationalUnit")
    assert any(target.endswith(ids["workloads"]) for _, target in attached)
    assert _ends(records, "DELEGATED_ADMIN_FOR", "Account", "ServicePrincipal") == {
        (ids["prod"], "guardduty.amazonaws.com")
    }
    assert records.nodes["Organization"][0]["iam_organization_features"] == ["RootSessions"]


@mock_aws
def test_discover_accounts_lists_active_members_and_the_management_account() -> None:
    session = boto3.Session(region_name="us-east-1")
    ids = _moto_organization(session)
    management, accounts = organizations.discover_accounts(session)
    assert management == session.client("sts").get_caller_identity()["Account"]
    assert ids["prod"] in accounts and management in accounts
    assert ids["closed"] not in accounts


@mock_aws
def test_discover_accounts_outside_an_organization_finds_none() -> None:
    assert organizations.discover_accounts(boto3.Session(region_name="us-east-1")) == (None, [])
