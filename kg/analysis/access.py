"""Effective access: who can assume which role, reach which resource, and who is admin.

Reads the loaded principals, their identity policies (own and their groups'), permissions
boundaries, the SCP and RCP levels above each account, trust and resource policies, decides with
the policy engine, and rewrites the derived RUNS_AS, CAN_ASSUME and CAN_ACCESS relationships and
the principals' `is_admin` flag. Only the actions of each resource's own service are evaluated.

Requesters from outside the organization are evaluated by the same decision: an external account
a trust or resource policy names, as its administrator (its own policies are not in the graph, so
they are taken to allow anything; our SCPs do not bind it, the resource account's RCPs do), and
everyone ("*", the AnyPrincipal node), as a caller with no account or organization of ours.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from kg.analysis.iam_view import (
    RUNS_AS_QUERY,
    UNTIMED,
    Actor,
    IamView,
    Target,
    load_view,
    parse,
)
from kg.analysis.policy import (
    Decision,
    Effect,
    Extent,
    OrgLevel,
    Outcome,
    Pattern,
    Policy,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    Resource,
    Statement,
    Style,
    Truth,
    action_catalog,
    evaluate_actions,
    iam_principal_kind,
    identity_may_allow,
    request_context,
    service_and_region,
)
from kg.analysis.workers import map_chunks
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema
from kg.model.access import SUB_RESOURCES

ACCESS_REL_TYPES = ("RUNS_AS", "CAN_ASSUME", "CAN_ACCESS")
MAX_LISTED_ACTIONS = 50
# A principal is admin-equivalent when it may do each of these on every resource as far as the
# organization's guardrails let anyone of its account (is_admin): they span identity, compute,
# data and keys, so a policy short of "*" on "*" rarely passes them all. (sts:AssumeRole is
# left out: it always needs the target role's trust policy as well.)
ADMIN_SENTINELS = (
    "iam:PutRolePolicy",
    "iam:AttachUserPolicy",
    "iam:PassRole",
    "iam:CreateAccessKey",
    "iam:CreateRole",
    "ec2:RunInstances",
    "s3:GetObject",
    "s3:PutBucketPolicy",
    "kms:Decrypt",
    "secretsmanager:GetSecretValue",
    "lambda:UpdateFunctionCode",
)
_ASSUME_ACTIONS = {
    PrincipalKind.FEDERATED: ("sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"),
}
# Requesters of accounts outside the organization, whose own policies the graph does not have.
_EXTERNAL_KINDS = {
    "Account": PrincipalKind.ROOT,
    "User": PrincipalKind.USER,
    "Role": PrincipalKind.ROLE,
}
# The users and roles among them, by the kind of principal an ARN names.
_EXTERNAL_LABELS = {kind: label for label, kind in _EXTERNAL_KINDS.items() if label != "Account"}
_ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
EVERYONE = "everyone"  # the key of the AnyPrincipal node
# Statements that grant (rather than only not stand in the way, as SCPs and RCPs do).
_GRANTING_KINDS = (PolicyKind.IDENTITY, PolicyKind.RESOURCE)
MAX_LISTED_STATEMENTS = 10


_OUTSIDERS_QUERY = """
MATCH (r:Role)-[:TRUSTS]->(x)
WHERE x:ServicePrincipal OR x:FederatedProvider OR x:AnyPrincipal
   OR (x:Account AND coalesce(x.external, false))
   OR ((x:User OR x:Role) AND EXISTS { (:Account {account_id: x.account_id, external: true}) })
RETURN DISTINCT r.arn AS role, [l IN labels(x) WHERE l IN $labels][0] AS label,
       CASE WHEN x:User OR x:Role THEN x.arn ELSE coalesce(x.name, x.account_id) END AS key
"""


def decide(actor: Actor, action: str, target: Target, scope: bool = False) -> Decision:
    """One action of an actor on a target, with the target's policy and RCPs in force;
    `scope`: the target's ARN is a pattern of its sub-resources (``bucket/home/*``)."""
    return evaluate_actions(
        actor.principal,
        (action,),
        target.request_resource(scope=scope),
        actor.toward(target),
        actor.context,
    )[action]


