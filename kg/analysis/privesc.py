"""Privilege escalation: which principals can gain an admin-equivalent principal's power, and how.

The technique catalog is data (TECHNIQUES): each technique names the permissions it needs, the
resource each permission must be allowed on, which targets it reaches and what of the estate it
needs as deployed. A technique is reported only when every permission is allowed (for certain,
after SCPs, boundaries and resource policies) on a resource that makes it work, and only towards
a target that is powerful while the principal is not: admin-equivalent, or able to escalate
further. The second is derived to a fixpoint, so a principal that can pass a role which can
itself escalate is reported, with each hop of the chain.

A technique whose permissions hold but that fails as deployed (a console password already set,
two access keys, no other policy version to set back to) is `latent`; one whose deployment fact
was not collected is `unknown`. Those are written apart (COULD_ESCALATE_TO), never mixed with
what works now (CAN_ESCALATE_TO), and only what works now carries a chain further.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial

from kg.analysis.access import EVERYTHING, Candidates, is_admin
from kg.analysis.iam_view import RUNS_AS_QUERY, Actor, IamView, Target, load_view, parse
from kg.analysis.policy import (
    AlikeRequests,
    ConditionContext,
    Decision,
    Effect,
    Outcome,
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    Resource,
    action_catalog,
    evaluate,
    identity_may_allow_somewhere,
    mentions_action,
)
from kg.analysis.privesc_techniques import (
    ANY,
    REWRITTEN_TRUST,
    TARGET,
    TECHNIQUES,
    VIA,
    Needs,
    Technique,
    Via,
)
from kg.analysis.workers import map_chunks
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema

_OWN_POLICIES_QUERY = """
MATCH (p:Principal)<-[:ATTACHED_TO]-(policy:IAMPolicy)
WHERE (p:User OR p:Role) AND NOT policy:AwsManagedPolicy AND NOT coalesce(policy.inline, false)
RETURN p.arn AS principal, policy.arn AS policy
UNION
MATCH (p:User)-[:MEMBER_OF]->(:Group)<-[:ATTACHED_TO]-(policy:IAMPolicy)
WHERE NOT policy:AwsManagedPolicy AND NOT coalesce(policy.inline, false)
RETURN p.arn AS principal, policy.arn AS policy
"""
_GROUPS_QUERY = """
MATCH (g:Group)
OPTIONAL MATCH (policy:IAMPolicy)-[:ATTACHED_TO]->(g)
WITH g, collect(policy {.arn, .document}) AS policies
RETURN g.arn AS arn, policies, [(u:User)-[:MEMBER_OF]->(g) | u.arn] AS members
"""
_USERS_QUERY = """
MATCH (u:User)
RETURN u.arn AS arn, u.password_enabled AS password, u.access_keys AS keys
"""
_EXISTING_QUERY = """
MATCH (r:Resource) WHERE r:GlueJob OR r:EcsCluster
RETURN CASE WHEN r:GlueJob THEN 'GlueJob' ELSE 'EcsCluster' END AS label,
       r.account_id AS account_id, collect(r.arn) AS arns
UNION
MATCH (task:EcsTask) WHERE task.task_definition_arn IS NOT NULL
RETURN 'EcsTaskDefinition' AS label, task.account_id AS account_id,
       collect(DISTINCT task.task_definition_arn) AS arns
"""
_EXEC_TASKS_QUERY = """
MATCH (task:EcsTask) WHERE task.execute_command RETURN task.arn AS arn
"""
# A template does not run as a role; the instances it launches do (so not in RUNS_AS_QUERY).
_TEMPLATE_ROLES_QUERY = """
MATCH (t:Ec2LaunchTemplate)-[:HAS_PROFILE]->(:InstanceProfile)-[:FOR_ROLE]->(r:Role)
RETURN t.arn AS source, r.arn AS role
UNION
MATCH (t:Ec2LaunchTemplate)
WHERE t.instance_profile_arn IS NULL AND t.instance_profile_name IS NOT NULL
MATCH (p:InstanceProfile {name: t.instance_profile_name})-[:FOR_ROLE]->(r:Role)
WHERE p.account_id = t.account_id
RETURN t.arn AS source, r.arn AS role
"""
_TEMPLATE_GROUPS_QUERY = """
MATCH (g:AutoScalingGroup)-[:LAUNCHES_FROM]->(t:Ec2LaunchTemplate)
WHERE g.launch_template_version IN $versions
RETURN t.arn AS template, collect(g.arn) AS groups
"""
_PROFILED_ROLES_QUERY = """
MATCH (:InstanceProfile)-[:FOR_ROLE]->(r:Role) RETURN DISTINCT r.arn AS arn
"""
_VERSIONS_QUERY = """
MATCH (policy:IAMPolicy)
WHERE NOT policy:AwsManagedPolicy AND NOT coalesce(policy.inline, false)
RETURN policy.arn AS arn, policy.other_version_documents AS others
"""
MAX_ACCESS_KEYS = 2  # per IAM user (IAM quotas)
MAX_GROUPS_PER_USER = 10  # IAM quotas
DEFAULT_REGION = "us-east-1"  # where the estate shows none
_REGIONS_QUERY = """
MATCH (n) WHERE n.region IS NOT NULL AND n.region <> 'global'
RETURN DISTINCT n.region AS region ORDER BY region
"""


class Status(StrEnum):
    EXPLOITABLE = "exploitable"  # works as deployed
    LATENT = "latent"  # the permissions hold; one more change to the estate makes it work
    UNKNOWN = "unknown"  # the permissions hold; a fact it depends on was not collected
    # the permissions hold only if conditions kg cannot decide do (an MFA session, a source
    # address): the reason names their keys
    CONDITIONAL = "conditional"


@dataclass(frozen=True)
class Credentials:
    """What of a user's credentials decides the credential techniques; None is unknown."""

    console_password: bool | None
    access_keys: int | None


