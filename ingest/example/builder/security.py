"""Security services per account and region: GuardDuty, Security Hub, Config, IAM Access
Analyzer, Inspector, Macie and Detective, each answered the way AWS answers when it is on or
off, including the organization view that only the management or delegated admin account sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.example.builder.identity_center import IdentityCenter
from ingest.example.builder.organizations import Organization
from ingest.example.builder.scope import Scope

GUARDDUTY = "guardduty.amazonaws.com"
SECURITY_HUB = "securityhub.amazonaws.com"
CONFIG = "config.amazonaws.com"
CONFIG_RULES = "config-multiaccountsetup.amazonaws.com"
ACCESS_ANALYZER = "access-analyzer.amazonaws.com"
INSPECTOR = "inspector2.amazonaws.com"


@dataclass(frozen=True)
class RegionControls:
    """Which security services and defaults are on in one account and region."""

    guardduty: bool = True
    security_hub: bool = True
    config_recorder: bool = True
    inspector: bool = False
    inspector_ecr: bool = True  # with inspector: container images are scanned too
    macie: bool = False
    # Buckets of the account and region Macie inventories, with their sensitivity scores.
    macie_bucket_scores: tuple[tuple[str, int], ...] = ()
    detective: bool = False
    account_analyzer: bool = False

    def inspector_scans(self) -> tuple[str, ...]:
        """The resource types Inspector scans (Lambda code scanning is never on here)."""
        if not self.inspector:
            return ()
        return ("ec2", "ecr", "lambda") if self.inspector_ecr else ("ec2", "lambda")

    ebs_encryption_by_default: bool = True
    imds_v2_default: bool = True
    image_block_public_access: bool = True
    snapshot_block_public_access: bool = True


@dataclass(frozen=True)
class OrgTrail:
    """The organization trail, owned by the management account."""

    name: str
    owner: str
    home_region: str
    bucket: str
    kms_key_arn: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:cloudtrail:{self.home_region}:{self.owner}:trail/{self.name}"


@dataclass(frozen=True)
class FmsPolicy:
    """A Firewall Manager policy: the OUs it includes (none: every account), per account in
    scope how many resources violate it (0: compliant), and the regions it lives in (policies
    are regional; None: every region of the administrator)."""

    name: str
    service_type: str
    include_units: tuple[str, ...]
    violators: dict[str, int]
    regions: tuple[str, ...] | None = None


@dataclass
class OrgServices:
    """Organization-wide facts every account's answers depend on."""

    org: Organization
    trail: OrgTrail | None = None
    config_bucket: str | None = None
    guardduty_auto_enable: dict[str, str] = field(default_factory=dict)  # region -> ALL/NEW
    # regions where the GuardDuty administrator has every other account as an Enabled member
    guardduty_members_in: tuple[str, ...] = ()
    identity_center: IdentityCenter | None = None
    # (account, region) -> the resource types Inspector scans there (the administrator's view)
    inspector_scans: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # region -> the organization config rule the rules administrator deploys to every account
    config_rules: dict[str, str] = field(default_factory=dict)
    # Firewall Manager: its administrator (the only account that sees the policies) and the
    # policies it applies
    fms_admin: str | None = None
    fms_policies: tuple[FmsPolicy, ...] = ()

    def admin(self, service_principal: str) -> str | None:
        for account_id, services in self.org.delegated_admins.items():
            if service_principal in services:
                return account_id
        return None

    def sees_admins(self, scope: Scope) -> bool:
        """list_organization_admin_accounts answers in the management account only."""
        return scope.account_id == self.org.management


def _guardduty_members(scope: Scope, context: OrgServices) -> list[dict[str, object]]:
    """The GuardDuty administrator's member list: every other account of the organization where
    it runs GuardDuty for them, else none."""
    admin = context.admin(GUARDDUTY)
    if admin != scope.account_id or scope.region not in context.guardduty_members_in:
        return []
    return [
        {
            "AccountId": account.account_id,
            "DetectorId": scope.ids.hex(32, account.account_id, scope.region, "detector"),
            "MasterId": admin,
            "AdministratorId": admin,
            "Email": account.email,
            "RelationshipStatus": "Enabled",
            "InvitedAt": scope.created("guardduty", "invited", account.account_id),
            "UpdatedAt": scope.created("guardduty", "member", account.account_id),
        }
        for account in context.org.accounts
        if account.account_id != admin
    ]


