"""A control's status for one target and region, and how several observations add up to one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.analysis.coverage.facts import Target

IN_PLACE = "in_place"
PARTIAL = "partial"
MISSING = "missing"
UNKNOWN = "unknown"
NOT_APPLICABLE = "not_applicable"
STATUSES = (IN_PLACE, PARTIAL, MISSING, UNKNOWN, NOT_APPLICABLE)
# Which scope put in force what a verdict found in force (None: nothing is).
ACCOUNT_SCOPE = "account"
ORGANIZATION_SCOPE = "organization"
BOTH_SCOPES = "both"
SCOPES = (ACCOUNT_SCOPE, ORGANIZATION_SCOPE, BOTH_SCOPES)


@dataclass(frozen=True)
class Observation:
    """What one look at the graph said: a status, what was looked at and why."""

    status: str
    evidence: str
    reason: str
    weighed: bool = False  # the organization's view was weighed with the account's
    scope: str | None = None  # set where two scopes were weighed (dual_scope.py)


@dataclass(frozen=True)
class Verdict:
    """A control's status for a target (organization, OU or account) in a region."""

    target: Target
    control_id: str
    region: str
    status: str
    evidence: str
    reason: str
    scope: str | None = None  # account, organization or both (SCOPES); None: nothing in force
    weighed: bool = False  # both scopes were weighed: satisfied_by has nothing to add


def combine(observations: Iterable[Observation], every: bool = True) -> Observation:
    """Several observations (regions, policies) as one.

    every: all must be in place (some in place and some missing is partial; only in place and
    unknown ones stay unknown, since what was not seen may be off). any: one in place suffices.
    """
    seen = [o for o in observations if o.status != NOT_APPLICABLE]
    if not seen:
        return Observation(NOT_APPLICABLE, "", "nothing to judge")
    evidence = "; ".join(o.evidence for o in seen if o.evidence)
    statuses = {o.status for o in seen}
    reasons = "; ".join(dict.fromkeys(o.reason for o in seen if o.status != IN_PLACE))
    if statuses == {IN_PLACE}:
        return Observation(IN_PLACE, evidence, seen[0].reason if len(seen) == 1 else "all in place")
    if not every and IN_PLACE in statuses:
        return Observation(IN_PLACE, evidence, "in place in at least one region")
    if MISSING in statuses or PARTIAL in statuses:
        partly = IN_PLACE in statuses or PARTIAL in statuses
        return Observation(PARTIAL if partly else MISSING, evidence, reasons)
    return Observation(UNKNOWN, evidence, reasons)
