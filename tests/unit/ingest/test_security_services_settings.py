"""Account-level settings and identity: EC2 defaults, S3 account public access block, Private CA,
IAM Identity Center.

S3, Private CA and Identity Center collect against moto; the EC2 defaults against botocore's
Stubber (moto implements only get_ebs_encryption_by_default of the five calls).
"""

from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws

from ingest.aws import acmpca, ec2settings, s3control, ssoadmin
from ingest.aws._shapes import Item
from ingest.snapshot import GLOBAL_REGION, Snapshot
from tests.unit.ingest.security_snapshot import (
    MANAGEMENT,
    MEMBER,
    MOTO_ACCOUNT,
    OTHER_REGION,
    REGION,
    SnapshotBuilder,
    collected,
    moto_context,
    node,
    state,
    stubbed_context,
)

SECURE_DEFAULTS = {
    "get_ebs_encryption_by_default": {"EbsEncryptionByDefault": True, "SseType": "sse-ebs"},
    "get_instance_metadata_defaults": {
        "AccountLevel": {"HttpTokens": "required", "ManagedBy": "declarative-policy"}
    },
    "get_image_block_public_access_state": {
        "ImageBlockPublicAccessState": "block-new-sharing",
        "ManagedBy": "account",
    },
    "get_snapshot_block_public_access_state": {
        "State": "block-all-sharing",
        "ManagedBy": "account",
    },
    "describe_vpc_block_public_access_options": {
        "VpcBlockPublicAccessOptions": {
            "InternetGatewayBlockMode": "block-ingress",
            "State": "update-complete",
            "ManagedBy": "account",
        }
    },
}
OPEN_DEFAULTS = {
    "get_ebs_encryption_by_default": {"EbsEncryptionByDefault": False},
    "get_instance_metadata_defaults": {"AccountLevel": {}},
    "get_image_block_public_access_state": {"ImageBlockPublicAccessState": "unblocked"},
    "get_snapshot_block_public_access_state": {"State": "unblocked"},
    "describe_vpc_block_public_access_options": {
        "VpcBlockPublicAccessOptions": {"InternetGatewayBlockMode": "off"}
    },
}


def test_ec2_account_defaults_secure_open_and_unknown(tmp_path: Path) -> None:
    builder = SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION]})
    for method, answer in SECURE_DEFAULTS.items():
        builder.answer("ec2", method, answer)
    for method, answer in OPEN_DEFAULTS.items():
        if method != "get_image_block_public_access_state":
            builder.answer("ec2", method, answer, region=OTHER_REGION)
    builder.fail("ec2", "get_image_block_public_access_state", region=OTHER_REGION)
    records = ec2settings.transform(builder.open())
    secure = {
        s["setting"]: (s["status"], s["value"], s.get("managed_by"))
        for s in records.nodes["AccountSetting"]
        if s["region"] == REGION
    }
    assert secure == {
        "ebs_encryption_by_default": ("enabled", "true", None),
        "imds_defaults": ("enabled", "HttpTokens required", "declarative-policy"),
        "image_block_public_access": ("enabled", "block-new-sharing", "account"),
        "snapshot_block_public_access": ("enabled", "block-all-sharing", "account"),
        "vpc_block_public_access": ("enabled", "block-ingress", "account"),
    }
    imds = state(records, "AccountSetting", control="imds_defaults")
    assert imds["id"] == f"{MANAGEMENT}|{REGION}|imds_defaults"
    assert imds["status_reason"] == "HttpTokens required (managed by declarative-policy)"
    open_ = {
        s["setting"]: (s["status"], s.get("value"))
        for s in records.nodes["AccountSetting"]
        if s["region"] == OTHER_REGION
    }
    assert open_ == {
        "ebs_encryption_by_default": ("disabled", "false"),
        "imds_defaults": ("disabled", "HttpTokens no-preference"),
        "image_block_public_access": ("unknown", None),
        "snapshot_block_public_access": ("disabled", "unblocked"),
        "vpc_block_public_access": ("disabled", "off"),
    }


def test_imds_endpoint_disabled_counts_as_protected() -> None:
    answer = Item({"AccountLevel": {"HttpEndpoint": "disabled"}}, "imds.json")
    value = ec2settings.SETTINGS[1].read_value(answer)
    assert (value.enabled, value.value) == (True, "endpoint disabled")


