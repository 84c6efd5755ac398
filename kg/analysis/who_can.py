"""Who can perform one action (on one resource): decided live by the policy engine over the
loaded policies, so the answer names the statements that allow it and any open conditions.
On a resource whose account is known, requesters from outside the organization are asked too:
the external accounts policies name (by account id) and everyone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from kg.analysis import names
from kg.analysis.access import conditions_json, decide, outsiders
from kg.analysis.iam_view import IamView, Target, load_view
from kg.analysis.policy import action_catalog
from kg.errors import UnknownNameError
from kg.graph.driver import Graph
from kg.model.access import RESOURCE_LABELS

# A role is a resource too: sts:AssumeRole is asked of its trust policy.
RESOURCES = names.Accepts(
    "a resource or role",
    by_arn=(*RESOURCE_LABELS, "Role"),
    by_name=(*RESOURCE_LABELS, "Role"),
    bucket_objects=True,
)


class UnknownActionError(UnknownNameError):
    """The action is not an IAM action (per the IAM definition data)."""


@dataclass(frozen=True)
class AskedResource:
    """A resource as a question names it: the ARN asked about (an object ARN stays one) and
    the node that holds its policy, None for an ARN the graph does not hold (--assume-exists)."""

    arn: str
    node: str | None

    @property
    def unseen(self) -> bool:
        return self.node is None


def asked_resource(graph: Graph, text: str, assume_exists: bool = False) -> AskedResource:
    """The resource `text` names (an ARN or a name); with `assume_exists`, an ARN the graph
    does not hold is asked about as a resource kg has not seen, instead of failing."""
    try:
        node = names.resolve(graph, "--resource", text, RESOURCES).key
    except UnknownNameError:
        if assume_exists and text.startswith("arn:"):
            return AskedResource(text, None)
        raise
    return AskedResource(text if text.startswith("arn:") else node, node)


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def _target(view: IamView, resource: AskedResource) -> Target:
    """The resource as the graph knows it; an object (bucket/key) takes its bucket's policy.
    One the view has no policy for (unseen, or a role of an account outside) has none."""
    known = {**view.roles, **{target.arn: target for target in view.resources}}
    found = None if resource.node is None else known.get(resource.node)
    if found is None:
        return Target("", resource.arn, _account_of(resource.arn), None, None)
    return replace(found, arn=resource.arn)


def check_action(action: str) -> None:
    """An IAM action (service:Action), or UnknownActionError offering the closest ones."""
    catalog = action_catalog()
    if catalog.info(action) is not None:
        return
    service = action.split(":", 1)[0]
    candidates = catalog.expand(f"{service}:*") or catalog.actions()
    raise UnknownActionError(
        f"action {action!r} is not a known IAM action (service:Action)",
        names.closest(action, candidates),
    )


def who_can(
    graph: Graph, action: str, resource: AskedResource | None = None
) -> list[dict[str, Any]]:
    """Principals allowed (or conditionally allowed) `action` on `resource` (default: any)."""
    check_action(action)
    view = load_view(graph)
    asked = resource or AskedResource("*", None)
    target = _target(view, asked)
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
                "resource": asked.arn,
                "outcome": str(decision.outcome),
                "allowed_by": sorted({str(ref) for ref in decision.statements}),
                "conditions": conditions_json([decision]),
            }
        )
    return rows
