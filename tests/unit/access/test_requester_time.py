"""Conditions on time are decided at the snapshot's time: aws:CurrentTime, aws:EpochTime and
aws:TokenIssueTime (the attacker takes a fresh session). Without a snapshot time they stay
conditional, never guessed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from kg.analysis.access import decide
from kg.analysis.iam_view import UNTIMED, Actor, Target, requester_context
from kg.analysis.policy import Outcome, Policy, PolicyKind, PolicySet, Principal, PrincipalKind

ACCOUNT = "111111111111"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/reader"
BUCKET = "arn:aws:s3:::reports"
SNAPSHOT_TIME = "2026-12-07T10:00:00Z"


def _actor(statements: list[dict[str, Any]], as_of: str | None) -> Actor:
    document = {"Version": "2012-10-17", "Statement": statements}
    policy = Policy.parse(document, policy_id="reader", kind=PolicyKind.IDENTITY)
    principal = Principal(PrincipalKind.ROLE, ROLE, ACCOUNT)
    context = requester_context(as_of, session=True) if as_of else UNTIMED
    return Actor("Role", principal, PolicySet(identity=(policy,)), context=context)


def _outcome(condition: dict[str, Any], as_of: str | None, effect: str = "Allow") -> Outcome:
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET}
    ]
    if effect == "Allow":
        statements = [{**statements[0], "Condition": condition}]
    else:
        statements.append(
            {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "*", "Condition": condition}
        )
    target = Target("S3Bucket", BUCKET, ACCOUNT, None, None)
    return decide(_actor(statements, as_of), "s3:ListBucket", target).outcome


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # A grant that expired before the snapshot was taken.
        ({"DateLessThan": {"aws:CurrentTime": "2026-06-30T00:00:00Z"}}, Outcome.IMPLICIT_DENY),
        ({"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}, Outcome.ALLOWED),
        ({"NumericGreaterThan": {"aws:EpochTime": "1800000000"}}, Outcome.IMPLICIT_DENY),
        ({"NumericLessThan": {"aws:EpochTime": "1800000000"}}, Outcome.ALLOWED),
    ],
)
def test_time_windows_are_decided_at_the_snapshot_time(
    condition: dict[str, Any], expected: Outcome
) -> None:
    assert _outcome(condition, SNAPSHOT_TIME) is expected


def test_revoking_older_sessions_does_not_stop_a_fresh_one() -> None:
    """AWS's "revoke sessions" policy denies sessions issued before a time; the attacker's
    session is new, so the deny does not apply, for certain."""
    revoke = {"DateLessThan": {"aws:TokenIssueTime": "2026-12-01T00:00:00Z"}}
    assert _outcome(revoke, SNAPSHOT_TIME, effect="Deny") is Outcome.ALLOWED
    later = {"DateLessThan": {"aws:TokenIssueTime": "2026-12-31T00:00:00Z"}}
    assert _outcome(later, SNAPSHOT_TIME, effect="Deny") is Outcome.DENIED


def test_without_a_snapshot_time_a_time_condition_stays_conditional() -> None:
    window = {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}
    assert _outcome(window, None) is Outcome.CONDITIONAL


def test_a_user_signing_with_long_term_keys_has_no_token_issue_time() -> None:
    """A "temporary credentials only" Deny (Null aws:TokenIssueTime) stops an IAM user's
    long-term keys; for a role's fresh session the key is there."""
    user = requester_context(SNAPSHOT_TIME, session=False)
    assert user.lookup("aws:tokenissuetime") == ()  # known to be absent
    assert requester_context(SNAPSHOT_TIME).lookup("aws:tokenissuetime") is None  # unknown


def test_the_context_states_the_time_in_every_form_aws_compares() -> None:
    context = requester_context("2026-12-07T11:00:00+01:00", session=True)
    assert context.lookup("aws:currenttime") == ("2026-12-07T10:00:00Z",)
    assert context.lookup("aws:tokenissuetime") == ("2026-12-07T10:00:00Z",)
    epoch = int(datetime(2026, 12, 7, 10, tzinfo=UTC).timestamp())
    assert context.lookup("aws:epochtime") == (str(epoch),)
    assert UNTIMED.lookup("aws:currenttime") is None  # unknown, not absent
