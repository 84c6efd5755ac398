"""The IAM transform (from AWS-shaped responses), the wrapper for a lone authorization-details
export, and the collector (against moto)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ingest.aws import iam
from ingest.aws.collect import CallContext
from ingest.snapshot import GLOBAL_REGION, Snapshot, SnapshotWriter
from kg.errors import ConfigError, SnapshotError
from kg.graph.records import GraphRecords
from kg.graph.writer import validate
from kg.model import load_schema
from tests.unit.ingest.identity_fixtures import (
    ADMIN,
    ALICE,
    BOB,
    BOUNDARY,
    CI,
    DEPLOY,
    DEPLOY_PROFILE,
    DEVELOPERS,
    PUBLIC,
    READ_ONLY,
    S3_READ,
    SAML,
    SUPPORT,
    WEB,
    iam_arn,
    iam_writer,
    identity_snapshot,
    prod_authorization_details,
)
from tests.unit.ingest.network_fixtures import node, undeclared_properties
from tests.unit.ingest.organization_fixtures import (
    CREATED,
    EXTERNAL,
    MANAGEMENT,
    PROD,
    SANDBOX,
    document,
    url_encoded,
)

DETAILS = "get_account_authorization_details"


@pytest.fixture
def records(tmp_path: Path) -> GraphRecords:
    return iam.transform(identity_snapshot(tmp_path))


def _ends(records: GraphRecords, rel_type: str, source: str, target: str) -> set[tuple[Any, Any]]:
    return {(row["source"], row["target"]) for row in records.rels[(rel_type, source, target)]}


def _ref(records: GraphRecords, label: str, key: str, value: str) -> dict[str, Any]:
    found = [row for row in records.refs[label] if row[key] == value]
    assert found, f"no {label} reference {value}"
    return found[0]


def _prod_only(root: Path, details: dict[str, Any], source: str = "synthetic") -> Snapshot:
    """A snapshot of the prod account with just these authorization details."""
    writer = SnapshotWriter(root, source=source)
    iam_writer(writer, PROD)(DETAILS, details)
    writer.set_account(PROD, [])
    writer.finish(created_at=CREATED)
    return Snapshot.open(root)


def test_users_groups_and_what_their_credentials_are(records: GraphRecords) -> None:
    alice = node(records, "User", ALICE)
    assert alice["account_id"] == PROD
    assert alice["group_names"] == ["developers"]
    assert alice["tags"] == ["team=eng"]
    assert (alice["password_enabled"], alice["mfa_enabled"], alice["mfa_devices"]) == (
        True,
        True,
        1,
    )
    # One active and one inactive key: two in all, which is as many as AWS allows.
    assert (alice["access_keys_active"], alice["access_keys"], alice["unknown"]) == (1, 2, [])
    bob = node(records, "User", BOB)
    # No login profile file and no failure: bob has no console password. Listing his keys failed.
    assert (bob["password_enabled"], bob["mfa_enabled"]) == (False, False)
    assert (bob["access_keys_active"], bob["access_keys"]) == (None, None)
    assert bob["unknown"] == ["access_keys", "access_keys_active"]
    assert _ends(records, "MEMBER_OF", "User", "Group") == {(ALICE, DEVELOPERS)}
    assert node(records, "Group", DEVELOPERS)["path"] == "/eng/"
    belongs = _ends(records, "BELONGS_TO", "User", "Account")
    assert belongs == {(ALICE, PROD), (BOB, PROD)}


def test_managed_inline_and_boundary_policies(records: GraphRecords) -> None:
    s3_read = node(records, "IAMPolicy", S3_READ)
    # The default version (v2), decoded from its URL-encoded form.
    assert json.loads(s3_read["document"]) == document(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    )
    assert (s3_read["aws_managed"], s3_read["inline"], s3_read["account_id"]) == (
        False,
        False,
        PROD,
    )
    assert s3_read["default_version_id"] == "v2"
    # The version it could be set back to, as deployed (a SetDefaultPolicyVersion escalation).
    assert s3_read["version_count"] == 2
    assert [json.loads(d) for d in s3_read["other_version_documents"]] == [
        document({"Effect": "Allow", "Action": "s3:DeleteBucket", "Resource": "*"})
    ]
    inline = node(records, "IAMPolicy", f"{ALICE}/inline/alice-inline")
    assert inline["inline"] is True
    assert json.loads(inline["document"])["Statement"] == [  # one statement became a list
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}
    ]
    group_inline = node(records, "IAMPolicy", f"{DEVELOPERS}/inline/dev-inline")
    assert json.loads(group_inline["document"])["Statement"][0]["Action"] == "ec2:*"
    assert _ends(records, "ATTACHED_TO", "IAMPolicy", "User") == {
        (S3_READ, ALICE),
        (f"{ALICE}/inline/alice-inline", ALICE),
    }
    assert _ends(records, "ATTACHED_TO", "IAMPolicy", "Group") == {
        (READ_ONLY, DEVELOPERS),
        (f"{DEVELOPERS}/inline/dev-inline", DEVELOPERS),
    }
    assert _ends(records, "ATTACHED_TO", "IAMPolicy", "Role") >= {
        (ADMIN, DEPLOY),
        (f"{DEPLOY}/inline/deploy-inline", DEPLOY),
        (ADMIN, CI),
    }
    assert _ends(records, "BOUNDS", "IAMPolicy", "User") == {(BOUNDARY, ALICE)}
    assert _ends(records, "BOUNDS", "IAMPolicy", "Role") == {(BOUNDARY, DEPLOY)}


def test_aws_managed_policies_are_shared_nodes_of_no_account(records: GraphRecords) -> None:
    shared = [row for row in records.nodes["AwsManagedPolicy"] if row["arn"] == ADMIN]
    assert len(shared) == 2  # stated by both accounts, loaded as one node
    assert all("account_id" not in row and row["aws_managed"] for row in shared)
    assert ADMIN not in {row["arn"] for row in records.nodes["IAMPolicy"]}
    assert (ADMIN, PROD) not in _ends(records, "BELONGS_TO", "IAMPolicy", "Account")


def test_trust_policies_link_roles_to_whom_they_trust(records: GraphRecords) -> None:
    deploy = node(records, "Role", DEPLOY)
    assert len(json.loads(deploy["trust_policy"])["Statement"]) == 4
    assert _ends(records, "TRUSTS", "Role", "Account") == {(DEPLOY, EXTERNAL)}
    assert _ref(records, "Account", "account_id", EXTERNAL)["external"] is True
    # A role of the management account, which this snapshot collects itself.
    assert _ends(records, "TRUSTS", "Role", "Role") == {(DEPLOY, CI)}
    assert _ref(records, "Role", "arn", CI)["account_id"] == MANAGEMENT
    # ... so prod does not state where it belongs: the management account's own load does.
    stated_by_prod = {
        (row["source"], row["target"])
        for row in records.rels[("BELONGS_TO", "Role", "Account")]
        if row["props"]["account_id"] == PROD
    }
    assert (CI, MANAGEMENT) not in stated_by_prod
    external = [r for r in records.rels[("TRUSTS", "Role", "Account")] if r["source"] == DEPLOY]
    assert external[0]["props"]["statement"] == 0
    assert external[0]["props"]["actions"] == ["sts:AssumeRole"]
    assert json.loads(external[0]["props"]["condition"]) == {
        "StringEquals": {"sts:ExternalId": "deploy-42"}
    }
    assert _ends(records, "TRUSTS", "Role", "ServicePrincipal") >= {
        (DEPLOY, "ec2.amazonaws.com"),
        (SUPPORT, "support.amazonaws.com"),
        (CI, "codebuild.amazonaws.com"),
    }
    assert _ends(records, "TRUSTS", "Role", "FederatedProvider") == {
        (DEPLOY, SAML),
        (WEB, "cognito-identity.amazonaws.com"),  # a URL-encoded trust policy
    }
    kinds = {
        row["name"]: (row["kind"], row["account_id"]) for row in records.refs["FederatedProvider"]
    }
    assert kinds == {SAML: ("saml", PROD), "cognito-identity.amazonaws.com": ("web_identity", None)}
    everyone = records.rels[("TRUSTS", "Role", "AnyPrincipal")]
    assert [(r["source"], r["target"]) for r in everyone] == [(PUBLIC, "everyone")]
    assert "aws:PrincipalOrgID" in everyone[0]["props"]["condition"]
    # The Deny statement (index 3) names the external account's root but trusts nobody.
    assert {r["props"]["statement"] for r in records.rels[("TRUSTS", "Role", "Account")]} == {0}
    assert node(records, "Role", SUPPORT)["service_linked"] is True
    assert node(records, "Role", DEPLOY)["last_used_region"] == "us-east-1"


def test_trust_in_members_and_in_accounts_no_load_covers(tmp_path: Path) -> None:
    stranger = iam_arn("777777777777", "user/contractor")
    details = prod_authorization_details()
    trust = document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{SANDBOX}:root", stranger, "AROADELETEDROLE"]},
            "Action": "sts:AssumeRole",
        },
        {"Effect": "Allow", "NotPrincipal": {"AWS": stranger}, "Action": "sts:AssumeRole"},
    )
    details["RoleDetailList"][1]["AssumeRolePolicyDocument"] = trust
    snapshot = identity_snapshot(tmp_path / "org")
    prod_dir = tmp_path / "org" / PROD / GLOBAL_REGION / "iam"
    (prod_dir / f"{DETAILS}.json").write_text(json.dumps(details))
    records = iam.transform(snapshot)
    # SANDBOX is a member the organization lists, though this snapshot did not collect it.
    assert _ref(records, "Account", "account_id", SANDBOX)["external"] is False
    assert _ends(records, "TRUSTS", "Role", "User") == {(PUBLIC, stranger)}
    assert (stranger, "777777777777") in _ends(records, "BELONGS_TO", "User", "Account")
    assert _ref(records, "Account", "account_id", "777777777777")["external"] is True
    # NotPrincipal in an Allow lets everyone else in.
    (everyone,) = records.rels[("TRUSTS", "Role", "AnyPrincipal")]
    assert everyone["props"]["statement"] == 1
    assert json.loads(everyone["props"]["not_principal"]) == {"AWS": stranger}


def test_root_user_and_password_policy(records: GraphRecords) -> None:
    prod_root = node(records, "RootUser", iam_arn(PROD, "root"))
    assert (prod_root["mfa_enabled"], prod_root["access_keys_present"]) == (True, False)
    management_root = node(records, "RootUser", iam_arn(MANAGEMENT, "root"))
    assert (management_root["mfa_enabled"], management_root["access_keys_present"]) == (False, True)
    assert (prod_root["password_present"], prod_root["signing_certificates_present"]) == (
        True,
        False,
    )
    assert prod_root["unknown"] == []
    policies = {row["account_id"]: row for row in records.nodes["PasswordPolicy"]}
    assert policies[PROD]["set"] is True
    assert policies[PROD]["minimum_password_length"] == 14
    assert policies[PROD]["password_reuse_prevention"] == 24
    assert (policies[PROD]["require_symbols"], policies[PROD]["hard_expiry"]) == (True, False)
    # kg's collector treats NoSuchEntity as "not set": no file and no failure.
    assert policies[MANAGEMENT]["set"] is False
    assert _ends(records, "APPLIES_TO", "PasswordPolicy", "Account") == {
        (PROD, PROD),
        (MANAGEMENT, MANAGEMENT),
    }


def test_a_failed_call_is_unknown_never_not_set(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, source="aws")
    iam_writer(writer, PROD)(DETAILS, prod_authorization_details())
    for method in ("get_account_password_policy", "get_account_summary", "get_login_profile"):
        key = "alice" if method == "get_login_profile" else None
        writer.record_failure(PROD, GLOBAL_REGION, "iam", method, "AccessDenied", "no", key)
    writer.set_account(PROD, [])
    writer.finish(created_at=CREATED)
    records = iam.transform(Snapshot.open(tmp_path))
    (policy,) = records.nodes["PasswordPolicy"]
    assert policy["set"] is None
    assert policy["unknown_reason"] == "AccessDenied on iam.get_account_password_policy"
    root = node(records, "RootUser", iam_arn(PROD, "root"))
    assert root["mfa_enabled"] is None
    assert root["unknown"] == [
        "mfa_enabled",
        "access_keys_present",
        "password_present",
        "signing_certificates_present",
    ]
    assert node(records, "User", ALICE)["password_enabled"] is None


def test_instance_profiles_hand_out_their_role(records: GraphRecords) -> None:
    profile = node(records, "InstanceProfile", DEPLOY_PROFILE)
    assert (profile["name"], profile["account_id"]) == ("deploy-profile", PROD)
    assert _ends(records, "FOR_ROLE", "InstanceProfile", "Role") == {(DEPLOY_PROFILE, DEPLOY)}


def test_an_attachment_to_an_undescribed_policy_keeps_its_edge(tmp_path: Path) -> None:
    details = prod_authorization_details()
    details["Policies"] = []  # a filtered export: roles and users, no policies
    records = iam.transform(_prod_only(tmp_path, details))
    boundary = _ref(records, "IAMPolicy", "arn", BOUNDARY)
    assert (boundary["account_id"], boundary["unknown"]) == (PROD, ["document"])
    assert _ref(records, "AwsManagedPolicy", "arn", ADMIN)["name"] == "AdministratorAccess"
    assert (ADMIN, DEPLOY) in _ends(records, "ATTACHED_TO", "IAMPolicy", "Role")
    assert (BOUNDARY, ALICE) in _ends(records, "BOUNDS", "IAMPolicy", "User")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("AssumeRolePolicyDocument", "%7B%22Statement%22%3A", "invalid policy JSON"),
        ("AssumeRolePolicyDocument", {"Statement": "allow all"}, "Statement should be"),
        ("RolePolicyList", [{"PolicyName": "x", "PolicyDocument": 42}], "expected a policy"),
    ],
)
def test_malformed_documents_name_the_file_and_field(
    tmp_path: Path, field: str, value: Any, message: str
) -> None:
    details = prod_authorization_details()
    details["RoleDetailList"][0][field] = value
    with pytest.raises(SnapshotError, match=message) as error:
        iam.transform(_prod_only(tmp_path, details))
    assert f"{DETAILS}.json.RoleDetailList[0]" in str(error.value)


def test_records_fit_the_declared_schema(records: GraphRecords) -> None:
    validate(records, load_schema())
    assert undeclared_properties(records) == set()


# A lone export -------------------------------------------------------------------------------


def test_a_lone_export_becomes_a_one_account_snapshot(tmp_path: Path) -> None:
    export = tmp_path / "gaad.json"
    export.write_text(json.dumps(prod_authorization_details()))
    snapshot = Snapshot.open(iam.snapshot_from_authorization_file(export, PROD, tmp_path / "s"))
    assert (snapshot.manifest.source, snapshot.account_ids()) == ("file", [PROD])
    records = iam.transform(snapshot)
    assert {row["arn"] for row in records.nodes["User"]} == {ALICE, BOB}
    # The export says nothing of credentials, the summary or the password policy: unknown.
    assert node(records, "User", BOB)["password_enabled"] is None
    assert node(records, "RootUser", iam_arn(PROD, "root"))["mfa_enabled"] is None
    (policy,) = records.nodes["PasswordPolicy"]
    assert policy["set"] is None
    assert "not in the snapshot" in policy["unknown_reason"]


def test_a_lone_export_of_another_account_or_of_something_else_is_refused(
    tmp_path: Path,
) -> None:
    export = tmp_path / "gaad.json"
    export.write_text(json.dumps(prod_authorization_details()))
    with pytest.raises(ConfigError, match=f"describes account {PROD}, not --account-id"):
        iam.snapshot_from_authorization_file(export, MANAGEMENT, tmp_path / "a")
    with pytest.raises(ConfigError, match="not a 12-digit account id"):
        iam.snapshot_from_authorization_file(export, "prod", tmp_path / "b")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"Users": []}))
    with pytest.raises(SnapshotError, match="not a get-account-authorization-details export"):
        iam.snapshot_from_authorization_file(other, PROD, tmp_path / "c")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(SnapshotError, match="invalid JSON at line 1"):
        iam.snapshot_from_authorization_file(broken, PROD, tmp_path / "d")


def test_url_encoded_export_documents_load(tmp_path: Path) -> None:
    details = prod_authorization_details()
    details["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"] = url_encoded(
        document({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})
    )
    records = iam.transform(_prod_only(tmp_path, details))
    inline = node(records, "IAMPolicy", f"{ALICE}/inline/alice-inline")
    assert json.loads(inline["document"])["Statement"][0]["Action"] == "kms:Decrypt"


# Collector (moto) -----------------------------------------------------------------------------


def _moto_iam(session: boto3.Session) -> None:
    """Users in groups with console, MFA and keys; roles trusting another account and a
    service, one with a boundary and an instance profile."""
    client = session.client("iam")
    boundary = client.create_policy(
        PolicyName="boundary", PolicyDocument=json.dumps(document({"Effect": "Allow",
                                                                   "Action": "s3:*",
                                                                   "Resource": "*"}))
    )["Policy"]["Arn"]  # fmt: skip
    client.create_group(GroupName="admins")
    client.attach_group_policy(GroupName="admins", PolicyArn=boundary)
    for user in ("carol", "dave"):
        client.create_user(UserName=user)
    client.add_user_to_group(GroupName="admins", UserName="carol")
    client.create_login_profile(UserName="carol", Password="correct-horse-battery-1")
    client.create_access_key(UserName="carol")
    device = client.create_virtual_mfa_device(VirtualMFADeviceName="carol")["VirtualMFADevice"]
    client.enable_mfa_device(
        UserName="carol",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    trust = document(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{EXTERNAL}:root"},
         "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": "sts:AssumeRole"},
    )  # fmt: skip
    client.create_role(
        RoleName="cross", AssumeRolePolicyDocument=json.dumps(trust), PermissionsBoundary=boundary
    )
    client.create_instance_profile(InstanceProfileName="cross-profile")
    client.add_role_to_instance_profile(InstanceProfileName="cross-profile", RoleName="cross")


@mock_aws
def test_collector_stores_every_call_at_its_documented_path(tmp_path: Path) -> None:
    session = boto3.Session(region_name="us-east-1")
    _moto_iam(session)
    account = session.client("sts").get_caller_identity()["Account"]
    writer = SnapshotWriter(tmp_path, source="aws")
    iam.collect(CallContext(session, account, GLOBAL_REGION, writer))
    writer.set_account(account, ["us-east-1"])
    writer.finish()
    assert writer.failures == []  # no password policy is "not set", not a failure
    base = tmp_path / account / GLOBAL_REGION / "iam"
    assert {p.name for p in base.glob("*.json")} == {f"{DETAILS}.json", "get_account_summary.json"}
    for method in ("list_mfa_devices", "list_access_keys"):
        assert {p.name for p in (base / method).glob("*.json")} == {"carol.json", "dave.json"}
    assert {p.name for p in (base / "get_login_profile").glob("*.json")} == {"carol.json"}

    records = iam.transform(Snapshot.open(tmp_path))
    validate(records, load_schema())
    carol = node(records, "User", iam_arn(account, "user/carol"))
    assert (carol["password_enabled"], carol["mfa_enabled"], carol["access_keys_active"]) == (
        True,
        True,
        1,
    )
    dave = node(records, "User", iam_arn(account, "user/dave"))
    assert (dave["password_enabled"], dave["mfa_enabled"], dave["access_keys_active"]) == (
        False,
        False,
        0,
    )
    cross = iam_arn(account, "role/cross")
    assert _ends(records, "MEMBER_OF", "User", "Group") == {
        (iam_arn(account, "user/carol"), iam_arn(account, "group/admins"))
    }
    assert _ends(records, "TRUSTS", "Role", "Account") == {(cross, EXTERNAL)}
    assert _ends(records, "TRUSTS", "Role", "ServicePrincipal") == {(cross, "lambda.amazonaws.com")}
    assert _ends(records, "BOUNDS", "IAMPolicy", "Role") == {
        (iam_arn(account, "policy/boundary"), cross)
    }
    assert _ends(records, "FOR_ROLE", "InstanceProfile", "Role") == {
        (iam_arn(account, "instance-profile/cross-profile"), cross)
    }
    assert records.nodes["PasswordPolicy"][0]["set"] is False
