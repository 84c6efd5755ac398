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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from kg.analysis.policy.truth import Truth

# ARNs have six colon-separated parts; the sixth (the resource) may itself contain colons.
_ARN_BOUNDED_SEGMENTS = 5


class Wildcard(Enum):
    STAR = "*"
    QUESTION = "?"


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
        merged: list[str | Wildcard] = []
        for token in resolved:
            if isinstance(token, str) and merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + token
            else:
                merged.append(token)
        return tuple(merged)
