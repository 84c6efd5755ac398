"""The synthetic organization's shape: account ids, nested OUs, SCPs, delegated administrators,
the organization trail and IAM Identity Center, all drawn from the seed."""

from __future__ import annotations

import random
from dataclasses import dataclass

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
from ingest.example.builder.policies import aws_policy_arn, deny, document
from ingest.example.builder.resources import key_arn
from ingest.example.builder.scope import Place
from ingest.example.builder.security import (
    ACCESS_ANALYZER,
    CONFIG,
    GUARDDUTY,
    INSPECTOR,
    SECURITY_HUB,
    OrgServices,
    OrgTrail,
)

REGIONS = ("us-east-1", "eu-west-1")
HOME = REGIONS[0]
MANAGEMENT, SECURITY, LOG_ARCHIVE = "management", "security", "log-archive"
# Workload environments and their share of the workload accounts.
ENVIRONMENTS = (("Prod", 0.35), ("Staging", 0.2), ("Dev", 0.3), ("Sandbox", 0.15))
GLOBAL_SERVICES = [
    "iam:*",
    "organizations:*",
    "sts:*",
    "support:*",
    "cloudfront:*",
    "route53:*",
    "budgets:*",
    "ce:*",
    "health:*",
    "s3:GetBucketLocation",
    "s3:ListAllMyBuckets",
]
OPTIONAL_SERVICES = [
    "redshift:*",
    "sagemaker:*",
    "emr:*",
    "gamelift:*",
    "lightsail:*",
    "workspaces:*",
    "robomaker:*",
    "braket:*",
]


@dataclass(frozen=True)
class SynthOrg:
    """Everything about the organization that every account's answers depend on."""

    seed: int
    ids: Ids
    account_ids: list[str]
    environment: dict[str, str]  # account id -> management, security, log-archive, Prod, ...
    context: OrgServices

    @property
    def management(self) -> str:
        return self.account_ids[0]

    @property
    def log_archive(self) -> str:
        return self.account_ids[2]

    def log_bucket(self, purpose: str) -> str:
        return f"org-{purpose}-logs-{self.log_archive}"


def _account_ids(rng: random.Random, count: int) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < count:
        found[str(rng.randrange(10**11, 10**12))] = None
    return list(found)


def _environments(rng: random.Random, workloads: list[str]) -> dict[str, str]:
    names = [env for env, _ in ENVIRONMENTS]
    weights = [share for _, share in ENVIRONMENTS]
    return {account: rng.choices(names, weights)[0] for account in workloads}


