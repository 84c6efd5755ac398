"""Crown jewels: the targets attack paths lead to, and why each one matters.

Marked with the CrownJewel label, each with every reason that applies (`crown_jewel=true`,
`crown_jewel_reason` joined with "; "): admin-equivalent principals (`is_admin`, set by the
access analysis), the organization's management account, resources and principals whose tags say
they are sensitive, buckets Amazon Macie scores sensitive, and whatever a crown jewel file names
by ARN or ARN pattern.

With no configuration the defaults below apply. A file (`--crown-jewels FILE` or the
KG_CROWN_JEWELS variable) looks like this; every section is optional:

    crown_jewels:                      # ARNs or glob patterns (* and ?), with an optional reason
      - arn: "arn:aws:s3:::prod-*"
        reason: production data
      - arn: arn:aws:iam::123456789012:role/payments-admin
    tags:                              # replaces the default tag rules; [] turns them off
      - key: data-classification
        values: [restricted, confidential]
      - key: crown-jewel                # no values: any value of the key
    macie:
      min_sensitivity_score: 51        # Macie's "Sensitive" label starts at 51; null turns it off

Tag keys and values compare case-insensitively; ARN patterns case-sensitively, like ARNs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.errors import ConfigError
from kg.graph.driver import Graph

ENV_VAR = "KG_CROWN_JEWELS"
MACIE_SENSITIVE_SCORE = 51  # Macie labels buckets scoring 51 to 100 "Sensitive"


@dataclass(frozen=True)
class TagRule:
    """A tag key and the values that make a node sensitive (none: any value)."""

    key: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArnRule:
    """An ARN or a glob pattern of ARNs, and why what it names matters."""

    pattern: str
    reason: str = ""

    def regex(self) -> str:
        """The pattern as an anchored regular expression (the same in Python and Cypher)."""
        parts = (
            ".*" if piece == "*" else "." if piece == "?" else re.escape(piece)
            for piece in re.split(r"([*?])", self.pattern)
        )
        return "".join(parts)

    def matches(self, arn: str) -> bool:
        return re.fullmatch(self.regex(), arn) is not None

    def mark_reason(self) -> str:
        return self.reason or f"named in the crown jewel file ({self.pattern})"


DEFAULT_TAGS = (
    TagRule("data-classification", ("confidential", "restricted", "secret")),
    TagRule("sensitive", ("true",)),
)


@dataclass(frozen=True)
class CrownJewelConfig:
    arns: tuple[ArnRule, ...] = ()
    tags: tuple[TagRule, ...] = DEFAULT_TAGS
    macie_min_score: int | None = MACIE_SENSITIVE_SCORE

    def tag_params(self) -> dict[str, list[str]]:
        """'key=value' pairs and 'key=' prefixes (any value), lower case, for the query."""
        return {
            "tag_pairs": [f"{r.key}={v}".lower() for r in self.tags for v in r.values],
            "tag_keys": [f"{r.key}=".lower() for r in self.tags if not r.values],
        }


DEFAULT = CrownJewelConfig()
_SECTIONS = ("crown_jewels", "tags", "macie")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected a non-empty string")
    return value.strip()


def _mapping(value: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a mapping with {', '.join(allowed)}")
    unknown = sorted(set(map(str, value)) - set(allowed))
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(allowed)})")
    return value


def _entries(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list")
    return value


def _arn_rule(entry: Any, where: str) -> ArnRule:
    if isinstance(entry, str):
        entry = {"arn": entry}
    fields = _mapping(entry, where, ("arn", "reason"))
    pattern = _text(fields.get("arn"), f"{where}.arn")
    if not pattern.startswith("arn:"):
        raise ValueError(f"{where}.arn: {pattern!r} is not an ARN (starts with 'arn:')")
    reason = fields.get("reason")
    return ArnRule(pattern, "" if reason is None else _text(reason, f"{where}.reason"))


def _tag_rule(entry: Any, where: str) -> TagRule:
    fields = _mapping(entry, where, ("key", "values"))
    key = _text(fields.get("key"), f"{where}.key")
    values = _entries(fields.get("values"), f"{where}.values")
    return TagRule(key, tuple(_text(str(v), f"{where}.values[{i}]") for i, v in enumerate(values)))


def _macie_score(section: Any) -> int | None:
    fields = _mapping(section or {}, "macie", ("min_sensitivity_score",))
    score = fields.get("min_sensitivity_score", MACIE_SENSITIVE_SCORE)
    if score is None:
        return None
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 100:
        raise ValueError("macie.min_sensitivity_score: expected an integer from 1 to 100 or null")
    return score


def parse_config(document: Any) -> CrownJewelConfig:
    """A config from the parsed YAML document; ValueError names the first thing wrong."""
    if document is None:
        return DEFAULT
    fields = _mapping(document, "the file", _SECTIONS)
    arns = tuple(
        _arn_rule(entry, f"crown_jewels[{i}]")
        for i, entry in enumerate(_entries(fields.get("crown_jewels"), "crown_jewels"))
    )
    tags = (
        tuple(
            _tag_rule(entry, f"tags[{i}]")
            for i, entry in enumerate(_entries(fields["tags"], "tags"))
        )
        if "tags" in fields
        else DEFAULT_TAGS
    )
    return CrownJewelConfig(arns, tags, _macie_score(fields.get("macie")))


def load_config(path: Path | None) -> CrownJewelConfig:
    """The config in a YAML file (the defaults without one); ConfigError names file and fault."""
    if path is None:
        return DEFAULT
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return parse_config(document)
    except OSError as exc:
        raise ConfigError(f"crown jewel file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"crown jewel file {path}: not valid YAML{where}") from None
    except ValueError as exc:
        raise ConfigError(f"crown jewel file {path}: {exc}") from None


# The mark label finds the previous run's crown jewels with a label scan, not a scan of every node.
_CLEAR = """
MATCH (n:CrownJewel)
REMOVE n:CrownJewel, n.crown_jewel, n.crown_jewel_reason
"""
# Each part yields (node, rank, reason); the ranks order the reasons of one node.
_MARK = """
CALL {
  MATCH (p:Principal) WHERE p.is_admin = true
  RETURN p AS n, 1 AS rank, 'admin-equivalent principal' AS reason
  UNION
  MATCH (o:Organization)
  MATCH (a:Account {account_id: o.management_account_id})
  RETURN a AS n, 1 AS rank, 'the organization management account' AS reason
  UNION
  MATCH (n) WHERE (n:Resource OR n:Principal) AND n.tags IS NOT NULL
  WITH n, [tag IN n.tags WHERE toLower(tag) IN $tag_pairs
           OR any(prefix IN $tag_keys WHERE toLower(tag) STARTS WITH prefix)] AS hits
  WHERE size(hits) > 0
  RETURN n, 2 AS rank, 'tagged ' + hits[0] AS reason
  UNION
  MATCH (b:S3Bucket) WHERE $macie_min_score IS NOT NULL
    AND b.macie_sensitivity_score >= $macie_min_score
  RETURN b AS n, 3 AS rank,
         'Macie: sensitive data (sensitivity score ' + toString(b.macie_sensitivity_score) + ')'
         AS reason
  UNION
  UNWIND $arn_rules AS rule
  MATCH (n) WHERE n.arn =~ rule.regex
  RETURN n, 4 AS rank, rule.reason AS reason
}
WITH n, rank, reason ORDER BY rank, reason
WITH n, collect(DISTINCT reason) AS reasons
SET n:CrownJewel, n.crown_jewel = true,
    n.crown_jewel_reason = reduce(text = head(reasons), r IN tail(reasons) | text + '; ' + r)
RETURN count(n) AS marked
"""


def derive(graph: Graph, config: CrownJewelConfig = DEFAULT) -> int:
    """Replace the crown jewel marks; return how many nodes are marked."""
    graph.write(_CLEAR)
    rows = graph.write(
        _MARK,
        **config.tag_params(),
        macie_min_score=config.macie_min_score,
        arn_rules=[{"regex": rule.regex(), "reason": rule.mark_reason()} for rule in config.arns],
    )
    return int(rows[0]["marked"]) if rows else 0