@dataclass(frozen=True)
class Estate:
    """What the techniques look at: built from the graph, or in memory by tests."""

    actors: dict[str, Actor]
    roles: dict[str, Target]  # role ARN -> its trust policy
    own_policies: dict[str, tuple[str, ...]]  # principal ARN -> customer managed policy ARNs
    group_policies: dict[str, PolicySet]  # group ARN -> its policies (identity only)
    memberships: dict[str, tuple[str, ...]]  # user ARN -> group ARNs
    runs_as: tuple[tuple[str, str, str], ...] = ()  # (Ec2Instance|LambdaFunction, ARN, role)
    profiled_roles: frozenset[str] = frozenset()  # roles with an instance profile
    # (label, account) -> the ARNs of the existing resources techniques act on (GlueJob,
    # EcsCluster, EcsTaskDefinition: a running task's); absent: none collected
    existing: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    exec_tasks: frozenset[str] = frozenset()  # running ECS tasks with ECS Exec enabled
    # launch template ARN -> the Auto Scaling groups launching from its default or latest version
    template_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    credentials: dict[str, Credentials] = field(default_factory=dict)  # user ARN ->
    # policy ARN -> its other versions (None: one that does not parse); absent: not collected
    other_versions: dict[str, tuple[Policy | None, ...]] = field(default_factory=dict)
    # Resources with a policy of their own (a Lambda function's), by ARN: it takes part in
    # deciding a technique that acts on them, and may let in another account.
    resource_policies: dict[str, Target] = field(default_factory=dict)
    # Where the organization's resources were found: the regions an attacker may pick to
    # create what a technique needs (a region lock denies the others).
    regions: tuple[str, ...] = (DEFAULT_REGION,)

    def admins(self) -> frozenset[str]:
        return frozenset(arn for arn, actor in self.actors.items() if is_admin(actor))


@dataclass(frozen=True)
class Finding:
    source: str
    target: str
    technique: Technique
    via: str
    grants_admin: bool  # the target is admin-equivalent (else it escalates further itself)
    status: Status = Status.EXPLOITABLE
    reason: str | None = None  # why it is latent or unknown

    @property
    def permissions(self) -> list[str]:
        return [action for action, _ in self.technique.permissions]


def _cluster_of(task: str) -> str:
    """The cluster of an ECS task, from the task's ARN (task/<cluster>/<id>)."""
    prefix, _, resource = task.rpartition(":")
    parts = resource.split("/")
    return f"{prefix}:cluster/{parts[1]}" if len(parts) == 3 else task


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


# The role session an attacker acting as a role calls from: a trust it writes names it.
ATTACKER_SESSION = "attacker-session"


def _attacker(principal: Principal) -> Principal:
    """The requester as the rewritten trust sees it: for a role, the attacker's own session."""
    if principal.kind is PrincipalKind.ROLE:
        return replace(principal, session_name=ATTACKER_SESSION)
    return principal


def _rewritten_trust(actor: Actor) -> Target:
    """The trust policy the attacker writes: it names the attacker directly (a user's ARN, a
    role's own session ARN), so within its account the attacker needs no identity permission to
    assume the role, and its permissions boundary does not limit the grant; SCPs still apply."""
    principal = actor.principal
    named = f"{principal.session_arn_prefix}{ATTACKER_SESSION}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": named if principal.kind is PrincipalKind.ROLE else principal.arn
                },
                "Action": "sts:AssumeRole",
            }
        ],
    }
    policy = parse(trust, f"trust rewritten by {actor.arn}", PolicyKind.RESOURCE)
    return Target("Role", "", principal.account_id or "", policy, None)


def _service_linked(estate: Estate, role: str) -> bool:
    """A service-linked role: IAM refuses changes to its policies and trust."""
    actor = estate.actors.get(role)
    return actor is not None and actor.principal.service_linked


# Where IAM Identity Center provisions a permission set's role in each account.
IDENTITY_CENTER_PATH = ":role/aws-reserved/sso.amazonaws.com/"


# What IAM refuses on a protected role, whoever asks.
_CHANGES_A_ROLE = frozenset(
    {
        "iam:AttachRolePolicy",
        "iam:PutRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:DetachRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary",
    }
)


def _protected(estate: Estate, role: str) -> bool:
    """A role only AWS may modify: IAM refuses to attach or put a policy on it or rewrite its
    trust (UnmodifiableEntity). Service-linked roles, and the roles IAM Identity Center
    provisions, which only a change to their permission set alters (a customer managed policy
    the permission set names stays open to a new version)."""
    return _service_linked(estate, role) or IDENTITY_CENTER_PATH in role


def _resource(arn: str) -> Resource:
    """The resource the ARN names, or every resource a pattern (a wildcard in it) matches."""
    if arn == ANY:
        return Resource(ANY)
    return Resource(arn, _account_of(arn), scope=any(wildcard in arn for wildcard in "*?"))


def _trusts_service(role: Target, service: str) -> bool:
    policies = PolicySet(resource=role.policy)
    request = Request("sts:AssumeRole", Resource(role.arn, role.account_id))
    return evaluate(Principal(PrincipalKind.SERVICE, service), request, policies).possibly_allowed


@functools.cache
def confined_to_account(technique: Technique) -> bool:
    """Whether the technique works only on targets in the principal's own account: it needs a
    permission on what it acts on, which across accounts only a resource policy can grant (IAM
    resources take none, but for a role's trust and sts:AssumeRole; a Lambda function's policy
    can: Pools.pairs adds those), or it acts on a resource that stays in the role's account."""
    return technique.in_role_account or any(
        on == VIA and action != "sts:AssumeRole" for action, on in technique.permissions
    )


Pair = tuple[str, str]  # (via, target)
# Whether a request (or every request of a technique) is allowed: None not allowed, () allowed
# for certain, else allowed only if the conditions on these keys hold.
Grant = tuple[str, ...] | None


def _under(grant: tuple[str, ...], finding: Finding) -> Finding:
    """The finding, when its permissions hold only if the conditions on `grant`'s keys do: what
    works as deployed is then conditional; what fails as deployed fails all the same."""
    if not grant:
        return finding
    keys = "the conditions on " + ", ".join(grant) + " hold"
    if finding.status is Status.EXPLOITABLE:
        return replace(finding, status=Status.CONDITIONAL, reason=f"allowed only if {keys}")
    return replace(finding, reason=f"{finding.reason}; and allowed only if {keys}")


def _granted(decision: Decision) -> Grant:
    if decision.allowed:
        return ()
    if decision.outcome is not Outcome.CONDITIONAL:
        return None
    keys = {clause.key for undecided in decision.conditions for clause in undecided.clauses}
    return tuple(sorted(keys)) or ("an undecided condition",)


