"""Reading policy documents in every shape AWS hands them out, and rejecting malformed ones."""

import json
from urllib.parse import quote

import pytest

from kg.analysis.policy import (
    Policy,
    PolicyError,
    PolicyKind,
    Principal,
    PrincipalKind,
    load_document,
    normalize_document,
)
from kg.analysis.policy.principals import PrincipalSpec

S3_READ = {
    "Version": "2012-10-17",
    "Statement": {
        "Sid": "ReadReports",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::example-reports/*",
    },
}


def test_json_text_url_encoded_text_and_object_give_the_same_document() -> None:
    text = json.dumps(S3_READ)
    # get_account_authorization_details in the raw IAM API returns URL-encoded JSON.
    encoded = quote(text)
    assert load_document(text, source="p") == load_document(encoded, source="p") == S3_READ


def test_normalized_document_has_a_statement_list_and_keeps_statements_as_written() -> None:
    normalized = normalize_document(json.dumps(S3_READ), source="p")
    assert normalized == {"Version": "2012-10-17", "Statement": [S3_READ["Statement"]]}


def test_single_values_and_lists_compile_alike() -> None:
    single = Policy.parse(S3_READ, policy_id="single", kind=PolicyKind.IDENTITY)
    listed = Policy.parse(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadReports",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject"],
                    "Resource": ["arn:aws:s3:::example-reports/*"],
                }
            ],
        },
        policy_id="listed",
        kind=PolicyKind.IDENTITY,
    )
    for policy in (single, listed):
        (statement,) = policy.statements
        assert statement.matches_action("s3:getobject")
        assert statement.ref.sid == "ReadReports"


def test_invalid_json_names_the_policy_and_the_position() -> None:
    with pytest.raises(
        PolicyError, match=r"^arn:aws:iam::1:policy/x: invalid policy JSON at line 1"
    ):
        load_document('{"Version": ', source="arn:aws:iam::1:policy/x")


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"Effect": "Permit", "Action": "s3:*", "Resource": "*"}, r"Effect: expected .Allow"),
        ({"Effect": "Allow", "Resource": "*"}, r"needs Action or NotAction"),
        (
            {"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*"},
            r"has both Action and NotAction",
        ),
        ({"Effect": "Allow", "Action": 3, "Resource": "*"}, r"Statement\[0\]\.Action: expected"),
        ({"Effect": "Allow", "Action": [], "Resource": "*"}, r"Action: expected a non-empty"),
        ({"Effect": "Allow", "Action": "s3:*", "Resources": "*"}, r"unknown element 'Resources'"),
        (
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": "x"}},
            r"Condition\.Bool: expected an object of condition keys",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringSortOf": {"aws:SourceAccount": "1"}},
            },
            r"unknown condition operator 'StringSortOf'",
        ),
        (
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"NullIfExists": {"aws:TokenIssueTime": "true"}},
            },
            r"Null cannot take IfExists",
        ),
    ],
)
def test_malformed_statements_are_rejected_with_the_element_named(
    statement: dict[str, object], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy.parse(
            {"Version": "2012-10-17", "Statement": [statement]},
            policy_id="arn:aws:iam::111122223333:policy/Bad",
            kind=PolicyKind.IDENTITY,
        )


def test_unknown_version_is_rejected() -> None:
    with pytest.raises(PolicyError, match="Version must be one of"):
        normalize_document({"Version": "2024-01-01", "Statement": []}, source="p")


def test_identity_policy_with_principal_is_rejected() -> None:
    with pytest.raises(PolicyError, match="identity policy must not have Principal"):
        Policy.parse(
            {
                "Version": "2012-10-17",
                "Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            },
            policy_id="p",
            kind=PolicyKind.IDENTITY,
        )


def test_resource_policy_without_principal_is_rejected() -> None:
    with pytest.raises(PolicyError, match="resource policy needs Principal or NotPrincipal"):
        Policy.parse(S3_READ, policy_id="bucket", kind=PolicyKind.RESOURCE)


def test_identity_policy_without_resource_is_rejected_but_trust_policy_is_accepted() -> None:
    no_resource = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    with pytest.raises(PolicyError, match="needs Resource or NotResource"):
        Policy.parse(
            {"Version": "2012-10-17", "Statement": no_resource},
            policy_id="p",
            kind=PolicyKind.IDENTITY,
        )
    trust = Policy.parse(
        {
            "Version": "2012-10-17",
            "Statement": {**no_resource, "Principal": {"Service": "ec2.amazonaws.com"}},
        },
        policy_id="trust",
        kind=PolicyKind.RESOURCE,
    )
    assert trust.statements[0].resources is None


def test_principal_shapes() -> None:
    everyone = PrincipalSpec.parse("*", "Principal")
    also_everyone = PrincipalSpec.parse({"AWS": "*"}, "Principal")
    assert everyone.everyone and also_everyone.everyone
    spec = PrincipalSpec.parse(
        {
            "AWS": [
                "111122223333",
                "arn:aws:iam::444455556666:root",
                "arn:aws:iam::444455556666:user/bob",
            ],
            "Service": "Lambda.amazonaws.com",
            "Federated": "arn:aws:iam::111122223333:saml-provider/Okta",
            "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        },
        "Principal",
    )
    # An account id and the account's root ARN both name the whole account.
    assert spec.accounts == {"111122223333", "444455556666"}
    assert spec.arns == {"arn:aws:iam::444455556666:user/bob"}
    assert spec.services == {"lambda.amazonaws.com"}
    assert spec.federated == {"arn:aws:iam::111122223333:saml-provider/Okta"}
    assert len(spec.canonical_users) == 1


@pytest.mark.parametrize(
    "element", [{"Everyone": "*"}, {"AWS": []}, {"AWS": 111122223333}, "arn:aws:iam::1:root", {}]
)
def test_malformed_principals_are_rejected(element: object) -> None:
    with pytest.raises(PolicyError, match=r"^Statement\[0\]\.Principal"):
        PrincipalSpec.parse(element, "Statement[0].Principal")


@pytest.mark.parametrize(
    ("kind", "arn"),
    [
        (PrincipalKind.ROLE, "arn:aws:iam::111122223333:user/alice"),
        (PrincipalKind.USER, "arn:aws:s3:::example-reports"),
        (PrincipalKind.ROOT, "111122223333"),
    ],
)
def test_principal_needs_an_iam_arn_of_its_kind(kind: PrincipalKind, arn: str) -> None:
    with pytest.raises(PolicyError, match=f"not an IAM {kind} ARN"):
        Principal(kind, arn)


def test_principal_account_comes_from_its_arn_and_must_agree_with_it() -> None:
    assert Principal(PrincipalKind.ROOT, "arn:aws:iam::111122223333:root").account_id == (
        "111122223333"
    )
    with pytest.raises(PolicyError, match="differs from the ARN"):
        Principal(PrincipalKind.USER, "arn:aws:iam::111122223333:user/a", account_id="444455556666")
