"""Who can perform one action (on one resource): decided live by the policy engine over the
loaded policies, so the answer names the statements that allow it and any open conditions.
On a resource whose account is known, requesters from outside the organization are asked too:
the external accounts policies name (by account id) and everyone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from kg.analysis import names
from kg.analysis.access import conditions_json, decide, outsiders, relative
from kg.analysis.iam_view import IamView, Target, load_view
from kg.analysis.policy import action_catalog
from kg.errors import UnknownNameError
from kg.graph.driver import Graph
from kg.model.access import RESOURCE_LABELS, SUB_RESOURCES

# A role is a resource too: sts:AssumeRole is asked of its trust policy.
RESOURCES = names.Accepts(
    "a resource or role",
    by_arn=(*RESOURCE_LABELS, "Role"),
    by_name=(*RESOURCE_LABELS, "Role"),
    sub_resources=True,
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


def _target(view: IamView, resource: AskedResource, action: str) -> tuple[Target, str | None]:
    """The resource as the graph knows it, and, when the ARN asked is a scope (a pattern of
    sub-resources), what it is written below (the resource's ARN and separator). A sub-resource
    (bucket/key) takes its resource's policy; an alias, or a secret's ARN without its suffix,
    is asked as the key or secret it names (what AWS decides on), but for an action on the
    alias itself. One the view has no policy for (unseen, or a role of an account outside) has
    none."""
    known = {**view.roles, **{target.arn: target for target in view.resources}}
    found = None if resource.node is None else known.get(resource.node)
    if found is None:
        return Target("", resource.arn, _account_of(resource.arn), None, None), None
    separator = SUB_RESOURCES.get(found.label)
    base = found.arn + separator if separator is not None else None
    if base is not None and resource.arn.startswith(base):
        written = any(char in resource.arn[len(base) :] for char in "*?")
        return replace(found, arn=resource.arn), base if written else None
    if resource.arn != found.arn and _on_the_alias(resource.arn, action):
        return replace(found, arn=resource.arn, policy=None), None
    return found, None


def _on_the_alias(arn: str, action: str) -> bool:
    """Whether the action takes the resource type `arn` names (a KMS alias for
    kms:CreateAlias): a key policy does not govern an alias."""
    types = set(action_catalog().resource_type_of(arn))
    return any(use.resource_type in types for use in action_catalog().resource_types(action))


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
    target, base = _target(view, asked, action)
    actors = sorted(view.actors.values(), key=lambda a: a.arn)
    if target.account_id is not None:
        actors += outsiders(view)
    rows = []
    for actor in actors:
        decision = decide(actor, action, target, scope=base is not None)
        if not decision.possibly_allowed:
            continue
        rows.append(
            {
                "principal": actor.node[1],
                "account_id": actor.principal.account_id,
                "resource": target.arn,
                "outcome": str(decision.outcome),
                "allowed_by": sorted({str(ref) for ref in decision.statements}),
                "conditions": conditions_json([decision]),
                "excluding": [relative(t, base or "") for t in decision.excluded] or None,
            }
        )
    return rows
