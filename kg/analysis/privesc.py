"""Privilege escalation: which principals can gain an admin-equivalent principal's power, and how.

The technique catalog is data (TECHNIQUES): each technique names the permissions it needs, the
resource each permission must be allowed on, and which targets it reaches. A technique is
reported only when every permission is allowed (for certain, after SCPs, boundaries and
resource policies) on a resource that makes it work, and only towards a target that is
admin-equivalent while the principal is not: passing a role no more powerful than oneself
escalates nothing. The catalog lives in kg.analysis.privesc_techniques.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from kg.analysis.access import ATTACKER_CONTEXT, Candidates, is_admin
from kg.analysis.iam_view import RUNS_AS_QUERY, Actor, IamView, Target, load_view, parse
from kg.analysis.policy import (
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    Resource,
    evaluate,
)
from kg.analysis.privesc_techniques import (
    ANY,
    REWRITTEN_TRUST,
    TECHNIQUES,
    VIA,
    Technique,
    Via,
)
from kg.analysis.workers import map_chunks
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter
from kg.model import load_schema

_OWN_POLICIES_QUERY = """
MATCH (p:Principal)<-[:ATTACHED_TO]-(policy:IAMPolicy)
WHERE (p:User OR p:Role) AND NOT policy:AwsManagedPolicy AND NOT coalesce(policy.inline, false)
RETURN p.arn AS principal, policy.arn AS policy
UNION
MATCH (p:User)-[:MEMBER_OF]->(:Group)<-[:ATTACHED_TO]-(policy:IAMPolicy)
WHERE NOT policy:AwsManagedPolicy AND NOT coalesce(policy.inline, false)
RETURN p.arn AS principal, policy.arn AS policy
"""
_GROUPS_QUERY = """
MATCH (g:Group)
OPTIONAL MATCH (policy:IAMPolicy)-[:ATTACHED_TO]->(g)
WITH g, collect(policy {.arn, .document}) AS policies
RETURN g.arn AS arn, policies, [(u:User)-[:MEMBER_OF]->(g) | u.arn] AS members
"""


@dataclass(frozen=True)
class Estate:
    """What the techniques look at: built from the graph, or in memory by tests."""

    actors: dict[str, Actor]
    roles: dict[str, Target]  # role ARN -> its trust policy
    own_policies: dict[str, tuple[str, ...]]  # principal ARN -> customer managed policy ARNs
    group_policies: dict[str, PolicySet]  # group ARN -> its policies (identity only)
    memberships: dict[str, tuple[str, ...]]  # user ARN -> group ARNs
    runs_as: tuple[tuple[str, str, str], ...] = ()  # (Ec2Instance|LambdaFunction, ARN, role)

    def admins(self) -> frozenset[str]:
        return frozenset(arn for arn, actor in self.actors.items() if is_admin(actor))


@dataclass(frozen=True)
class Finding:
    source: str
    target: str
    technique: Technique
    via: str

    @property
    def permissions(self) -> list[str]:
        return [action for action, _ in self.technique.permissions]


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def _rewritten_trust(actor: Actor) -> Target:
    """The trust policy the attacker writes: its own account may assume the role."""
    account = actor.principal.account_id
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    policy = parse(trust, f"trust rewritten by {actor.arn}", PolicyKind.RESOURCE)
    return Target("Role", "", account or "", policy, None)


def _allowed(actor: Actor, action: str, arn: str, trust: Target | None) -> bool:
    resource = Resource(arn, _account_of(arn) if arn != ANY else None)
    policies = actor.with_resource(trust.policy if trust is not None else None)
    return evaluate(actor.principal, Request(action, resource, ATTACKER_CONTEXT), policies).allowed


def _trusts_service(role: Target, service: str) -> bool:
    policies = PolicySet(resource=role.policy)
    request = Request("sts:AssumeRole", Resource(role.arn, role.account_id))
    return evaluate(Principal(PrincipalKind.SERVICE, service), request, policies).possibly_allowed


@functools.cache
def confined_to_account(technique: Technique) -> bool:
    """Whether the technique works only on targets in the principal's own account: it needs a
    permission on its target that no resource policy can grant (every permission on the target
    but sts:AssumeRole, as `_works` decides them; across accounts such a request needs a
    resource policy), or it acts on a resource that stays in the role's account."""
    return technique.in_role_account or any(
        on == VIA and action != "sts:AssumeRole" for action, on in technique.permissions
    )


Pair = tuple[str, str]  # (via, target)


