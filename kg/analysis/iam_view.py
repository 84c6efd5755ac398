"""What the IAM analysis reads from the graph: principals with every policy bearing on their
requests (own and group identity policies, boundary, the SCP levels above their account), roles
with their trust policies, and resources with their policies and the RCP levels above them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from kg.analysis.policy import (
    ConditionContext,
    OrgLevel,
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    Principal,
    PrincipalKind,
    Resource,
)
from kg.analysis.policy.conditions import ContextValue
from kg.errors import KgError, about
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords, NodeRef
from kg.model.access import RESOURCE_LABELS


class AccessAnalysisError(KgError):
    """A policy stored in the graph could not be read."""


def requester_context(as_of: str | None, session: bool | None = None) -> ConditionContext:
    """The condition keys kg knows for an attacker's requests. They go through the AWS SDKs and
    CLI, which always use TLS (aws:SecureTransport). They are decided at the snapshot's time
    `as_of` (ISO 8601): aws:CurrentTime and aws:EpochTime. aws:TokenIssueTime is that time for
    temporary credentials (`session`: a role session is taken afresh), absent for long-term keys
    (an IAM user's), unknown when kg cannot tell (None). Without a time the time keys stay
    unknown, so conditional."""
    known: dict[str, ContextValue] = {"aws:SecureTransport": True}
    if as_of is not None:
        moment = datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        known |= {"aws:CurrentTime": stamp, "aws:EpochTime": str(int(moment.timestamp()))}
        if session is not None:
            known["aws:TokenIssueTime"] = stamp if session else None
    return ConditionContext.of(known)


UNTIMED = requester_context(None)


@dataclass(frozen=True)
class Actor:
    """A requester with every policy that bears on its requests (no resource policy yet): a
    user or role, or one from outside the organization (an account, a service, everyone)."""

    label: str
    principal: Principal
    policies: PolicySet
    key: str | None = None  # the node's key when it is not the principal's ARN
    # Of an account outside the organization: counts only where a policy names it, since
    # what policies grant to requesters they do not name is everyone's (AnyPrincipal).
    external: bool = False
    context: ConditionContext = UNTIMED  # what kg knows of its requests (requester_context)

    @property
    def arn(self) -> str:
        return self.principal.arn

    @property
    def node(self) -> NodeRef:
        return (self.label, self.key or self.arn)

    def toward(self, target: Target | None) -> PolicySet:
        """The policies deciding its request on `target`: the target's own policy (a role's
        trust) and the RCPs over the target's account; None: its own, with no resource policy."""
        base = self.policies
        return PolicySet(
            identity=base.identity,
            resource=target.policy if target is not None else None,
            scps=base.scps,
            rcps=target.rcps if target is not None else base.rcps,
            boundary=base.boundary,
            management_account_id=base.management_account_id,
        )


@dataclass(frozen=True)
class Target:
    """A resource-labelled node (or a role, for assumption) and its resource policy."""

    label: str
    arn: str
    account_id: str | None  # None: unknown (an ARN without an account, not in the graph)
    policy: Policy | None
    rcps: tuple[OrgLevel, ...] | None
    region: str | None = None  # from the node, for resources whose ARN names none (S3 buckets)

    def request_resource(self, arn: str | None = None, scope: bool = False) -> Resource:
        """The target, or a part of it such as a bucket's objects, as a request names it;
        `scope`: `arn` is a pattern standing for all the sub-resources it matches."""
        return Resource(arn or self.arn, self.account_id, region=self.region, scope=scope)

    @cached_property
    def policy_text(self) -> str:
        """The policy as JSON text, for cheap pre-checks before a full decision."""
        return json.dumps(self.policy.document) if self.policy is not None else ""


@dataclass(frozen=True)
class IamView:
    actors: dict[str, Actor]
    roles: dict[str, Target]  # role ARN -> its trust policy as the resource policy
    resources: list[Target]
    management_account_id: str | None
    org_id: str | None
    members: frozenset[str]  # the accounts of the organization (or of the snapshot)
    context: ConditionContext = UNTIMED  # every requester's, at the snapshot's time


def parse(document: Any, policy_id: str, kind: PolicyKind, origin: str = "graph") -> Policy:
    try:
        return Policy.parse(document, policy_id=policy_id, kind=kind)
    except PolicyError as exc:
        message = about(f"{origin} policy", policy_id, exc)
        if origin == "graph":  # stored by an earlier load, which did not check it this way
            message += "; reload the account that holds it, or load with --replace"
        raise AccessAnalysisError(message) from None


class PolicyParser:
    """Parses each policy (document, id and kind) once and keeps it. The check before a load and
    the view its derive reads share one, so checking the snapshot's policies costs the derive
    nothing; and a managed policy attached to many principals, or an SCP above many accounts, is
    one (immutable) Policy shared by all of them."""

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, str, PolicyKind], Policy] = {}

    def __call__(
        self, document: Any, policy_id: str, kind: PolicyKind, origin: str = "graph"
    ) -> Policy:
        text = document if isinstance(document, str) else json.dumps(document, sort_keys=True)
        key = (text, policy_id, kind)
        policy = self._parsed.get(key)
        if policy is None:
            policy = self._parsed[key] = parse(document, policy_id, kind, origin)
        return policy

    def __len__(self) -> int:
        return len(self._parsed)


