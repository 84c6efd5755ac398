"""The decision: AWS's documented policy evaluation logic, in three values.

Order of reasoning (IAM User Guide, "Policy evaluation logic" and "Cross-account policy
evaluation logic"):
1. An applicable Deny in any policy (identity, resource, SCP, RCP, boundary, session) denies.
2. Every SCP level from the root to the principal's account must allow (not for the management
   account or service-linked roles); every RCP level of the resource's account likewise.
3. Same account: the identity policies (within the permissions boundary and session policies)
   or the resource policy grant. A resource policy naming the user or role session grants on
   its own; naming the role, it is still limited by the boundary and session policies; naming
   the account, it defers to the identity policies. Role trust policies and KMS key policies
   must allow in every case.
4. Cross account: the identity side (identity policies within boundary and session policies)
   and the resource policy must both allow.
A statement whose condition the caller cannot decide counts as "maybe": a maybe-Allow makes the
result CONDITIONAL where a certain Allow would have allowed, and a maybe-Deny makes an otherwise
allowed result CONDITIONAL, never ALLOWED. The undecided conditions travel with the decision.

On a scope (a resource pattern such as ``bucket/home/*``, standing for all the ARNs it matches)
the same reasoning holds for the whole scope: a statement takes part only if its Resource covers
all of it. An Allow covering part of it grants nothing there (that part is a scope of its own);
a Deny covering part of it leaves the decision as it is but lists its pattern in `excluded`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from kg.analysis.policy.conditions import ConditionClause, ConditionContext
from kg.analysis.policy.decision import Decision, Outcome, UndecidedCondition
from kg.analysis.policy.document import Effect
from kg.analysis.policy.policy import Policy, Statement, StatementRef
from kg.analysis.policy.principals import Naming, Principal, PrincipalKind
from kg.analysis.policy.request import (
    OrgLevel,
    PolicySet,
    Request,
    Resource,
    rcps_apply,
    request_context,
    resource_account,
    scps_apply,
    service_and_region,
)
from kg.analysis.policy.truth import Truth, truth_all

# Actions a role's trust policy must allow even within one account: assuming the role, and the
# session tags and source identity passed with it. (KMS key policies are the other such case.)
_TRUST_ACTIONS = ("sts:assumerole", "sts:tagsession", "sts:setsourceidentity")


_GRANTEES = {
    Naming.DIRECT: "the principal itself",
    Naming.ROLE: "the principal's role",
    Naming.ACCOUNT: "the principal's account",
}


@dataclass(frozen=True)
class _Hit:
    """A statement that applies to the principal and resource, for certain or maybe."""

    statement: Statement
    truth: Truth
    clauses: tuple[ConditionClause, ...]
    naming: Naming | None  # how a resource policy statement names the principal
    partial: tuple[str, ...] = ()  # a Deny covering only part of a scope: its patterns there

    def undecided(self) -> UndecidedCondition:
        return UndecidedCondition(self.statement.ref, self.statement.effect, self.clauses)


@dataclass(frozen=True)
class _Verdict:
    truth: Truth
    refs: tuple[StatementRef, ...] = ()
    pending: tuple[UndecidedCondition, ...] = ()
    reason: str = ""


_YES = _Verdict(Truth.TRUE)


def _allows(hits: Iterable[_Hit], missing: str) -> _Verdict:
    """Whether some Allow statement among `hits` grants."""
    allows = [hit for hit in hits if hit.statement.effect is Effect.ALLOW]
    certain = [hit.statement.ref for hit in allows if hit.truth is Truth.TRUE]
    if certain:
        return _Verdict(Truth.TRUE, tuple(certain))
    if allows:
        return _Verdict(
            Truth.UNKNOWN,
            tuple(hit.statement.ref for hit in allows),
            tuple(hit.undecided() for hit in allows),
        )
    return _Verdict(Truth.FALSE, reason=missing)


def _all_of(*verdicts: _Verdict) -> _Verdict:
    for verdict in verdicts:
        if verdict.truth is Truth.FALSE:
            return verdict
    return _Verdict(
        truth_all(verdict.truth for verdict in verdicts),
        tuple(dict.fromkeys(ref for verdict in verdicts for ref in verdict.refs)),
        tuple(dict.fromkeys(item for verdict in verdicts for item in verdict.pending)),
    )


def _any_of(*verdicts: _Verdict) -> _Verdict:
    for truth in (Truth.TRUE, Truth.UNKNOWN):
        chosen = [verdict for verdict in verdicts if verdict.truth is truth]
        if chosen:
            return _all_of(*chosen)
    return _Verdict(Truth.FALSE, reason="; ".join(verdict.reason for verdict in verdicts))


@dataclass
class _Plan:
    """Statements that apply to one principal and resource and cover one of the lowercased
    actions asked about (the others take no part in those actions' decisions)."""

    principal: Principal
    resource: Resource
    policies: PolicySet
    actions: frozenset[str]
    identity: list[_Hit]
    resource_hits: list[_Hit]
    boundary: list[_Hit]
    session: list[_Hit]
    scp_levels: list[tuple[OrgLevel, list[_Hit]]]
    rcp_levels: list[tuple[OrgLevel, list[_Hit]]]

    def decide_all(self) -> dict[str, Decision]:
        """The decision for each of the actions.

        A decision depends on the action only through its service, whether it needs the
        resource policy, and which of this plan's statements cover it. So the actions are split
        into classes alike in all three, using each statement's covered actions (computed once
        per statement and action set), and each class is decided once.
        """
        actions = self.actions
        with_scps = scps_apply(self.principal, self.policies)
        own = (self.identity, self.resource_hits, self.boundary, self.session)
        decided: dict[str, Decision] = {}
        for (service, needs_resource_policy), of_service in _action_classes(
            actions, _is_kms_key(self.resource.arn)
        ):
            # Levels that do not apply are neither denies nor grants: leave them out.
            with_rcps = rcps_apply(self.principal, self.resource, self.policies, service)
            scp_levels = self.scp_levels if with_scps else []
            rcp_levels = self.rcp_levels if with_rcps else []
            every = [*own, *(hits for _, hits in scp_levels), *(hits for _, hits in rcp_levels)]
            covers = [hit.statement.covered(actions) for hits in every for hit in hits]
            for alike in _split(of_service, covers):
                sample = next(iter(alike))
                scps = [(level, _covering(hits, sample, actions)) for level, hits in scp_levels]
                rcps = [(level, _covering(hits, sample, actions)) for level, hits in rcp_levels]
                groups = (
                    *(_covering(hits, sample, actions) for hits in own),
                    *(hits for _, hits in scps),
                    *(hits for _, hits in rcps),
                )
                decision = self._decision(
                    needs_resource_policy,
                    groups,
                    scps if with_scps else None,
                    rcps if with_rcps else None,
                )
                decided.update(dict.fromkeys(alike, decision))
        return decided

    def _decision(
        self,
        needs_resource_policy: bool,
        groups: tuple[list[_Hit], ...],
        scp_levels: list[tuple[OrgLevel, list[_Hit]]] | None,
        rcp_levels: list[tuple[OrgLevel, list[_Hit]]] | None,
    ) -> Decision:
        """The decision from the statements covering the action, group by group (identity,
        resource, boundary, session, then each applying level); levels None do not apply."""
        identity, on_resource, boundary, session = groups[:4]
        hits = [hit for group in groups for hit in group]
        denies = [hit for hit in hits if hit.statement.effect is Effect.DENY and not hit.partial]
        excluded = tuple(dict.fromkeys(text for hit in hits for text in hit.partial))
        certain_denies = tuple(hit.statement.ref for hit in denies if hit.truth is Truth.TRUE)
        if certain_denies:
            return Decision(
                Outcome.DENIED,
                certain_denies,
                reason="explicitly denied by " + ", ".join(map(str, certain_denies)),
            )

        grant = self._grant(needs_resource_policy, identity, on_resource, boundary, session)
        if grant.truth is Truth.FALSE:  # what _all_of would answer: the first FALSE verdict
            return Decision(Outcome.IMPLICIT_DENY, reason=grant.reason)
        verdict = _all_of(
            grant,
            _levels(scp_levels, "SCP") if scp_levels is not None else _YES,
            _levels(rcp_levels, "RCP") if rcp_levels is not None else _YES,
        )
        if verdict.truth is Truth.FALSE:
            return Decision(Outcome.IMPLICIT_DENY, reason=verdict.reason)
        if verdict.truth is Truth.TRUE and not denies:
            return Decision(
                Outcome.ALLOWED,
                verdict.refs,
                reason="allowed by " + ", ".join(map(str, verdict.refs)),
                excluded=excluded,
            )
        return Decision(
            Outcome.CONDITIONAL,
            verdict.refs,
            verdict.pending + tuple(hit.undecided() for hit in denies),
            reason="allowed only if the undecided conditions hold",
            excluded=excluded,
        )

    def _grant(
        self,
        needs_resource_policy: bool,
        identity_hits: list[_Hit],
        resource_hits: list[_Hit],
        boundary_hits: list[_Hit],
        session_hits: list[_Hit],
    ) -> _Verdict:
        """Whether the identity side, the resource policy, or both, as the request needs."""
        principal = self.principal
        on_resource = _allows(
            resource_hits,
            "the resource policy does not allow it"
            if self.policies.resource is not None
            else "there is no resource policy",
        )
        if not principal.has_account:
            return on_resource  # services, federated and anonymous callers have no identity side
        is_root = principal.kind is PrincipalKind.ROOT
        identity = _YES if is_root else _allows(identity_hits, "no identity policy allows it")
        boundary = (
            _allows(boundary_hits, "the permissions boundary does not allow it")
            if self.policies.boundary is not None and not is_root
            else _YES
        )
        session = (
            _allows(session_hits, "the session policies do not allow it")
            if self.policies.session is not None and not is_root
            else _YES
        )
        identity_side = _all_of(identity, boundary, session)
        if resource_account(principal, self.resource) != principal.account_id:
            return _all_of(identity_side, on_resource)

        if on_resource.truth is Truth.FALSE:
            return on_resource if needs_resource_policy else _any_of(identity_side, on_resource)

        def named(naming: Naming) -> _Verdict:
            hits = [hit for hit in resource_hits if hit.naming is naming]
            return _allows(hits, f"the resource policy does not grant to {_GRANTEES[naming]}")

        resource_side = _any_of(
            named(Naming.DIRECT), _all_of(named(Naming.ROLE), boundary, session)
        )
        if needs_resource_policy:
            return _any_of(resource_side, _all_of(named(Naming.ACCOUNT), identity_side))
        return _any_of(identity_side, resource_side)


def _levels(levels: list[tuple[OrgLevel, list[_Hit]]], kind: str) -> _Verdict:
    return _all_of(
        *(
            _allows(hits, f"no {kind} attached to {level.target} allows it")
            for level, hits in levels
        )
    )


def _covering(hits: list[_Hit], action: str, actions: frozenset[str]) -> list[_Hit]:
    """The hits whose statement covers `action`, one of the lowercased `actions`."""
    return [hit for hit in hits if action in hit.statement.covered(actions)]


def _split(actions: frozenset[str], covers: Iterable[frozenset[str]]) -> list[frozenset[str]]:
    """`actions` split into classes that each of `covers` holds entirely or not at all."""
    classes = [actions]
    for cover in covers:
        classes = [part for alike in classes for part in (alike & cover, alike - cover) if part]
    return classes


def _is_kms_key(resource_arn: str) -> bool:
    return ":key/" in resource_arn


def _needs_resource_policy(action: str, key_resource: bool) -> bool:
    """Trust policies, and KMS key policies, must allow even within one account."""
    if action.startswith(_TRUST_ACTIONS):
        return True
    return key_resource and action.startswith("kms:")


@lru_cache(maxsize=4096)
def _action_classes(
    actions: frozenset[str], key_resource: bool
) -> tuple[tuple[tuple[str, bool], frozenset[str]], ...]:
    """The lowercased actions grouped by service and whether they need the resource policy."""
    classes: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for action in actions:
        service = action.partition(":")[0]
        classes[(service, _needs_resource_policy(action, key_resource))].add(action)
    return tuple((key, frozenset(alike)) for key, alike in classes.items())


@lru_cache(maxsize=4096)
def _lowercased(actions: tuple[str, ...]) -> frozenset[str]:
    """One shared set per distinct action list, so that per-set caches find it again."""
    return frozenset(action.lower() for action in actions)


def _hits(
    policies: Iterable[Policy],
    actions: frozenset[str],
    principal: Principal,
    resource: Resource,
    context: ConditionContext,
    has_boundary: bool,
) -> list[_Hit]:
    hits = []
    for policy in policies:
        for statement in policy.statements:
            if not statement.covered(actions):
                continue
            hit = _hit(statement, principal, resource, context, has_boundary)
            if hit is not None:
                hits.append(hit)
    return hits


def _hit(
    statement: Statement,
    principal: Principal,
    resource: Resource,
    context: ConditionContext,
    has_boundary: bool,
) -> _Hit | None:
    naming = None
    principal_truth = Truth.TRUE
    clauses: tuple[ConditionClause, ...] = ()
    if statement.principal is not None:
        named = statement.names(principal, has_boundary=has_boundary)
        if named is None:
            return None
        naming, principal_truth = named.naming, named.truth
        if principal_truth is Truth.UNKNOWN:
            element = "NotPrincipal" if statement.principal_negated else "Principal"
            prefix = principal.session_arn_prefix or ""
            sessions = sorted(arn for arn in statement.principal.arns if arn.startswith(prefix))
            clauses = (ConditionClause(element, "role session name", tuple(sessions)),)
    partial: tuple[str, ...] = ()
    if resource.scope:
        resource_truth, resource_clauses, partial = statement.matches_scope(
            resource.arn, context.lookup
        )
        if statement.effect is not Effect.DENY:
            partial = ()  # an Allow on part of a scope grants that part, a scope of its own
        elif partial:
            resource_truth = Truth.TRUE  # applies there; the decision keeps it apart
    else:
        resource_truth, resource_clauses = statement.matches_resource(resource.arn, context.lookup)
    if resource_truth is Truth.FALSE:
        return None
    condition_truth, condition_clauses = statement.condition.evaluate(context)
    if condition_truth is Truth.FALSE:
        return None
    truth = truth_all((principal_truth, resource_truth, condition_truth))
    return _Hit(statement, truth, clauses + resource_clauses + condition_clauses, naming, partial)


def _plan(
    principal: Principal,
    resource: Resource,
    policies: PolicySet,
    extra: ConditionContext,
    actions: frozenset[str],
) -> _Plan:
    context = request_context(principal, resource, extra)
    has_boundary = policies.boundary is not None

    def hits(group: Iterable[Policy]) -> list[_Hit]:
        return _hits(group, actions, principal, resource, context, has_boundary)

    return _Plan(
        principal=principal,
        resource=resource,
        policies=policies,
        actions=actions,
        identity=hits(policies.identity),
        resource_hits=hits((policies.resource,) if policies.resource else ()),
        boundary=hits((policies.boundary,) if policies.boundary else ()),
        session=hits(policies.session or ()),
        scp_levels=[(level, hits(level.policies)) for level in policies.scps or ()],
        rcp_levels=[(level, hits(level.policies)) for level in policies.rcps or ()],
    )


def identity_may_allow(
    identity: tuple[Policy, ...], actions: Iterable[str], resource_arn: str
) -> bool:
    """Whether an Allow statement of the identity policies may cover one of the actions on the
    resource. When none does, the identity side allows none of them, whatever the conditions
    and the other policies say (a policy variable counts as matching)."""
    return any(
        statement.matches_resource(resource_arn, _unknown)[0] is not Truth.FALSE
        for statement in _allowing(identity, _lowercased(tuple(actions)))
    )


def identity_may_allow_somewhere(identity: tuple[Policy, ...], actions: Iterable[str]) -> bool:
    """Whether an Allow statement of the identity policies covers one of the actions on some
    resource: when none does, only a resource policy can grant them."""
    return bool(_allowing(identity, _lowercased(tuple(actions))))


def mentions_action(policies: Iterable[Policy], action: str) -> bool:
    """Whether a statement of the policies, Allow or Deny, covers the action: when none does,
    adding or removing those identity policies leaves every decision on the action as it was."""
    actions = _lowercased((action,))
    return any(statement.covered(actions) for policy in policies for statement in policy.statements)


@lru_cache(maxsize=4096)
def _allowing(identity: tuple[Policy, ...], actions: frozenset[str]) -> tuple[Statement, ...]:
    """The Allow statements covering one of the lowercased actions, kept for the requester's
    next resource of the kind (requesters are decided one by one)."""
    return tuple(
        statement
        for policy in identity
        for statement in policy.statements
        if statement.effect is Effect.ALLOW and statement.covered(actions)
    )


def _unknown(key: str) -> None:
    return None


class AlikeRequests:
    """Keys equal for two requests of one action that one principal, under one policy set and
    with one request context, is decided alike on: the resource's account, service, region,
    kind and facts (everything its condition keys come from) and which statements covering
    the action match it. A caller deciding an action over many resources decides each key
    once."""

    def __init__(
        self, principal: Principal, policies: PolicySet, context: ConditionContext
    ) -> None:
        self.principal = principal
        self.context = context
        self._policies = policies.every_policy()
        self._covering: dict[str, tuple[Statement, ...]] = {}
        self._contexts: dict[Hashable, ConditionContext] = {}

    def key(self, action: str, resource: Resource) -> Hashable | None:
        """None for a scope, whose decision also depends on what its Deny statements take
        apart."""
        if resource.scope:
            return None
        facts = (service_and_region(resource.arn), replace(resource, arn=""))
        context = self._contexts.get(facts)
        if context is None:
            context = request_context(self.principal, resource, self.context)
            self._contexts[facts] = context
        matched = tuple(
            statement.matches_resource(resource.arn, context.lookup)[0]
            for statement in self._statements(action)
        )
        return (action, facts, _is_kms_key(resource.arn), matched)

    def _statements(self, action: str) -> tuple[Statement, ...]:
        statements = self._covering.get(action)
        if statements is None:
            actions = _lowercased((action,))
            statements = tuple(
                statement
                for policy in self._policies
                for statement in policy.statements
                if statement.covered(actions)
            )
            self._covering[action] = statements
        return statements


def evaluate(principal: Principal, request: Request, policies: PolicySet) -> Decision:
    """AWS's decision for one request, in four outcomes (see the module docstring)."""
    action = request.action
    return evaluate_actions(principal, (action,), request.resource, policies, request.context)[
        action
    ]


def evaluate_actions(
    principal: Principal,
    actions: Iterable[str],
    resource: Resource,
    policies: PolicySet,
    context: ConditionContext | None = None,
) -> dict[str, Decision]:
    """The decision for each action on one resource, keyed by the action as given.

    Statements are matched against the principal, resource and conditions once, then only
    their Action elements per set of actions, so asking for thousands of actions stays cheap.
    """
    given = tuple(actions)
    plan = _plan(principal, resource, policies, context or ConditionContext(), _lowercased(given))
    decided = plan.decide_all()
    return {action: decided[action.lower()] for action in given}