def test_ec2_settings_collector(tmp_path: Path) -> None:
    """Stubber: moto lacks the IMDS defaults, image/snapshot and VPC block public access calls."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("ec2")
    for method, answer in SECURE_DEFAULTS.items():
        stub.add_response(method, answer)
    ec2settings.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert {k: v for k, v in files.items() if k != "!failed"} == {
        f"ec2/{method}": answer for method, answer in SECURE_DEFAULTS.items()
    }


# S3 account public access block ------------------------------------------------------------------


def test_s3_account_public_access_block_all_partial_not_set_and_unknown(tmp_path: Path) -> None:
    third, fourth = "333333333333", "444444444444"
    all_on = dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    partial = {**all_on, "RestrictPublicBuckets": False, "IgnorePublicAcls": False}
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [], MEMBER: [], third: [], fourth: []})
        .answer(
            "s3control",
            "get_public_access_block",
            {"PublicAccessBlockConfiguration": all_on},
            region=GLOBAL_REGION,
        )
        .answer(
            "s3control",
            "get_public_access_block",
            {"PublicAccessBlockConfiguration": partial},
            account_id=MEMBER,
            region=GLOBAL_REGION,
        )
        .fail("s3control", "get_public_access_block", account_id=fourth, region=GLOBAL_REGION)
        .open()
    )
    records = s3control.transform(snap)

    def setting(account: str) -> dict[str, object]:
        return state(
            records, "AccountSetting", account, GLOBAL_REGION, "s3_account_public_access_block"
        )

    assert (setting(MANAGEMENT)["status"], setting(MANAGEMENT)["value"]) == (
        "enabled",
        "all four on",
    )
    assert setting(MEMBER)["status"] == "disabled"
    assert setting(MEMBER)["value"] == "on: BlockPublicAcls, BlockPublicPolicy"
    assert (setting(MEMBER)["block_public_policy"], setting(MEMBER)["restrict_public_buckets"]) == (
        True,
        False,
    )
    assert (setting(third)["status"], setting(third)["value"]) == ("disabled", "not set")
    assert setting(third)["status_reason"] == "no account-level public access block"
    assert setting(fourth)["status"] == "unknown"


def test_a_hand_made_snapshot_without_the_call_is_unknown_not_unset(tmp_path: Path) -> None:
    """An IAM export wrapped as a snapshot (source "file") never asked S3 about the account."""
    snap = SnapshotBuilder(tmp_path, {MANAGEMENT: []}, source="file").open()
    records = s3control.transform(snap)
    setting = state(records, "AccountSetting", MANAGEMENT, GLOBAL_REGION)
    assert (setting["status"], setting["status_reason"]) == (
        "unknown",
        "s3control.get_public_access_block is not in the snapshot",
    )
    assert "value" not in setting


def test_s3_account_public_access_block_collector_against_moto(tmp_path: Path) -> None:
    with mock_aws():
        ctx, writer = moto_context(tmp_path / "unset", GLOBAL_REGION)
        s3control.collect(ctx)
        boto3.client("s3control", region_name=REGION).put_public_access_block(
            AccountId=MOTO_ACCOUNT,
            PublicAccessBlockConfiguration={"BlockPublicAcls": True, "BlockPublicPolicy": True},
        )
        set_ctx, set_writer = moto_context(tmp_path / "set", GLOBAL_REGION)
        s3control.collect(set_ctx)
    assert collected(writer, MOTO_ACCOUNT, GLOBAL_REGION) == {"!failed": []}  # not set: no failure
    answer = collected(set_writer, MOTO_ACCOUNT, GLOBAL_REGION)["s3control/get_public_access_block"]
    assert answer["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True


# Private CA --------------------------------------------------------------------------------------


def test_private_ca_counts_active_authorities(tmp_path: Path) -> None:
    authorities = {
        "CertificateAuthorities": [
            {
                "Arn": "arn:aws:acm-pca:us-east-1:1:certificate-authority/a",
                "Type": "ROOT",
                "Status": "ACTIVE",
            },
            {
                "Arn": "arn:aws:acm-pca:us-east-1:1:certificate-authority/b",
                "Type": "SUBORDINATE",
                "Status": "DISABLED",
            },
        ]
    }
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION]})
        .answer("acm-pca", "list_certificate_authorities", authorities)
        .answer(
            "acm-pca",
            "list_certificate_authorities",
            {"CertificateAuthorities": []},
            region=OTHER_REGION,
        )
        .open()
    )
    records = acmpca.transform(snap)
    on = state(records, "PrivateCaStatus")
    assert (on["status"], on["ca_types"]) == ("enabled", ["ROOT"])
    assert state(records, "PrivateCaStatus", region=OTHER_REGION)["status"] == "disabled"


def test_private_ca_collector_against_moto(tmp_path: Path) -> None:
    with mock_aws():
        boto3.client("acm-pca", region_name=REGION).create_certificate_authority(
            CertificateAuthorityConfiguration={
                "KeyAlgorithm": "RSA_2048",
                "SigningAlgorithm": "SHA256WITHRSA",
                "Subject": {"CommonName": "kg"},
            },
            CertificateAuthorityType="ROOT",
        )
        ctx, writer = moto_context(tmp_path)
        acmpca.collect(ctx)
    authorities = collected(writer, MOTO_ACCOUNT, REGION)["acm-pca/list_certificate_authorities"]
    assert authorities["CertificateAuthorities"][0]["Type"] == "ROOT"


# IAM Identity Center -----------------------------------------------------------------------------

INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
PERMISSION_SET = f"{INSTANCE.replace('instance/', 'permissionSet/')}/ps-0123456789abcdef"


def _identity_center_snapshot(tmp_path: Path, *, assignments_read: bool = True) -> Snapshot:
    """The management account's organization instance, one permission set assigned in MEMBER
    (its assignments left out of the snapshot unless `assignments_read`)."""
    instances = {
        "Instances": [
            {
                "InstanceArn": INSTANCE,
                "IdentityStoreId": "d-1234",
                "Status": "ACTIVE",
                "OwnerAccountId": MANAGEMENT,
            }
        ]
    }
    assignments = {
        "AccountAssignments": [
            {
                "AccountId": MEMBER,
                "PermissionSetArn": PERMISSION_SET,
                "PrincipalType": "GROUP",
                "PrincipalId": "g-admins",
            },
            {
                "AccountId": MEMBER,
                "PermissionSetArn": PERMISSION_SET,
                "PrincipalType": "USER",
                "PrincipalId": "u-alice",
            },
        ]
    }
    described = {
        "PermissionSet": {
            "Name": "AdministratorAccess",
            "PermissionSetArn": PERMISSION_SET,
            "SessionDuration": "PT1H",
        }
    }
    builder = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION]})
        .answer("sso-admin", "list_instances", instances)
        .answer(
            "sso-admin", "list_permission_sets", {"PermissionSets": [PERMISSION_SET]}, key=INSTANCE
        )
        .answer("sso-admin", "describe_permission_set", described, key=PERMISSION_SET)
        .answer(
            "sso-admin",
            "list_accounts_for_provisioned_permission_set",
            {"AccountIds": [MEMBER]},
            key=PERMISSION_SET,
        )
        .answer("sso-admin", "list_instances", {"Instances": []}, region=OTHER_REGION)
    )
    if assignments_read:
        key = ssoadmin.assignment_key(PERMISSION_SET, MEMBER)
        builder = builder.answer("sso-admin", "list_account_assignments", assignments, key=key)
    return builder.open()


def test_identity_center_instance_permission_sets_and_assignments(tmp_path: Path) -> None:
    snap = _identity_center_snapshot(tmp_path)
    records = ssoadmin.transform(snap)
    center = state(records, "IdentityCenterInstance")
    assert (center["status"], center["identity_store_ids"]) == ("enabled", ["d-1234"])
    assert state(records, "IdentityCenterInstance", region=OTHER_REGION)["status"] == "disabled"
    permission_set = node(records, "PermissionSet", PERMISSION_SET)
    assert (permission_set["name"], permission_set["session_duration"]) == (
        "AdministratorAccess",
        "PT1H",
    )
    assigned = records.rels[("ASSIGNED_TO", "PermissionSet", "Account")]
    assert sorted(
        (r["target"], r["props"]["principal_type"], r["props"]["principal_id"]) for r in assigned
    ) == [
        (MEMBER, "GROUP", "g-admins"),
        (MEMBER, "USER", "u-alice"),
    ]
    # The organization instance enrolls the account it assigns a permission set in.
    assert (center["org_status"], center["org_zone"]) == ("configured", "administered")
    assert center["org_resource"] == f"instance {INSTANCE}"
    enrolls = records.rels[("ENROLLS", "IdentityCenterInstance", "Account")]
    assert [(r["target"], r["props"]["relationship"]) for r in enrolls] == [
        (MEMBER, "permission sets: AdministratorAccess")
    ]


def test_identity_center_assignments_not_read_leave_the_organization_view_unknown(
    tmp_path: Path,
) -> None:
    records = ssoadmin.transform(_identity_center_snapshot(tmp_path, assignments_read=False))
    center = state(records, "IdentityCenterInstance")
    assert center["org_status"] == "unknown"
    assert PERMISSION_SET in center["org_status_reason"]
    assert not records.rels.get(("ENROLLS", "IdentityCenterInstance", "Account"))


def test_identity_center_collector_against_moto(tmp_path: Path) -> None:
    with mock_aws():
        client = boto3.client("sso-admin", region_name=REGION)
        instance = client.list_instances()["Instances"][0]["InstanceArn"]
        ps_arn = client.create_permission_set(Name="ReadOnly", InstanceArn=instance)[
            "PermissionSet"
        ]["PermissionSetArn"]
        client.create_account_assignment(
            InstanceArn=instance,
            TargetId=MOTO_ACCOUNT,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=ps_arn,
            PrincipalType="GROUP",
            PrincipalId="g-readers",
        )
        client.provision_permission_set(
            InstanceArn=instance,
            PermissionSetArn=ps_arn,
            TargetType="AWS_ACCOUNT",
            TargetId=MOTO_ACCOUNT,
        )
        ctx, writer = moto_context(tmp_path)
        ssoadmin.collect(ctx)
    files = collected(writer, MOTO_ACCOUNT, REGION)
    assert (
        files[f"sso-admin/describe_permission_set/{ps_arn}"]["PermissionSet"]["Name"] == "ReadOnly"
    )
    key = ssoadmin.assignment_key(ps_arn, MOTO_ACCOUNT)
    assignment = files[f"sso-admin/list_account_assignments/{key}"]["AccountAssignments"][0]
    assert (assignment["PrincipalId"], assignment["AccountId"]) == ("g-readers", MOTO_ACCOUNT)
    assert files["!failed"] == []