def _guardduty(scope: Scope, on: bool, context: OrgServices) -> None:
    detector = scope.ids.hex(32, scope.account_id, scope.region, "detector")
    listed = scope.answer("guardduty", "list_detectors", {"DetectorIds": [detector] if on else []})
    if listed and on:
        created = scope.created("guardduty")
        features = [
            {"Name": name, "Status": status, "UpdatedAt": created}
            for name, status in (
                ("CLOUD_TRAIL", "ENABLED"),
                ("DNS_LOGS", "ENABLED"),
                ("FLOW_LOGS", "ENABLED"),
                ("S3_DATA_EVENTS", "ENABLED"),
                ("EKS_AUDIT_LOGS", "DISABLED"),
                ("EBS_MALWARE_PROTECTION", "ENABLED"),
                ("RUNTIME_MONITORING", "DISABLED"),
            )
        ]
        scope.answer(
            "guardduty",
            "get_detector",
            {
                "CreatedAt": created,
                "FindingPublishingFrequency": "SIX_HOURS",
                "ServiceRole": f"arn:aws:iam::{scope.account_id}:role/aws-service-role/"
                "guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
                "Status": "ENABLED",
                "UpdatedAt": created,
                "Features": features,
                "Tags": {},
            },
            detector,
        )
        if context.admin(GUARDDUTY) == scope.account_id:
            members = context.guardduty_auto_enable.get(scope.region, "NONE")
            scope.answer(
                "guardduty",
                "describe_organization_configuration",
                {
                    "AutoEnable": members != "NONE",
                    "MemberAccountLimitReached": False,
                    "AutoEnableOrganizationMembers": members,
                    "Features": [
                        {"Name": "S3_DATA_EVENTS", "AutoEnable": members},
                        {"Name": "EBS_MALWARE_PROTECTION", "AutoEnable": members},
                    ],
                },
                detector,
            )
        scope.answer(
            "guardduty", "list_members", {"Members": _guardduty_members(scope, context)}, detector
        )
    if context.sees_admins(scope) and (admin := context.admin(GUARDDUTY)):
        scope.answer(
            "guardduty",
            "list_organization_admin_accounts",
            {"AdminAccounts": [{"AdminAccountId": admin, "AdminStatus": "ENABLED"}]},
        )


def _standard(scope: Scope, path: str) -> dict[str, object]:
    return {
        "StandardsArn": f"arn:aws:securityhub:{scope.region}::standards/{path}",
        "StandardsSubscriptionArn": scope.arn("securityhub", f"subscription/{path}"),
        "StandardsInput": {},
        "StandardsStatus": "READY",
        "StandardsControlsUpdatable": "READY_FOR_UPDATES",
    }


def _hub_members(scope: Scope, admin: str, context: OrgServices) -> list[dict[str, object]]:
    """The Security Hub administrator's members: every other account, enabled."""
    return [
        {
            "AccountId": account.account_id,
            "Email": account.email,
            "MasterId": admin,
            "AdministratorId": admin,
            "MemberStatus": "Enabled",
            "InvitedAt": scope.created("securityhub", "invited", account.account_id),
            "UpdatedAt": scope.created("securityhub", "member", account.account_id),
        }
        for account in context.org.accounts
        if account.account_id != admin
    ]


def _security_hub(scope: Scope, on: bool, context: OrgServices) -> None:
    # Security Hub answers InvalidAccessException when it is off: not configured, no file.
    admin = context.admin(SECURITY_HUB)
    if on and scope.answer(
        "securityhub",
        "describe_hub",
        {
            "HubArn": scope.arn("securityhub", "hub/default"),
            "SubscribedAt": scope.created("securityhub"),
            "AutoEnableControls": True,
            "ControlFindingGenerator": "SECURITY_CONTROL",
        },
    ):
        paths = ["aws-foundational-security-best-practices/v/1.0.0"]
        if admin == scope.account_id:
            paths.append("cis-aws-foundations-benchmark/v/3.0.0")
        scope.answer(
            "securityhub",
            "get_enabled_standards",
            {"StandardsSubscriptions": [_standard(scope, p) for p in paths]},
        )
        if admin == scope.account_id:
            scope.answer(
                "securityhub",
                "describe_organization_configuration",
                {
                    "AutoEnable": True,
                    "MemberAccountLimitReached": False,
                    "AutoEnableStandards": "DEFAULT",
                    "OrganizationConfiguration": {
                        "ConfigurationType": "LOCAL",
                        "Status": "ENABLED",
                    },
                },
            )
            scope.answer(
                "securityhub", "list_members", {"Members": _hub_members(scope, admin, context)}
            )
    if context.sees_admins(scope) and admin:
        scope.answer(
            "securityhub",
            "list_organization_admin_accounts",
            {"AdminAccounts": [{"AccountId": admin, "Status": "ENABLED"}]},
        )


