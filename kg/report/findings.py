"""Findings: what `kg paths`, `kg privesc`, `kg chokepoints` and `kg coverage` found, each with a
severity, in one shape that the SARIF and OCSF writers and `--fail-on` read.

One mapping per kind of finding (attack path, privilege escalation, chokepoint, coverage gap);
how each severity is derived is documented in docs/operations.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kg.analysis.chokepoints import Chokepoint
from kg.analysis.paths import AttackPath


class Severity(StrEnum):
    """How bad a finding is, lowest first; `--fail-on` takes one of these."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    def raised(self) -> Severity:
        """One step worse (critical stays critical)."""
        return list(Severity)[min(self.rank + 1, len(Severity) - 1)]


@dataclass(frozen=True)
class Rule:
    """What kind of finding this is: one SARIF rule, one OCSF finding type."""

    id: str
    name: str
    summary: str
    help: str


@dataclass(frozen=True)
class Finding:
    rule: Rule
    severity: Severity
    title: str
    message: str
    resource: str  # the ARN (or account id) the finding is about
    resource_kind: str
    account_id: str | None
    # What identifies the finding across runs (stable: no counts, no wording).
    identity: tuple[str, ...]
    related: tuple[str, ...] = ()  # other ARNs the finding names (the start, the hops)
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        digest = hashlib.sha256("\x1f".join((self.rule.id, *self.identity)).encode())
        return digest.hexdigest()[:32]


def at_or_above(found: Iterable[Finding], threshold: Severity) -> list[Finding]:
    return [each for each in found if each.severity.rank >= threshold.rank]


def account_of(arn: str) -> str | None:
    """The account id in an ARN (arn:aws:service:region:account:...), or an account id itself."""
    if arn.isdigit() and len(arn) == 12:
        return arn
    parts = arn.split(":")
    if len(parts) > 4 and parts[0] == "arn" and parts[4].isdigit():
        return parts[4]
    return None


# --- attack paths -----------------------------------------------------------------------------

PATH_RULE = Rule(
    "kg.attack-path",
    "AttackPath",
    "A route from a start to a crown jewel or an admin-equivalent principal.",
    "Each hop of the route is one relationship (network reach, assume role, privilege "
    "escalation, data access) that holds as deployed. Few distinct defensive layers on the "
    "route mean few controls stand between the start and the target. Cut the route where "
    "`kg chokepoints` says one change removes the most routes, or add a control at a layer "
    "the route crosses (the hops list the missing controls).",
)


def path_severity(path: AttackPath) -> Severity:
    """By the defensive layers standing on the route (fewer is worse), one step worse when the
    target is admin-equivalent or the management account."""
    by_layers = {1: Severity.critical, 2: Severity.high, 3: Severity.medium}
    severity = by_layers.get(path.score, Severity.low)
    return severity.raised() if path.target_value >= 3 else severity


def path_findings(found: Sequence[AttackPath]) -> list[Finding]:
    return [
        Finding(
            rule=PATH_RULE,
            severity=path_severity(path),
            title=f"Attack path from {path.source} to {path.target}",
            message=(
                f"{path.source} reaches {path.target}"
                + (f" ({path.target_reason})" if path.target_reason else "")
                + f" in {len(path.hops)} hop(s) across {path.score} defensive layer(s) "
                f"({', '.join(path.layers)}): " + "; ".join(hop.explanation for hop in path.hops)
            ),
            resource=path.target,
            resource_kind="target",
            account_id=account_of(path.target),
            identity=(path.source, *(hop.text for hop in path.hops)),
            related=tuple(dict.fromkeys([path.source, *(hop.target for hop in path.hops)])),
            properties={
                "entry": path.entry,
                "layers": list(path.layers),
                "hops": [hop.text for hop in path.hops],
                "target_reason": path.target_reason,
            },
        )
        for path in found
    ]


# --- privilege escalation ---------------------------------------------------------------------

PRIVESC_RULE = Rule(
    "kg.privesc.exploitable",
    "PrivilegeEscalation",
    "A principal can become admin-equivalent by techniques that work as deployed.",
    "The chain lists each technique and the permissions it uses; every step was checked "
    "against the policies in force (identity, boundaries, SCPs, RCPs, resource policies). "
    "Remove one of the permissions used, or constrain it with a condition, a permissions "
    "boundary or an SCP.",
)
UNDECIDED_RULES = {
    "conditional": Rule(
        "kg.privesc.conditional",
        "ConditionalPrivilegeEscalation",
        "A technique whose permissions hold only under conditions kg cannot decide.",
        "Whether it works depends on request context (source IP, MFA, tags, time) that kg "
        "cannot know ahead of the request. Review the conditions named in the reason.",
    ),
    "unknown": Rule(
        "kg.privesc.unknown",
        "UndecidedPrivilegeEscalation",
        "A technique that depends on a fact kg did not collect.",
        "Collect the missing fact (the reason names it) and derive again to decide it.",
    ),
    "latent": Rule(
        "kg.privesc.latent",
        "LatentPrivilegeEscalation",
        "A technique whose permissions hold but that fails as deployed.",
        "The permissions are granted but something else stops the technique today (the "
        "reason says what); a change to that would make it exploitable.",
    ),
}
# Exploitable escalations are critical; undecided ones are never counted as exploitable, and
# ranked by how close they are to working.
UNDECIDED_SEVERITY = {
    "conditional": Severity.high,
    "unknown": Severity.medium,
    "latent": Severity.low,
}


