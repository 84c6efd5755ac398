"""The demo organization's shape: accounts, OUs, service control policies, delegated
administrators and IAM Identity Center, laid out as the AWS Security Reference Architecture
recommends (with the deliberate gaps listed in ingest/example/README.md)."""

from __future__ import annotations

from ingest.example.builder.identity_center import IdentityCenter, PermissionSet
from ingest.example.builder.ids import Ids
from ingest.example.builder.organizations import (
    ROOT,
    OrgAccount,
    Organization,
    OrgPolicy,
    OrgUnit,
    deny_leave_organization,
    protect_security_services,
)
from ingest.example.builder.policies import aws_policy_arn
from ingest.example.builder.resources import key_arn
from ingest.example.builder.scope import Place
from ingest.example.builder.security import (
    ACCESS_ANALYZER,
    CONFIG,
    CONFIG_RULES,
    GUARDDUTY,
    INSPECTOR,
    SECURITY_HUB,
    FmsPolicy,
    OrgServices,
    OrgTrail,
)

IDS = Ids("kg-demo")
HOME_REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
REGIONS = (HOME_REGION, OTHER_REGION)

MANAGEMENT = "111122223333"
SECURITY_TOOLING = "222233334444"
LOG_ARCHIVE = "333344445555"
PAYMENTS_PROD = "444455556666"
DATA_PROD = "444455557777"
APP_DEV = "555566667777"
SANDBOX = "666677778888"
PARTNER = "999988887777"  # an external account, outside the organization

ACCOUNTS = (
    OrgAccount(MANAGEMENT, "management", "aws-management@example.com"),
    OrgAccount(SECURITY_TOOLING, "security-tooling", "aws-security-tooling@example.com"),
    OrgAccount(LOG_ARCHIVE, "log-archive", "aws-log-archive@example.com"),
    OrgAccount(PAYMENTS_PROD, "payments-prod", "aws-payments-prod@example.com"),
    OrgAccount(DATA_PROD, "data-prod", "aws-data-prod@example.com"),
    OrgAccount(APP_DEV, "app-dev", "aws-app-dev@example.com", "INVITED"),
    OrgAccount(SANDBOX, "sandbox-research", "aws-sandbox-research@example.com"),
)

SECURITY_OU = "Security"
WORKLOADS_OU = "Workloads"
PROD_OU = "Workloads/Prod"
DEV_OU = "Workloads/Dev"
SANDBOX_OU = "Sandbox"

TRAIL_BUCKET = f"org-trail-logs-{LOG_ARCHIVE}"
CONFIG_BUCKET = f"org-config-logs-{LOG_ARCHIVE}"
FLOW_LOG_BUCKET = f"vpc-flow-logs-{LOG_ARCHIVE}"
TRAIL_KEY = "org-trail"  # KMS key alias in the log archive account, home region

PROTECT_SECURITY_SERVICES = OrgPolicy(
    "ProtectSecurityServices",
    "Member accounts cannot switch off GuardDuty, Security Hub, Config, CloudTrail or Access "
    "Analyzer",
    protect_security_services(),
    # Inherited by Workloads/Prod and Workloads/Dev; the Sandbox OU was left out.
    (SECURITY_OU, WORKLOADS_OU),
)
DENY_LEAVE_ORGANIZATION = OrgPolicy(
    "DenyLeaveOrganization",
    "No account may leave the organization",
    deny_leave_organization(),
    (ROOT,),
)


def organization() -> Organization:
    return Organization(
        ids=IDS,
        management=MANAGEMENT,
        accounts=list(ACCOUNTS),
        root=OrgUnit(
            "Root",
            accounts=[MANAGEMENT],
            children=[
                OrgUnit(SECURITY_OU, accounts=[SECURITY_TOOLING, LOG_ARCHIVE]),
                OrgUnit(
                    WORKLOADS_OU,
                    children=[
                        OrgUnit("Prod", accounts=[PAYMENTS_PROD, DATA_PROD]),
                        OrgUnit("Dev", accounts=[APP_DEV]),
                    ],
                ),
                OrgUnit(SANDBOX_OU, accounts=[SANDBOX]),
            ],
        ),
        policies=[DENY_LEAVE_ORGANIZATION, PROTECT_SECURITY_SERVICES],
        delegated_admins={
            SECURITY_TOOLING: (
                GUARDDUTY,
                SECURITY_HUB,
                CONFIG,
                CONFIG_RULES,
                ACCESS_ANALYZER,
                INSPECTOR,
            )
        },
        trusted_services=(
            ACCESS_ANALYZER,
            "cloudtrail.amazonaws.com",
            CONFIG,
            CONFIG_RULES,
            GUARDDUTY,
            INSPECTOR,
            SECURITY_HUB,
            "sso.amazonaws.com",
        ),
    )


ADMINISTRATOR = PermissionSet(
    "AdministratorAccess",
    "Full access for the platform team",
    (aws_policy_arn("AdministratorAccess"),),
    {account.account_id: "platform-admins" for account in ACCOUNTS},
)
POWER_USER = PermissionSet(
    "PowerUserAccess",
    "Developers in development and sandbox accounts",
    (aws_policy_arn("PowerUserAccess"),),
    {APP_DEV: "developers", SANDBOX: "developers"},
)


TRAIL = OrgTrail(
    "org-trail",
    MANAGEMENT,
    HOME_REGION,
    TRAIL_BUCKET,
    key_arn(Place(IDS, LOG_ARCHIVE, HOME_REGION), TRAIL_KEY),
)
IDENTITY_CENTER = IdentityCenter(
    owner=MANAGEMENT,
    region=HOME_REGION,
    name="example-corp",
    permission_sets=[ADMINISTRATOR, POWER_USER],
    ids=IDS,
)


def org_services(org: Organization) -> OrgServices:
    return OrgServices(
        org=org,
        trail=TRAIL,
        config_bucket=CONFIG_BUCKET,
        # The administrator runs GuardDuty for every account in us-east-1 only; in eu-west-1
        # each account enables its own detector, which is how app-dev was left without one there.
        guardduty_auto_enable={HOME_REGION: "ALL", OTHER_REGION: "NONE"},
        guardduty_members_in=(HOME_REGION,),
        identity_center=IDENTITY_CENTER,
        # security-tooling deploys one organization config rule, in us-east-1 only: members
        # are evaluated there through the organization and nowhere in eu-west-1.
        config_rules={HOME_REGION: "encrypted-volumes"},
        # The management account administers Firewall Manager; its one policy audits the
        # security groups of the Workloads OU (Prod and Dev), where app-dev has two violators.
        # The Security and Sandbox OUs and the management account are outside it.
        fms_admin=MANAGEMENT,
        fms_policies=(
            FmsPolicy(
                "workloads-security-group-audit",
                "SECURITY_GROUPS_CONTENT_AUDIT",
                (WORKLOADS_OU,),
                {PAYMENTS_PROD: 0, DATA_PROD: 0, APP_DEV: 2},
            ),
        ),
    )