class Pools:
    """Each technique's possible (via, target) pairs that do not depend on the principal, by
    account, built once: a technique confined to the principal's account looks at that account
    alone, so the search grows with the organization instead of with its square."""

    def __init__(self, estate: Estate, admins: frozenset[str]) -> None:
        self.estate = estate
        self.admins = admins
        self._pairs: dict[Technique, tuple[dict[str | None, list[Pair]], list[Pair]]] = {}
        admin_roles = [estate.roles[arn] for arn in sorted(admins & set(estate.roles))]
        self._assumable = Candidates(admin_roles)

    def pairs(self, technique: Technique, actor: Actor) -> list[Pair]:
        """The (via, target) pairs worth deciding for this actor."""
        confined = confined_to_account(technique)
        if technique.via is Via.ADMIN_ROLE and not confined:
            return [(role.arn, role.arn) for role in self._assumable.naming(actor)]
        if technique not in self._pairs:
            every = list(self._all_pairs(technique))
            by_account: dict[str | None, list[Pair]] = defaultdict(list)
            for via, target in every:
                by_account[_account_of(via)].append((via, target))
            self._pairs[technique] = (by_account, every)
        by_account, every = self._pairs[technique]
        return by_account.get(actor.principal.account_id, []) if confined else every

    def _all_pairs(self, technique: Technique) -> Iterator[Pair]:
        estate, admins = self.estate, self.admins
        match technique.via:
            case Via.ADMIN_GROUP:
                yield from ((group, group) for group in sorted(estate.group_policies))
            case Via.ADMIN_USER | Via.ADMIN_ROLE:
                label = "User" if technique.via is Via.ADMIN_USER else "Role"
                for arn in sorted(admins):
                    if estate.actors[arn].label == label:
                        yield arn, arn
            case Via.PASSABLE_ROLE:
                assert technique.service is not None
                for arn in sorted(admins & set(estate.roles)):
                    if _trusts_service(estate.roles[arn], technique.service):
                        yield arn, arn
            case Via.FUNCTION | Via.INSTANCE:
                label = "LambdaFunction" if technique.via is Via.FUNCTION else "Ec2Instance"
                for source_label, arn, role in estate.runs_as:
                    if source_label == label and role in admins:
                        yield arn, role


def _candidates(technique: Technique, actor: Actor, pools: Pools) -> Iterator[tuple[str, str]]:
    """(via, target) pairs the technique could use for this actor."""
    estate = pools.estate
    match technique.via:
        case Via.OWN_POLICY:
            yield from ((policy, actor.arn) for policy in estate.own_policies.get(actor.arn, ()))
        case Via.SELF:
            if technique.principal_label == actor.label:
                yield actor.arn, actor.arn
        case Via.OWN_GROUP:
            yield from ((group, actor.arn) for group in estate.memberships.get(actor.arn, ()))
        case Via.ADMIN_GROUP:
            if actor.label == "User":
                for group, _ in pools.pairs(technique, actor):
                    policies = estate.group_policies[group]
                    joined = replace(
                        actor.policies, identity=actor.policies.identity + policies.identity
                    )
                    if is_admin(replace(actor, policies=joined)):
                        yield group, actor.arn
        case _:
            yield from (
                (via, target)
                for via, target in pools.pairs(technique, actor)
                if target != actor.arn
            )


def _works(technique: Technique, actor: Actor, via: str, estate: Estate) -> bool:
    for action, on in technique.permissions:
        trust: Target | None = None
        if on == REWRITTEN_TRUST:
            trust = _rewritten_trust(actor)
        elif action == "sts:AssumeRole":
            trust = estate.roles.get(via)
            if trust is None:
                return False
        arn = ANY if on == ANY else via
        if not _allowed(actor, action, arn, trust):
            return False
    return True


def find_escalations(
    estate: Estate, techniques: tuple[Technique, ...] = TECHNIQUES
) -> list[Finding]:
    """Every (principal, technique, via) that gains an admin's power the principal lacks."""
    admins = estate.admins()
    pools = Pools(estate, admins)

    def decide(actors: Sequence[Actor]) -> list[Finding]:
        return [
            Finding(actor.arn, target, technique, via)
            for actor in actors
            for technique in techniques
            for via, target in _candidates(technique, actor, pools)
            if _works(technique, actor, via, estate)
        ]

    return map_chunks(decide, [a for a in estate.actors.values() if a.arn not in admins])


def load_estate(graph: Graph, view: IamView) -> Estate:
    own: dict[str, list[str]] = {}
    for row in graph.read(_OWN_POLICIES_QUERY):
        own.setdefault(row["principal"], []).append(row["policy"])
    group_policies: dict[str, PolicySet] = {}
    memberships: dict[str, list[str]] = {}
    for row in graph.read(_GROUPS_QUERY):
        group_policies[row["arn"]] = PolicySet(
            identity=tuple(
                parse(p["document"], p["arn"], PolicyKind.IDENTITY)
                for p in row["policies"]
                if p["document"]
            )
        )
        for member in row["members"]:
            memberships.setdefault(member, []).append(row["arn"])
    runs_as = tuple((row["label"], row["source"], row["role"]) for row in graph.read(RUNS_AS_QUERY))
    return Estate(
        actors=view.actors,
        roles=view.roles,
        own_policies={arn: tuple(sorted(set(p))) for arn, p in own.items()},
        group_policies=group_policies,
        memberships={arn: tuple(sorted(g)) for arn, g in memberships.items()},
        runs_as=runs_as,
    )


def derive(graph: Graph, view: IamView | None = None) -> int:
    """Rewrite CAN_ESCALATE_TO; return how many edges it wrote.
    `view`: the loaded policies, when the caller has read them already."""
    view = view or load_view(graph)
    estate = load_estate(graph, view)
    records = GraphRecords()
    for finding in find_escalations(estate):
        records.rel(
            "CAN_ESCALATE_TO",
            (estate.actors[finding.source].label, finding.source),
            (estate.actors[finding.target].label, finding.target),
            technique=finding.technique.name,
            permissions=finding.permissions,
            explanation=finding.technique.explanation,
            via=finding.via,
        )
    writer = GraphWriter(graph, load_schema())
    return writer.replace_derived(records, rel_types=["CAN_ESCALATE_TO"]).relationships