def _any_of(grants: Iterable[Grant]) -> Grant:
    """The best of several ways: certain if one is, else the one needing the fewest keys."""
    possible = [grant for grant in grants if grant is not None]
    return min(possible, key=len) if possible else None


_Scope = tuple[bool, str | None, str | None]  # (rewritten trust, its account, region)


class Pools:
    """Each technique's possible (via, target) pairs towards `targets` that do not depend on
    the principal, by account, built once: a technique confined to the principal's account
    looks at that account alone, so the search grows with the organization instead of with
    its square."""

    def __init__(self, estate: Estate, targets: frozenset[str], admins: frozenset[str]) -> None:
        self.estate = estate
        self.targets = targets
        self.admins = admins
        self._pairs: dict[Technique, tuple[dict[str | None, list[Pair]], list[Pair]]] = {}
        target_roles = [estate.roles[arn] for arn in sorted(targets & set(estate.roles))]
        self._assumable = Candidates(target_roles)

    def pairs(self, technique: Technique, actor: Actor) -> list[Pair]:
        """The (via, target) pairs worth deciding for this actor."""
        confined = confined_to_account(technique)
        if technique.via is Via.ADMIN_ROLE and not confined:
            return [(role.arn, role.arn) for role in self._assumable.naming(actor)]
        if technique not in self._pairs:
            every = list(self._all_pairs(technique))
            by_account: dict[str | None, list[Pair]] = defaultdict(list)
            for via, target in every:
                by_account[_account_of(via)].append((via, target))
            self._pairs[technique] = (by_account, every)
        by_account, every = self._pairs[technique]
        if not confined:
            return every
        account = actor.principal.account_id
        own = by_account.get(account, [])
        if technique.in_role_account:
            return own
        # Another account's resource is open only through a policy of its own.
        policies = self.estate.resource_policies
        return own + [
            (via, target)
            for via, target in every
            if via in policies and _account_of(via) != account
        ]

    def _all_pairs(self, technique: Technique) -> Iterator[Pair]:
        estate, targets = self.estate, self.targets
        match technique.via:
            case Via.ADMIN_GROUP:
                yield from ((group, group) for group in sorted(estate.group_policies))
            case Via.ADMIN_USER | Via.ADMIN_ROLE:
                label = "User" if technique.via is Via.ADMIN_USER else "Role"
                for arn in sorted(targets):
                    if estate.actors[arn].label == label:
                        yield arn, arn
            case Via.PASSABLE_ROLE:
                assert technique.service is not None
                for arn in sorted(targets & set(estate.roles)):
                    if _trusts_service(estate.roles[arn], technique.service):
                        yield arn, arn
            case Via.ANY_ROLE:
                for arn in sorted(set(estate.roles) - self.admins):
                    if not _protected(estate, arn):
                        yield arn, arn
            case Via.ANY_USER:
                for arn in sorted(set(estate.actors) - self.admins):
                    if estate.actors[arn].label == "User":
                        yield arn, arn
            case Via.ROLE_POLICY:
                for role in sorted(set(estate.roles) - self.admins):
                    if not _service_linked(estate, role):
                        yield from ((policy, role) for policy in estate.own_policies.get(role, ()))
            case (
                Via.FUNCTION
                | Via.INSTANCE
                | Via.STACK
                | Via.PROJECT
                | Via.NOTEBOOK
                | Via.TASK
                | Via.LAUNCH_TEMPLATE
            ):
                label = WORKLOADS[technique.via]
                for source_label, arn, role in estate.runs_as:
                    if source_label == label and role in targets:
                        yield arn, role


# What runs as a role, by the technique that acts on it (their labels in RUNS_AS_QUERY).
WORKLOADS = {
    Via.FUNCTION: "LambdaFunction",
    Via.INSTANCE: "Ec2Instance",
    Via.STACK: "CloudFormationStack",
    Via.PROJECT: "CodeBuildProject",
    Via.NOTEBOOK: "SageMakerNotebook",
    Via.TASK: "EcsTask",
    Via.LAUNCH_TEMPLATE: "Ec2LaunchTemplate",
}
_ON_ITSELF = (Via.OWN_POLICY, Via.SELF, Via.OWN_GROUP, Via.ADMIN_GROUP)
# Techniques that make their target admin: they need no powerful target, so the first round
# finds all of them.
_MAKES_ADMIN = (*_ON_ITSELF, Via.ANY_ROLE, Via.ANY_USER, Via.ROLE_POLICY)


def _candidates(technique: Technique, actor: Actor, pools: Pools) -> Iterator[Pair]:
    """(via, target) pairs the technique could use for this actor."""
    estate = pools.estate
    match technique.via:
        case Via.OWN_POLICY:
            yield from ((policy, actor.arn) for policy in estate.own_policies.get(actor.arn, ()))
        case Via.SELF:
            if technique.principal_label == actor.label:
                yield actor.arn, actor.arn
        case Via.OWN_GROUP:
            yield from ((group, actor.arn) for group in estate.memberships.get(actor.arn, ()))
        case Via.ADMIN_GROUP:
            if actor.label == "User":
                yield from ((group, actor.arn) for group, _ in pools.pairs(technique, actor))
        case _:
            yield from (
                (via, target)
                for via, target in pools.pairs(technique, actor)
                if target != actor.arn
            )