def _config(scope: Scope, on: bool, context: OrgServices) -> None:
    home = context.trail.home_region if context.trail else "us-east-1"
    recorders, statuses, channels = [], [], []
    if on:
        arn = scope.arn("config", f"configuration-recorder/default/{scope.ids.lower(16, 'cr')}")
        recorders.append(
            {
                "arn": arn,
                "name": "default",
                "roleARN": f"arn:aws:iam::{scope.account_id}:role/aws-service-role/"
                "config.amazonaws.com/AWSServiceRoleForConfig",
                "recordingGroup": {
                    "allSupported": True,
                    "includeGlobalResourceTypes": scope.region == home,
                    "resourceTypes": [],
                    "exclusionByResourceTypes": {"resourceTypes": []},
                    "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"},
                },
                "recordingMode": {"recordingFrequency": "CONTINUOUS", "recordingModeOverrides": []},
            }
        )
        started = scope.created("config")
        statuses.append(
            {
                "arn": arn,
                "name": "default",
                "lastStartTime": started,
                "recording": True,
                "lastStatus": "Success",
                "lastStatusChangeTime": started,
            }
        )
        if context.config_bucket:
            channels.append(
                {
                    "name": "default",
                    "s3BucketName": context.config_bucket,
                    "configSnapshotDeliveryProperties": {"deliveryFrequency": "TwentyFour_Hours"},
                }
            )
    scope.answer(
        "config", "describe_configuration_recorders", {"ConfigurationRecorders": recorders}
    )
    scope.answer(
        "config",
        "describe_configuration_recorder_status",
        {"ConfigurationRecordersStatus": statuses},
    )
    aggregators = []
    if context.admin(CONFIG) == scope.account_id and scope.region == home:
        aggregators.append(
            {
                "ConfigurationAggregatorName": "organization",
                "ConfigurationAggregatorArn": scope.arn(
                    "config", f"config-aggregator/config-aggregator-{scope.ids.lower(8, 'agg')}"
                ),
                "OrganizationAggregationSource": {
                    "RoleArn": f"arn:aws:iam::{scope.account_id}:role/config-aggregator",
                    "AllAwsRegions": True,
                },
                "CreationTime": scope.created("aggregator"),
                "LastUpdatedTime": scope.created("aggregator"),
            }
        )
    scope.answer(
        "config", "describe_configuration_aggregators", {"ConfigurationAggregators": aggregators}
    )
    scope.answer("config", "describe_delivery_channels", {"DeliveryChannels": channels})
    _config_rules(scope, context)


def _config_rules(scope: Scope, context: OrgServices) -> None:
    """The organization rule of the region, as every account sees it (deployed by the rules
    administrator, not its own), and the administrator's view of where it is deployed."""
    rule = context.config_rules.get(scope.region)
    rules = []
    if rule:
        rules.append(
            {
                "ConfigRuleName": f"OrgConfigRule-{rule}-{scope.ids.lower(8, 'orgrule')}",
                "ConfigRuleId": f"config-rule-{scope.ids.lower(6, 'ruleid')}",
                "Source": {"Owner": "AWS", "SourceIdentifier": "ENCRYPTED_VOLUMES"},
                "ConfigRuleState": "ACTIVE",
                "CreatedBy": CONFIG_RULES,
            }
        )
    scope.answer("config", "describe_config_rules", {"ConfigRules": rules})
    if context.admin(CONFIG_RULES) != scope.account_id:
        return  # AWS answers others OrganizationAccessDeniedException: not configured
    listed = []
    if rule:
        listed.append(
            {
                "OrganizationConfigRuleName": rule,
                "OrganizationConfigRuleArn": scope.arn(
                    "config", f"organization-config-rule/{rule}-{scope.ids.lower(8, 'orgrule')}"
                ),
                "OrganizationManagedRuleMetadata": {"RuleIdentifier": "ENCRYPTED_VOLUMES"},
            }
        )
        statuses = [
            {
                "AccountId": account.account_id,
                "ConfigRuleName": rule,
                "MemberAccountRuleStatus": "CREATE_SUCCESSFUL",
            }
            for account in context.org.accounts
        ]
        scope.answer(
            "config",
            "get_organization_config_rule_detailed_status",
            {"OrganizationConfigRuleDetailedStatus": statuses},
            rule,
        )
    scope.answer(
        "config", "describe_organization_config_rules", {"OrganizationConfigRules": listed}
    )
    scope.answer(
        "config", "describe_organization_conformance_packs", {"OrganizationConformancePacks": []}
    )


def _analyzers(scope: Scope, controls: RegionControls, context: OrgServices) -> None:
    kinds = []
    if context.admin(ACCESS_ANALYZER) == scope.account_id:
        kinds.append(("organization", "ORGANIZATION"))
    if controls.account_analyzer:
        kinds.append(("account", "ACCOUNT"))
    analyzers = [
        {
            "arn": scope.arn("access-analyzer", f"analyzer/{name}"),
            "name": name,
            "type": kind,
            "createdAt": scope.created("analyzer", name),
            "tags": {},
            "status": "ACTIVE",
        }
        for name, kind in kinds
    ]
    scope.answer("accessanalyzer", "list_analyzers", {"analyzers": analyzers})


