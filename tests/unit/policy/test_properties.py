"""Properties of the evaluation that must hold for every policy combination."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.analysis.policy import (
    OrgLevel,
    Outcome,
    Policy,
    PolicyKind,
    PolicySet,
    Principal,
    Request,
    Resource,
    Truth,
    evaluate,
    evaluate_actions,
)
from kg.analysis.policy.policy import ActionMatcher
from kg.analysis.policy.wildcards import Pattern, Style

from .builders import (
    ACCOUNT,
    ALICE,
    BUCKET,
    FULL_AWS_ACCESS,
    KEY,
    OBJECT,
    OPS,
    OPS_ROLE_ARN,
    OTHER_ACCOUNT,
    OU_ID,
    PARTNER,
    ROOT,
    ROOT_ID,
    document,
)

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:PassRole", "kms:Decrypt"]
ACTION_PATTERNS = [*ACTIONS, "*", "s3:*", "s3:Get*", "s3:?utObject", "iam:*", "kms:*"]
RESOURCE_PATTERNS = ["*", BUCKET, f"{BUCKET}/*", "arn:aws:s3:::*", KEY, "arn:aws:kms:*:*:key/*"]
CONDITIONS: list[dict[str, Any] | None] = [
    None,
    {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},  # decided from the principal
    {"StringEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},  # never known: undecided
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
]
GRANTEES: list[object] = [
    "*",
    {"AWS": ALICE.arn},
    {"AWS": ACCOUNT},
    {"AWS": OPS_ROLE_ARN},
    {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
]
REQUESTS = [
    Request("s3:GetObject", Resource(OBJECT, ACCOUNT)),
    Request("s3:PutObject", Resource(OBJECT, ACCOUNT)),
    Request("s3:ListBucket", Resource(BUCKET, ACCOUNT)),
    Request("kms:Decrypt", Resource(KEY, ACCOUNT)),
    Request("iam:PassRole", Resource(f"arn:aws:iam::{ACCOUNT}:role/Deploy", ACCOUNT)),
]
RANK = {Outcome.DENIED: 0, Outcome.IMPLICIT_DENY: 0, Outcome.CONDITIONAL: 1, Outcome.ALLOWED: 2}


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None, with_principal: bool = False) -> dict:
    statement: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    action_key = draw(st.sampled_from(["Action", "Action", "NotAction"]))
    statement[action_key] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
    resource_key = draw(st.sampled_from(["Resource", "Resource", "NotResource"]))
    statement[resource_key] = draw(
        st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2)
    )
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        statement["Condition"] = condition
    if with_principal:
        statement["Principal"] = draw(st.sampled_from(GRANTEES))
    return statement


@dataclass(frozen=True)
class Documents:
    """Policy documents before parsing, so a property can change them and parse again."""

    identity: list[list[dict]]
    resource: list[dict] | None
    boundary: list[dict] | None
    scp_levels: list[list[list[dict]]] | None  # levels, each a list of SCP documents

    def policies(self) -> PolicySet:
        def parse(statements: list[dict], kind: PolicyKind, name: str) -> Policy:
            return Policy.parse(document(*statements), policy_id=name, kind=kind)

        scps = None
        if self.scp_levels is not None:
            scps = tuple(
                OrgLevel(
                    target,
                    (
                        FULL_AWS_ACCESS,
                        *(parse(d, PolicyKind.SCP, f"scp{i}") for i, d in enumerate(docs)),
                    ),
                )
                for target, docs in zip((ROOT_ID, OU_ID, ACCOUNT), self.scp_levels, strict=False)
            )
        return PolicySet(
            identity=tuple(
                parse(d, PolicyKind.IDENTITY, f"id{i}") for i, d in enumerate(self.identity)
            ),
            resource=parse(self.resource, PolicyKind.RESOURCE, "res") if self.resource else None,
            boundary=parse(self.boundary, PolicyKind.BOUNDARY, "pb") if self.boundary else None,
            scps=scps,
        )


@st.composite
def documents(draw: st.DrawFn) -> Documents:
    def group(with_principal: bool = False, max_size: int = 3) -> st.SearchStrategy[list[dict]]:
        return st.lists(statements(with_principal=with_principal), min_size=1, max_size=max_size)

    return Documents(
        identity=draw(st.lists(group(), max_size=3)),
        resource=draw(st.none() | group(with_principal=True)),
        boundary=draw(st.none() | group(max_size=2)),
        scp_levels=draw(
            st.none() | st.lists(st.lists(group(max_size=2), max_size=2), min_size=1, max_size=3)
        ),
    )


principals = st.sampled_from([ALICE, OPS, PARTNER, ROOT])
requests = st.sampled_from(REQUESTS)
PROPERTY = settings(max_examples=300, deadline=None)


def rank(principal: Principal, request: Request, policies: PolicySet) -> int:
    return RANK[evaluate(principal, request, policies).outcome]


@PROPERTY
@given(documents(), principals, requests, st.data())
def test_adding_a_deny_statement_never_grants(
    docs: Documents, principal: Principal, request: Request, data: st.DataObject
) -> None:
    before = rank(principal, request, docs.policies())
    place = data.draw(st.sampled_from(["identity", "resource", "boundary", "scp"]))
    if place == "resource" and docs.resource is not None:
        extra = data.draw(statements(effect="Deny", with_principal=True))
        changed = replace(docs, resource=[*docs.resource, extra])
    elif place == "boundary" and docs.boundary is not None:
        changed = replace(docs, boundary=[*docs.boundary, data.draw(statements(effect="Deny"))])
    elif place == "scp" and docs.scp_levels:
        levels = [list(level) for level in docs.scp_levels]
        levels[0].append([data.draw(statements(effect="Deny"))])
        changed = replace(docs, scp_levels=levels)
    else:
        changed = replace(docs, identity=[*docs.identity, [data.draw(statements(effect="Deny"))]])
    assert rank(principal, request, changed.policies()) <= before


@PROPERTY
@given(documents(), principals, requests, st.data())
def test_removing_scps_never_reduces_access(
    docs: Documents, principal: Principal, request: Request, data: st.DataObject
) -> None:
    with_scps = rank(principal, request, docs.policies())
    assert rank(principal, request, replace(docs, scp_levels=None).policies()) >= with_scps
    if docs.scp_levels:
        dropped = data.draw(st.integers(0, len(docs.scp_levels) - 1))
        fewer = [level for index, level in enumerate(docs.scp_levels) if index != dropped]
        assert rank(principal, request, replace(docs, scp_levels=fewer).policies()) >= with_scps


@settings(max_examples=500)
@given(
    st.sampled_from(["s3", "S3", "s3express", "ec2", "*", "s?"]),
    st.from_regex(r"\A[A-Za-z0-9*?]{0,16}\Z"),
)
def test_star_matches_every_action_that_a_service_wildcard_matches(service: str, name: str) -> None:
    action = f"{service}:{name}".lower()
    if ActionMatcher.compile(("s3:*",)).matches(action):
        assert ActionMatcher.compile(("*",)).matches(action)


def _widen(statement: dict) -> dict:
    """The statement with "s3:*" written as "*" when it is an Allow with an Action element."""
    if statement["Effect"] != "Allow" or "Action" not in statement:
        return statement
    return {**statement, "Action": ["*" if a == "s3:*" else a for a in statement["Action"]]}


@PROPERTY
@given(documents(), principals, requests)
def test_widening_an_allow_from_s3_star_to_star_never_reduces_access(
    docs: Documents, principal: Principal, request: Request
) -> None:
    widened = Documents(
        identity=[[_widen(s) for s in d] for d in docs.identity],
        resource=[_widen(s) for s in docs.resource] if docs.resource else None,
        boundary=[_widen(s) for s in docs.boundary] if docs.boundary else None,
        scp_levels=[[[_widen(s) for s in d] for d in level] for level in docs.scp_levels]
        if docs.scp_levels is not None
        else None,
    )
    assert rank(principal, request, widened.policies()) >= rank(principal, request, docs.policies())


@settings(max_examples=500)
@given(st.from_regex(r"\Aarn:aws:s3:::[a-z0-9./:-]{0,30}\Z"))
def test_star_resource_matches_every_resource_a_service_wildcard_matches(resource: str) -> None:
    s3_everything = Pattern.compile("arn:aws:s3:::*", Style.ARN)
    assert s3_everything.matches(resource) is Truth.TRUE
    assert Pattern.compile("*", Style.ARN).matches(resource) is Truth.TRUE


literal_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-/:.", max_size=12)


@settings(max_examples=500)
@given(literal_text, literal_text, st.characters(exclude_characters="\n"))
def test_question_mark_matches_exactly_one_character(prefix: str, suffix: str, char: str) -> None:
    pattern = Pattern.compile(f"{prefix}?{suffix}", Style.TEXT)
    assert pattern.matches(f"{prefix}{char}{suffix}") is Truth.TRUE
    assert pattern.matches(f"{prefix}{suffix}") is Truth.FALSE
    assert pattern.matches(f"{prefix}{char}{char}{suffix}") is Truth.FALSE


@PROPERTY
@given(documents(), principals, st.sampled_from([OBJECT, BUCKET, KEY]))
def test_deciding_many_actions_at_once_agrees_with_one_at_a_time(
    docs: Documents, principal: Principal, arn: str
) -> None:
    policies = docs.policies()
    resource = Resource(arn, ACCOUNT)
    actions = [*ACTIONS, "kms:Encrypt", "sts:AssumeRole", "S3:GETOBJECT"]
    many = evaluate_actions(principal, actions, resource, policies)
    assert list(many) == actions
    for action, decision in many.items():
        assert decision == evaluate(principal, Request(action, resource), policies)