class Decisions:
    """One actor's permission decisions, each made once: techniques share permissions (a trust
    rewrite, a PassRole) and a change (a group joined) is weighed against what the actor could
    already do, so the same request comes up many times."""

    def __init__(self, actor: Actor, estate: Estate) -> None:
        self.actor = actor
        self.estate = estate
        self._granted: dict[tuple[str, str, bool, str | None], Grant] = {}
        # (rewritten trust, its account, region) -> the policies deciding, and their alike
        # requests
        self._alike: dict[_Scope, tuple[PolicySet, AlikeRequests]] = {}
        self._usable: dict[Technique, bool] = {}
        self._alike_decided: dict[tuple[_Scope, Hashable], Grant] = {}
        self._creatable: dict[tuple[str, str], tuple[str, ...]] = {}
        self.before: dict[tuple[Technique, ...], frozenset[tuple[Technique, str, str]]] = {}
        self._unchanged_from: tuple[Decisions, tuple[Policy, ...]] | None = None

    def changed(self, actor: Actor, differing: tuple[Policy, ...]) -> Decisions:
        """The decisions of the actor after a change to its identity policies, `differing`
        being those added or removed: an action none of them mentions is decided as before."""
        decisions = Decisions(actor, self.estate)
        decisions._unchanged_from = (self, differing)
        return decisions

    def allowed(self, action: str, arn: str) -> bool:
        """`action` on `arn` allowed for certain."""
        return self.grant(action, arn) == ()

    def grant(
        self, action: str, arn: str, rewritten_trust: bool = False, region: str | None = None
    ) -> Grant:
        """Whether `action` on `arn` is allowed (see Grant); on a role, as its trust (or the
        trust the attacker writes) and the RCPs over its account decide it. `region`: the
        request is made there (aws:RequestedRegion); `arn` may then be a pattern, standing for
        every resource it matches."""
        key = (action, arn, rewritten_trust, region)
        if key not in self._granted:
            if self._unchanged_from and not mentions_action(self._unchanged_from[1], action):
                self._granted[key] = self._unchanged_from[0].grant(*key)
            else:
                self._granted[key] = self._decide(*key)
        return self._granted[key]

    def _decide(self, action: str, arn: str, rewritten_trust: bool, region: str | None) -> Grant:
        if action in _CHANGES_A_ROLE and _protected(self.estate, arn):
            return None  # UnmodifiableEntity, whatever the policies allow
        principal, resource = self.actor.principal, _resource(arn)
        context = self.actor.context
        if region is not None:
            context = context.merged(ConditionContext.of({"aws:RequestedRegion": region}))
        request = Request(action, resource, context)
        if rewritten_trust:
            role = self.estate.roles.get(arn)
            if role is None or _protected(self.estate, arn):
                return None  # IAM lets no one rewrite the trust of a role only AWS may modify
            principal = _attacker(principal)
            # The rewritten trust differs between roles only by the RCPs over their account.
            scope: _Scope = (True, role.account_id, region)
            rcps = role.rcps
        elif action == "sts:AssumeRole":
            trust = self.estate.roles.get(arn)
            if trust is None:
                return None
            # Each role's own trust: nothing to share with another role's.
            return _granted(evaluate(principal, request, self.actor.toward(trust)))
        elif arn in self.estate.resource_policies:
            # The resource's own policy takes part, and may let in another account.
            resource_target = self.estate.resource_policies[arn]
            policies = self.actor.toward(resource_target)
            return _granted(evaluate(principal, request, policies))
        else:
            scope = (False, None, region)
        if scope not in self._alike:
            trust = replace(_rewritten_trust(self.actor), rcps=rcps) if rewritten_trust else None
            policies = self.actor.toward(trust)
            self._alike[scope] = (policies, AlikeRequests(principal, policies, context))
        policies, alike = self._alike[scope]
        key = (scope, alike.key(action, resource))
        if key[1] is None:
            return _granted(evaluate(principal, request, policies))
        # Roles, users and policies alike to the actor's statements are decided once.
        if key not in self._alike_decided:
            self._alike_decided[key] = _granted(evaluate(principal, request, policies))
        return self._alike_decided[key]

    def may_use(self, technique: Technique) -> bool:
        """A cheap test before the pairs: IAM resources take no resource policy (a role's trust
        only grants sts:AssumeRole), so an IAM action no identity statement allows anywhere
        rules the technique out for this actor."""
        if technique not in self._usable:
            identity = self.actor.policies.identity
            self._usable[technique] = all(
                identity_may_allow_somewhere(identity, (action,))
                for action, _ in technique.permissions
                if action.startswith("iam:")
            )
        return self._usable[technique]

    def works(self, technique: Technique, via: str, target: str) -> Grant:
        """Whether every permission of the technique is allowed (see Grant)."""
        if not any(on == ANY for _, on in technique.permissions):
            return self._works_in(technique, via, target, None)
        # What it creates (a function, an instance, a stack) it names, and makes the requests
        # in a region it picks: one where every permission holds will do.
        return _any_of(self._works_in(technique, via, target, r) for r in self.estate.regions)

    def _works_in(self, technique: Technique, via: str, target: str, region: str | None) -> Grant:
        grants: list[Grant] = []
        created: dict[str, list[str]] = {}  # what an ANY permission creates -> its actions
        for action, on in technique.permissions:
            if on == ANY and region is not None:
                created.setdefault(_created_template(action) or action, []).append(action)
                continue
            arn = {ANY: ANY, TARGET: target, REWRITTEN_TRUST: target}.get(on, via)
            grants.append(self.grant(action, arn, on == REWRITTEN_TRUST, region))
        # The resource it creates is one: the function it creates is the one it invokes, so
        # every permission on it must hold for one name.
        for actions in created.values():
            assert region is not None
            names = sorted({arn for action in actions for arn in self.creatable(action, region)})
            grants.append(
                _any_of(
                    _all_of(self.grant(action, arn, region=region) for action in actions)
                    for arn in names
                )
            )
        return _all_of(grants)

    def creatable(self, action: str, region: str) -> tuple[str, ...]:
        """Where the actor may create the resource the action makes: any name in its account
        and the region (every ARN of the resource type, as a pattern; `*` for an action that
        takes no resource), or a Resource pattern one of its Allow statements names for the
        action, narrowed to the region and its account."""
        key = (action, region)
        if key not in self._creatable:
            principal = self.actor.principal
            template = _created_template(action)
            anywhere = ANY if template is None else _placed(template, region, principal)
            patterns = {anywhere or ANY}
            for policy in self.actor.policies.identity:
                for statement in policy.statements:
                    if (
                        statement.effect is Effect.ALLOW
                        and statement.resources is not None
                        and not statement.resources_negated
                        and statement.covered(frozenset({action.lower()}))
                    ):
                        patterns.update(
                            arn
                            for pattern in statement.resources
                            if not pattern.has_variables
                            and (arn := _placed(pattern.text, region, principal)) is not None
                        )
            self._creatable[key] = tuple(sorted(patterns))
        return self._creatable[key]


def _all_of(grants: Iterable[Grant]) -> Grant:
    """Every one of several permissions: none if one is not allowed, else the keys of all."""
    keys: set[str] = set()
    for grant in grants:
        if grant is None:
            return None
        keys.update(grant)
    return tuple(sorted(keys))