def conditions_json(decisions: Iterable[Decision], limit: int = 10) -> str | None:
    seen = list(
        dict.fromkeys(
            json.dumps(c.to_json(), sort_keys=True)
            for d in _distinct(decisions)
            for c in d.conditions
        )
    )
    return "[" + ", ".join(seen[:limit]) + "]" if seen else None


def _distinct(decisions: Iterable[Decision]) -> Iterable[Decision]:
    """Each decision object once, in order: the actions of one class share one."""
    return {id(decision): decision for decision in decisions}.values()


# An identity policy granting everything: the most a principal's own policies could grant,
# and what a privilege escalation technique writes.
EVERYTHING = Policy.parse(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    policy_id="a policy granting everything",
    kind=PolicyKind.IDENTITY,
)


def is_admin(actor: Actor) -> bool:
    """Admin-equivalent: on every sentinel, decided as its own policies granting everything
    would be, under the guardrails that bind every principal of its account. Those (a region
    lock, a service denied) are its ceiling, not a limit on it; one that leaves IAM to no one of
    the account leaves no admin there. A Deny that depends on who the principal is (its ARN, its
    tags: "only the data role may read data") is a limit on it, not the account's ceiling, and
    so is a condition its own policies add (MFA, a source address)."""
    policies = actor.policies
    ceiling = replace(
        policies,
        identity=(EVERYTHING,),
        boundary=None,
        session=None,
        scps=_account_wide(policies.scps),
        rcps=_account_wide(policies.rcps),
    )
    own = _sentinels(actor, policies)
    most = _sentinels(actor, ceiling)
    return all(
        most[action].allowed for action in ADMIN_SENTINELS if action.startswith("iam:")
    ) and all(
        (own[action].outcome, set(own[action].conditions))
        == (most[action].outcome, set(most[action].conditions))
        for action in ADMIN_SENTINELS
    )


# Condition keys that tell principals of one account apart.
_WHO = ("aws:principalarn", "aws:principaltag/", "aws:userid", "aws:username", "aws:principaltype")


def _account_wide(levels: tuple[OrgLevel, ...] | None) -> tuple[OrgLevel, ...] | None:
    """The organization policies less the Deny statements that single out principals by who
    they are: what binds every principal of the account alike."""
    if levels is None:
        return None
    return tuple(
        OrgLevel(
            level.target,
            tuple(
                replace(
                    policy,
                    statements=tuple(s for s in policy.statements if not _singles_out(s)),
                )
                for policy in level.policies
            ),
        )
        for level in levels
    )


def _singles_out(statement: Statement) -> bool:
    return statement.effect is Effect.DENY and any(
        test.key.startswith(_WHO) for test in statement.condition.tests
    )


def _sentinels(actor: Actor, policies: PolicySet) -> dict[str, Decision]:
    return evaluate_actions(
        actor.principal, ADMIN_SENTINELS, Resource("*"), policies, actor.context
    )


def _mentions(target: Target, actor: Actor) -> bool:
    """A cheap pre-check: can the target's policy name this actor at all? An external requester
    counts only where it is named: what everyone gets is the AnyPrincipal node's, and what its
    account is granted, its account's node."""
    principal = actor.principal
    # An external user or role is named by its ARN; naming its account grants the account's node.
    by_account = not actor.external or principal.kind is PrincipalKind.ROOT
    needles: tuple[str, ...] = ()
    if principal.has_account:
        needles += (principal.arn,)
        if by_account:
            needles += (f'"{principal.account_id}"', f":{principal.account_id}:root")
    if principal.kind is PrincipalKind.ROLE:
        # A session of the role: arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION (no path).
        name = principal.arn.rsplit("/", 1)[-1]
        needles += (f":{principal.account_id}:assumed-role/{name}/",)
    if not actor.external:
        needles += ('"*"',)
    return any(needle in target.policy_text for needle in needles)


# An account id as a policy text can name it: between quotes ("111122223333") or colons (its
# root or a principal ARN, arn:aws:iam::111122223333:role/x). Account ids have 12 digits.
_ACCOUNT_IN_TEXT = re.compile(r'(?<=[":])\d{12}(?=[":])')


def _open_allows(policy: Policy | None) -> list[Statement]:
    """The Allow statements of the policy that may apply to a requester it does not name by
    account: those without a Principal element, with NotPrincipal, or naming everyone."""
    if policy is None:
        return []
    return [
        statement
        for statement in policy.statements
        if statement.effect is Effect.ALLOW
        and (
            statement.principal is None
            or statement.principal_negated
            or statement.principal.everyone
        )
    ]


