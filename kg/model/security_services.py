"""Security services and account-level controls: what is switched on, where, and who runs it.

Two kinds of nodes:

- Control states, one per account, region (or "global") and service or setting, each with its own
  label and the shared label `SecurityControlState`, so coverage can read every service the same
  way: `status` is "enabled", "disabled" or "unknown" (the call failed or was not collected; never
  guessed) and `status_reason` says why. (Account)-[:HAS_CONTROL_STATE]->(state).
- What an administrator runs for the whole organization (dual-scope services), on its state
  node in each region (`org_status`, `org_resource`, `org_zone`), and the members it enrolls:
  (state)-[:ENROLLS]->(Account). Coverage weighs it with each member's own state.
- The resources some controls are made of (trails, firewalls, web ACLs, DNS firewall
  associations, Identity Center permission sets), keyed by ARN, reached from the region's state
  with INCLUDES and owned by an account with BELONGS_TO. Network controls say what they guard:
  (WebAcl)-[:PROTECTS]->(LoadBalancer), (NetworkFirewall|DnsFirewallAssociation)-[:PROTECTS]->(Vpc).
"""

from kg.model.schema import NodeSchema, RelSchema

CONTROL_STATE = "SecurityControlState"

# Catalog ids of the services whose state is observed here (the `service` property).
SERVICE_IDS = (
    "guardduty",
    "securityhub",
    "config",
    "access-analyzer",
    "inspector",
    "macie",
    "detective",
    "cloudtrail",
    "firewall-manager",
    "network-firewall",
    "waf",
    "dns-firewall",
    "shield",
    "ec2",
    "s3",
    "private-ca",
    "identity-center",
)

# The account settings observed as AccountSetting nodes (the `setting` property).
ACCOUNT_SETTINGS = (
    "ebs_encryption_by_default",
    "imds_defaults",
    "image_block_public_access",
    "snapshot_block_public_access",
    "vpc_block_public_access",
    "s3_account_public_access_block",
)

_STATE_PROPERTIES = {
    "id": "<account id>|<region or global>|<service id or setting>",
    "name": "the control and its region, for Browser",
    "service": "catalog id of the AWS service: " + ", ".join(SERVICE_IDS),
    "account_id": "the account whose state this is",
    "region": "the AWS region, or 'global' for account-wide and organization-wide controls",
    "status": "enabled, disabled, or unknown (the call failed or was not collected)",
    "status_reason": "what AWS answered, or the error code and the call that failed",
}
_ORG_ADMINS = {
    "delegated_admin_account_ids": "delegated administrators the management account lists for "
    "this region (absent where the call is not answered: member accounts)",
}

# The values of the organization view (org_status, org_zone) the ingest writes and coverage reads.
ORG_CONFIGURED = "configured"
ORG_NOT_CONFIGURED = "not_configured"
ZONE_ORGANIZATION = "organization"  # covers every member of the organization
ZONE_MEMBERS = "members"  # covers the members it ENROLLS, which then show it themselves
ZONE_ADMINISTERED = "administered"  # covers the members it ENROLLS, which show nothing themselves
ZONE_RECORDED = "recorded"  # covers the members it ENROLLS where they record (Config rules)
ZONE_POLICIES = "policies"  # its policies cover the members it ENROLLS, by their compliance
# A member's compliance on ENROLLS (zone policies), as Firewall Manager reports it; else unknown.
COMPLIANT = "COMPLIANT"
NON_COMPLIANT = "NON_COMPLIANT"

_ORG_VIEW = {
    "org_status": "configured, not_configured or unknown (could not be read): what this account "
    "runs for the whole organization in this region, as the service's administrator",
    "org_status_reason": "what decided org_status",
    "org_resource": "the organization-level resource (analyzer, detector, trail, configuration "
    "policy, behavior graph, administrator, organization config rules and conformance packs, "
    "Identity Center instance, Firewall Manager policies)",
    "org_zone": "organization (covers every member account), members (covers the accounts it "
    "ENROLLS, which then run the service themselves), administered (covers the accounts it "
    "ENROLLS, which show nothing of their own: Detective members, accounts Identity Center assigns "
    "permission sets in), recorded (covers the accounts it "
    "ENROLLS where they record: Config rules evaluate recorded resources only) or policies (its "
    "policies cover the accounts it ENROLLS, each as compliant as the policies report it: "
    "Firewall Manager)",
}
# The state labels whose administrator lists the members it enrolls.
ENROLLING_STATES = (
    "GuardDutyDetector",
    "SecurityHub",
    "InspectorStatus",
    "MacieSession",
    "DetectiveGraph",
    "ConfigRecorder",
    "IdentityCenterInstance",
    "FirewallManagerAdmin",
)