@functools.cache
def _created_template(action: str) -> str | None:
    """The ARN pattern of what the action creates, every name wild: its first required
    resource type of its own service in an account (a function, an instance, a stack); None
    when the action takes no resource (its request names `*`)."""
    service = action.split(":", 1)[0]
    for taken in action_catalog().resource_types(action):
        template = taken.resource_type.arn_template
        if taken.required and template.split(":")[2] == service and "${Account}" in template:
            return re.sub(r"\$\{[^}]+\}", "*", template)
    return None


def _placed(pattern: str, region: str, principal: Principal) -> str | None:
    """The Resource pattern narrowed to the principal's partition and account and to the
    region, or None when it names another (a pattern with no region, a global resource, stays
    as it is)."""
    parts = pattern.split(":", 5)
    account = principal.account_id or "*"
    if pattern == ANY or len(parts) < 6:
        return None
    if not all(
        fnmatch.fnmatchcase(value, named)
        for value, named in ((principal.partition, parts[1]), (account, parts[4]))
    ) or (parts[3] and not fnmatch.fnmatchcase(region, parts[3])):
        return None
    parts[1] = principal.partition
    parts[3] = region if parts[3] else ""
    parts[4] = account
    return ":".join(parts)


_CAPPED = (
    "a permissions boundary or an SCP keeps what the technique writes on the principal from "
    "granting admin"
)
_NO_PROFILE = (
    "the role has no instance profile to launch an instance with (making one needs "
    "iam:CreateInstanceProfile and iam:AddRoleToInstanceProfile)"
)
_UNSEEN = {
    Needs.UNSEEN_DEV_ENDPOINT: "needs a Glue development endpoint running as the role, which kg "
    "does not collect",
    Needs.UNSEEN_EVENT_SOURCE: "needs an event source (a stream or queue) to map the function to, "
    "which kg does not check",
    Needs.UNSEEN_SSH: "needs SSH to the instance from where the attacker is, and EC2 Instance "
    "Connect on it, which kg does not check",
}
# What a technique needs to exist: its node label, what the principal must be allowed on it,
# and its name in a reason.
_EXISTING: dict[Needs, tuple[str, tuple[str, ...], str]] = {
    Needs.GLUE_JOB: ("GlueJob", ("glue:UpdateJob", "glue:StartJobRun"), "an existing Glue job"),
    Needs.GLUE_JOB_TRIGGERED: ("GlueJob", ("glue:UpdateJob",), "an existing Glue job"),
    # RunTask and CreateService name the cluster in a condition (ecs:cluster), not as resource.
    Needs.ECS_CLUSTER: ("EcsCluster", (), "an ECS cluster"),
    # Those of running tasks (a cluster runs them); RunTask acts on the task definition.
    Needs.ECS_TASK_DEFINITION: (
        "EcsTaskDefinition",
        ("ecs:RunTask",),
        "an ECS task definition (kg reads those of running tasks)",
    ),
}
# Versions a group launches from that a new default version changes ($Latest: the new version
# is the latest too; a group naming no version launches from the default).
_FOLLOWS_DEFAULT = ("$Default", "$Latest")
_MAKES_A_GROUP_LAUNCH = (
    "autoscaling:SetDesiredCapacity",
    "autoscaling:UpdateAutoScalingGroup",
    "autoscaling:StartInstanceRefresh",
)
_WAITS_FOR_GROUP = (
    "an Auto Scaling group launches from the template, but the principal may not make it launch "
    "(autoscaling:SetDesiredCapacity, UpdateAutoScalingGroup or StartInstanceRefresh): the "
    "script runs when the group next launches an instance"
)
_NO_GROUP = (
    "no collected Auto Scaling group launches from the template's default or latest version: "
    "the script runs when something launches an instance from it, which kg does not check"
)
_NOT_ON_CLUSTER = (
    "ecs:ExecuteCommand is allowed on the task but not on its cluster, which AWS's service "
    "authorization reference also lists as a resource of the action"
)
_NO_EXEC_AGENT = (
    "needs the task's role to allow the channels the ECS Exec agent opens "
    "(ssmmessages:CreateControlChannel): it does not"
)
_NOT_INVOKED = (
    "the new code runs when the function is invoked: the principal may not invoke it "
    "(lambda:InvokeFunction), and what triggers it is not collected"
)
_NO_SSM = (
    "needs the instance registered with Systems Manager: its role does not allow the agent to "
    "register (ssm:UpdateInstanceInformation), and Default Host Management, which registers "
    "instances otherwise, is not collected"
)
_NO_PASS = (
    "iam:PassRole on the stack's role is not allowed: AWS's CloudFormation guide says changing "
    "a stack with a service role needs it, the public catalogs say it does not"
)


MAX_POLICY_VERSIONS = 5  # per managed policy (IAM quotas)


def _version_slot(others: tuple[Policy | None, ...] | None) -> tuple[Status, str | None]:
    """Whether a new version can be written: IAM refuses a sixth."""
    if others is None:
        return Status.UNKNOWN, "the policy's versions were not collected"
    if len(others) + 1 >= MAX_POLICY_VERSIONS:
        return Status.LATENT, (
            f"the policy has {len(others) + 1} versions, the most IAM allows (one must be "
            "deleted first: iam:DeletePolicyVersion)"
        )
    return Status.EXPLOITABLE, None


def _credentials_status(needs: Needs, user: Credentials | None) -> tuple[Status, str | None]:
    """Whether a credential technique works on the user as deployed."""
    if needs is Needs.FREE_ACCESS_KEY_SLOT:
        keys = user.access_keys if user else None
        if keys is None:
            return Status.UNKNOWN, "the user's access keys were not collected"
        if keys >= MAX_ACCESS_KEYS:
            return Status.LATENT, f"the user has {keys} access keys, the most AWS allows"
        return Status.EXPLOITABLE, None
    password = user.console_password if user else None
    if password is None:
        return Status.UNKNOWN, "whether the user has a console password was not collected"
    if needs is Needs.NO_CONSOLE_PASSWORD and password:
        return Status.LATENT, "the user already has a console password"
    if needs is Needs.CONSOLE_PASSWORD and not password:
        return Status.LATENT, "the user has no console password to reset"
    return Status.EXPLOITABLE, None


