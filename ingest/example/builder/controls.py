"""Account and network controls: CloudTrail, WAF, Network Firewall, DNS Firewall, Shield,
Private CA, EC2 account defaults and S3 account public access block."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.example.builder.load_balancers import load_balancer_arn
from ingest.example.builder.scope import Scope
from ingest.example.builder.security import OrgServices, RegionControls

_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@dataclass(frozen=True)
class WebAcl:
    """A regional WAF web ACL and the load balancers (by name) it protects."""

    name: str
    load_balancers: tuple[str, ...]


def _cloudtrail(scope: Scope, context: OrgServices, collected_at: str) -> None:
    """The organization trail: listed in every account and region, read in its home region."""
    trail = context.trail
    if trail is None:
        scope.answer("cloudtrail", "describe_trails", {"trailList": []})
        return
    owner, arn = trail.owner, trail.arn
    description = {
        "Name": trail.name,
        "S3BucketName": trail.bucket,
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "HomeRegion": trail.home_region,
        "TrailARN": arn,
        "LogFileValidationEnabled": True,
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": True,
        **({"KmsKeyId": trail.kms_key_arn} if trail.kms_key_arn else {}),
    }
    listed = scope.answer("cloudtrail", "describe_trails", {"trailList": [description]})
    if listed and (scope.account_id, scope.region) == (owner, trail.home_region):
        scope.answer(
            "cloudtrail",
            "get_trail_status",
            {
                "IsLogging": True,
                "LatestDeliveryTime": collected_at,
                "LatestDigestDeliveryTime": collected_at,
                "StartLoggingTime": scope.created("trail"),
                "LatestDeliveryAttemptTime": collected_at,
                "LatestDeliveryAttemptSucceeded": collected_at,
                "TimeLoggingStarted": scope.created("trail"),
                "LatestNotificationAttemptTime": "",
                "LatestNotificationAttemptSucceeded": "",
                "TimeLoggingStopped": "",
            },
            trail.name,
        )
        scope.answer(
            "cloudtrail",
            "get_event_selectors",
            {
                "TrailARN": arn,
                "EventSelectors": [
                    {
                        "ReadWriteType": "All",
                        "IncludeManagementEvents": True,
                        "DataResources": [],
                        "ExcludeManagementEventSources": [],
                    }
                ],
            },
            trail.name,
        )


def _waf(scope: Scope, web_acls: list[WebAcl]) -> None:
    listed = []
    for acl in web_acls:
        acl_id = scope.ids.uuid(scope.account_id, scope.region, "webacl", acl.name)
        listed.append(
            {
                "Name": acl.name,
                "Id": acl_id,
                "Description": "",
                "LockToken": scope.ids.uuid(acl_id, "lock"),
                "ARN": scope.arn("wafv2", f"regional/webacl/{acl.name}/{acl_id}"),
            }
        )
    if scope.answer("wafv2", "list_web_acls", {"WebACLs": listed}):
        for acl in web_acls:
            arns = [load_balancer_arn(scope, name) for name in acl.load_balancers]
            scope.answer("wafv2", "list_resources_for_web_acl", {"ResourceArns": arns}, acl.name)


def _ec2_defaults(scope: Scope, controls: RegionControls) -> None:
    scope.answer(
        "ec2",
        "get_ebs_encryption_by_default",
        {"EbsEncryptionByDefault": controls.ebs_encryption_by_default, "SseType": "sse-ebs"},
    )
    tokens = {"HttpTokens": "required"} if controls.imds_v2_default else {}
    scope.answer(
        "ec2",
        "get_instance_metadata_defaults",
        {"AccountLevel": {**tokens, "ManagedBy": "account"}},
    )
    image = "block-new-sharing" if controls.image_block_public_access else "unblocked"
    scope.answer(
        "ec2",
        "get_image_block_public_access_state",
        {"ImageBlockPublicAccessState": image, "ManagedBy": "account"},
    )
    snapshots = "block-all-sharing" if controls.snapshot_block_public_access else "unblocked"
    scope.answer(
        "ec2",
        "get_snapshot_block_public_access_state",
        {"State": snapshots, "ManagedBy": "account"},
    )
    scope.answer(
        "ec2",
        "describe_vpc_block_public_access_options",
        {
            "VpcBlockPublicAccessOptions": {
                "AwsAccountId": scope.account_id,
                "AwsRegion": scope.region,
                "State": "default-state",
                "InternetGatewayBlockMode": "off",
                "ManagedBy": "account",
                "ExclusionsAllowed": "allowed",
            }
        },
    )


def render_region_controls(
    scope: Scope,
    controls: RegionControls,
    web_acls: list[WebAcl],
    context: OrgServices,
    collected_at: str,
) -> None:
    _cloudtrail(scope, context, collected_at)
    _waf(scope, web_acls)
    _ec2_defaults(scope, controls)
    scope.answer("network-firewall", "list_firewalls", {"Firewalls": []})
    scope.answer(
        "route53resolver",
        "list_firewall_rule_group_associations",
        {"FirewallRuleGroupAssociations": []},
    )
    scope.answer("acm-pca", "list_certificate_authorities", {"CertificateAuthorities": []})


def render_account_controls(scope: Scope, account_public_access_block: bool) -> None:
    """Account-wide ("global") controls. Firewall Manager has no administrator in generated
    organizations: fms get_admin_account answers ResourceNotFoundException, not configured."""
    if account_public_access_block:  # otherwise NoSuchPublicAccessBlockConfiguration: not set
        scope.answer(
            "s3control",
            "get_public_access_block",
            {"PublicAccessBlockConfiguration": {f: True for f in _FLAGS}},
        )
    scope.answer("shield", "get_subscription_state", {"SubscriptionState": "INACTIVE"})
