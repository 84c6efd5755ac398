"""The inputs of a decision: the resource, the request, the policies in force, and the condition
keys that follow from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.analysis.policy.conditions import ConditionContext, ContextValue
from kg.analysis.policy.errors import PolicyError
from kg.analysis.policy.policy import Policy, PolicyKind
from kg.analysis.policy.principals import Principal, PrincipalKind

# Services whose resources RCPs govern (AWS Organizations, "List of AWS services that support
# RCPs"); an RCP has no effect on requests to other services.
RCP_SERVICES = frozenset(
    {
        "s3",
        "sts",
        "kms",
        "sqs",
        "secretsmanager",
        "cognito-identity",
        "logs",
        "ecr",
        "aoss",
        "dynamodb",
    }
)

_PRINCIPAL_TYPES = {
    PrincipalKind.USER: "User",
    PrincipalKind.ROLE: "AssumedRole",
    PrincipalKind.ROOT: "Account",
}
# Keys only present when a service acts for a resource (confused-deputy keys): an IAM user,
# role session or root user calling AWS directly never carries them.
_SERVICE_SOURCE_KEYS = (
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
)
_PRINCIPAL_KEYS = (
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
)
# SNS's legacy key: on a direct call it holds the caller's account, which is how the default topic
# policy (Principal "*" with StringEquals AWS:SourceOwner the owner) admits only the owner
# account's principals. When a service publishes for a resource it names that resource's owner.
_SNS_SOURCE_OWNER = "aws:SourceOwner"
_PRINCIPAL_TAG = "aws:PrincipalTag/"
_RESOURCE_TAG = "aws:ResourceTag/"


@dataclass(frozen=True)
class Resource:
    """The resource a request targets; ``*`` for actions that take no resource.

    `account_id` None means the principal's own account (what AWS assumes for actions on
    ``*``). `org_id`, `org_paths` and `tags` feed the aws:Resource* condition keys; None is unknown.
    `region` is for resources whose ARN names none (an S3 bucket's location).
    `scope`: the ARN is a pattern (``bucket/home/*``) standing for every ARN it matches; a
    decision then holds for all of them, but for the parts a Deny takes (its `excluded`).
    """

    arn: str
    account_id: str | None = None
    region: str | None = None
    org_id: str | None = None
    org_paths: tuple[str, ...] | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    scope: bool = False


@dataclass(frozen=True)
class Request:
    """One action on one resource. `context` adds or overrides condition keys the caller knows
    (aws:SourceIp, aws:SourceAccount for a service, a key known to be absent...)."""

    action: str
    resource: Resource
    context: ConditionContext = field(default_factory=ConditionContext)


@dataclass(frozen=True)
class OrgLevel:
    """The SCPs or RCPs attached at one level: the root, an OU, or the account itself."""

    target: str  # r-..., ou-..., or the account id, for messages
    policies: tuple[Policy, ...]


@dataclass(frozen=True)
class PolicySet:
    """Every policy that may bear on a request.

    `identity`: the principal's own managed and inline policies plus its groups' policies.
    `resource`: the resource's policy (a role's trust policy for sts:AssumeRole*), if any.
    `scps`: the levels from the root down to the principal's account; `rcps`: the same for the
    resource's account. None means the account is not under such policies at all (no
    organization, or the policy type not enabled); the management account is exempt either way
    when `management_account_id` is given. A level with no policies allows nothing.
    `boundary`: the principal's permissions boundary. `session`: the session policies passed
    when the role session was created (None: none were passed).
    """

    identity: tuple[Policy, ...] = ()
    resource: Policy | None = None
    scps: tuple[OrgLevel, ...] | None = None
    rcps: tuple[OrgLevel, ...] | None = None
    boundary: Policy | None = None
    session: tuple[Policy, ...] | None = None
    management_account_id: str | None = None

    def __post_init__(self) -> None:
        identity_like = {PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION}
        groups: list[tuple[str, tuple[Policy, ...], set[PolicyKind]]] = [
            ("identity", self.identity, {PolicyKind.IDENTITY}),
            ("resource", (self.resource,) if self.resource else (), {PolicyKind.RESOURCE}),
            ("boundary", (self.boundary,) if self.boundary else (), identity_like),
            ("session", self.session or (), identity_like),
            (
                "scps",
                tuple(p for level in self.scps or () for p in level.policies),
                {PolicyKind.SCP},
            ),
            (
                "rcps",
                tuple(p for level in self.rcps or () for p in level.policies),
                {PolicyKind.RCP},
            ),
        ]
        for name, policies, kinds in groups:
            for policy in policies:
                if policy.kind not in kinds:
                    raise PolicyError(
                        f"{policy.policy_id}: a {policy.kind} policy cannot be used as {name}"
                    )

    def every_policy(self) -> tuple[Policy, ...]:
        """Every policy of the set, of whatever kind."""
        return (
            *self.identity,
            *((self.resource,) if self.resource is not None else ()),
            *((self.boundary,) if self.boundary is not None else ()),
            *(self.session or ()),
            *(p for level in (*(self.scps or ()), *(self.rcps or ())) for p in level.policies),
        )


def resource_account(principal: Principal, resource: Resource) -> str | None:
    return resource.account_id if resource.account_id is not None else principal.account_id


def scps_apply(principal: Principal, policies: PolicySet) -> bool:
    """SCPs bind the users, roles and root user of member accounts, not service-linked roles."""
    return (
        policies.scps is not None
        and principal.has_account
        and principal.account_id != policies.management_account_id
        and not principal.service_linked
    )


def rcps_apply(principal: Principal, resource: Resource, policies: PolicySet, service: str) -> bool:
    """RCPs bind the resources of member accounts in the services that support them."""
    return (
        policies.rcps is not None
        and resource_account(principal, resource) != policies.management_account_id
        and not principal.service_linked
        and service in RCP_SERVICES
    )


def service_and_region(arn: str) -> tuple[str, str]:
    """The service and region an ARN names (region '' for global resources such as IAM roles
    and S3 buckets; both '' for '*')."""
    parts = arn.split(":", 4)
    return (parts[2], parts[3]) if len(parts) > 4 else ("", "")


def request_context(
    principal: Principal, resource: Resource, extra: ConditionContext
) -> ConditionContext:
    """The condition keys known for certain from the principal and the resource, then `extra`."""
    service, arn_region = service_and_region(resource.arn)
    known: dict[str, ContextValue] = {
        "aws:PrincipalIsAWSService": principal.kind is PrincipalKind.SERVICE,
    }
    complete: list[str] = []
    excluded: dict[str, frozenset[str]] = {}
    if principal.has_account:
        known["aws:PrincipalArn"] = principal.arn
        known["aws:PrincipalAccount"] = principal.account_id
        known["aws:PrincipalType"] = _PRINCIPAL_TYPES[principal.kind]
        # Only IAM users have a user name; role sessions and root users carry no such key.
        user_name = principal.arn.rsplit("/", 1)[-1]
        known["aws:username"] = user_name if principal.kind is PrincipalKind.USER else None
        if principal.user_id is not None and principal.kind is PrincipalKind.USER:
            # A role session's is ROLE-ID:SESSION-NAME, and the session name is not known.
            known["aws:userid"] = principal.user_id
        if principal.org_id is not None:
            known["aws:PrincipalOrgID"] = principal.org_id
        elif principal.outside_orgs:
            excluded["aws:PrincipalOrgID"] = principal.outside_orgs
        if principal.org_paths is not None:
            known["aws:PrincipalOrgPaths"] = principal.org_paths
        if principal.tags is not None:
            known.update({f"{_PRINCIPAL_TAG}{key}": value for key, value in principal.tags})
            complete.append(_PRINCIPAL_TAG)
        known.update(dict.fromkeys(_SERVICE_SOURCE_KEYS))
        if service == "sns":
            known[_SNS_SOURCE_OWNER] = principal.account_id
    else:
        known.update(dict.fromkeys(_PRINCIPAL_KEYS))
        complete.append(_PRINCIPAL_TAG)
        if principal.kind is PrincipalKind.SERVICE:
            known["aws:PrincipalServiceName"] = principal.arn
    region = arn_region or resource.region
    if region and not any(wildcard in region for wildcard in "*?"):
        # A regional resource is acted on through its region's endpoint.
        known["aws:RequestedRegion"] = region
    account = resource_account(principal, resource)
    if principal.kind is PrincipalKind.ANONYMOUS and account and service == "sns":
        # Everyone stands for callers outside the owner account: theirs is not the owner's.
        excluded[_SNS_SOURCE_OWNER] = frozenset({account})
    if account is not None:
        known["aws:ResourceAccount"] = account
    if resource.org_id is not None:
        known["aws:ResourceOrgID"] = resource.org_id
    if resource.org_paths is not None:
        known["aws:ResourceOrgPaths"] = resource.org_paths
    if resource.tags is not None:
        known.update({f"{_RESOURCE_TAG}{key}": value for key, value in resource.tags})
        complete.append(_RESOURCE_TAG)
    return ConditionContext.of(known, complete_prefixes=complete, excluded=excluded).merged(extra)