def _state(label: str, layer: str, meaning: str, **props: str) -> NodeSchema:
    return NodeSchema(
        label=label,
        key="id",
        layer=layer,
        description=meaning,
        extra_labels=(CONTROL_STATE,),
        properties={**_STATE_PROPERTIES, **props},
        indexes=("status",),
    )


def _resource(label: str, layer: str, meaning: str, **props: str) -> NodeSchema:
    return NodeSchema(
        label=label,
        key="arn",
        layer=layer,
        description=meaning,
        properties={
            "arn": "the resource ARN",
            "name": "the resource name",
            "account_id": "the owning account",
            "region": "the region it lives in",
            **props,
        },
    )


STATE_NODES = (
    _state(
        "GuardDutyDetector",
        "account",
        "GuardDuty in one account and region: the detector, or its absence.",
        detector_id="the detector id",
        finding_publishing_frequency="how often findings are exported",
        enabled_features="GuardDuty features with status ENABLED",
        disabled_features="GuardDuty features with status DISABLED",
        org_auto_enable_members="ALL, NEW or NONE: which organization members are enabled "
        "automatically (seen in the delegated administrator only)",
        org_auto_enable_features="FEATURE:ALL or FEATURE:NEW for features turned on for members",
        **_ORG_ADMINS,
        **_ORG_VIEW,
    ),
    _state(
        "SecurityHub",
        "account",
        "Security Hub in one account and region: the hub and its enabled standards.",
        hub_arn="the hub ARN",
        subscribed_at="when the account subscribed",
        auto_enable_controls="new controls of enabled standards are enabled automatically",
        enabled_standards="ARNs of the standards with status READY",
        org_auto_enable="new organization members are enabled automatically (administrator)",
        org_auto_enable_standards="DEFAULT or NONE: standards enabled for new members",
        org_configuration_type="CENTRAL or LOCAL organization configuration",
        **_ORG_ADMINS,
        **_ORG_VIEW,
    ),
    _state(
        "ConfigRecorder",
        "account",
        "AWS Config recording in one account and region (customer-managed recorders).",
        recorder_names="names of the customer-managed configuration recorders",
        recording_all_supported="a recording recorder records all supported resource types",
        include_global_resource_types="a recording recorder includes global resources (IAM)",
        last_status="the recorder's last delivery status",
        delivery_bucket_names="S3 buckets of the delivery channels",
        aggregator_names="configuration aggregators defined in this region",
        has_organization_aggregator="an aggregator collects from the whole organization",
        rule_names="the account's own config rules (not deployed by the organization)",
        has_config_rules="the account has config rules of its own",
        **_ORG_VIEW,
    ),
    _state(
        "AccessAnalyzerStatus",
        "account",
        "IAM Access Analyzer in one account and region: its external-access analyzers.",
        analyzer_names="names of the ACTIVE analyzers",
        analyzer_types="types of the ACTIVE analyzers (ACCOUNT, ORGANIZATION, *_UNUSED_ACCESS..)",
        has_organization_analyzer="an ACTIVE analyzer with the organization as zone of trust",
        has_unused_access_analyzer="an ACTIVE unused-access analyzer",
        **_ORG_VIEW,
    ),
    _state(
        "InspectorStatus",
        "account",
        "Amazon Inspector in one account and region, per scanned resource type.",
        ec2_status="scanning status for EC2 instances",
        ecr_status="scanning status for ECR images",
        lambda_status="scanning status for Lambda functions",
        lambda_code_status="code scanning status for Lambda functions",
        enabled_features="resource types scanned: ec2, ecr, lambda, lambdaCode with status ENABLED",
        delegated_admin_account_id="the organization's Inspector delegated administrator",
        org_auto_enable_resource_types="resource types enabled for new members (administrator)",
        **_ORG_VIEW,
    ),
    _state(
        "MacieSession",
        "account",
        "Amazon Macie in one account and region.",
        session_status="ENABLED or PAUSED",
        finding_publishing_frequency="how often findings are exported",
        **_ORG_VIEW,
    ),
    _state(
        "DetectiveGraph",
        "account",
        "Amazon Detective in one account and region: the behavior graph it runs (its members "
        "are covered through the administrator's ENROLLS).",
        graph_arn="the behavior graph it owns",
        role="administrator (owns the graph)",
        member_account_ids="enabled member accounts",
        **_ORG_VIEW,
    ),
    _state(
        "CloudTrailStatus",
        "account",
        "CloudTrail in one account and region: the trails that log it (its own, multi-region "
        "ones from other regions, and organization trails).",
        trail_arns="every trail that applies to this region",
        logging_trail_arns="the applying trails that are logging",
        has_organization_trail="a logging organization trail applies",
        has_multi_region_trail="a logging multi-region trail applies",
        **_ORG_VIEW,
    ),
    _state(
        "FirewallManagerAdmin",
        "organization",
        "AWS Firewall Manager in one account and region: its administrator and, in the "
        "administrator's own account, the region's policies (policies are regional).",
        admin_account_id="the Firewall Manager administrator account",
        role_status="READY when the administrator is set up",
        policy_names="the region's Firewall Manager policies (visible from the administrator)",
        policy_types="their security service types (WAFV2, SHIELD_ADVANCED, DNS_FIREWALL, ...)",
        **_ORG_VIEW,
    ),
    _state(
        "NetworkFirewallStatus",
        "network",
        "AWS Network Firewall in one account and region.",
        firewall_names="the firewalls",
        vpc_ids="VPCs that have a firewall",
    ),
    _state(
        "WafStatus",
        "network",
        "AWS WAF (regional web ACLs) in one account and region.",
        web_acl_names="the regional web ACLs",
        protected_resource_arns="load balancers the web ACLs are associated with",
    ),
    _state(
        "DnsFirewallStatus",
        "network",
        "Route 53 Resolver DNS Firewall in one account and region.",
        vpc_ids="VPCs with a rule group association in status COMPLETE",
    ),
    _state(
        "ShieldSubscription",
        "network",
        "AWS Shield Advanced subscription of one account.",
        subscription_state="ACTIVE or INACTIVE",
    ),
    _state(
        "AccountSetting",
        "account",
        "An account-level protective default in one region (or account-wide): "
        + ", ".join(ACCOUNT_SETTINGS)
        + ".",
        setting="which setting",
        value="the setting's value as AWS reports it",
        managed_by="account or declarative-policy (enforced by an organization policy)",
        block_public_acls="S3 account public access block flag",
        ignore_public_acls="S3 account public access block flag",
        block_public_policy="S3 account public access block flag",
        restrict_public_buckets="S3 account public access block flag",
    ),
    _state(
        "PrivateCaStatus",
        "resources",
        "AWS Private CA in one account and region.",
        ca_arns="the ACTIVE certificate authorities",
        ca_types="their types (ROOT, SUBORDINATE)",
    ),
    _state(
        "IdentityCenterInstance",
        "principals",
        "IAM Identity Center in one account and region: the instance, or its absence.",
        instance_arns="the ACTIVE instances",
        identity_store_ids="their identity stores",
        **_ORG_VIEW,
    ),
)

