"""Resource and trust policies granting principals outside the organization."""

from __future__ import annotations

import json

from kg.analysis.coverage.trust import judge_untrusted, untrusted_principals

MEMBERS = {"111111111111", "222222222222"}
KEYS = ("aws:PrincipalOrgID", "aws:SourceAccount")


def _allow(principal: object, **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", **extra}


def test_principals_outside_the_organization_are_untrusted() -> None:
    document = {
        "Statement": [
            _allow({"AWS": "arn:aws:iam::999988887777:root"}),
            _allow({"AWS": ["arn:aws:iam::222222222222:role/reader"]}),
            _allow({"Service": "cloudtrail.amazonaws.com"}),
            _allow("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-x"}}),
            {"Effect": "Deny", "Principal": "*", "Action": "*"},
        ]
    }
    assert untrusted_principals(document, MEMBERS, KEYS) == ["arn:aws:iam::999988887777:root"]
    assert untrusted_principals({"Statement": [_allow("*")]}, MEMBERS, KEYS) == ["*"]
    assert untrusted_principals({"Statement": [_allow({"AWS": "999988887777"})]}, MEMBERS, KEYS)


def test_buckets_judged_together_and_unread_policies_are_unknown() -> None:
    params = {"policy_property": "policy", "restricting_condition_keys": list(KEYS)}
    shared = {
        "arn": "arn:aws:s3:::partner",
        "policy": json.dumps({"Statement": [_allow({"AWS": "999988887777"})]}),
    }
    private = {"arn": "arn:aws:s3:::private"}
    unread = {"arn": "arn:aws:s3:::unread", "unknown": ["policy"]}
    seen = judge_untrusted([shared, private], "S3Bucket", params, MEMBERS)
    assert seen.status == "partial"
    assert "arn:aws:s3:::partner: grants 999988887777" in seen.evidence
    assert judge_untrusted([private], "S3Bucket", params, MEMBERS).status == "in_place"
    assert judge_untrusted([private, unread], "S3Bucket", params, MEMBERS).status == "unknown"