class Search:
    """One round of the fixpoint: every actor's findings towards `pools.targets` (and, in the
    first round, on itself), each decided as deployed."""

    def __init__(
        self,
        estate: Estate,
        pools: Pools,
        admins: frozenset[str],
        techniques: tuple[Technique, ...],
        first: bool,
    ) -> None:
        self.estate = estate
        self.pools = pools
        self.admins = admins
        self.first = first
        on_targets = tuple(t for t in techniques if t.via not in _MAKES_ADMIN)
        self.techniques = (
            techniques
            if first
            else on_targets + tuple(t for t in techniques if t.changes_own_policies)
        )
        self._caps: dict[str, bool] = {}
        self._ssm: dict[tuple[str, str], bool] = {}
        # What a changed actor (group joined, version set back) may do next: no further change.
        self.then = tuple(t for t in self.techniques if not t.changes_own_policies)

    def decide(self, actors: Sequence[Actor]) -> list[Finding]:
        return [
            finding for actor in actors for finding in self.findings(Decisions(actor, self.estate))
        ]

    def findings(
        self, decisions: Decisions, techniques: tuple[Technique, ...] | None = None
    ) -> list[Finding]:
        actor = decisions.actor
        found: list[Finding] = []
        for technique in self.techniques if techniques is None else techniques:
            if not decisions.may_use(technique):
                continue
            for via, target in _candidates(technique, actor, self.pools):
                grant = decisions.works(technique, via, target)
                if grant is None:
                    continue
                deployed = self._as_deployed(technique, decisions, via, target)
                found.extend(_under(grant, f) for f in deployed)
        return found

    def _as_deployed(
        self, technique: Technique, decisions: Decisions, via: str, target: str
    ) -> Iterator[Finding]:
        actor = decisions.actor
        grants_admin = technique.via in _MAKES_ADMIN or target in self.admins
        match technique.needs:
            case Needs.GROUP_SLOT:
                groups = len(self.estate.memberships.get(actor.arn, ()))
                for finding in self._joined(technique, decisions, via):
                    if groups >= MAX_GROUPS_PER_USER:
                        quota = f"the user is in {groups} groups, the most IAM allows"
                        finding = replace(finding, status=Status.LATENT, reason=quota)
                    yield finding
            case None if technique.via in _MAKES_ADMIN and not self._capped(target):
                yield Finding(actor.arn, target, technique, via, grants_admin)
            case None if technique.via in _MAKES_ADMIN:
                yield Finding(
                    actor.arn, target, technique, via, grants_admin, Status.LATENT, _CAPPED
                )
            case None:
                yield Finding(actor.arn, target, technique, via, grants_admin)
            case Needs.OTHER_POLICY_VERSION:
                yield from self._versions(technique, decisions, via)
            case Needs.VERSION_SLOT:
                status, reason = _version_slot(self.estate.other_versions.get(via))
                if status is Status.EXPLOITABLE and self._capped(target):
                    status, reason = Status.LATENT, _CAPPED
                yield Finding(actor.arn, target, technique, via, grants_admin, status, reason)
            case Needs.INSTANCE_PROFILE if target not in self.estate.profiled_roles:
                yield Finding(
                    actor.arn, target, technique, via, grants_admin, Status.LATENT, _NO_PROFILE
                )
            case Needs.INSTANCE_PROFILE:
                yield Finding(actor.arn, target, technique, via, grants_admin)
            case Needs.FUNCTION_INVOKED if decisions.allowed("lambda:InvokeFunction", via):
                yield Finding(actor.arn, target, technique, via, grants_admin)
            case Needs.FUNCTION_INVOKED:
                yield Finding(
                    actor.arn, target, technique, via, grants_admin, Status.UNKNOWN, _NOT_INVOKED
                )
            case Needs.SSM_AGENT if self._registers_with_ssm(via, target):
                yield Finding(actor.arn, target, technique, via, grants_admin)
            case Needs.SSM_AGENT:
                yield Finding(
                    actor.arn, target, technique, via, grants_admin, Status.UNKNOWN, _NO_SSM
                )
            case needs if needs in _EXISTING:
                found = self._existing(needs, decisions)
                if found is not None:
                    yield Finding(actor.arn, target, technique, via, grants_admin, *found)
            case Needs.TEMPLATE_LAUNCHED:
                status, reason = self._launched(via, decisions)
                yield Finding(actor.arn, target, technique, via, grants_admin, status, reason)
            case Needs.ECS_EXEC if via not in self.estate.exec_tasks:
                return  # without ECS Exec on the task, there is no shell to open
            case Needs.ECS_EXEC if not decisions.allowed("ecs:ExecuteCommand", _cluster_of(via)):
                yield Finding(
                    actor.arn, target, technique, via, grants_admin, Status.UNKNOWN, _NOT_ON_CLUSTER
                )
            case Needs.ECS_EXEC if self._role_allows(
                target, "ssmmessages:CreateControlChannel", via
            ):
                yield Finding(actor.arn, target, technique, via, grants_admin)
            case Needs.ECS_EXEC:
                yield Finding(
                    actor.arn, target, technique, via, grants_admin, Status.UNKNOWN, _NO_EXEC_AGENT
                )
            case needs if needs.unseen:
                yield Finding(
                    actor.arn, target, technique, via, grants_admin, Status.UNKNOWN, _UNSEEN[needs]
                )
            case Needs.PASS_STACK_ROLE:
                if decisions.allowed("iam:PassRole", target):
                    yield Finding(actor.arn, target, technique, via, grants_admin)
                else:
                    yield Finding(
                        actor.arn, target, technique, via, grants_admin, Status.UNKNOWN, _NO_PASS
                    )
            case needs:
                status, reason = _credentials_status(needs, self.estate.credentials.get(target))
                yield Finding(actor.arn, target, technique, via, grants_admin, status, reason)

    def _existing(self, needs: Needs, decisions: Decisions) -> tuple[Status, str | None] | None:
        """An existing resource of the principal's account it may act on (Glue jobs and ECS
        clusters take no resource policy, and a passed role stays in its account):
        exploitable; one it may act on only under conditions: unknown; some but none it may
        act on: no finding; none collected: unknown (there may be none, or listing them
        failed)."""
        label, actions, what = _EXISTING[needs]
        account = _account_of(decisions.actor.arn) or ""
        arns = self.estate.existing.get((label, account), ())
        grants = [[decisions.grant(action, arn) for action in actions] for arn in arns]
        if any(all(grant == () for grant in on_one) for on_one in grants):
            return Status.EXPLOITABLE, None
        if any(all(grant is not None for grant in on_one) for on_one in grants):
            return Status.UNKNOWN, (
                f"needs {what} in the principal's account that it may act on "
                f"({', '.join(actions)}): allowed only under conditions kg cannot decide"
            )
        if arns:
            return None
        return Status.UNKNOWN, (
            f"needs {what} in the principal's account: none was collected (there may be none, "
            "or listing them failed)"
        )

    def _joined(self, change: Technique, decisions: Decisions, group: str) -> Iterator[Finding]:
        """Joining the group, then what that opens: admin outright, an escalation the group's
        policies allow, or, in the first round, writing a policy on the group it is now a
        member of (which its own policies may allow: iam-013, then iam-010 or iam-011)."""
        actor = decisions.actor
        added = self.estate.group_policies[group].identity
        identity = actor.policies.identity + added
        changed = replace(actor, policies=replace(actor.policies, identity=identity))
        found = list(self._after_change(change, decisions, group, changed, added))
        yield from found
        if (
            not self.first
            or group in self.estate.memberships.get(actor.arn, ())
            or any(f.grants_admin and f.target == actor.arn for f in found)
        ):
            return
        member = decisions.changed(changed, added)
        for then in self.techniques:
            if then.via is Via.OWN_GROUP and member.works(then, group, actor.arn) == ():
                capped = self._capped(actor.arn)
                yield Finding(
                    actor.arn,
                    actor.arn,
                    _composed(change, then),
                    f"{group} -> {group}",
                    True,
                    Status.LATENT if capped else Status.EXPLOITABLE,
                    _CAPPED if capped else None,
                )

    def _launched(self, template: str, decisions: Decisions) -> tuple[Status, str | None]:
        """Whether an instance gets launched from the template's new default version: by a
        group the principal may make launch (exploitable), else unknown."""
        groups = self.estate.template_groups.get(template, ())
        if any(decisions.allowed(a, group) for group in groups for a in _MAKES_A_GROUP_LAUNCH):
            return Status.EXPLOITABLE, None
        return Status.UNKNOWN, _WAITS_FOR_GROUP if groups else _NO_GROUP

    def _role_allows(self, role: str, action: str, resource: str) -> bool:
        """Whether the role's own policies allow the action (what a workload running as it
        may do)."""
        actor = self.estate.actors.get(role)
        if actor is None:
            return False
        request = Request(action, _resource(resource), actor.context)
        return evaluate(actor.principal, request, actor.policies).allowed

    def _registers_with_ssm(self, instance: str, role: str) -> bool:
        """Whether the instance's role lets its Systems Manager agent register it."""
        key = (instance, role)
        if key not in self._ssm:
            actor = self.estate.actors.get(role)
            if actor is None:
                self._ssm[key] = False
            else:
                request = Request(
                    "ssm:UpdateInstanceInformation", _resource(instance), actor.context
                )
                self._ssm[key] = evaluate(actor.principal, request, actor.policies).allowed
        return self._ssm[key]

    def _capped(self, arn: str) -> bool:
        """Whether a policy granting everything, written on the principal, still leaves it
        short of admin: its permissions boundary or an SCP caps what it may be given."""
        if arn not in self._caps:
            principal = self.estate.actors[arn]
            identity = (*principal.policies.identity, EVERYTHING)
            granted = replace(principal, policies=replace(principal.policies, identity=identity))
            self._caps[arn] = not is_admin(granted)
        return self._caps[arn]

    def _after_change(
        self,
        change: Technique,
        decisions: Decisions,
        via: str,
        changed: Actor,
        added: tuple[Policy, ...],
        removed: tuple[Policy, ...] = (),
    ) -> Iterator[Finding]:
        """The actor changed its own policies with `change`, `added` being what the change
        brought and `removed` what it took away: admin outright, or the escalations the change
        opens (those it had already need no change). Only a technique an added Allow covers, or
        one a removed statement mentioned (a Deny), can newly work, so only those are tried
        again."""
        if not added:
            return
        actor = decisions.actor
        if self.first and is_admin(changed):
            yield Finding(actor.arn, actor.arn, change, via, True)
            return
        opened = tuple(
            t
            for t in self.then
            if identity_may_allow_somewhere(added, [action for action, _ in t.permissions])
            or any(mentions_action(removed, action) for action, _ in t.permissions)
        )
        if not opened:
            return
        if opened not in decisions.before:
            decisions.before[opened] = frozenset(
                (f.technique, f.via, f.target)
                for f in self.findings(decisions, opened)
                if f.status is Status.EXPLOITABLE
            )
        before = decisions.before[opened]
        for then in self.findings(decisions.changed(changed, added + removed), opened):
            if (
                then.status is Status.EXPLOITABLE
                and (then.technique, then.via, then.target) not in before
            ):
                yield replace(
                    then,
                    technique=_composed(change, then.technique),
                    via=f"{via} -> {then.via}",
                )

    def _versions(
        self, technique: Technique, decisions: Decisions, policy_arn: str
    ) -> Iterator[Finding]:
        """Setting back each other version of the policy; latent when none gives more, unknown
        when the versions (or one of them) could not be read. Once, in the first round."""
        actor = decisions.actor
        versions = self.estate.other_versions.get(policy_arn)
        unknown = partial(
            Finding, actor.arn, actor.arn, technique, policy_arn, True, Status.UNKNOWN
        )
        if versions is None:
            if self.first:
                yield unknown("the policy's other versions were not collected")
            return
        gained = False
        for version in versions:
            if version is None:
                if self.first:
                    yield unknown("another version of the policy could not be read")
                continue
            identity = tuple(
                version if p.policy_id == policy_arn else p for p in actor.policies.identity
            )
            changed = replace(actor, policies=replace(actor.policies, identity=identity))
            default = tuple(p for p in actor.policies.identity if p.policy_id == policy_arn)
            for finding in self._after_change(
                technique, decisions, policy_arn, changed, (version,), default
            ):
                gained = True
                yield finding
        if self.first and not gained and None not in versions:
            reason = (
                "no other version of the policy grants more"
                if versions
                else "the policy has no other version to set back to"
            )
            yield Finding(actor.arn, actor.arn, technique, policy_arn, True, Status.LATENT, reason)


