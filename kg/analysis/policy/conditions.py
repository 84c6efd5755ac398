"""The Condition element, evaluated in three values against what the caller knows for certain.

Semantics follow AWS's "IAM JSON policy elements: Condition operators" and "Creating a condition
with multiple keys or values": operators are ANDed, keys within an operator are ANDed, the
policy's values for one key are ORed (for negated operators: the request value must match none).
A key missing from the request makes a condition false, except for negated operators (true),
`...IfExists` (true) and `Null` (which tests exactly that). `ForAllValues` is true and
`ForAnyValue` false for a missing or empty key. A key the caller does not know makes the test
UNKNOWN: the statement is then conditional and the test is reported, never guessed, unless
the caller knows values the key cannot hold (an account outside the organization is not in it):
a plain equality test naming only such values is then false (true when negated).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from operator import eq, ge, gt, le, lt
from typing import Any

from kg.analysis.policy.errors import PolicyError
from kg.analysis.policy.truth import Truth, truth_all, truth_any
from kg.analysis.policy.wildcards import Pattern, Resolver, Style

ContextValue = str | bool | int | Sequence[str] | None


@dataclass(frozen=True)
class ConditionContext:
    """Condition keys whose values the caller knows for certain.

    `values` maps a lowercased key to its values; an empty tuple means the key is known to be
    absent from the request. Keys not in `values` are unknown, unless they start with one of
    `complete_prefixes` (for example ``aws:principaltag/`` when all the principal's tags are
    known), in which case they are known to be absent. `excluded` maps an unknown key to values
    it is known not to hold (it may be absent or hold any other value).
    """

    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    complete_prefixes: frozenset[str] = frozenset()
    excluded: Mapping[str, frozenset[str]] = field(default_factory=dict, hash=False)

    @classmethod
    def of(
        cls,
        known: Mapping[str, ContextValue],
        *,
        complete_prefixes: Iterable[str] = (),
        excluded: Mapping[str, Iterable[str]] | None = None,
    ) -> ConditionContext:
        """Build from AWS-cased keys; None marks a key known to be absent."""
        return cls(
            values={key.lower(): _context_values(value) for key, value in known.items()},
            complete_prefixes=frozenset(prefix.lower() for prefix in complete_prefixes),
            excluded={key.lower(): frozenset(values) for key, values in (excluded or {}).items()},
        )

    def lookup(self, key: str) -> tuple[str, ...] | None:
        """The values of a lowercased key: None when unknown, () when known to be absent."""
        values = self.values.get(key)
        if values is not None:
            return values
        if any(key.startswith(prefix) for prefix in self.complete_prefixes):
            return ()
        return None

    def merged(self, override: ConditionContext) -> ConditionContext:
        """This context with `override`'s keys replacing its own."""
        return ConditionContext(
            values={**self.values, **override.values},
            complete_prefixes=self.complete_prefixes | override.complete_prefixes,
            excluded={**self.excluded, **override.excluded},
        )


def _context_values(value: ContextValue) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, str | int):
        return (str(value),)
    return tuple(value)


@dataclass(frozen=True)
class ConditionClause:
    """One operator-key test as written in the policy, e.g. StringEquals aws:SourceAccount."""

    operator: str
    key: str
    values: tuple[str, ...]

    def to_json(self) -> dict[str, dict[str, list[str]]]:
        return {self.operator: {self.key: list(self.values)}}

    @property
    def text(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)


ValueMatcher = Callable[[str, Resolver], Truth]
# Builds the matcher of one policy value; the flag says whether policy variables are resolved.
MatcherFactory = Callable[[str, bool], ValueMatcher]


def _pattern_matcher(style: Style, ignore_case: bool = False) -> MatcherFactory:
    def build(policy_value: str, variables: bool) -> ValueMatcher:
        pattern = Pattern.compile(policy_value, style, ignore_case=ignore_case, variables=variables)
        return pattern.matches

    return build


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _date(text: str) -> datetime | None:
    """ISO 8601 (a W3C profile, as AWS accepts) or epoch seconds; naive times are UTC."""
    text = text.strip()
    number = _number(text)
    try:
        parsed = (
            datetime.fromtimestamp(float(number), UTC)
            if number is not None
            else datetime.fromisoformat(text)
        )
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ordered_matcher(
    parse: Callable[[str], Any], compare: Callable[[Any, Any], bool]
) -> MatcherFactory:
    """Numeric and date operators; a value that does not parse never matches."""

    def build(policy_value: str, variables: bool) -> ValueMatcher:
        expected = parse(policy_value)

        def match(value: str, resolve: Resolver) -> Truth:
            actual = parse(value)
            if expected is None or actual is None:
                return Truth.FALSE
            return Truth.of(compare(actual, expected))

        return match

    return build