class Candidates:
    """The targets worth deciding for a requester, found without visiting every pair.

    Built once from the policies: the targets of each account, the targets whose policy text
    holds an account id as `_ACCOUNT_IN_TEXT` finds it, and the targets whose policy is open to
    requesters it does not name. Outside its own account, a requester gets nothing unless an
    Allow statement of the resource or trust policy applies to it, which either names it by an
    ARN or id holding its account id or is open to the unnamed; a role's trust policy must
    allow the requester so even within its account. So each lookup holds every pair the
    pre-checks let through that can have an edge, in the targets' order; the pre-checks still
    run on each.
    """

    def __init__(self, targets: Iterable[Target]) -> None:
        self._targets = list(targets)
        self._in_account: dict[str | None, list[int]] = defaultdict(list)
        self._naming: dict[str, list[int]] = defaultdict(list)
        self._open: list[int] = []
        for index, target in enumerate(self._targets):
            self._in_account[target.account_id].append(index)
            for account in set(_ACCOUNT_IN_TEXT.findall(target.policy_text)):
                self._naming[account].append(index)
            if _open_allows(target.policy):
                self._open.append(index)

    def settle(self, arns: frozenset[str]) -> Candidates:
        """These candidates, less the targets open to the unnamed that are among `arns`."""
        settled = copy.copy(self)
        settled._open = [i for i in self._open if self._targets[i].arn not in arns]
        return settled

    def naming(self, actor: Actor) -> list[Target]:
        """The targets whose policy may apply to the actor."""
        return self._pick(self._named(actor))

    def reachable(self, actor: Actor) -> list[Target]:
        """The targets of the actor's account and those whose policy may apply to it."""
        own = self._in_account.get(actor.principal.account_id, [])
        return self._pick([*own, *self._named(actor)])

    def _named(self, actor: Actor) -> list[int]:
        principal = actor.principal
        named = self._naming.get(principal.account_id or "", []) if principal.has_account else []
        return [*named, *(self._open if not actor.external else ())]

    def _pick(self, indices: Iterable[int]) -> list[Target]:
        return [self._targets[index] for index in sorted(set(indices))]


def _assume_records(view: IamView, records: GraphRecords) -> None:
    roles = Candidates(view.roles.values())
    for actor in view.actors.values():
        for role in roles.naming(actor):
            if actor.arn == role.arn or not _mentions(role, actor):
                continue
            if _identity_allows_none(actor, role, [(role.arn, ("sts:AssumeRole",))]):
                continue
            decision = decide(actor, "sts:AssumeRole", role)
            if decision.possibly_allowed:
                records.rel(
                    "CAN_ASSUME",
                    (actor.label, actor.arn),
                    ("Role", role.arn),
                    via="sts:AssumeRole",
                    conditional=decision.outcome is Outcome.CONDITIONAL,
                    conditions=conditions_json([decision]),
                )


def outsider(label: str, key: str, view: IamView) -> Actor:
    """A requester from outside the organization, standing for the node (label, key).

    An external account acts as its administrator, and a user or role of an external account
    (named in a trust or resource policy) as what that administrator may make of it: their
    policies are not in the graph and can grant what they like, so only the target's policy and
    the RCPs above it decide.
    """
    identity: tuple[Policy, ...] = ()
    outside = frozenset({view.org_id}) if view.org_id else frozenset()
    if label in _EXTERNAL_KINDS:
        arn = f"arn:aws:iam::{key}:root" if label == "Account" else key
        principal = Principal(_EXTERNAL_KINDS[label], arn, outside_orgs=outside)
        assumed = f"policies of {principal.account_id} (not in the graph: taken to allow all)"
        identity = (parse(_ALLOW_ALL, assumed, PolicyKind.IDENTITY),)
    elif label == "ServicePrincipal":
        principal = Principal(PrincipalKind.SERVICE, key)
    elif label == "FederatedProvider":
        principal = Principal(PrincipalKind.FEDERATED, key)
    elif label == "AnyPrincipal":
        principal = Principal(PrincipalKind.ANONYMOUS, "*")
    else:
        raise ValueError(f"{label} is not a requester from outside the organization")
    policies = PolicySet(identity=identity, management_account_id=view.management_account_id)
    external = label in _EXTERNAL_KINDS
    return Actor(label, principal, policies, key=key, external=external, context=view.context)


