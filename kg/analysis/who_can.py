"""Who can perform one action (on one resource): decided live by the policy engine over the
loaded policies, so the answer names the statements that allow it and any open conditions.
On a resource whose account is known, requesters from outside the organization are asked too:
the external accounts policies name (by account id) and everyone."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kg.analysis.access import conditions_json, decide, outsiders
from kg.analysis.iam_view import IamView, Target, load_view
from kg.analysis.policy import action_catalog
from kg.errors import KgError
from kg.graph.driver import Graph


class UnknownActionError(KgError):
    """The action is not an IAM action (per the IAM definition data)."""


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def _target(view: IamView, arn: str) -> Target:
    """The resource as the graph knows it; an object (bucket/key) takes its bucket's policy."""
    known = {target.arn: target for target in view.resources}
    found = view.roles.get(arn) or known.get(arn) or known.get(arn.split("/", 1)[0])
    if found is None:
        return Target("", arn, _account_of(arn), None, None)
    return replace(found, arn=arn)


def who_can(graph: Graph, action: str, resource: str | None = None) -> list[dict[str, Any]]:
    """Principals allowed (or conditionally allowed) `action` on `resource` (default: any)."""
    if action_catalog().info(action) is None:
        raise UnknownActionError(f"action {action!r}: not a known IAM action (service:Action)")
    view = load_view(graph)
    arn = resource or "*"
    target = _target(view, arn)
    actors = sorted(view.actors.values(), key=lambda a: a.arn)
    if target.account_id is not None:
        actors += outsiders(view)
    rows = []
    for actor in actors:
        decision = decide(actor, action, target)
        if not decision.possibly_allowed:
            continue
        rows.append(
            {
                "principal": actor.node[1],
                "account_id": actor.principal.account_id,
                "resource": arn,
                "outcome": str(decision.outcome),
                "allowed_by": sorted({str(ref) for ref in decision.statements}),
                "conditions": conditions_json([decision]),
            }
        )
    return rows
