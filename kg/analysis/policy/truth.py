"""Three-valued truth for facts the graph may not know: a condition key it never saw, a policy
variable it cannot resolve, a session name it cannot predict."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class Truth(Enum):
    """Kleene logic: UNKNOWN is neither true nor false until someone learns more."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @staticmethod
    def of(value: bool) -> Truth:
        return Truth.TRUE if value else Truth.FALSE

    def negate(self) -> Truth:
        if self is Truth.UNKNOWN:
            return self
        return Truth.FALSE if self is Truth.TRUE else Truth.TRUE


def truth_any(values: Iterable[Truth]) -> Truth:
    """TRUE if one is TRUE, else UNKNOWN if one is UNKNOWN, else FALSE (also for no values)."""
    result = Truth.FALSE
    for value in values:
        if value is Truth.TRUE:
            return value
        if value is Truth.UNKNOWN:
            result = value
    return result


def truth_all(values: Iterable[Truth]) -> Truth:
    """FALSE if one is FALSE, else UNKNOWN if one is UNKNOWN, else TRUE (also for no values)."""
    result = Truth.TRUE
    for value in values:
        if value is Truth.FALSE:
            return value
        if value is Truth.UNKNOWN:
            result = value
    return result