def outsiders(view: IamView) -> list[Actor]:
    """The external accounts, users and roles some trust or resource policy names, and
    everyone."""
    return [*external_requesters(view), outsider("AnyPrincipal", EVERYONE, view)]


def external_requesters(view: IamView) -> list[Actor]:
    """The accounts outside the organization that some trust or resource policy names, then
    the users and roles of such accounts it names."""
    named = [
        statement.principal
        for target in [*view.roles.values(), *view.resources]
        if target.policy is not None
        for statement in target.policy.statements
        if statement.principal is not None and not statement.principal_negated
    ]
    accounts = {account for spec in named for account in spec.accounts} - view.members
    principals = {
        arn: _EXTERNAL_LABELS[kind]
        for spec in named
        for arn in spec.arns
        if (kind := iam_principal_kind(arn)) is not None
    }
    outside = [outsider(label, arn, view) for arn, label in sorted(principals.items())]
    return [outsider("Account", account, view) for account in sorted(accounts)] + [
        actor for actor in outside if actor.principal.account_id not in view.members
    ]


def _outsider_records(graph: Graph, view: IamView, records: GraphRecords) -> None:
    """Services, identity providers, external accounts, their users and roles, and everyone a
    trust policy lets in."""
    labels = ["ServicePrincipal", "FederatedProvider", "Account", "User", "Role", "AnyPrincipal"]
    for row in graph.read(_OUTSIDERS_QUERY, labels=labels):
        role = view.roles.get(row["role"])
        if role is None:
            continue
        actor = outsider(row["label"], row["key"], view)
        actions = _ASSUME_ACTIONS.get(actor.principal.kind, ("sts:AssumeRole",))
        decisions = evaluate_actions(
            actor.principal,
            actions,
            Resource(role.arn, role.account_id),
            actor.toward(role),
            actor.context,
        )
        for action, decision in decisions.items():
            if decision.possibly_allowed:
                records.rel(
                    "CAN_ASSUME",
                    actor.node,
                    ("Role", role.arn),
                    via=action,
                    conditional=decision.outcome is Outcome.CONDITIONAL,
                    conditions=conditions_json([decision]),
                )
                break


@lru_cache(maxsize=4096)
def _covers_service(identity: tuple[Policy, ...], service: str) -> bool:
    """Kept for the actor's next resource of the service (actors are visited one by one)."""
    return any(
        statement.actions_negated or statement.actions.may_cover_service(service)
        for policy in identity
        for statement in policy.statements
    )


def _may_grant(actor: Actor, target: Target) -> bool:
    """A cheap pre-check: the same account needs a resource policy or an identity policy for
    the service; across accounts (and from outside), the resource policy must name the caller
    and its identity side, when it has one, cover the service."""
    covered = _covers_service(actor.policies.identity, service_and_region(target.arn)[0])
    if target.account_id == actor.principal.account_id:
        return target.policy is not None or covered
    return (covered or not actor.principal.has_account) and _mentions(target, actor)


def _identity_must_allow(actor: Actor, target: Target) -> bool:
    """Whether nothing is allowed unless the actor's identity policies allow it: across
    accounts they always must; within the account a resource policy grants on its own only
    through an Allow statement naming the user or role itself or one of its sessions (an ARN),
    everyone, or with NotPrincipal, since naming the account defers to the identity policies.
    The root user and requesters without an account have no identity side to ask."""
    principal = actor.principal
    if not principal.has_account or principal.kind is PrincipalKind.ROOT:
        return False
    if target.account_id not in (None, principal.account_id) or target.policy is None:
        return True
    return not any(
        statement.effect is Effect.ALLOW
        and statement.principal is not None
        and (
            statement.principal_negated
            or statement.principal.everyone
            or bool(statement.principal.arns)
        )
        for statement in target.policy.statements
    )


def _identity_allows_none(
    actor: Actor, target: Target, requests: Iterable[tuple[str, Iterable[str]]]
) -> bool:
    """Whether every decision on the target is sure to deny the actions on their ARNs: only the
    identity side can grant and none of its Allow statements covers one of them there."""
    return _identity_must_allow(actor, target) and not any(
        identity_may_allow(actor.policies.identity, actions, arn) for arn, actions in requests
    )