RESOURCE_NODES = (
    _resource(
        "CloudTrailTrail",
        "account",
        "A CloudTrail trail (one node per trail, however many regions list it).",
        home_region="the region the trail was created in",
        is_organization_trail="logs every account of the organization",
        is_multi_region="logs every region",
        log_file_validation="log file integrity validation is on",
        kms_key_id="KMS key encrypting the log files (absent: SSE-S3)",
        s3_bucket_name="where the logs go",
        cloud_watch_logs_log_group_arn="CloudWatch Logs group receiving the events",
        include_global_service_events="logs global services (IAM, STS)",
        is_logging="the trail is logging (absent when the status was not observed)",
        logging_reason="why is_logging is absent: the error or the missing call",
        management_events="all, read_only, write_only or none",
        event_selectors="the event selectors, as JSON",
    ),
    _resource(
        "NetworkFirewall",
        "network",
        "An AWS Network Firewall and the VPC it inspects.",
        vpc_id="the VPC",
        subnet_ids="the firewall endpoints' subnets",
        firewall_policy_arn="the firewall policy",
        firewall_status="PROVISIONING, READY or DELETING (absent when not observed)",
        delete_protection="deletion protection is on",
    ),
    _resource(
        "WebAcl",
        "network",
        "A regional AWS WAF web ACL.",
        web_acl_id="the web ACL id",
        scope="REGIONAL",
        protected_resource_arns="load balancers it is associated with (absent when not observed)",
    ),
    _resource(
        "DnsFirewallAssociation",
        "network",
        "A Route 53 Resolver DNS Firewall rule group associated with a VPC.",
        association_id="the association id",
        vpc_id="the VPC",
        firewall_rule_group_id="the rule group",
        priority="evaluation order among the VPC's rule groups",
        association_status="COMPLETE, UPDATING or DELETING",
        mutation_protection="ENABLED or DISABLED",
    ),
    _resource(
        "PermissionSet",
        "principals",
        "An IAM Identity Center permission set.",
        instance_arn="the Identity Center instance",
        description="the description",
        session_duration="ISO-8601 session length",
        relay_state="the relay state URL",
    ),
)