@functools.cache
def _composed(first: Technique, then: Technique) -> Technique:
    """Two techniques one after the other, as one hop: the first changes the principal's own
    policies, the second uses what that gave it."""
    return Technique(
        f"{first.name}+{then.name}",
        then.via,
        first.permissions + then.permissions,
        f"{first.explanation} Then: {then.explanation}",
        f"{first.source}, then {then.source}",
        service=then.service,
        principal_label=then.principal_label,
        in_role_account=first.in_role_account or then.in_role_account,
    )


def find_escalations(
    estate: Estate, techniques: tuple[Technique, ...] = TECHNIQUES
) -> list[Finding]:
    """Every (principal, technique, via) that gains a powerful principal's power the principal
    lacks: admins first, then, round after round, the principals found to escalate (so a chain
    of any length is found, one hop per finding). Only what works as deployed extends a chain."""
    admins = estate.admins()
    actors = [a for a in estate.actors.values() if a.arn not in admins]
    powerful = set(admins)
    new_targets = admins
    first = True
    findings: list[Finding] = []
    while True:
        pools = Pools(estate, frozenset(new_targets), admins)
        search = Search(estate, pools, admins, techniques, first)
        found = map_chunks(search.decide, actors)
        findings.extend(found)
        escalating = {f.source for f in found if f.status is Status.EXPLOITABLE} - powerful
        if not escalating:
            return _settled(findings)
        powerful |= escalating
        new_targets = frozenset(escalating)
        first = False