def _allowed_by(decisions: Iterable[Decision]) -> list[str]:
    """The identity and resource policy statements that grant (SCPs and RCPs only permit)."""
    refs = dict.fromkeys(
        str(ref)
        for decision in _distinct(decisions)
        for ref in decision.statements
        if ref.policy_kind in _GRANTING_KINDS
    )
    return list(refs)[:MAX_LISTED_STATEMENTS]


Ask = tuple[str, frozenset[str], str | None]  # an ARN, the actions on it, its scope
Grant = tuple[str, str | None]  # an action, and the scope of sub-resources it is granted on
Grants = dict[Grant, Decision]


def _requests(target: Target, policies: Sequence[Policy], principal: Principal) -> list[Ask]:
    """What requests on the target name: the resource itself (scope None), and, for one with
    sub-resources (a bucket's objects), each scope the policies write below it."""
    catalog = action_catalog()
    requests: list[Ask] = [(target.arn, catalog.actions_on(target.arn), None)]
    separator = SUB_RESOURCES.get(target.label)
    if separator is not None:
        base = target.arn + separator
        actions = catalog.actions_on(f"{base}*")
        for scope in _scopes_below(target, tuple(policies), principal):
            requests.append((base + scope, actions, scope))
    return requests


def _scopes_below(target: Target, policies: tuple[Policy, ...], principal: Principal) -> list[str]:
    """``*`` (every sub-resource) and the patterns of sub-resources the policies' Resource and
    NotResource elements write below the target, relative to it and sorted: ``home/*``,
    ``home/alice/*`` for ``${aws:username}`` of the user alice. A variable the principal does
    not settle stays as written (a scope that holds only if it resolves so); one it is known
    not to have (``${aws:username}`` of a role) names nothing."""
    separator = SUB_RESOURCES[target.label]
    written = _sub_resource_patterns(policies, separator)
    lookup = None
    if any(pattern.has_variables for pattern in written):
        # Variables resolve from what the principal is; the request's time names no resource.
        lookup = request_context(principal, target.request_resource(), UNTIMED).lookup
    found = {"*"}
    for pattern in written:
        text = pattern.resolved_text(lookup)
        head, _, below = (text or "").partition(separator)
        if below and (head == target.arn or _head(head).matches(target.arn) is Truth.TRUE):
            found.add(below)
    return sorted(found)


@lru_cache(maxsize=4096)
def _sub_resource_patterns(policies: tuple[Policy, ...], separator: str) -> tuple[Pattern, ...]:
    """The Resource and NotResource patterns that may write a sub-resource (hold the separator
    after the ARN's fifth colon), kept for the requester's next target."""
    return tuple(
        dict.fromkeys(
            pattern
            for policy in policies
            for statement in policy.statements
            for pattern in statement.resources or ()
            if separator in pattern.text.split(":", 5)[-1]
        )
    )


@lru_cache(maxsize=4096)
def _head(text: str) -> Pattern:
    return Pattern.compile(text, Style.ARN, variables=True)


def _grants(actor: Actor, target: Target, shared: dict[Hashable, Grants] | None = None) -> Grants:
    """The decisions on every action of the target's type (and of its sub-resources, per
    scope) that may be allowed, after the cheap pre-checks; empty when they settle that nothing
    is. `shared`: the actor's earlier answers by `_sharing_key`, reused for targets no policy
    tells apart."""
    if not _may_grant(actor, target):
        return {}
    policies = actor.toward(target)
    requests = _requests(target, policies.every_policy(), actor.principal)
    if _identity_allows_none(actor, target, [(arn, actions) for arn, actions, _ in requests]):
        return {}
    if shared is None or (key := _sharing_key(target, policies, requests)) is None:
        return _decide_grants(actor, target, policies, requests)
    if key not in shared:
        shared[key] = _decide_grants(actor, target, policies, requests)
    return shared[key]