NODES = STATE_NODES + RESOURCE_NODES

_ACCOUNT_ID_PROP = {"account_id": "the account whose snapshot stated this"}

RELS = (
    *(
        RelSchema(
            "HAS_CONTROL_STATE",
            "Account",
            node.label,
            node.layer,
            f"The account's {node.label} state.",
            properties=_ACCOUNT_ID_PROP,
        )
        for node in STATE_NODES
    ),
    *(
        RelSchema(
            "INCLUDES",
            state,
            resource,
            layer,
            f"A {resource} that makes up the region's {state}.",
            properties=_ACCOUNT_ID_PROP,
        )
        for state, resource, layer in (
            ("CloudTrailStatus", "CloudTrailTrail", "account"),
            ("NetworkFirewallStatus", "NetworkFirewall", "network"),
            ("WafStatus", "WebAcl", "network"),
            ("DnsFirewallStatus", "DnsFirewallAssociation", "network"),
            ("IdentityCenterInstance", "PermissionSet", "principals"),
        )
    ),
    *(
        RelSchema(
            "BELONGS_TO",
            node.label,
            "Account",
            node.layer,
            f"The account that owns the {node.label}.",
            properties=_ACCOUNT_ID_PROP,
        )
        for node in RESOURCE_NODES
    ),
    *(
        RelSchema(
            "PROTECTS",
            source,
            target,
            "network",
            meaning,
            properties=_ACCOUNT_ID_PROP,
        )
        for source, target, meaning in (
            ("WebAcl", "LoadBalancer", "The web ACL filters the load balancer's HTTP requests."),
            (
                "NetworkFirewall",
                "Vpc",
                "The firewall has endpoints in the VPC (route tables decide what passes them).",
            ),
            ("DnsFirewallAssociation", "Vpc", "The rule group filters the VPC's DNS queries."),
        )
    ),
    *(
        RelSchema(
            "ENROLLS",
            label,
            "Account",
            "organization",
            f"The {label}'s administrator lists the account as a member in its region"
            + (" (in scope of one of its policies)." if label == "FirewallManagerAdmin" else "."),
            properties={
                "account_id": "the administrator account (whose snapshot stated this)",
                "region": "the region of the administrator's state",
                "enabled": "the membership is in force (AWS's relationship status says enabled)",
                "relationship": "the relationship status as AWS reports it",
                "features_on": "features the administrator reports on for the member "
                "(absent when it does not report them)",
                "compliance": "COMPLIANT, NON_COMPLIANT or unknown: the member's compliance "
                "with the policies that cover it (Firewall Manager only)",
            },
        )
        for label in ENROLLING_STATES
    ),
    RelSchema(
        "ASSIGNED_TO",
        "PermissionSet",
        "Account",
        "principals",
        "An Identity Center user or group gets this permission set in the account.",
        properties={
            **_ACCOUNT_ID_PROP,
            "principal_type": "USER or GROUP",
            "principal_id": "the identity store id of the user or group",
        },
        merge_on=("principal_id",),
    ),
)
