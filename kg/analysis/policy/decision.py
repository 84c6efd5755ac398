"""What a decision says: the outcome, the statements behind it, and what it still depends on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kg.analysis.policy.conditions import ConditionClause
from kg.analysis.policy.document import Effect
from kg.analysis.policy.policy import StatementRef


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"  # an explicit Deny applies
    IMPLICIT_DENY = "implicit_deny"  # nothing that is needed allows it
    CONDITIONAL = "conditional"  # allowed only if the undecided conditions go the right way


@dataclass(frozen=True)
class UndecidedCondition:
    """The conditions of one statement that the caller's knowledge could not decide."""

    statement: StatementRef
    effect: Effect
    clauses: tuple[ConditionClause, ...]

    def to_json(self) -> dict[str, Any]:
        condition: dict[str, dict[str, list[str]]] = {}
        for clause in self.clauses:
            condition.setdefault(clause.operator, {})[clause.key] = list(clause.values)
        return {
            "policy": self.statement.policy_id,
            "policy_kind": str(self.statement.policy_kind),
            "statement": self.statement.sid or self.statement.index,
            "effect": str(self.effect),
            "condition": condition,
        }


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    statements: tuple[StatementRef, ...] = ()  # the statements that allowed or denied
    conditions: tuple[UndecidedCondition, ...] = ()  # what a CONDITIONAL result depends on
    reason: str = ""
    # On a scope: the Resource patterns of the Denies that take part of it (maybe, under a
    # condition), which an allowed or conditional decision does not claim.
    excluded: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOWED

    @property
    def possibly_allowed(self) -> bool:
        return self.outcome in (Outcome.ALLOWED, Outcome.CONDITIONAL)
