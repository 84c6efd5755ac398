"""The shipped demo snapshot: regenerated identically, in AWS's shapes, loadable, and holding
the deliberate findings its README promises."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.example import generate
from ingest.example.demo import facts
from ingest.load import transform_snapshot
from ingest.snapshot import Snapshot
from kg.graph.writer import validate
from kg.model import load_schema
from tests.unit.example.aws_shapes import response_errors
from tests.unit.example.snapshot_files import relative_files, responses

SHIPPED = generate.SHIPPED
README = Path(generate.__file__).with_name("README.md")


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return Snapshot.open(SHIPPED)


def test_shipped_snapshot_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate.generate(tmp_path / "demo")
    regenerated, shipped = relative_files(tmp_path / "demo"), relative_files(SHIPPED)
    assert sorted(regenerated) == sorted(shipped), (
        "files differ: run python -m ingest.example.generate"
    )
    changed = [name for name in shipped if shipped[name] != regenerated[name]]
    assert not changed, f"stale files (regenerate the demo): {changed[:5]}"


def test_every_response_has_the_shape_boto3_returns() -> None:
    errors = [
        e
        for client, method, _, data in responses(SHIPPED)
        for e in response_errors(client, method, data)
    ]
    assert errors == []


def test_shipped_snapshot_stays_small() -> None:
    assert sum(len(b) for b in relative_files(SHIPPED).values()) < 2_000_000


def test_every_service_transform_reads_it_and_the_records_fit_the_schema(snap: Snapshot) -> None:
    records = transform_snapshot(snap)
    validate(records, load_schema())
    assert len(records.nodes["Account"]) == 7


def test_manifest_covers_seven_accounts_in_two_regions(snap: Snapshot) -> None:
    assert snap.manifest.source == "demo"
    assert snap.manifest.organization_account_id == "111122223333"
    assert len(snap.account_ids()) == 7
    assert {tuple(snap.regions(a)) for a in snap.account_ids()} == {("us-east-1", "eu-west-1")}


def test_guardduty_off_in_dev_and_unknown_in_sandbox(snap: Snapshot) -> None:
    dev, region = facts.GUARDDUTY_OFF
    assert snap.read(dev, region, "guardduty", "list_detectors") == {"DetectorIds": []}
    assert snap.read(dev, "us-east-1", "guardduty", "list_detectors")["DetectorIds"]
    sandbox, region = facts.GUARDDUTY_UNKNOWN
    assert snap.read(sandbox, region, "guardduty", "list_detectors") is None
    failure = snap.failure(sandbox, region, "guardduty", "list_detectors")
    assert failure is not None and failure.error_code == "AccessDeniedException"


def test_sandbox_ou_lacks_the_security_services_scp(snap: Snapshot) -> None:
    management = snap.manifest.organization_account_id
    assert management is not None
    policy_id = facts.PROTECT_SECURITY_SERVICES_ARN.rsplit("/", 1)[-1]
    targets = snap.read(management, "global", "organizations", "list_targets_for_policy", policy_id)
    arns = {t["Arn"] for t in targets["Targets"]}
    assert arns == set(facts.PROTECTED_OU_ARNS)
    assert facts.UNPROTECTED_OU_ARN not in arns


def _instance(snap: Snapshot, arn: str) -> dict:
    _, _, _, region, account, resource = arn.split(":", 5)
    reservations = snap.read(account, region, "ec2", "describe_instances")["Reservations"]
    found = [i for r in reservations for i in r["Instances"] if resource.endswith(i["InstanceId"])]
    assert len(found) == 1
    return found[0]


def _ingress(snap: Snapshot, account: str, region: str, group_id: str) -> list[dict]:
    groups = snap.read(account, region, "ec2", "describe_security_groups")["SecurityGroups"]
    return next(g["IpPermissions"] for g in groups if g["GroupId"] == group_id)


def test_bastion_is_public_with_ssh_open_and_its_role_reaches_prod_data(snap: Snapshot) -> None:
    bastion = _instance(snap, facts.BASTION_INSTANCE_ARN)
    assert bastion["PublicIpAddress"]
    assert bastion["IamInstanceProfile"]["Arn"].endswith("instance-profile/dev-bastion")
    assert {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}.items() <= _ingress(
        snap, "555566667777", "us-east-1", facts.BASTION_SECURITY_GROUP_ID
    )[0].items()
    dev_roles = _roles(snap, "555566667777")
    assume = dev_roles["dev-bastion"]["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]
    assert (assume["Action"], assume["Resource"]) == (
        "sts:AssumeRole",
        facts.ANALYTICS_READER_ROLE_ARN,
    )
    reader = _roles(snap, "444455557777")["analytics-reader"]
    assert reader["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "AWS": facts.BASTION_ROLE_ARN
    }
    tags = snap.read(
        "444455557777", "global", "s3", "get_bucket_tagging", "data-prod-customer-records"
    )
    assert {"Key": "data-classification", "Value": "confidential"} in tags["TagSet"]


def _roles(snap: Snapshot, account: str) -> dict[str, dict]:
    details = snap.read(account, "global", "iam", "get_account_authorization_details")
    return {r["RoleName"]: r for r in details["RoleDetailList"]}


def test_ci_role_can_pass_the_admin_role_to_lambda(snap: Snapshot) -> None:
    details = snap.read("444455556666", "global", "iam", "get_account_authorization_details")
    ci = _roles(snap, "444455556666")["ci-deployer"]
    policy_arn = ci["AttachedManagedPolicies"][0]["PolicyArn"]
    policy = next(p for p in details["Policies"] if p["Arn"] == policy_arn)
    statements = policy["PolicyVersionList"][0]["Document"]["Statement"]
    actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"} <= actions
    admin = _roles(snap, "444455556666")["deploy-automation"]
    assert admin["AttachedManagedPolicies"][0]["PolicyName"] == "AdministratorAccess"
    assert admin["Arn"] == facts.ESCALATION_TARGET_ROLE_ARN


def test_partner_bucket_grants_an_external_account(snap: Snapshot) -> None:
    answer = snap.read(
        "444455557777", "global", "s3", "get_bucket_policy", "data-prod-partner-exchange"
    )
    principal = json.loads(answer["Policy"])["Statement"][0]["Principal"]
    assert principal == {"AWS": f"arn:aws:iam::{facts.EXTERNAL_ACCOUNT_ID}:root"}
    assert facts.EXTERNAL_ACCOUNT_ID not in snap.account_ids()


def test_build_runner_looks_exposed_but_its_nacl_denies_ssh_first(snap: Snapshot) -> None:
    runner = _instance(snap, facts.NACL_BLOCKED_INSTANCE_ARN)
    assert runner["PublicIpAddress"] and runner["SubnetId"] == facts.NACL_BLOCKED_SUBNET_ID
    group = runner["SecurityGroups"][0]["GroupId"]
    open_ssh = _ingress(snap, "555566667777", "us-east-1", group)[0]
    assert (open_ssh["FromPort"], open_ssh["IpRanges"][0]["CidrIp"]) == (22, "0.0.0.0/0")
    acls = snap.read("555566667777", "us-east-1", "ec2", "describe_network_acls")["NetworkAcls"]
    acl = next(a for a in acls if a["NetworkAclId"] == facts.BLOCKING_NACL_ID)
    assert [a["SubnetId"] for a in acl["Associations"]] == [facts.NACL_BLOCKED_SUBNET_ID]
    inbound = [e for e in acl["Entries"] if not e["Egress"]]
    assert inbound[0] == {
        "CidrBlock": "0.0.0.0/0",
        "Egress": False,
        "Protocol": "6",
        "PortRange": {"From": 22, "To": 22},
        "RuleAction": "deny",
        "RuleNumber": 90,
    }
    assert inbound[1]["RuleAction"] == "allow" and inbound[1]["RuleNumber"] == 100


def test_console_user_without_mfa(snap: Snapshot) -> None:
    user = facts.CONSOLE_USER_WITHOUT_MFA_ARN.rsplit("/", 1)[-1]
    assert snap.read("111122223333", "global", "iam", "get_login_profile", user) is not None
    assert snap.read("111122223333", "global", "iam", "list_mfa_devices", user)["MFADevices"] == []


def test_key_and_secret_without_rotation(snap: Snapshot) -> None:
    key_id = facts.KEY_WITHOUT_ROTATION_ARN.rsplit("/", 1)[-1]
    rotation = snap.read("444455556666", "us-east-1", "kms", "get_key_rotation_status", key_id)
    assert rotation["KeyRotationEnabled"] is False
    secrets = snap.read("444455556666", "us-east-1", "secretsmanager", "list_secrets")["SecretList"]
    secret = next(s for s in secrets if s["ARN"] == facts.SECRET_WITHOUT_ROTATION_ARN)
    assert secret["RotationEnabled"] is False


def test_internet_facing_alb_forwards_443_to_private_instances(snap: Snapshot) -> None:
    balancers = snap.read("444455556666", "us-east-1", "elbv2", "describe_load_balancers")
    alb = next(
        b
        for b in balancers["LoadBalancers"]
        if b["LoadBalancerArn"] == facts.INTERNET_FACING_ALB_ARN
    )
    assert alb["Scheme"] == "internet-facing"
    listeners = snap.read(
        "444455556666", "us-east-1", "elbv2", "describe_listeners", alb["LoadBalancerName"]
    )
    https = next(item for item in listeners["Listeners"] if item["Port"] == 443)
    assert https["DefaultActions"][0]["Type"] == "forward"
    health = snap.read(
        "444455556666", "us-east-1", "elbv2", "describe_target_health", "payments-app"
    )
    targets = {d["Target"]["Id"] for d in health["TargetHealthDescriptions"]}
    assert targets == {arn.rsplit("/", 1)[-1] for arn in facts.ALB_TARGET_INSTANCE_ARNS}
    for arn in facts.ALB_TARGET_INSTANCE_ARNS:
        assert "PublicIpAddress" not in _instance(snap, arn)


def test_public_assets_bucket_has_no_public_access_block(snap: Snapshot) -> None:
    name = facts.PUBLIC_BUCKET_ARN.rsplit(":", 1)[-1]
    assert name in [
        b["Name"] for b in snap.read("555566667777", "global", "s3", "list_buckets")["Buckets"]
    ]
    assert snap.read("555566667777", "global", "s3", "get_public_access_block", name) is None
    assert snap.read("555566667777", "global", "s3control", "get_public_access_block") is None
    assert snap.read("555566667777", "global", "s3", "get_bucket_policy_status", name) == {
        "PolicyStatus": {"IsPublic": True}
    }


def test_readme_lists_every_fact() -> None:
    text = README.read_text()
    values: list[str] = []
    for name, value in vars(facts).items():
        if name.isupper() and name.endswith(("_ARN", "_ARNS", "_ID")):
            values += [value] if isinstance(value, str) else list(value)
    assert values
    missing = [v for v in values if v not in re.sub(r"\s+", " ", text)]
    assert missing == []