def _bool_matcher(policy_value: str, variables: bool) -> ValueMatcher:
    expected = policy_value.strip().lower()
    return lambda value, resolve: Truth.of(value.strip().lower() == expected)


def _binary_matcher(policy_value: str, variables: bool) -> ValueMatcher:
    return lambda value, resolve: Truth.of(value == policy_value)


def _ip_matcher(policy_value: str, variables: bool) -> ValueMatcher:
    try:
        network = ipaddress.ip_network(policy_value.strip(), strict=False)
    except ValueError:
        return lambda value, resolve: Truth.FALSE

    def match(value: str, resolve: Resolver) -> Truth:
        try:
            return Truth.of(ipaddress.ip_address(value.strip()) in network)
        except ValueError:
            return Truth.FALSE

    return match


# Operator -> (negated, matcher factory). A negated operator shares its positive twin's matcher
# and inverts the result per request value.
_OPERATOR_TABLE: tuple[tuple[str, bool, MatcherFactory], ...] = (
    ("StringEquals", False, _pattern_matcher(Style.LITERAL)),
    ("StringNotEquals", True, _pattern_matcher(Style.LITERAL)),
    ("StringEqualsIgnoreCase", False, _pattern_matcher(Style.LITERAL, ignore_case=True)),
    ("StringNotEqualsIgnoreCase", True, _pattern_matcher(Style.LITERAL, ignore_case=True)),
    ("StringLike", False, _pattern_matcher(Style.TEXT)),
    ("StringNotLike", True, _pattern_matcher(Style.TEXT)),
    ("ArnEquals", False, _pattern_matcher(Style.ARN)),
    ("ArnLike", False, _pattern_matcher(Style.ARN)),
    ("ArnNotEquals", True, _pattern_matcher(Style.ARN)),
    ("ArnNotLike", True, _pattern_matcher(Style.ARN)),
    ("NumericEquals", False, _ordered_matcher(_number, eq)),
    ("NumericNotEquals", True, _ordered_matcher(_number, eq)),
    ("NumericLessThan", False, _ordered_matcher(_number, lt)),
    ("NumericLessThanEquals", False, _ordered_matcher(_number, le)),
    ("NumericGreaterThan", False, _ordered_matcher(_number, gt)),
    ("NumericGreaterThanEquals", False, _ordered_matcher(_number, ge)),
    ("DateEquals", False, _ordered_matcher(_date, eq)),
    ("DateNotEquals", True, _ordered_matcher(_date, eq)),
    ("DateLessThan", False, _ordered_matcher(_date, lt)),
    ("DateLessThanEquals", False, _ordered_matcher(_date, le)),
    ("DateGreaterThan", False, _ordered_matcher(_date, gt)),
    ("DateGreaterThanEquals", False, _ordered_matcher(_date, ge)),
    ("Bool", False, _bool_matcher),
    ("BinaryEquals", False, _binary_matcher),
    ("IpAddress", False, _ip_matcher),
    ("NotIpAddress", True, _ip_matcher),
)
_OPERATORS = {name.lower(): (negated, build) for name, negated, build in _OPERATOR_TABLE}

# Operators comparing the whole value with each policy value, literally.
_EQUALITY = frozenset(
    ("stringequals", "stringnotequals", "stringequalsignorecase", "stringnotequalsignorecase")
)
_QUALIFIERS = {"forallvalues": "ForAllValues", "foranyvalue": "ForAnyValue"}
_IF_EXISTS = "ifexists"


