"""Centralized root access: a member is covered through the organization only when the feature
is on and its root user has no credentials left; the management account gets no verdict."""

from __future__ import annotations

from typing import Any

import pytest

from kg.analysis.coverage import evaluate
from kg.analysis.coverage.facts import Facts, Target
from kg.analysis.coverage.verdicts import Verdict
from kg.catalog import load_catalog

ROOT = "arn:aws:organizations::111111111111:root/o-x/r-1"
ORG = "arn:aws:organizations::111111111111:organization/o-x"
MANAGEMENT, MEMBER = "111111111111", "333333333333"
CONTROL = "PRIN-ROOT-CREDENTIALS-CENTRAL"
NO_CREDENTIALS = {
    "password_present": False,
    "access_keys_present": False,
    "signing_certificates_present": False,
    "mfa_enabled": False,
}


def _facts(features: list[str] | None, **root: Any) -> Facts:
    facts = Facts(ORG, MANAGEMENT, ROOT)
    facts.accounts = [
        Target("Account", MANAGEMENT, "management", "Root", (ROOT, MANAGEMENT)),
        Target("Account", MEMBER, "member", "Root", (ROOT, MEMBER)),
    ]
    facts.nodes["Organization"] = [{"arn": ORG, "iam_organization_features": features}]
    facts.nodes["RootUser"] = [
        {"arn": f"arn:aws:iam::{account}:root", "account_id": account, **NO_CREDENTIALS, **root}
        for account in (MANAGEMENT, MEMBER)
    ]
    return facts


def _verdicts(facts: Facts) -> dict[str, Verdict]:
    return {v.target.key: v for v in evaluate(load_catalog(), facts) if v.control_id == CONTROL}


def test_a_credential_free_root_under_central_management_is_in_place_through_the_organization() -> (
    None
):
    verdicts = _verdicts(_facts(["RootCredentialsManagement", "RootSessions"]))
    verdict = verdicts[MEMBER]
    assert (verdict.status, verdict.scope) == ("in_place", "organization")
    assert f"organization {ORG}: RootCredentialsManagement enabled" in verdict.evidence
    assert MANAGEMENT not in verdicts  # centralized root access does not apply to it


@pytest.mark.parametrize(
    ("left", "named"),
    [
        ({"password_present": True, "mfa_enabled": True}, "password, MFA device"),
        ({"access_keys_present": True}, "access keys"),
        ({"signing_certificates_present": True}, "signing certificates"),
    ],
)
def test_central_management_with_root_credentials_left_is_partial_naming_them(
    left: dict[str, bool], named: str
) -> None:
    verdict = _verdicts(_facts(["RootCredentialsManagement"], **left))[MEMBER]
    assert (verdict.status, verdict.scope) == ("partial", "organization")
    assert verdict.reason.endswith(f"the root user still has: {named}")


def test_without_the_feature_even_a_credential_free_root_is_missing() -> None:
    """RootSessions alone lets the management account act as root; it removes nothing."""
    verdict = _verdicts(_facts(["RootSessions"]))[MEMBER]
    assert verdict.status == "missing"
    assert "RootCredentialsManagement is not enabled" in verdict.reason


def test_features_or_root_credentials_not_read_are_unknown() -> None:
    assert _verdicts(_facts(None))[MEMBER].status == "unknown"
    unread = _verdicts(_facts(["RootCredentialsManagement"], password_present=None))[MEMBER]
    assert unread.status == "unknown"
    assert "not read whether the root user has: password" in unread.reason
    facts = _facts(["RootCredentialsManagement"])
    facts.nodes["RootUser"] = []
    assert _verdicts(facts)[MEMBER].status == "unknown"
