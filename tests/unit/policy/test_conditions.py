"""Condition operators in three values: true, false, or unknown when the key is not known."""

from typing import Any

import pytest

from kg.analysis.policy import ConditionContext, Truth
from kg.analysis.policy.conditions import ConditionBlock, ContextValue


def evaluate(condition: dict[str, Any], known: dict[str, ContextValue]) -> Truth:
    block = ConditionBlock.parse(condition, "Condition", variables=True)
    return block.evaluate(ConditionContext.of(known))[0]


ORG = {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}


@pytest.mark.parametrize(
    ("condition", "known", "expected"),
    [
        ({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, ORG, Truth.TRUE),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-OTHER"}}, ORG, Truth.FALSE),
        # Keys are case-insensitive; StringEquals values are not.
        ({"StringEquals": {"AWS:principalorgid": "O-A1B2C3D4E5"}}, ORG, Truth.FALSE),
        ({"StringEqualsIgnoreCase": {"aws:PrincipalOrgID": "O-A1B2C3D4E5"}}, ORG, Truth.TRUE),
        ({"StringNotEquals": {"aws:PrincipalOrgID": ["o-x", "o-y"]}}, ORG, Truth.TRUE),
        ({"StringNotEquals": {"aws:PrincipalOrgID": ["o-x", "o-a1b2c3d4e5"]}}, ORG, Truth.FALSE),
        ({"StringLike": {"aws:PrincipalOrgID": "o-a1b2*"}}, ORG, Truth.TRUE),
        ({"StringLike": {"aws:PrincipalOrgID": "o-a1b2?"}}, ORG, Truth.FALSE),
        ({"StringNotLike": {"aws:PrincipalOrgID": "o-zz*"}}, ORG, Truth.TRUE),
        # StringEquals takes * literally.
        ({"StringEquals": {"aws:PrincipalOrgID": "o-*"}}, ORG, Truth.FALSE),
    ],
)
def test_string_operators(
    condition: dict[str, Any], known: dict[str, ContextValue], expected: Truth
) -> None:
    assert evaluate(condition, known) is expected


def test_arn_operators_match_segment_by_segment() -> None:
    known: dict[str, ContextValue] = {
        "aws:PrincipalArn": "arn:aws:iam::111122223333:role/admin/Ops"
    }
    assert (
        evaluate({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin/*"}}, known)
        is Truth.TRUE
    )
    assert (
        evaluate({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin/*"}}, known)
        is Truth.TRUE
    )
    assert (
        evaluate({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin/*"}}, known)
        is Truth.FALSE
    )
    assert (
        evaluate({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444455556666:*"}}, known)
        is Truth.FALSE
    )


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("NumericEquals", Truth.FALSE),
        ("NumericNotEquals", Truth.TRUE),
        ("NumericLessThan", Truth.TRUE),
        ("NumericLessThanEquals", Truth.TRUE),
        ("NumericGreaterThan", Truth.FALSE),
        ("NumericGreaterThanEquals", Truth.FALSE),
    ],
)
def test_numeric_operators(operator: str, expected: Truth) -> None:
    assert evaluate({operator: {"s3:max-keys": "10"}}, {"s3:max-keys": "5"}) is expected


def test_date_operators_accept_iso_8601_and_epoch() -> None:
    issued: dict[str, ContextValue] = {"aws:TokenIssueTime": "2026-03-01T10:00:00Z"}
    assert (
        evaluate({"DateGreaterThan": {"aws:TokenIssueTime": "2026-01-01T00:00:00Z"}}, issued)
        is Truth.TRUE
    )
    assert evaluate({"DateLessThan": {"aws:TokenIssueTime": "1767225600"}}, issued) is Truth.FALSE
    assert (
        evaluate({"DateEquals": {"aws:TokenIssueTime": "2026-03-01T10:00:00+00:00"}}, issued)
        is Truth.TRUE
    )
    # Undecidable without a request time: the current time is never known to the graph.
    assert (
        evaluate({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, {}) is Truth.UNKNOWN
    )


def test_bool_ip_and_binary_operators() -> None:
    assert (
        evaluate({"Bool": {"aws:SecureTransport": False}}, {"aws:SecureTransport": False})
        is Truth.TRUE
    )
    assert (
        evaluate({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": True})
        is Truth.FALSE
    )
    address: dict[str, ContextValue] = {"aws:SourceIp": "203.0.113.7"}
    assert evaluate({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, address) is Truth.TRUE
    assert (
        evaluate({"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}, address)
        is Truth.FALSE
    )
    assert (
        evaluate({"BinaryEquals": {"demo:blob": "QmluYXJ5"}}, {"demo:blob": "QmluYXJ5"})
        is Truth.TRUE
    )


def test_missing_key_is_false_for_positive_and_true_for_negated_operators() -> None:
    absent: dict[str, ContextValue] = {"aws:SourceAccount": None}
    assert evaluate({"StringEquals": {"aws:SourceAccount": "111122223333"}}, absent) is Truth.FALSE
    assert (
        evaluate({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}, absent) is Truth.TRUE
    )
    assert (
        evaluate({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*"}}, {"aws:SourceArn": None})
        is Truth.TRUE
    )


def test_if_exists_is_true_when_the_key_is_absent_and_tests_it_when_present() -> None:
    condition = {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}
    assert evaluate(condition, {"aws:SourceAccount": None}) is Truth.TRUE
    assert evaluate(condition, {"aws:SourceAccount": "444455556666"}) is Truth.FALSE
    assert evaluate(condition, {}) is Truth.UNKNOWN


def test_null_checks_presence() -> None:
    assert (
        evaluate({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": None})
        is Truth.TRUE
    )
    assert (
        evaluate({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": None})
        is Truth.FALSE
    )
    assert evaluate({"Null": {"aws:TokenIssueTime": "true"}}, {}) is Truth.UNKNOWN


def test_set_operators_over_a_multivalued_key() -> None:
    paths: dict[str, ContextValue] = {
        "aws:PrincipalOrgPaths": [
            "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",
            "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/",
        ]
    }
    any_prod = {
        "ForAnyValue:StringLike": {
            "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"
        }
    }
    all_prod = {
        "ForAllValues:StringLike": {
            "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"
        }
    }
    assert evaluate(any_prod, paths) is Truth.TRUE
    assert evaluate(all_prod, paths) is Truth.FALSE
    # The documented behaviour for a missing or empty key: ForAllValues true, ForAnyValue false.
    assert evaluate(all_prod, {"aws:PrincipalOrgPaths": []}) is Truth.TRUE
    assert evaluate(any_prod, {"aws:PrincipalOrgPaths": None}) is Truth.FALSE
    # A single-valued operator on several values is undocumented by AWS: undecided.
    assert evaluate({"StringLike": {"aws:PrincipalOrgPaths": "*"}}, paths) is Truth.UNKNOWN


def test_negated_set_operator_needs_each_value_to_match_none() -> None:
    tags: dict[str, ContextValue] = {"aws:TagKeys": ["team", "cost-center"]}
    condition = {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["owner", "secret"]}}
    assert evaluate(condition, tags) is Truth.TRUE
    assert evaluate(condition, {"aws:TagKeys": ["team", "owner"]}) is Truth.FALSE


def test_operators_and_keys_are_all_required() -> None:
    condition = {
        "StringEquals": {
            "aws:PrincipalOrgID": "o-a1b2c3d4e5",
            "aws:PrincipalAccount": "111122223333",
        },
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
    }
    known: dict[str, ContextValue] = {**ORG, "aws:PrincipalAccount": "111122223333"}
    # MFA is never known to the graph: the block stays undecided, and says which test.
    block = ConditionBlock.parse(condition, "Condition", variables=True)
    truth, undecided = block.evaluate(ConditionContext.of(known))
    assert truth is Truth.UNKNOWN
    assert [clause.text for clause in undecided] == [
        '{"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}'
    ]
    # One false test decides the block even when another is unknown.
    known["aws:PrincipalAccount"] = "444455556666"
    assert block.evaluate(ConditionContext.of(known))[0] is Truth.FALSE


def test_condition_values_may_use_policy_variables() -> None:
    condition = {"StringEquals": {"s3:prefix": "home/${aws:username}/"}}
    assert evaluate(condition, {"s3:prefix": "home/alice/", "aws:username": "alice"}) is Truth.TRUE
    assert evaluate(condition, {"s3:prefix": "home/alice/"}) is Truth.UNKNOWN


def test_complete_prefix_makes_unlisted_tags_known_absent() -> None:
    context = ConditionContext.of(
        {"aws:PrincipalTag/team": "red"}, complete_prefixes=["aws:PrincipalTag/"]
    )
    block = ConditionBlock.parse(
        {"StringEquals": {"aws:PrincipalTag/clearance": "secret"}}, "Condition", variables=True
    )
    assert block.evaluate(context)[0] is Truth.FALSE


OURS = "o-a1b2c3d4e5"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"StringEquals": {"aws:PrincipalOrgID": OURS}}, Truth.FALSE),
        ({"StringEqualsIgnoreCase": {"aws:PrincipalOrgID": OURS.upper()}}, Truth.FALSE),
        ({"StringNotEquals": {"aws:PrincipalOrgID": OURS}}, Truth.TRUE),
        # The data perimeter RCP's test: absent or another organization, it holds.
        ({"StringNotEqualsIfExists": {"aws:PrincipalOrgID": OURS}}, Truth.TRUE),
        # An absent key would pass IfExists; another organization would not.
        ({"StringEqualsIfExists": {"aws:PrincipalOrgID": OURS}}, Truth.UNKNOWN),
        # Another organization might be the caller's own.
        ({"StringEquals": {"aws:PrincipalOrgID": [OURS, "o-partner123"]}}, Truth.UNKNOWN),
        ({"StringLike": {"aws:PrincipalOrgID": OURS}}, Truth.UNKNOWN),
        ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": OURS}}, Truth.UNKNOWN),
        # Policy variables are not resolved against an unknown value.
        ({"StringEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}, Truth.UNKNOWN),
    ],
)
def test_a_key_known_not_to_hold_some_values_decides_equality_tests_naming_only_them(
    condition: dict[str, Any], expected: Truth
) -> None:
    block = ConditionBlock.parse(condition, "Condition", variables=True)
    context = ConditionContext.of({}, excluded={"aws:PrincipalOrgID": [OURS]})
    assert block.evaluate(context)[0] is expected