def _tree(
    rng: random.Random, core: list[str], environment: dict[str, str]
) -> tuple[OrgUnit, list[str]]:
    """Root / Security, Workloads/<environment>/<business unit>, Sandbox/<unit>, Suspended;
    returns the root and the paths of the business-unit OUs."""
    per_env = max(1, min(24, len(environment) // 40))
    leaves = {
        env: [OrgUnit(f"bu-{n:02d}") for n in range(1, per_env + 1)] for env, _ in ENVIRONMENTS
    }
    for account, env in environment.items():
        rng.choice(leaves[env]).accounts.append(account)
    workloads = [OrgUnit(env, children=leaves[env]) for env, _ in ENVIRONMENTS if env != "Sandbox"]
    root = OrgUnit(
        "Root",
        accounts=[core[0]],
        children=[
            OrgUnit("Security", accounts=core[1:3]),
            OrgUnit("Workloads", children=workloads),
            OrgUnit("Sandbox", children=leaves["Sandbox"]),
            OrgUnit("Suspended"),
        ],
    )
    paths = [
        f"Workloads/{env}/{unit.name}"
        for env, _ in ENVIRONMENTS
        if env != "Sandbox"
        for unit in leaves[env]
    ]
    return root, paths


def _policies(rng: random.Random, business_units: list[str]) -> list[OrgPolicy]:
    region_lock = document(
        deny(
            GLOBAL_SERVICES,
            "*",
            not_actions=True,
            sid="DenyOtherRegions",
            condition={"StringNotEquals": {"aws:RequestedRegion": list(REGIONS)}},
        )
    )
    root_user = document(
        deny(
            "*",
            "*",
            sid="DenyRootUser",
            condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
        )
    )
    policies = [
        OrgPolicy(
            "DenyLeaveOrganization", "No account may leave", deny_leave_organization(), (ROOT,)
        ),
        OrgPolicy(
            "ProtectSecurityServices",
            "Security services stay on",
            protect_security_services(),
            ("Security", "Workloads"),
        ),
        OrgPolicy("RegionLock", "Only the two operating regions", region_lock, ("Workloads",)),
        OrgPolicy("DenyRootUser", "No root user in production", root_user, ("Workloads/Prod",)),
        OrgPolicy(
            "DenyAll", "Suspended accounts can do nothing", document(deny("*")), ("Suspended",)
        ),
    ]
    for path in business_units:
        if rng.random() < 0.3:
            services = rng.sample(OPTIONAL_SERVICES, rng.randint(1, 3))
            name = "Deny-" + path.replace("/", "-")
            policies.append(
                OrgPolicy(
                    name,
                    f"Services {path} may not use",
                    document(deny(services, sid="DenyServices")),
                    (path,),
                )
            )
    return policies


def build_org(accounts: int, seed: int) -> SynthOrg:
    """The organization for `accounts` accounts: three core accounts, then workloads."""
    if accounts < 3:
        raise ValueError("a synthetic organization needs at least 3 accounts")
    rng = random.Random(f"{seed}:organization")
    ids = Ids(f"synthetic-{seed}")
    account_ids = _account_ids(rng, accounts)
    core, workloads = account_ids[:3], account_ids[3:]
    environment = {
        **dict(zip(core, (MANAGEMENT, SECURITY, LOG_ARCHIVE), strict=True)),
        **_environments(rng, workloads),
    }
    root, business_units = _tree(rng, core, {a: environment[a] for a in workloads})
    members = [
        OrgAccount(
            a,
            f"{environment[a].lower()}-{i:04d}",
            f"aws+{a}@example.com",
            "INVITED" if rng.random() < 0.1 else "CREATED",
        )
        for i, a in enumerate(account_ids)
    ]
    security = core[1]
    org = Organization(
        ids=ids,
        management=core[0],
        accounts=members,
        root=root,
        policies=_policies(rng, business_units),
        delegated_admins={security: (GUARDDUTY, SECURITY_HUB, CONFIG, ACCESS_ANALYZER, INSPECTOR)},
        trusted_services=(
            ACCESS_ANALYZER,
            "cloudtrail.amazonaws.com",
            CONFIG,
            GUARDDUTY,
            INSPECTOR,
            SECURITY_HUB,
            "sso.amazonaws.com",
        ),
    )
    developers = {a: "developers" for a in workloads if environment[a] != "Prod"}
    center = IdentityCenter(
        owner=core[0],
        region=HOME,
        name="synthetic",
        ids=ids,
        permission_sets=[
            PermissionSet(
                "AdministratorAccess",
                "Platform team",
                (aws_policy_arn("AdministratorAccess"),),
                dict.fromkeys(account_ids, "platform-admins"),
            ),
            PermissionSet(
                "PowerUserAccess", "Developers", (aws_policy_arn("PowerUserAccess"),), developers
            ),
        ],
    )
    trail_key = key_arn(Place(ids, core[2], HOME), "org-trail")
    context = OrgServices(
        org=org,
        trail=OrgTrail("org-trail", core[0], HOME, f"org-trail-logs-{core[2]}", trail_key),
        config_bucket=f"org-config-logs-{core[2]}",
        guardduty_auto_enable={HOME: "ALL", REGIONS[1]: "NEW"},
        identity_center=center,
    )
    return SynthOrg(seed, ids, account_ids, environment, context)