def _decide_grants(
    actor: Actor, target: Target, policies: PolicySet, requests: Sequence[Ask]
) -> Grants:
    """The policy engine's decisions on the requested actions, those that may be allowed."""
    decisions: Grants = {}
    for arn, actions, scope in requests:
        decided = evaluate_actions(
            actor.principal,
            actions,
            target.request_resource(arn, scope=scope is not None),
            policies,
            actor.context,
        )
        decisions.update(((a, scope), d) for a, d in decided.items() if d.possibly_allowed)
    return decisions


def _sharing_key(target: Target, policies: PolicySet, requests: Sequence[Ask]) -> Hashable | None:
    """For one requester, everything its decisions on a target without a resource policy
    depend on: the target's type and place (service, region, account, RCPs) and which of the
    requester's and the RCPs' statements the requested ARNs match. Two targets with the same key
    get the same decisions, so only the first is evaluated. None (decide it on its own) for a
    target with a resource policy, or when a statement's Resource holds a policy variable."""
    if target.policy is not None:
        return None
    statements = _arn_dependent(policies)
    if statements is None:
        return None
    service, region = service_and_region(target.arn)
    matched = tuple(
        statement.matches_scope(arn, _unresolved)[::2]
        if scope is not None
        else statement.matches_resource(arn, _unresolved)[0]
        for arn, _, scope in requests
        for statement in statements
    )
    return (
        target.label,
        service,
        region,
        target.account_id,
        target.region,
        id(target.rcps),
        tuple((id(actions), scope) for _, actions, scope in requests),  # a set per type
        ":key/" in target.arn,
        matched,
    )


def _arn_dependent(policies: PolicySet) -> tuple[Statement, ...] | None:
    """The statements whose Resource or NotResource element can tell two ARNs apart (none with
    a policy variable: None then)."""
    groups = [policies.identity, (policies.boundary,) if policies.boundary else ()]
    groups += [level.policies for level in (*(policies.scps or ()), *(policies.rcps or ()))]
    return _statements_telling_arns_apart(tuple(p for group in groups for p in group))


@lru_cache(maxsize=4096)
def _statements_telling_arns_apart(policies: tuple[Policy, ...]) -> tuple[Statement, ...] | None:
    found = []
    for policy in policies:
        for statement in policy.statements:
            patterns = statement.resources
            if patterns is None or any(pattern.text == "*" for pattern in patterns):
                continue  # matches every ARN (or, under NotResource, none)
            if any(pattern.has_variables for pattern in patterns):
                return None
            found.append(statement)
    return tuple(found)


def _unresolved(key: str) -> None:
    """Resolves no policy variable: the statements a sharing key matches hold none."""
    return None


def _allowed(grants: Grants) -> frozenset[Grant]:
    return frozenset(grant for grant, decision in grants.items() if decision.allowed)


def access_edge(
    actor: Actor,
    target: Target,
    everyone_allowed: frozenset[Grant] = frozenset(),
    shared: dict[Hashable, Grants] | None = None,
) -> dict[str, Any] | None:
    """The CAN_ACCESS properties of an actor on a resource (and its sub-resources), or None
    when it gets nothing, or nothing beyond `everyone_allowed` (what everyone is allowed there
    without a condition: the AnyPrincipal node's edge says it once for every requester).
    `shared`: the actor's decisions so far, to reuse (see `_grants`)."""
    return _edge(_grants(actor, target, shared), everyone_allowed, target)


def _edge(
    grants: Grants, everyone_allowed: frozenset[Grant], target: Target
) -> dict[str, Any] | None:
    allowed = _allowed(grants)
    maybe = frozenset(g for g, d in grants.items() if d.outcome is Outcome.CONDITIONAL)
    base = target.arn + SUB_RESOURCES.get(target.label, "")
    granted = allowed or maybe
    if _holds_all(everyone_allowed, granted, target):
        return None  # also when nothing is granted
    listed = sorted(granted, key=lambda g: (g[0], g[1] or ""))
    actions = sorted({action for action, _ in listed})
    if len(actions) < len(listed):  # an action on several scopes: not where a wider one holds it
        by_action = _scopes_by_action(allowed)
        listed = [grant for grant in listed if not _wider(grant, by_action, base)]
    levels = sorted({level for a in actions if (level := _access_level(a))})
    scoped = [grant for grant in listed if grant[1] is not None]
    return {
        "access_levels": levels,
        "actions": actions[:MAX_LISTED_ACTIONS],
        "action_count": len(actions),
        "allowed_by": _allowed_by(grants[g] for g in listed),
        "conditional": not allowed,
        "conditions": None if allowed else conditions_json(grants[g] for g in listed),
        "scope": sorted({scope for _, scope in scoped if scope}) or None,
        "scope_detail": _scope_detail(scoped, grants, base) if scoped else None,
    }