@dataclass(frozen=True)
class ConditionTest:
    """One key under one operator, compiled."""

    clause: ConditionClause
    key: str  # lowercased
    null_check: bool
    negated: bool
    qualifier: str | None
    if_exists: bool
    matchers: tuple[ValueMatcher, ...]
    equality: bool = False  # String...Equals on policy values without variables

    @classmethod
    def parse(
        cls, operator: str, key: str, values: tuple[str, ...], where: str, variables: bool
    ) -> ConditionTest:
        qualifier_text, colon, base = operator.partition(":")
        qualifier = None
        if colon:
            qualifier = _QUALIFIERS.get(qualifier_text.lower())
            if qualifier is None:
                raise PolicyError(f"{where}: unknown set operator {qualifier_text!r}")
        else:
            base = qualifier_text
        if_exists = base.lower().endswith(_IF_EXISTS)
        if if_exists:
            base = base[: -len(_IF_EXISTS)]
        clause = ConditionClause(operator, key, values)
        if base.lower() == "null":
            if if_exists:
                raise PolicyError(f"{where}: Null cannot take IfExists")
            return cls(
                clause,
                key.lower(),
                null_check=True,
                negated=False,
                qualifier=qualifier,
                if_exists=False,
                matchers=(),
            )
        known = _OPERATORS.get(base.lower())
        if known is None:
            raise PolicyError(f"{where}: unknown condition operator {operator!r}")
        negated, build = known
        return cls(
            clause,
            key.lower(),
            null_check=False,
            negated=negated,
            qualifier=qualifier,
            if_exists=if_exists,
            matchers=tuple(build(value, variables) for value in values),
            equality=base.lower() in _EQUALITY
            and not (variables and any("${" in value for value in values)),
        )

    def evaluate(self, context: ConditionContext) -> Truth:
        values = context.lookup(self.key)
        if values is None:
            return self._without_excluded(context.excluded.get(self.key, frozenset()))
        if self.null_check:
            absent = not values
            return truth_any(
                Truth.of((value.lower() == "true") == absent) for value in self.clause.values
            )
        if not values:
            if self.if_exists or self.qualifier == "ForAllValues":
                return Truth.TRUE
            if self.qualifier == "ForAnyValue":
                return Truth.FALSE
            return Truth.of(self.negated)
        if self.qualifier is None and len(values) > 1:
            # AWS requires a set operator for multivalued keys and documents no other result.
            return Truth.UNKNOWN
        per_value = (self._matches_one(value, context.lookup) for value in values)
        return truth_all(per_value) if self.qualifier == "ForAllValues" else truth_any(per_value)

    def _without_excluded(self, excluded: frozenset[str]) -> Truth:
        """An unknown key that holds none of `excluded`, against an equality test naming only
        excluded values: absent or another value, the negated test holds and the positive one
        fails (with IfExists, an absent key would pass it: still unknown)."""
        if not (self.equality and excluded) or self.qualifier:
            return Truth.UNKNOWN
        fold = str.lower if "ignorecase" in self.clause.operator.lower() else str
        ruled_out = {fold(value) for value in excluded}
        if not all(fold(value) in ruled_out for value in self.clause.values):
            return Truth.UNKNOWN
        if self.negated:
            return Truth.TRUE
        return Truth.UNKNOWN if self.if_exists else Truth.FALSE

    def _matches_one(self, value: str, resolve: Resolver) -> Truth:
        positive = truth_any(matcher(value, resolve) for matcher in self.matchers)
        return positive.negate() if self.negated else positive


@dataclass(frozen=True)
class ConditionBlock:
    """A statement's whole Condition element: every test must hold."""

    tests: tuple[ConditionTest, ...] = ()

    @classmethod
    def parse(cls, element: object, where: str, variables: bool) -> ConditionBlock:
        if not isinstance(element, Mapping):
            raise PolicyError(f"{where}: expected an object of operators")
        tests = []
        for operator, keys in element.items():
            if not isinstance(keys, Mapping) or not keys:
                raise PolicyError(f"{where}.{operator}: expected an object of condition keys")
            for key, raw in keys.items():
                values = _condition_values(raw, f"{where}.{operator}.{key}")
                tests.append(
                    ConditionTest.parse(operator, key, values, f"{where}.{operator}", variables)
                )
        return cls(tuple(tests))

    def evaluate(self, context: ConditionContext) -> tuple[Truth, tuple[ConditionClause, ...]]:
        """The block's truth, and the clauses that stayed undecided when it is UNKNOWN."""
        undecided = []
        for test in self.tests:
            truth = test.evaluate(context)
            if truth is Truth.FALSE:
                return truth, ()
            if truth is Truth.UNKNOWN:
                undecided.append(test.clause)
        return (Truth.UNKNOWN if undecided else Truth.TRUE), tuple(undecided)


def _condition_values(raw: object, where: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    values = []
    for item in items:
        if isinstance(item, bool):
            values.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            values.append(str(item))
        else:
            raise PolicyError(f"{where}: expected strings, numbers or booleans, got {item!r}")
    return tuple(values)