def privesc_findings(rows: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """Findings of `kg query privesc` rows: each principal that reaches admin by a chain."""
    return [
        Finding(
            rule=PRIVESC_RULE,
            severity=Severity.critical,
            title=f"{row['principal']} can escalate to {row['target']}",
            message=(
                f"{row['principal']} can become admin-equivalent {row['target']} by "
                f"{' then '.join(row['techniques'])}: {'; '.join(row['chain'])}"
            ),
            resource=row["principal"],
            resource_kind="principal",
            account_id=row.get("account_id") or account_of(row["principal"]),
            identity=(row["principal"], row["target"], *row["chain"]),
            related=(row["target"],),
            properties={
                "status": "exploitable",
                "techniques": list(row["techniques"]),
                "chain": list(row["chain"]),
                "permissions": list(row["permissions"] or ()),
            },
        )
        for row in rows
    ]


def undecided_findings(rows: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """Findings of `kg query privesc-latent` rows, each under its status's own rule."""
    return [
        Finding(
            rule=UNDECIDED_RULES[row["status"]],
            severity=UNDECIDED_SEVERITY[row["status"]],
            title=f"{row['principal']} could escalate to {row['target']} ({row['status']})",
            message=(
                f"{row['principal']} to {row['target']} by {row['technique']} is "
                f"{row['status']}: {row['reason']}"
            ),
            resource=row["principal"],
            resource_kind="principal",
            account_id=row.get("account_id") or account_of(row["principal"]),
            identity=(row["principal"], row["target"], row["technique"], row.get("via") or ""),
            related=(row["target"],),
            properties={
                "status": row["status"],
                "technique": row["technique"],
                "permissions": list(row.get("permissions") or ()),
                "grants_admin": row.get("grants_admin"),
            },
        )
        for row in rows
    ]


# --- chokepoints ------------------------------------------------------------------------------

CHOKEPOINT_RULE = Rule(
    "kg.chokepoint",
    "Chokepoint",
    "One hop or node through which routes to targets pass: one change cuts them off.",
    "Apply the fix listed: without this hop or node, the start reaches none of the "
    "disconnected targets (verified by recomputing reachability without it).",
)


def chokepoint_severity(point: Chokepoint) -> Severity:
    """Critical when every route counted passes through it (one misconfiguration there is the
    whole exposure), high when it alone connects several targets, medium otherwise."""
    if point.routes_total and point.routes_removed >= point.routes_total:
        return Severity.critical
    return Severity.high if len(point.disconnected) > 1 else Severity.medium


def chokepoint_findings(points: Sequence[Chokepoint]) -> list[Finding]:
    return [
        Finding(
            rule=CHOKEPOINT_RULE,
            severity=chokepoint_severity(point),
            title=f"Chokepoint: {point.without}",
            message=(
                f"Without {point.without}, {len(point.disconnected)} target(s) become "
                f"unreachable ({point.routes_removed}/{point.routes_total} routes). Fix: "
                + "; ".join(point.fix)
            ),
            resource=point.hop.target if point.hop else point.without,
            resource_kind=point.kind,
            account_id=account_of(point.hop.target if point.hop else point.without),
            identity=(point.without,),
            related=point.disconnected,
            properties={"fix": list(point.fix), "disconnected": list(point.disconnected)},
        )
        for point in points
    ]


# --- coverage gaps ----------------------------------------------------------------------------

GAP_SEVERITY = {"missing": Severity.high, "partial": Severity.medium, "unknown": Severity.low}


def coverage_rule(row: Mapping[str, Any]) -> Rule:
    return Rule(
        f"kg.coverage.{row['control_id']}",
        str(row["control_id"]),
        str(row["title"]),
        f"Layer {row['layer']}, capability {row.get('capability') or '-'}. Remediation: "
        f"{row.get('remediation') or 'see the control catalog.'}",
    )


def coverage_findings(rows: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """A finding per verdict that is not in place (missing, partial or unknown): controls in
    place or not applicable are not findings."""
    found = []
    for row in rows:
        if row["status"] not in GAP_SEVERITY:
            continue
        where = row.get("account_id") or row.get("target_id") or ""
        region = row.get("region") or "global"
        found.append(
            Finding(
                rule=coverage_rule(row),
                severity=GAP_SEVERITY[row["status"]],
                title=f"{row['title']}: {row['status']} in {where} ({region})",
                message=(
                    f"{row['control_id']} ({row['title']}) is {row['status']} for "
                    f"{row.get('account_name') or where} in {region}: "
                    f"{row.get('reason') or row.get('evidence') or 'no evidence'}"
                ),
                resource=str(row.get("target_id") or where),
                resource_kind=str(row.get("target_kind") or "account"),
                account_id=row.get("account_id"),
                identity=(str(row.get("target_id") or where), region),
                properties={
                    "status": row["status"],
                    "layer": row["layer"],
                    "region": region,
                    "ou_path": row.get("ou_path"),
                },
            )
        )
    return found