def _scan_state(on: bool) -> dict[str, str]:
    """An Inspector scan state; AWS always fills the error fields, even when nothing failed."""
    if on:
        return {"status": "ENABLED", "errorCode": "ALREADY_ENABLED", "errorMessage": "Enabled"}
    return {"status": "DISABLED", "errorCode": "RESOURCE_NOT_FOUND", "errorMessage": "Disabled"}


def _account_status(account_id: str, scans: tuple[str, ...]) -> dict[str, object]:
    """One account's Inspector status as batch_get_account_status reports it."""
    types = ("ec2", "ecr", "lambda", "lambdaCode")
    return {
        "accountId": account_id,
        "state": _scan_state(bool(scans)),
        "resourceState": {name: _scan_state(name in scans) for name in types},
    }


def _inspector_members(scope: Scope, context: OrgServices) -> None:
    """The Inspector administrator's members (every other account) and their scanning."""
    members = sorted(a.account_id for a in context.org.accounts if a.account_id != scope.account_id)
    listed = [
        {
            "accountId": member,
            "relationshipStatus": "ENABLED",
            "delegatedAdminAccountId": scope.account_id,
        }
        for member in members
    ]
    scope.answer("inspector2", "list_members", {"members": listed})
    for n, start in enumerate(range(0, len(members), 10)):
        batch = members[start : start + 10]
        statuses = [
            _account_status(m, context.inspector_scans.get((m, scope.region), ())) for m in batch
        ]
        answer = {"accounts": statuses, "failedAccounts": []}
        scope.answer("inspector2", "batch_get_account_status", answer, f"members-{n}")


def _inspector(scope: Scope, controls: RegionControls, context: OrgServices) -> None:
    own = _account_status(scope.account_id, controls.inspector_scans())
    scope.answer(
        "inspector2", "batch_get_account_status", {"accounts": [own], "failedAccounts": []}
    )
    admin = context.admin(INSPECTOR)
    if admin and scope.account_id in (admin, context.org.management):
        scope.answer(
            "inspector2",
            "get_delegated_admin_account",
            {"delegatedAdmin": {"accountId": admin, "relationshipStatus": "ENABLED"}},
        )
        if admin == scope.account_id:
            scope.answer(
                "inspector2",
                "describe_organization_configuration",
                {
                    "autoEnable": {"ec2": True, "ecr": True, "lambda": False, "lambdaCode": False},
                    "maxAccountLimitReached": False,
                },
            )
            _inspector_members(scope, context)


def _macie(scope: Scope, on: bool, bucket_scores: tuple[tuple[str, int], ...]) -> None:
    if not on:  # Macie says so with an access-denied error, which the collector records
        scope.fail("macie2", "get_macie_session", "AccessDeniedException", "Macie is not enabled.")
        return
    scope.answer(
        "macie2",
        "get_macie_session",
        {
            "createdAt": scope.created("macie"),
            "findingPublishingFrequency": "FIFTEEN_MINUTES",
            "serviceRole": f"arn:aws:iam::{scope.account_id}:role/aws-service-role/"
            "macie.amazonaws.com/AWSServiceRoleForAmazonMacie",
            "status": "ENABLED",
            "updatedAt": scope.created("macie"),
        },
    )
    inventory = [
        {
            "accountId": scope.account_id,
            "automatedDiscoveryMonitoringStatus": "MONITORED",
            "bucketArn": f"arn:aws:s3:::{name}",
            "bucketName": name,
            "lastUpdated": scope.created("macie", "inventory"),
            "region": scope.region,
            "sensitivityScore": score,
        }
        for name, score in bucket_scores
    ]
    scope.answer("macie2", "describe_buckets", {"buckets": inventory})
    scope.answer("macie2", "list_members", {"members": []})  # no Macie administrator


def _detective(scope: Scope, on: bool) -> None:
    graph = scope.arn("detective", f"graph:{scope.ids.hex(32, 'graph')}")
    graphs = [{"Arn": graph, "CreatedTime": scope.created("detective")}] if on else []
    if scope.answer("detective", "list_graphs", {"GraphList": graphs}) and on:
        scope.answer("detective", "list_members", {"MemberDetails": []}, graph)


def render_security_services(scope: Scope, controls: RegionControls, context: OrgServices) -> None:
    _guardduty(scope, controls.guardduty, context)
    _security_hub(scope, controls.security_hub, context)
    _config(scope, controls.config_recorder, context)
    _analyzers(scope, controls, context)
    _inspector(scope, controls, context)
    _macie(scope, controls.macie, controls.macie_bucket_scores)
    _detective(scope, controls.detective)