# The organization policy types written in the IAM grammar, and how the analyses read them.
ORG_POLICY_KINDS = {
    "SERVICE_CONTROL_POLICY": PolicyKind.SCP,
    "RESOURCE_CONTROL_POLICY": PolicyKind.RCP,
}


def _stored_policies(records: GraphRecords) -> Iterator[tuple[Any, str, PolicyKind]]:
    """Every policy document the records would store, with the kind `load_view` reads it as:
    IAM policies as identity policies (and as boundaries where one bounds a principal),
    organization policies by type, roles' trust policies and resources' policies."""
    boundaries = {
        row["source"]
        for (rel_type, _, _), rows in records.rels.items()
        if rel_type == "BOUNDS"
        for row in rows
    }
    for row in records.nodes.get("IAMPolicy", []):
        if row.get("document"):
            yield row["document"], row["arn"], PolicyKind.IDENTITY
            if row["arn"] in boundaries:
                yield row["document"], row["arn"], PolicyKind.BOUNDARY
    for row in records.nodes.get("OrgPolicy", []):
        kind = ORG_POLICY_KINDS.get(row.get("policy_type") or "")
        if kind is not None and row.get("document"):
            yield row["document"], row["arn"], kind
    for row in records.nodes.get("Role", []):
        if row.get("trust_policy"):
            yield row["trust_policy"], f"{row['arn']} trust policy", PolicyKind.RESOURCE
    for label in RESOURCE_LABELS:
        for row in records.nodes.get(label, []):
            if row.get("policy"):
                yield row["policy"], f"{row['arn']} policy", PolicyKind.RESOURCE


def check_policies(records: GraphRecords, parser: PolicyParser | None = None) -> PolicyParser:
    """Parse every policy the records would store as the analyses will, so a policy kg cannot
    read rejects the snapshot before anything is written rather than failing the derive after
    the load; the parser holding them, for `load_view` after the load."""
    parser = parser if parser is not None else PolicyParser()
    for document, policy_id, kind in _stored_policies(records):
        parser(document, policy_id, kind, origin="snapshot")
    return parser


_ORG_QUERY = """
MATCH (o:Organization)
OPTIONAL MATCH (root:OrganizationRoot)-[:IN]->(o)
RETURN o.id AS org_id, o.management_account_id AS management,
       coalesce(root.enabled_policy_types, []) AS enabled
LIMIT 1
"""
_LEVELS_QUERY = """
MATCH (a:Account) WHERE NOT coalesce(a.external, false)
OPTIONAL MATCH path = (a)-[:IN*1..12]->(:OrganizationRoot)
WITH a, CASE WHEN path IS NULL THEN [] ELSE nodes(path) END AS chain
RETURN a.account_id AS account_id,
       [n IN chain | {target: coalesce(n.id, n.account_id),
        policies: [(p:OrgPolicy)-[:ATTACHED_TO]->(n) |
                   {arn: p.arn, type: p.policy_type, document: p.document}]}] AS levels
"""
_ACTORS_QUERY = """
MATCH (p:Principal) WHERE p:User OR p:Role
OPTIONAL MATCH (own:IAMPolicy)-[:ATTACHED_TO]->(p)
WITH p, collect(DISTINCT own {.arn, .document}) AS own
OPTIONAL MATCH (p)-[:MEMBER_OF]->(:Group)<-[:ATTACHED_TO]-(inherited:IAMPolicy)
WITH p, own, collect(DISTINCT inherited {.arn, .document}) AS inherited
OPTIONAL MATCH (boundary:IAMPolicy)-[:BOUNDS]->(p)
RETURN CASE WHEN p:User THEN 'User' ELSE 'Role' END AS label, p.arn AS arn,
       p.account_id AS account_id, coalesce(p.service_linked, false) AS service_linked,
       p.trust_policy AS trust_policy, own + inherited AS policies,
       boundary {.arn, .document} AS boundary, p.user_id AS user_id, p.tags AS tags
"""
_RESOURCES_QUERY = """
MATCH (r:Resource)
RETURN [label IN labels(r) WHERE label IN $labels][0] AS label, r.arn AS arn,
       r.account_id AS account_id, r.policy AS policy, r.region AS region
"""
RUNS_AS_QUERY = """
MATCH (i:Ec2Instance)-[:HAS_PROFILE]->(:InstanceProfile)-[:FOR_ROLE]->(r:Role)
RETURN 'Ec2Instance' AS label, i.arn AS source, r.arn AS role
UNION
MATCH (w)-[:HAS_EXECUTION_ROLE|HAS_SERVICE_ROLE|HAS_TASK_ROLE]->(r:Role)
WHERE w:LambdaFunction OR w:SageMakerNotebook OR w:CloudFormationStack OR w:CodeBuildProject
   OR w:GlueJob OR w:EcsTask
RETURN [label IN labels(w) WHERE label <> 'Resource'][0] AS label, w.arn AS source,
       r.arn AS role
"""


