"""A two-account, two-region organization snapshot exercising every security-service module.

Management account 111111111111 runs the organization trail, GuardDuty and Security Hub
administration; member 222222222222 has GuardDuty off in eu-west-1 and an access-denied Security
Hub call there. Used by the integration test and the schema check.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from ingest.aws import (
    accessanalyzer,
    acmpca,
    cloudtrail,
    config,
    detective,
    ec2settings,
    fms,
    guardduty,
    inspector2,
    macie2,
    networkfirewall,
    route53resolver,
    s3control,
    securityhub,
    shield,
    ssoadmin,
    wafv2,
)
from ingest.snapshot import GLOBAL_REGION, Snapshot
from kg.graph.records import GraphRecords
from tests.unit.ingest.security_snapshot import (
    MANAGEMENT,
    MEMBER,
    OTHER_REGION,
    REGION,
    SnapshotBuilder,
)

SECURITY_MODULES: tuple[ModuleType, ...] = (
    accessanalyzer,
    acmpca,
    cloudtrail,
    config,
    detective,
    ec2settings,
    fms,
    guardduty,
    inspector2,
    macie2,
    networkfirewall,
    route53resolver,
    s3control,
    securityhub,
    shield,
    ssoadmin,
    wafv2,
)
REGIONS = [REGION, OTHER_REGION]
ORG_TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{MANAGEMENT}:trail/org"
PERMISSION_SET = "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef"
INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"


def member_vpc_arn(region: str = REGION) -> str:
    return f"arn:aws:ec2:{region}:{MEMBER}:vpc/vpc-0member"


def member_load_balancer_arn() -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{MEMBER}:loadbalancer/app/shop/0123456789abcdef"


def _org_trail() -> dict[str, Any]:
    return {
        "Name": "org",
        "TrailARN": ORG_TRAIL_ARN,
        "HomeRegion": REGION,
        "S3BucketName": "org-trail-logs",
        "IsMultiRegionTrail": True,
        "IsOrganizationTrail": True,
        "LogFileValidationEnabled": True,
        "KmsKeyId": f"arn:aws:kms:{REGION}:{MANAGEMENT}:key/trail",
    }


def _every_region(builder: SnapshotBuilder, account_id: str) -> None:
    """Answers every account-and-region call the same way in both regions."""
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("cloudtrail", "describe_trails", {"trailList": [_org_trail()]}),
        ("config", "describe_configuration_recorders", {"ConfigurationRecorders": []}),
        ("accessanalyzer", "list_analyzers", {"analyzers": []}),
        ("inspector2", "batch_get_account_status", {"accounts": [], "failedAccounts": []}),
        ("macie2", "get_macie_session", {"status": "ENABLED"}),
        ("detective", "list_graphs", {"GraphList": []}),
        ("network-firewall", "list_firewalls", {"Firewalls": []}),
        ("wafv2", "list_web_acls", {"WebACLs": []}),
        (
            "route53resolver",
            "list_firewall_rule_group_associations",
            {"FirewallRuleGroupAssociations": []},
        ),
        ("acm-pca", "list_certificate_authorities", {"CertificateAuthorities": []}),
        ("sso-admin", "list_instances", {"Instances": []}),
        (
            "ec2",
            "get_ebs_encryption_by_default",
            {"EbsEncryptionByDefault": account_id == MANAGEMENT},
        ),
        ("ec2", "get_instance_metadata_defaults", {"AccountLevel": {"HttpTokens": "required"}}),
        (
            "ec2",
            "get_image_block_public_access_state",
            {"ImageBlockPublicAccessState": "unblocked"},
        ),
        ("ec2", "get_snapshot_block_public_access_state", {"State": "unblocked"}),
        ("ec2", "describe_vpc_block_public_access_options", {"VpcBlockPublicAccessOptions": {}}),
    ]
    for region in REGIONS:
        for client, method, data in calls:
            builder.answer(client, method, data, account_id=account_id, region=region)


def _detector(builder: SnapshotBuilder, account_id: str, region: str, status: str) -> None:
    detector_id = f"d-{account_id}-{region}"
    builder.answer(
        "guardduty",
        "list_detectors",
        {"DetectorIds": [detector_id]},
        account_id=account_id,
        region=region,
    )
    builder.answer(
        "guardduty",
        "get_detector",
        {"Status": status},
        key=detector_id,
        account_id=account_id,
        region=region,
    )


def organization_snapshot(root: Path, member_guardduty_eu: str = "DISABLED") -> Snapshot:
    builder = SnapshotBuilder(root, {MANAGEMENT: REGIONS, MEMBER: REGIONS})
    _every_region(builder, MANAGEMENT)
    _every_region(builder, MEMBER)
    # GuardDuty: on everywhere but the member's eu-west-1 (suspended unless told otherwise)
    for account_id in (MANAGEMENT, MEMBER):
        for region in REGIONS:
            status = (
                member_guardduty_eu if (account_id, region) == (MEMBER, OTHER_REGION) else "ENABLED"
            )
            _detector(builder, account_id, region, status)
    builder.answer(
        "guardduty",
        "describe_organization_configuration",
        {"AutoEnableOrganizationMembers": "ALL"},
        key=f"d-{MANAGEMENT}-{REGION}",
    )
    # Security Hub: on in the management account, off in the member's us-east-1, denied in eu-west-1
    for region in REGIONS:
        builder.answer(
            "securityhub",
            "describe_hub",
            {"HubArn": f"arn:aws:securityhub:{region}:{MANAGEMENT}:hub/default"},
            region=region,
        )
        builder.answer(
            "securityhub", "get_enabled_standards", {"StandardsSubscriptions": []}, region=region
        )
    builder.fail("securityhub", "describe_hub", account_id=MEMBER, region=OTHER_REGION)
    # The organization trail logs both accounts in every region
    builder.answer("cloudtrail", "get_trail_status", {"IsLogging": True}, key="org")
    # Member network controls
    builder.answer(
        "wafv2",
        "list_web_acls",
        {
            "WebACLs": [
                {
                    "Name": "shop",
                    "Id": "1",
                    "ARN": f"arn:aws:wafv2:{REGION}:{MEMBER}:regional/webacl/shop/1",
                }
            ]
        },
        account_id=MEMBER,
    )
    builder.answer(
        "wafv2",
        "list_resources_for_web_acl",
        {"ResourceArns": [member_load_balancer_arn()]},
        key="shop",
        account_id=MEMBER,
    )
    builder.answer(
        "route53resolver",
        "list_firewall_rule_group_associations",
        {
            "FirewallRuleGroupAssociations": [
                {
                    "Id": "rslvr-frgassoc-1",
                    "Arn": f"arn:aws:route53resolver:{REGION}:{MEMBER}:"
                    "firewall-rule-group-association/rslvr-frgassoc-1",
                    "VpcId": "vpc-0member",
                    "Status": "COMPLETE",
                    "Priority": 101,
                }
            ]
        },
        account_id=MEMBER,
    )
    # Identity Center in the management account, assigning the member
    builder.answer(
        "sso-admin",
        "list_instances",
        {"Instances": [{"InstanceArn": INSTANCE, "IdentityStoreId": "d-1", "Status": "ACTIVE"}]},
    )
    builder.answer(
        "sso-admin", "list_permission_sets", {"PermissionSets": [PERMISSION_SET]}, key=INSTANCE
    )
    builder.answer(
        "sso-admin",
        "describe_permission_set",
        {"PermissionSet": {"Name": "Admin"}},
        key=PERMISSION_SET,
    )
    builder.answer(
        "sso-admin",
        "list_accounts_for_provisioned_permission_set",
        {"AccountIds": [MEMBER]},
        key=PERMISSION_SET,
    )
    builder.answer(
        "sso-admin",
        "list_account_assignments",
        {
            "AccountAssignments": [
                {"AccountId": MEMBER, "PrincipalType": "GROUP", "PrincipalId": "g-1"},
                {"AccountId": MEMBER, "PrincipalType": "USER", "PrincipalId": "u-1"},
            ]
        },
        key=ssoadmin.assignment_key(PERMISSION_SET, MEMBER),
    )
    # Account-wide and organization-wide calls
    for account_id in (MANAGEMENT, MEMBER):
        builder.answer(
            "shield",
            "get_subscription_state",
            {"SubscriptionState": "INACTIVE"},
            account_id=account_id,
            region=GLOBAL_REGION,
        )
    builder.answer(
        "s3control",
        "get_public_access_block",
        {
            "PublicAccessBlockConfiguration": dict.fromkeys(
                (
                    "BlockPublicAcls",
                    "IgnorePublicAcls",
                    "BlockPublicPolicy",
                    "RestrictPublicBuckets",
                ),
                True,
            )
        },
        region=GLOBAL_REGION,
    )
    for region in REGIONS:
        builder.answer(
            "fms",
            "get_admin_account",
            {"AdminAccount": MANAGEMENT, "RoleStatus": "READY"},
            region=region,
        )
        builder.answer("fms", "list_policies", {"PolicyList": []}, region=region)
    return builder.open()


def security_records(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for module in SECURITY_MODULES:
        records.extend(module.transform(snapshot))
    return records