@lru_cache(maxsize=16384)
def _access_level(action: str) -> str | None:
    level = action_catalog().access_level(action)
    return str(level) if level else None


def _scopes_by_action(grants: Iterable[Grant]) -> dict[str, set[str | None]]:
    scopes: dict[str, set[str | None]] = defaultdict(set)
    for action, scope in grants:
        scopes[action].add(scope)
    return scopes


def _wider(grant: Grant, by_action: dict[str, set[str | None]], base: str) -> bool:
    """Whether the same action is granted on a wider scope (one standing for every
    sub-resource the grant's scope stands for)."""
    action, scope = grant
    others = by_action.get(action)
    if scope is None or not others or others == {scope}:
        return False
    return any(
        wider is not None and wider != scope and _covers(base, wider, scope) for wider in others
    )


def _holds_all(held: frozenset[Grant], wanted: frozenset[Grant], target: Target) -> bool:
    """Whether `held` holds every grant wanted: the same action on the same or a wider scope."""
    if not held:
        return not wanted
    base = target.arn + SUB_RESOURCES.get(target.label, "")
    by_action = _scopes_by_action(held)
    return all(
        grant[1] in by_action.get(grant[0], ()) or _wider(grant, by_action, base)
        for grant in wanted
    )


@lru_cache(maxsize=16384)
def _covers(base: str, wider: str, scope: str) -> bool:
    wide = Pattern.compile(base + wider, Style.ARN, variables=True)
    return wide.extent(Pattern.compile(base + scope, Style.ARN, variables=True)) is Extent.ALL


def _scope_detail(scoped: Sequence[Grant], grants: Grants, base: str) -> str:
    """Per scope, the actions granted there and the patterns Denies take out of them (relative
    to the resource where they are below it), as JSON text: one entry per scope and set of
    exclusions, sorted."""
    entries: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for action, scope in scoped:
        excluded = tuple(sorted(relative(t, base) for t in grants[(action, scope)].excluded))
        entries[(scope or "", excluded)].append(action)
    return json.dumps(
        [
            {"scope": scope, "actions": sorted(actions), "excluding": list(excluded)}
            for (scope, excluded), actions in sorted(entries.items())
        ],
        sort_keys=True,
    )


def relative(pattern: str, base: str) -> str:
    """A pattern of sub-resources as written below `base` (the resource's ARN and separator);
    one not below it as it is."""
    negated = pattern.startswith("not ")
    text = pattern.removeprefix("not ")
    below = text.removeprefix(base) if text.startswith(base) else text
    return f"not {below}" if negated else below


def _open_grants(target: Target) -> frozenset[Grant]:
    """The actions on the target (per scope of its sub-resources) that the statements open to
    the unnamed may grant a caller with an account of its own that the policy does not name."""
    service = service_and_region(target.arn)[0]
    opened = [s for s in _open_allows(target.policy) if not _admits_named_accounts(s, service)]
    policies = (target.policy,) if target.policy is not None else ()
    return frozenset(
        (action, scope)
        for arn, actions, scope in _requests(
            target, policies, Principal(PrincipalKind.ANONYMOUS, "*")
        )
        for action in actions
        if any(_may_grant_there(statement, action, arn, scope) for statement in opened)
    )


def _may_grant_there(statement: Statement, action: str, arn: str, scope: str | None) -> bool:
    if not statement.matches_action(action.lower()):
        return False
    if scope is None:
        return True
    return statement.matches_scope(arn, _unresolved)[0] is not Truth.FALSE


# Keys that hold the caller's own account on a direct request (SNS's AWS:SourceOwner as well),
# or that such a request never carries (aws:SourceAccount, set only when a service acts for a
# resource); request.py decides them so for every caller with an account.
_CALLER_ACCOUNT_KEYS = ("aws:principalaccount", "aws:sourceaccount")
_SNS_CALLER_ACCOUNT_KEYS = (*_CALLER_ACCOUNT_KEYS, "aws:sourceowner")


