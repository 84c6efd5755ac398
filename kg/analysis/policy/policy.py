"""Policies compiled once into matchers, so that evaluating many requests never re-parses them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from kg.analysis.policy.conditions import ConditionBlock, ConditionClause
from kg.analysis.policy.document import (
    VERSION_WITH_VARIABLES,
    Effect,
    StatementElements,
    parse_document,
)
from kg.analysis.policy.errors import PolicyError
from kg.analysis.policy.principals import Named, Naming, Principal, PrincipalSpec
from kg.analysis.policy.truth import Truth, truth_any
from kg.analysis.policy.wildcards import Extent, Pattern, Resolver, Style


class PolicyKind(StrEnum):
    IDENTITY = "identity"  # managed or inline policy of a user, group or role
    RESOURCE = "resource"  # resource-based policy, including a role's trust policy
    SCP = "scp"
    RCP = "rcp"
    BOUNDARY = "boundary"  # permissions boundary
    SESSION = "session"  # session policy passed when the session was created


# Resource-based policies and RCPs say whom they apply to; the others apply to their holder.
_WITH_PRINCIPAL = frozenset({PolicyKind.RESOURCE, PolicyKind.RCP})
# A resource-based policy without Resource covers the resource it is attached to (trust
# policies); identity-side policies must say which resources they cover.
_RESOURCE_REQUIRED = frozenset({PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION})


@dataclass(frozen=True)
class StatementRef:
    """Where a statement lives: policy id (ARN, or "<owner arn>/inline/<name>") and position."""

    policy_id: str
    policy_kind: PolicyKind
    index: int
    sid: str | None

    def __str__(self) -> str:
        label = self.sid if self.sid else f"Statement[{self.index}]"
        return f"{self.policy_id}#{label}"


@dataclass(frozen=True)
class ActionMatcher:
    """An Action (or NotAction) element; action names match case-insensitively."""

    everything: bool
    exact: frozenset[str]  # lowercased full names
    services: frozenset[str]  # lowercased service prefixes written as "prefix:*"
    patterns: tuple[Pattern, ...]  # the other wildcard patterns
    pattern_services: tuple[Pattern, ...]  # the service part of each of those patterns
    _covered: dict[frozenset[str], frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def compile(cls, actions: tuple[str, ...]) -> ActionMatcher:
        exact: set[str] = set()
        services: set[str] = set()
        patterns: list[Pattern] = []
        everything = False
        for action in actions:
            pattern = Pattern.compile(action.lower(), Style.TEXT)
            service, _, name = action.lower().partition(":")
            if pattern.matches_everything:
                everything = True
            elif pattern.is_literal:
                exact.add(action.lower())
            elif name and set(name) == {"*"} and not set(service) & {"*", "?"}:
                services.add(service)
            else:
                patterns.append(pattern)
        pattern_services = tuple(
            Pattern.compile(p.text.partition(":")[0] if ":" in p.text else "*", Style.TEXT)
            for p in patterns
        )
        return cls(
            everything, frozenset(exact), frozenset(services), tuple(patterns), pattern_services
        )

    def may_cover_service(self, service: str) -> bool:
        """Whether some action of the lowercased service prefix could match (an index for speed)."""
        if self.everything or service in self.services:
            return True
        if any(action.partition(":")[0] == service for action in self.exact):
            return True
        return any(pattern.matches(service) is Truth.TRUE for pattern in self.pattern_services)

    def matches(self, action: str) -> bool:
        """`action` must already be lowercased (callers lower it once per request)."""
        if self.everything or action in self.exact:
            return True
        if action.partition(":")[0] in self.services:
            return True
        return any(pattern.matches(action) is Truth.TRUE for pattern in self.patterns)

    def covered(self, actions: frozenset[str]) -> frozenset[str]:
        """The lowercased `actions` it matches, worked out once per set of actions."""
        covered = self._covered.get(actions)
        if covered is None:
            covered = frozenset(action for action in actions if self.matches(action))
            self._covered[actions] = covered
        return covered


@lru_cache(maxsize=65536)
def _shared_action_matcher(actions: tuple[str, ...]) -> ActionMatcher:
    """One matcher per distinct Action list: the same managed policy is parsed for each
    principal it is attached to, and many statements list the same actions."""
    return ActionMatcher.compile(actions)


@dataclass(frozen=True)
class Statement:
    ref: StatementRef
    effect: Effect
    actions: ActionMatcher
    actions_negated: bool
    resources: tuple[Pattern, ...] | None
    resources_negated: bool
    principal: PrincipalSpec | None
    principal_negated: bool
    condition: ConditionBlock
    _covered: dict[frozenset[str], frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def compile(cls, elements: StatementElements, ref: StatementRef, variables: bool) -> Statement:
        resources = (
            tuple(
                Pattern.compile(text, Style.ARN, variables=variables) for text in elements.resources
            )
            if elements.resources is not None
            else None
        )
        return cls(
            ref=ref,
            effect=elements.effect,
            actions=_shared_action_matcher(elements.actions),
            actions_negated=elements.actions_negated,
            resources=resources,
            resources_negated=elements.resources_negated,
            principal=elements.principal,
            principal_negated=elements.principal_negated,
            condition=elements.condition,
        )

    def matches_action(self, action: str) -> bool:
        """Whether the statement covers the lowercased action (Action, or not in NotAction)."""
        return self.actions.matches(action) != self.actions_negated

    def covered(self, actions: frozenset[str]) -> frozenset[str]:
        """The lowercased `actions` the statement covers. Kept per set of actions: a derive
        asks about the same few sets (one per resource type) for every principal."""
        covered = self._covered.get(actions)
        if covered is None:
            covered = self.actions.covered(actions)
            if self.actions_negated:
                covered = actions - covered
            self._covered[actions] = covered
        return covered

    def matches_resource(
        self, arn: str, resolve: Resolver
    ) -> tuple[Truth, tuple[ConditionClause, ...]]:
        """Whether the statement covers the resource; undecided policy variables are returned
        as clauses so that a conditional result can say what it depends on."""
        if self.resources is None:
            return Truth.TRUE, ()
        truth = truth_any(pattern.matches(arn, resolve) for pattern in self.resources)
        if self.resources_negated:
            truth = truth.negate()
        if truth is not Truth.UNKNOWN:
            return truth, ()
        return truth, (self._variables_clause(),)

    def _variables_clause(self) -> ConditionClause:
        """The Resource patterns with policy variables, as an undecided condition."""
        with_variables = tuple(pattern for pattern in self.resources or () if pattern.has_variables)
        keys = sorted({variable.text for p in with_variables for variable in p.variables()})
        element = "NotResource" if self.resources_negated else "Resource"
        return ConditionClause(element, ", ".join(keys), tuple(p.text for p in with_variables))

    def matches_scope(
        self, scope_arn: str, resolve: Resolver
    ) -> tuple[Truth, tuple[ConditionClause, ...], tuple[str, ...]]:
        """Whether the statement covers every ARN of the scope, an ARN pattern (TRUE), none
        (FALSE), or it depends on a policy variable (UNKNOWN, with its clause); and, when it
        covers only some of them, the patterns that say which (NotResource ones prefixed with
        'not ')."""
        if self.resources is None:
            return Truth.TRUE, (), ()
        scope = _scope(scope_arn)
        extents = [pattern.extent(scope, resolve) for pattern in self.resources]
        if Extent.UNKNOWN in extents and Extent.ALL not in extents:
            return Truth.UNKNOWN, (self._variables_clause(),), ()
        some = tuple(
            text
            for pattern, extent in zip(self.resources, extents, strict=True)
            if extent is Extent.SOME and (text := pattern.resolved_text(resolve)) is not None
        )
        if Extent.ALL in extents:
            return Truth.of(not self.resources_negated), (), ()
        if not self.resources_negated:
            return Truth.FALSE, (), some
        if some:
            return Truth.FALSE, (), tuple(f"not {text}" for text in some)
        return Truth.TRUE, (), ()

    def names(self, principal: Principal, *, has_boundary: bool) -> Named | None:
        """How the Principal / NotPrincipal element names the requester (resource policies)."""
        if self.principal is None:
            return None
        if not self.principal_negated:
            return self.principal.names(principal)
        excluded = self.principal.excludes(
            principal, deny=self.effect is Effect.DENY, has_boundary=has_boundary
        )
        applies = excluded.negate()
        return None if applies is Truth.FALSE else Named(Naming.DIRECT, applies)


@lru_cache(maxsize=4096)
def _scope(arn: str) -> Pattern:
    """A scope's ARN pattern, its policy variables kept (a scope may be written with one)."""
    return Pattern.compile(arn, Style.ARN, variables=True)


@dataclass(frozen=True, eq=False)
class Policy:
    """A compiled policy. Parse each document once and share the result between requests."""

    policy_id: str
    kind: PolicyKind
    statements: tuple[Statement, ...]
    document: dict[str, Any] = field(repr=False)

    @classmethod
    def parse(
        cls, document: str | Mapping[str, Any], *, policy_id: str, kind: PolicyKind
    ) -> Policy:
        parsed = parse_document(document, source=policy_id)
        variables = parsed.version == VERSION_WITH_VARIABLES
        statements = []
        for elements in parsed.statements:
            where = f"{policy_id}: Statement[{elements.index}]"
            if (elements.principal is not None) != (kind in _WITH_PRINCIPAL):
                need = "needs" if kind in _WITH_PRINCIPAL else "must not have"
                raise PolicyError(f"{where}: a {kind} policy {need} Principal or NotPrincipal")
            if elements.resources is None and kind in _RESOURCE_REQUIRED:
                raise PolicyError(f"{where}: a {kind} policy needs Resource or NotResource")
            ref = StatementRef(policy_id, kind, elements.index, elements.sid)
            statements.append(Statement.compile(elements, ref, variables))
        return cls(policy_id, kind, tuple(statements), parsed.normalized)