def _settled(findings: list[Finding]) -> list[Finding]:
    """The findings less a version found latent in the first round that a later round found
    to open a chain after all."""
    opened = {
        (f.source, f.via.split(" -> ")[0])
        for f in findings
        if f.status is Status.EXPLOITABLE and "+" in f.technique.name
    }
    return [
        f
        for f in findings
        if not (
            f.status is Status.LATENT
            and f.technique.needs is Needs.OTHER_POLICY_VERSION
            and (f.source, f.via) in opened
        )
    ]


def _other_versions(documents: list[str] | None, arn: str) -> tuple[Policy | None, ...] | None:
    """A policy's other versions, parsed; one kg cannot read is None, not an error: the
    derive must not fail on a version no decision but this one reads."""
    if documents is None:
        return None
    versions: list[Policy | None] = []
    for document in documents:
        try:
            versions.append(
                Policy.parse(json.loads(document), policy_id=arn, kind=PolicyKind.IDENTITY)
            )
        except (PolicyError, ValueError):
            versions.append(None)
    return tuple(versions)


def load_estate(graph: Graph, view: IamView) -> Estate:
    own: dict[str, list[str]] = {}
    for row in graph.read(_OWN_POLICIES_QUERY):
        own.setdefault(row["principal"], []).append(row["policy"])
    group_policies: dict[str, PolicySet] = {}
    memberships: dict[str, list[str]] = {}
    for row in graph.read(_GROUPS_QUERY):
        group_policies[row["arn"]] = PolicySet(
            identity=tuple(
                parse(p["document"], p["arn"], PolicyKind.IDENTITY)
                for p in row["policies"]
                if p["document"]
            )
        )
        for member in row["members"]:
            memberships.setdefault(member, []).append(row["arn"])
    runs_as = tuple((row["label"], row["source"], row["role"]) for row in graph.read(RUNS_AS_QUERY))
    runs_as += tuple(
        ("Ec2LaunchTemplate", row["source"], row["role"])
        for row in graph.read(_TEMPLATE_ROLES_QUERY)
    )
    credentials = {
        row["arn"]: Credentials(row["password"], row["keys"]) for row in graph.read(_USERS_QUERY)
    }
    versions = {
        row["arn"]: _other_versions(row["others"], row["arn"])
        for row in graph.read(_VERSIONS_QUERY)
    }
    return Estate(
        actors=view.actors,
        roles=view.roles,
        own_policies={arn: tuple(sorted(set(p))) for arn, p in own.items()},
        group_policies=group_policies,
        memberships={arn: tuple(sorted(g)) for arn, g in memberships.items()},
        runs_as=runs_as,
        profiled_roles=frozenset(row["arn"] for row in graph.read(_PROFILED_ROLES_QUERY)),
        template_groups={
            row["template"]: tuple(sorted(row["groups"]))
            for row in graph.read(_TEMPLATE_GROUPS_QUERY, versions=list(_FOLLOWS_DEFAULT))
        },
        exec_tasks=frozenset(row["arn"] for row in graph.read(_EXEC_TASKS_QUERY)),
        existing={
            (row["label"], row["account_id"]): tuple(sorted(row["arns"]))
            for row in graph.read(_EXISTING_QUERY)
        },
        credentials=credentials,
        other_versions={arn: v for arn, v in versions.items() if v is not None},
        resource_policies={t.arn: t for t in view.resources if t.policy is not None},
        regions=tuple(row["region"] for row in graph.read(_REGIONS_QUERY)) or (DEFAULT_REGION,),
    )


def derive(graph: Graph, view: IamView | None = None) -> int:
    """Rewrite CAN_ESCALATE_TO (works as deployed) and COULD_ESCALATE_TO (latent or unknown);
    return how many edges it wrote. `view`: the loaded policies, when the caller has read them."""
    view = view or load_view(graph)
    estate = load_estate(graph, view)
    records = GraphRecords()
    findings = find_escalations(estate)
    for finding in findings:
        common = {
            "technique": finding.technique.name,
            "permissions": finding.permissions,
            "explanation": finding.technique.explanation,
            "via": finding.via,
            "grants_admin": finding.grants_admin,
        }
        source = (estate.actors[finding.source].label, finding.source)
        target = (estate.actors[finding.target].label, finding.target)
        if finding.status is Status.EXPLOITABLE:
            records.rel("CAN_ESCALATE_TO", source, target, **common)
        else:
            records.rel(
                "COULD_ESCALATE_TO",
                source,
                target,
                status=finding.status.value,
                reason=finding.reason,
                **common,
            )
    writer = GraphWriter(graph, load_schema())
    written = writer.replace_derived(records, rel_types=["CAN_ESCALATE_TO", "COULD_ESCALATE_TO"])
    # Admin-equivalent without another principal: what `kg paths --to admin` ends at too.
    itself = sorted(
        {
            f.source
            for f in findings
            if f.status is Status.EXPLOITABLE and f.grants_admin and f.source == f.target
        }
    )
    graph.write("MATCH (p:Principal) SET p.makes_itself_admin = p.arn IN $arns", arns=itself)
    return written.relationships
