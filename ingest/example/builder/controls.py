"""Account and network controls: CloudTrail, WAF, Network Firewall, DNS Firewall, Shield,
Firewall Manager, Private CA, EC2 account defaults and S3 account public access block."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.example.builder.load_balancers import load_balancer_arn
from ingest.example.builder.scope import Scope
from ingest.example.builder.security import FmsPolicy, OrgServices, RegionControls

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
    _firewall_manager(scope, context)
    _waf(scope, web_acls)
    _ec2_defaults(scope, controls)
    scope.answer("network-firewall", "list_firewalls", {"Firewalls": []})
    scope.answer(
        "route53resolver",
        "list_firewall_rule_group_associations",
        {"FirewallRuleGroupAssociations": []},
    )
    scope.answer("acm-pca", "list_certificate_authorities", {"CertificateAuthorities": []})


def _fms_policy_id(scope: Scope, policy: FmsPolicy) -> str:
    return scope.ids.uuid(scope.account_id, "fms-policy", scope.region, policy.name)


def _fms_policy(scope: Scope, context: OrgServices, policy: FmsPolicy) -> None:
    """get_policy and list_compliance_status, as the administrator reads them."""
    policy_id = _fms_policy_id(scope, policy)
    units = [context.org.ou_id(path) for path in policy.include_units]
    scope.answer(
        "fms",
        "get_policy",
        {
            "Policy": {
                "PolicyId": policy_id,
                "PolicyName": policy.name,
                "PolicyUpdateToken": scope.ids.hex(16, policy.name),
                "SecurityServicePolicyData": {"Type": policy.service_type},
                "ResourceType": "AWS::EC2::SecurityGroup",
                "ExcludeResourceTags": False,
                "RemediationEnabled": False,
                **({"IncludeMap": {"ORG_UNIT": units}} if units else {}),
            },
            "PolicyArn": scope.arn("fms", f"policy/{policy_id}"),
        },
        policy_id,
    )
    statuses = [
        {
            "PolicyOwner": scope.account_id,
            "PolicyId": policy_id,
            "PolicyName": policy.name,
            "MemberAccount": account_id,
            "EvaluationResults": [
                {
                    "ComplianceStatus": "NON_COMPLIANT" if violators else "COMPLIANT",
                    "ViolatorCount": violators,
                    "EvaluationLimitExceeded": False,
                }
            ],
            "LastUpdated": scope.created("fms-compliance", policy.name, account_id),
        }
        for account_id, violators in sorted(policy.violators.items())
    ]
    scope.answer(
        "fms", "list_compliance_status", {"PolicyComplianceStatusList": statuses}, policy_id
    )


def _firewall_manager(scope: Scope, context: OrgServices) -> None:
    """Every account asks who the administrator is, in every region; without one
    get_admin_account answers ResourceNotFoundException: not configured. The administrator
    lists the policies that live in the region."""
    if context.fms_admin is None:
        return
    scope.answer(
        "fms", "get_admin_account", {"AdminAccount": context.fms_admin, "RoleStatus": "READY"}
    )
    if scope.account_id != context.fms_admin:
        return
    policies = [p for p in context.fms_policies if p.regions is None or scope.region in p.regions]
    listed = [
        {
            "PolicyArn": scope.arn("fms", f"policy/{_fms_policy_id(scope, policy)}"),
            "PolicyId": _fms_policy_id(scope, policy),
            "PolicyName": policy.name,
            "ResourceType": "AWS::EC2::SecurityGroup",
            "SecurityServiceType": policy.service_type,
            "RemediationEnabled": False,
            "DeleteUnusedFMManagedResources": False,
            "PolicyStatus": "ACTIVE",
        }
        for policy in policies
    ]
    if scope.answer("fms", "list_policies", {"PolicyList": listed}):
        for policy in policies:
            _fms_policy(scope, context, policy)


def render_account_controls(
    scope: Scope, account_public_access_block: bool, context: OrgServices
) -> None:
    """Account-wide ("global") controls."""
    if account_public_access_block:  # otherwise NoSuchPublicAccessBlockConfiguration: not set
        scope.answer(
            "s3control",
            "get_public_access_block",
            {"PublicAccessBlockConfiguration": {f: True for f in _FLAGS}},
        )
    scope.answer("shield", "get_subscription_state", {"SubscriptionState": "INACTIVE"})