def _tag_pairs(tags: Sequence[str] | None) -> tuple[tuple[str, str], ...] | None:
    """Tags stored as 'key=value' strings as pairs; None (unknown) when they could not be read."""
    if tags is None:
        return None
    return tuple((key, value) for key, _, value in (tag.partition("=") for tag in tags))


def _by_arn(policies: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Policies in a fixed order: Neo4j collects them in none, and the order of the statements
    an edge is allowed by (and of its conditions) follows this one."""
    return sorted(policies, key=lambda policy: policy["arn"])


def _org_levels(
    rows: Sequence[dict[str, Any]],
    enabled: Sequence[str],
    kind: PolicyKind,
    parse_policy: Callable[[Any, str, PolicyKind], Policy] = parse,
) -> dict[str, tuple[OrgLevel, ...] | None]:
    """Per account, the levels from the root down with their policies of one kind."""
    wanted = next(name for name, of_kind in ORG_POLICY_KINDS.items() if of_kind is kind)
    levels: dict[str, tuple[OrgLevel, ...] | None] = {}
    for row in rows:
        if not row["levels"] or wanted not in enabled:
            levels[row["account_id"]] = None
            continue
        levels[row["account_id"]] = tuple(
            OrgLevel(
                level["target"],
                tuple(
                    parse_policy(p["document"], p["arn"], kind)
                    for p in _by_arn(level["policies"])
                    if p["type"] == wanted and p["document"]
                ),
            )
            for level in reversed(row["levels"])
        )
    return levels


def load_view(graph: Graph, parse_policy: PolicyParser | None = None) -> IamView:
    """Everything the decisions need, read once from the graph; `parse_policy` may hold the
    policies already parsed (by `check_policies` before the load)."""
    parse_policy = parse_policy if parse_policy is not None else PolicyParser()
    org = graph.read(_ORG_QUERY)
    org_id = org[0]["org_id"] if org else None
    management = org[0]["management"] if org else None
    enabled = org[0]["enabled"] if org else []
    level_rows = graph.read(_LEVELS_QUERY)
    scps = _org_levels(level_rows, enabled, PolicyKind.SCP, parse_policy)
    rcps = _org_levels(level_rows, enabled, PolicyKind.RCP, parse_policy)
    as_of = graph.read("MATCH (a:Account) RETURN max(a.collected_at) AS as_of")[0]["as_of"]
    context = requester_context(as_of)
    # A role is used through a fresh session; a user's requests are signed with its long-term keys.
    session_context = {
        PrincipalKind.ROLE: requester_context(as_of, session=True),
        PrincipalKind.USER: requester_context(as_of, session=False),
    }
    actors: dict[str, Actor] = {}
    roles: dict[str, Target] = {}
    for row in graph.read(_ACTORS_QUERY):
        kind = PrincipalKind.USER if row["label"] == "User" else PrincipalKind.ROLE
        account = row["account_id"]
        user = kind is PrincipalKind.USER
        principal = Principal(
            kind,
            row["arn"],
            account,
            org_id=org_id,
            service_linked=row["service_linked"],
            # A user's requests carry its own tags; a role session's may add or override them.
            tags=_tag_pairs(row["tags"]) if user else None,
            user_id=row["user_id"] if user else None,
        )
        boundary = row["boundary"]
        actors[row["arn"]] = Actor(
            row["label"],
            principal,
            PolicySet(
                identity=tuple(
                    parse_policy(p["document"], p["arn"], PolicyKind.IDENTITY)
                    for p in _by_arn(row["policies"])
                    if p["document"]
                ),
                scps=scps.get(account),
                boundary=parse_policy(boundary["document"], boundary["arn"], PolicyKind.BOUNDARY)
                if boundary and boundary["document"]
                else None,
                management_account_id=management,
            ),
            context=session_context[kind],
        )
        if kind is PrincipalKind.ROLE and row["trust_policy"]:
            trust = parse_policy(
                row["trust_policy"], f"{row['arn']} trust policy", PolicyKind.RESOURCE
            )
            roles[row["arn"]] = Target("Role", row["arn"], account, trust, rcps.get(account))
    resources = [
        Target(
            row["label"],
            row["arn"],
            row["account_id"],
            parse_policy(row["policy"], f"{row['arn']} policy", PolicyKind.RESOURCE)
            if row["policy"]
            else None,
            rcps.get(row["account_id"]),
            row["region"],
        )
        for row in graph.read(_RESOURCES_QUERY, labels=list(RESOURCE_LABELS))
        if row["label"]
    ]
    members = frozenset(row["account_id"] for row in level_rows)
    return IamView(actors, roles, resources, management, org_id, members, context)
