"""Every policy a load would store is parsed before the load writes, as the analyses parse it:
a policy kg cannot read rejects the snapshot instead of failing the derive after the facts are in.
Each hostile shape is tried in every place the analyses read a policy from."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kg.analysis.iam_view import AccessAnalysisError, check_policies
from kg.graph.records import GraphRecords
from kg.model.access import RESOURCE_LABELS

ROLE = "arn:aws:iam::111122223333:role/app"
PRINCIPAL = {"AWS": "arn:aws:iam::111122223333:root"}

# Statements the IAM grammar rejects (each the only thing wrong with its policy).
HOSTILE_STATEMENTS: dict[str, dict[str, Any]] = {
    "effect that is neither Allow nor Deny": {"Effect": "Permit", "Action": "s3:GetObject"},
    "unknown condition operator": {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Condition": {"StringEqualsMaybe": {"aws:username": "alice"}},
    },
    "no Action or NotAction": {"Effect": "Allow"},
    "action that is a number": {"Effect": "Allow", "Action": 42},
    "IfExists on Null": {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Condition": {"NullIfExists": {"aws:TokenIssueTime": "true"}},
    },
    "unknown element": {"Effect": "Allow", "Action": "s3:GetObject", "Actions": "s3:*"},
}


def _document(statement: dict[str, Any], *, with_principal: bool) -> str:
    full = {"Resource": "*", **statement}
    if with_principal:
        full["Principal"] = PRINCIPAL
    return json.dumps({"Version": "2012-10-17", "Statement": [full]})


def _identity(records: GraphRecords, document: str) -> str:
    arn = f"{ROLE}/inline/p"
    records.node("IAMPolicy", arn=arn, account_id="111122223333", document=document)
    return arn


def _boundary(records: GraphRecords, document: str) -> str:
    arn = "arn:aws:iam::111122223333:policy/boundary"
    records.node("IAMPolicy", arn=arn, account_id="111122223333", document=document)
    records.rel("BOUNDS", ("IAMPolicy", arn), ("Role", ROLE), account_id="111122223333")
    return arn


def _scp(records: GraphRecords, document: str) -> str:
    arn = "arn:aws:organizations::111122223333:policy/o-x/service_control_policy/p-1"
    records.node("OrgPolicy", arn=arn, policy_type="SERVICE_CONTROL_POLICY", document=document)
    return arn


def _rcp(records: GraphRecords, document: str) -> str:
    arn = "arn:aws:organizations::111122223333:policy/o-x/resource_control_policy/p-2"
    records.node("OrgPolicy", arn=arn, policy_type="RESOURCE_CONTROL_POLICY", document=document)
    return arn


def _trust(records: GraphRecords, document: str) -> str:
    records.node("Role", arn=ROLE, account_id="111122223333", trust_policy=document)
    return ROLE


def _resource(label: str) -> Any:
    def place(records: GraphRecords, document: str) -> str:
        arn = f"arn:aws:test:::{label}"
        records.node(label, arn=arn, account_id="111122223333", policy=document)
        return arn

    return place


# (where, how to place a document there, whether the grammar needs a Principal there)
PLACES = [
    ("identity policy", _identity, False),
    ("permissions boundary", _boundary, False),
    ("SCP", _scp, False),
    ("RCP", _rcp, True),
    ("trust policy", _trust, True),
    *((f"{label} policy", _resource(label), True) for label in RESOURCE_LABELS),
]


@pytest.mark.parametrize("shape", sorted(HOSTILE_STATEMENTS))
@pytest.mark.parametrize(("where", "place", "with_principal"), PLACES, ids=[p[0] for p in PLACES])
def test_a_policy_the_grammar_rejects_fails_the_check_naming_it(
    shape: str, where: str, place: Any, with_principal: bool
) -> None:
    records = GraphRecords()
    policy_id = place(records, _document(HOSTILE_STATEMENTS[shape], with_principal=with_principal))
    with pytest.raises(AccessAnalysisError) as raised:
        check_policies(records)
    message = str(raised.value)
    assert message.startswith("snapshot policy ")
    assert policy_id in message
    assert "Statement[0]" in message
    assert "\n" not in message


@pytest.mark.parametrize(("where", "place", "with_principal"), PLACES, ids=[p[0] for p in PLACES])
def test_a_valid_policy_passes_in_every_place(where: str, place: Any, with_principal: bool) -> None:
    records = GraphRecords()
    statement = {"Effect": "Allow", "Action": "s3:GetObject"}
    place(records, _document(statement, with_principal=with_principal))
    assert len(check_policies(records)) >= 1


def test_an_iam_policy_that_bounds_a_principal_is_also_read_as_a_boundary() -> None:
    """The analyses parse it twice, as an identity policy and as a boundary: so does the check."""
    records = GraphRecords()
    statement = {"Effect": "Allow", "Action": "s3:GetObject"}
    _boundary(records, _document(statement, with_principal=False))
    assert len(check_policies(records)) == 2


def test_management_policies_are_not_read_as_iam_policies() -> None:
    """Tag and backup policies have a grammar of their own, which the analyses never parse."""
    records = GraphRecords()
    records.node(
        "OrgPolicy",
        arn="arn:aws:organizations::111122223333:policy/o-x/tag_policy/p-3",
        policy_type="TAG_POLICY",
        document=json.dumps({"tags": {"team": {"tag_key": {"@@assign": "Team"}}}}),
    )
    assert len(check_policies(records)) == 0