def _admits_named_accounts(statement: Statement, service: str) -> bool:
    """Whether the statement's condition requires one of those keys to equal the values it
    lists: then it admits no caller whose account the policy text does not name (the values
    are in the text, and no other value equals an account id)."""
    keys = _SNS_CALLER_ACCOUNT_KEYS if service == "sns" else _CALLER_ACCOUNT_KEYS
    return any(
        test.key in keys
        and test.equality
        and not (test.negated or test.if_exists or test.null_check or test.qualifier)
        for test in statement.condition.tests
    )


def access_records(view: IamView, records: GraphRecords) -> None:
    """CAN_ACCESS for everyone first, then for each principal and external account what it
    gets beyond what everyone is allowed. A requester outside a resource's account and not
    named by its policy gets only what the statements open to the unnamed grant; where
    everyone is allowed all of that unconditionally, or those statements admit only callers
    of the accounts they list (SNS's default topic policy), such pairs are not even decided:
    with such resources in every account, they would be every principal times every one."""
    candidates = Candidates(view.resources)
    everyone = outsider("AnyPrincipal", EVERYONE, view)
    opened = candidates.reachable(everyone)
    grants = {target.arn: _grants(everyone, target) for target in opened}
    public = {arn: _allowed(of_target) for arn, of_target in grants.items()}
    everyone_edges = ((t, _edge(grants[t.arn], frozenset(), t)) for t in opened)
    _record_edges(everyone, _found(everyone_edges), records)
    settled = frozenset(t.arn for t in opened if _holds_all(public[t.arn], _open_grants(t), t))
    candidates = candidates.settle(settled)

    def decide(actors: Sequence[Actor]) -> list[list[Found]]:
        return [_found(edges(actor)) for actor in actors]

    def edges(actor: Actor) -> Iterable[tuple[Target, dict[str, Any] | None]]:
        shared: dict[Hashable, Grants] = {}
        for target in candidates.reachable(actor):
            yield target, access_edge(actor, target, public.get(target.arn, frozenset()), shared)

    actors = [*view.actors.values(), *external_requesters(view)]
    for actor, found in zip(actors, map_chunks(decide, actors), strict=True):
        _record_edges(actor, found, records)


Found = tuple[str, str, dict[str, Any]]  # a target's label and ARN, and the edge to it


def _found(edges: Iterable[tuple[Target, dict[str, Any] | None]]) -> list[Found]:
    return [(target.label, target.arn, edge) for target, edge in edges if edge is not None]


def _record_edges(actor: Actor, found: list[Found], records: GraphRecords) -> None:
    """The actor's CAN_ACCESS edges, and the actor's node if it is an outsider with one, since
    outsiders' nodes exist only where they get something (an external user or role, and its
    account)."""
    if found and actor.external:
        account = actor.principal.account_id
        records.ref("Account", account_id=account, external=True)
        if actor.label != "Account":
            name = actor.arn.rsplit("/", 1)[-1]
            records.ref(actor.label, arn=actor.arn, account_id=account, name=name)
    elif found and actor.label == "AnyPrincipal":
        records.ref("AnyPrincipal", name=actor.key)
    for label, arn, edge in found:
        records.rel("CAN_ACCESS", actor.node, (label, arn), **edge)


def derive(graph: Graph, view: IamView | None = None) -> int:
    """Rewrite RUNS_AS, CAN_ASSUME, CAN_ACCESS and `is_admin`; return how many edges it wrote.
    `view`: the loaded policies, when the caller has read them already."""
    view = view or load_view(graph)
    records = GraphRecords()
    for row in graph.read(RUNS_AS_QUERY):
        records.rel("RUNS_AS", (row["label"], row["source"]), ("Role", row["role"]))
    _assume_records(view, records)
    _outsider_records(graph, view, records)
    access_records(view, records)
    summary = GraphWriter(graph, load_schema()).replace_derived(records, rel_types=ACCESS_REL_TYPES)
    actors = list(view.actors.values())
    flags = map_chunks(lambda chunk: [is_admin(actor) for actor in chunk], actors)
    admins = sorted(actor.arn for actor, admin in zip(actors, flags, strict=True) if admin)
    graph.write("MATCH (p:Principal) SET p.is_admin = p.arn IN $admins", admins=admins)
    return summary.relationships
