"""Wildcard patterns of the IAM policy language, compiled once into regular expressions.

AWS matches three kinds of patterns:
- text patterns (Action names, StringLike values): ``*`` is any run of characters, ``?`` is
  exactly one character;
- ARN patterns (Resource, ArnLike values): the same wildcards, but a wildcard inside one of the
  first five colon-separated segments (partition, service, region, account) stays inside that
  segment, while one in the last segment written may run across colons and slashes, so
  ``arn:aws:s3:::*`` matches every bucket and object and ``arn:*`` matches every ARN;
- literal patterns (StringEquals values): no wildcards at all.
Patterns of 2012-10-17 policies may hold policy variables (``${aws:username}``) that are only
resolved against a request, so a pattern keeps its tokens and builds its regex per resolution,
with a cache so that each distinct resolved pattern is compiled once.

A pattern can also be asked about a scope, another ARN pattern standing for every ARN it
matches (the objects under ``bucket/home/*``): whether it matches all of them, some or none.
The tests for ALL and NONE are sound but not complete: what they cannot settle is SOME, so that
an Allow is never taken to grant more than it does, nor a Deny to spare what it may cover.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from kg.analysis.policy.truth import Truth

# ARNs have six colon-separated parts; the sixth (the resource) may itself contain colons.
_ARN_BOUNDED_SEGMENTS = 5


class Wildcard(Enum):
    STAR = "*"
    QUESTION = "?"


class Extent(Enum):
    """How much of a scope (the ARNs a pattern stands for) a pattern matches."""

    ALL = "all"
    SOME = "some"  # possibly some, possibly all: not settled
    NONE = "none"
    UNKNOWN = "unknown"  # the scope was written with this pattern's unresolved variables


class Style(Enum):
    LITERAL = "literal"
    TEXT = "text"
    ARN = "arn"


@dataclass(frozen=True)
class Variable:
    """A policy variable such as ``${aws:PrincipalTag/team, 'none'}``."""

    key: str  # the condition key, lowercased (keys are case-insensitive)
    text: str  # as written in the policy
    default: str | None


Token = str | Wildcard | Variable

# Looks a condition key up in what the caller knows: None when unknown, () when known to be absent.
Resolver = Callable[[str], tuple[str, ...] | None]

# `${*}`, `${?}` and `${$}` write the characters themselves, without their wildcard meaning.
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def _tokenize(text: str, *, wildcards: bool, variables: bool) -> tuple[Token, ...]:
    tokens: list[Token] = []
    literal: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if variables and text.startswith("${", position):
            end = text.find("}", position + 2)
            if end != -1:
                body = text[position + 2 : end].strip()
                if body in _ESCAPES:
                    literal.append(_ESCAPES[body])
                else:
                    if literal:
                        tokens.append("".join(literal))
                        literal = []
                    tokens.append(_variable(body, text[position : end + 1]))
                position = end + 1
                continue
        if wildcards and char in "*?":
            if literal:
                tokens.append("".join(literal))
                literal = []
            tokens.append(Wildcard(char))
        else:
            literal.append(char)
        position += 1
    if literal:
        tokens.append("".join(literal))
    return tuple(tokens)


def _variable(body: str, text: str) -> Variable:
    key, comma, default = body.partition(",")
    default_value: str | None = None
    if comma:
        default_value = default.strip()
        if len(default_value) >= 2 and default_value[0] == default_value[-1] == "'":
            default_value = default_value[1:-1]
    return Variable(key=key.strip().lower(), text=text, default=default_value)


@lru_cache(maxsize=16384)
def _regex(tokens: tuple[str | Wildcard, ...], style: Style, ignore_case: bool) -> re.Pattern[str]:
    total_colons = sum(token.count(":") for token in tokens if isinstance(token, str))
    bounded_segments = min(_ARN_BOUNDED_SEGMENTS, total_colons)
    colons_seen = 0
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, str):
            parts.append(re.escape(token))
            colons_seen += token.count(":")
            continue
        in_bounded_segment = style is Style.ARN and colons_seen < bounded_segments
        if token is Wildcard.STAR:
            parts.append("[^:]*" if in_bounded_segment else ".*")
        else:
            parts.append("[^:]" if in_bounded_segment else ".")
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(parts), flags)


@dataclass(frozen=True)
class Pattern:
    """One value of an Action, Resource or condition element, ready to match."""

    text: str
    style: Style
    ignore_case: bool
    tokens: tuple[Token, ...]
    # Without variables: the literal text to compare, or the compiled regex; None otherwise.
    _fixed: str | re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fixed: str | re.Pattern[str] | None = None
        if not self.has_variables:
            fixed = self._matcher(tuple(t for t in self.tokens if not isinstance(t, Variable)))
        object.__setattr__(self, "_fixed", fixed)

    @classmethod
    def compile(
        cls, text: str, style: Style, *, ignore_case: bool = False, variables: bool = False
    ) -> Pattern:
        tokens = _tokenize(text, wildcards=style is not Style.LITERAL, variables=variables)
        return cls(text=text, style=style, ignore_case=ignore_case, tokens=tokens)

    @property
    def has_variables(self) -> bool:
        return any(isinstance(token, Variable) for token in self.tokens)

    @property
    def is_literal(self) -> bool:
        return all(isinstance(token, str) for token in self.tokens)

    @property
    def matches_everything(self) -> bool:
        """True for ``*`` (and ``**``...), which AWS writers use to mean any value."""
        return bool(self.tokens) and all(token is Wildcard.STAR for token in self.tokens)

    def variables(self) -> tuple[Variable, ...]:
        return tuple(token for token in self.tokens if isinstance(token, Variable))

    def matches(self, value: str, resolve: Resolver | None = None) -> Truth:
        """Whether `value` matches; UNKNOWN only when a variable cannot be resolved."""
        matcher = self._fixed
        if matcher is None:
            resolved = self._resolve(resolve)
            if isinstance(resolved, Truth):
                return resolved
            matcher = self._matcher(resolved)
        if isinstance(matcher, str):
            return Truth.of((value.lower() if self.ignore_case else value) == matcher)
        return Truth.of(matcher.fullmatch(value) is not None)

    def _matcher(self, tokens: tuple[str | Wildcard, ...]) -> str | re.Pattern[str]:
        if all(isinstance(token, str) for token in tokens):
            literal = "".join(token for token in tokens if isinstance(token, str))
            return literal.lower() if self.ignore_case else literal
        return _regex(tokens, self.style, self.ignore_case)

    def resolved_text(self, resolve: Resolver | None) -> str | None:
        """The pattern with its variables substituted (wildcards and escapes as written); the
        text as written when one is unknown; None when one is absent without a default."""
        if self._fixed is not None:
            return self.text
        resolved = self._resolve(resolve)
        if resolved is Truth.FALSE:
            return None
        if isinstance(resolved, Truth):
            return self.text
        return "".join(_written(token) for token in resolved)

    def extent(self, scope: Pattern, resolve: Resolver | None = None) -> Extent:
        """How many of the ARNs `scope` stands for this (ARN) pattern matches. A variable that
        is absent matches none; one that is unknown leaves UNKNOWN where the scope was written
        as this very pattern, and SOME (unless it can meet none of the scope) elsewhere."""
        if self._fixed is not None:  # no variables: the tokens are the resolved ones
            return _extent(self.tokens, scope, self.style, all_settled=True)
        resolved = self._resolve(resolve)
        if resolved is Truth.FALSE:
            return Extent.NONE
        if isinstance(resolved, Truth):
            if scope.text == self.text:
                return Extent.UNKNOWN
            as_stars = tuple(Wildcard.STAR if isinstance(t, Variable) else t for t in self.tokens)
            return _extent(_merged(as_stars), scope, self.style, all_settled=False)
        return _extent(resolved, scope, self.style, all_settled=True)

    def _resolve(self, resolve: Resolver | None) -> tuple[str | Wildcard, ...] | Truth:
        """Substitute variables; FALSE when one is absent without default, UNKNOWN when unknown."""
        resolved: list[str | Wildcard] = []
        for token in self.tokens:
            if not isinstance(token, Variable):
                resolved.append(token)
                continue
            values = resolve(token.key) if resolve is not None else None
            if values is None or len(values) > 1:
                return Truth.UNKNOWN
            if not values:
                if token.default is None:
                    return Truth.FALSE
                resolved.append(token.default)
            else:
                resolved.append(values[0])
        return _merged(resolved)


def _merged(tokens: Iterable[str | Wildcard]) -> tuple[str | Wildcard, ...]:
    """Adjacent literal tokens joined into one."""
    merged: list[str | Wildcard] = []
    for token in tokens:
        if isinstance(token, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + token
        else:
            merged.append(token)
    return tuple(merged)


def _written(token: str | Wildcard) -> str:
    """A token as a policy writes it: literal wildcard characters escaped."""
    if isinstance(token, Wildcard):
        return token.value
    return "".join(f"${{{char}}}" if char in _ESCAPES else char for char in token)


@lru_cache(maxsize=65536)
def _extent(
    tokens: tuple[str | Wildcard, ...], scope: Pattern, style: Style, *, all_settled: bool
) -> Extent:
    """ALL when every ARN of the scope surely matches `tokens` (only if `all_settled`: no
    variable stood for a wildcard), NONE when none can, SOME otherwise."""
    head = _literal_head(scope.tokens)
    if scope.is_literal:
        matched = _regex(tokens, style, False).fullmatch(head) is not None
        return Extent.ALL if matched and all_settled else Extent.SOME if matched else Extent.NONE
    if not _may_start_with(tokens, style, head):
        return Extent.NONE
    if all_settled and (tokens == scope.tokens or _covers_all_after(tokens, style, head)):
        return Extent.ALL
    return Extent.SOME


def _literal_head(tokens: tuple[Token, ...]) -> str:
    """The literal text a pattern's matches all begin with (up to its first wildcard or
    variable)."""
    head = []
    for token in tokens:
        if not isinstance(token, str):
            break
        head.append(token)
    return "".join(head)


def _covers_all_after(tokens: tuple[str | Wildcard, ...], style: Style, head: str) -> bool:
    """Whether every string beginning with `head` matches: the pattern ends with ``*`` and the
    rest of it matches a beginning of `head` (the final ``*`` takes what follows)."""
    if not tokens or tokens[-1] is not Wildcard.STAR:
        return False
    rest = _regex(tokens[:-1], style, False)
    return any(rest.fullmatch(head[:end]) for end in range(len(head) + 1))


def _may_start_with(tokens: tuple[str | Wildcard, ...], style: Style, head: str) -> bool:
    """Whether some string the pattern matches begins with `head`: the pattern is run over
    `head` as an automaton, wildcards bounded to their ARN segment as in `_regex`."""
    total_colons = sum(token.count(":") for token in tokens if isinstance(token, str))
    bounded_segments = min(_ARN_BOUNDED_SEGMENTS, total_colons)
    steps: list[tuple[str | Wildcard, bool]] = []  # a character or a wildcard, and bounded
    colons_seen = 0
    for token in tokens:
        if isinstance(token, str):
            steps.extend((char, False) for char in token)
            colons_seen += token.count(":")
        else:
            steps.append((token, style is Style.ARN and colons_seen < bounded_segments))

    def closure(states: set[int]) -> set[int]:
        found = set(states)
        for state in sorted(states):
            while state < len(steps) and steps[state][0] is Wildcard.STAR:
                state += 1
                found.add(state)
        return found

    states = closure({0})
    for char in head:
        following: set[int] = set()
        for state in states:
            if state == len(steps):
                continue
            step, bounded = steps[state]
            if isinstance(step, str):
                if step == char:
                    following.add(state + 1)
            elif not (bounded and char == ":"):
                following.add(state if step is Wildcard.STAR else state + 1)
        states = closure(following)
        if not states:
            return False
    return True
