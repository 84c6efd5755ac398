"""The check that the identity policies may allow anything at all on a resource."""

from __future__ import annotations

from kg.analysis.policy import identity_may_allow

from .builders import BUCKET, OBJECT, allow, deny, identity

GET_OBJECT = ("s3:GetObject",)


def _may(*statements: dict[str, object]) -> bool:
    return identity_may_allow((identity(*statements),), GET_OBJECT, OBJECT)


def test_an_allow_covering_the_action_on_the_resource_may_allow() -> None:
    assert _may(allow("s3:GetObject", f"{BUCKET}/*"))
    assert _may(allow("S3:Get*", "*"))


def test_undecided_conditions_and_policy_variables_count_as_matching() -> None:
    assert _may(allow("s3:*", "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    assert _may(allow("s3:GetObject", f"{BUCKET}/${{aws:username}}/*"))


def test_other_resources_other_actions_and_denies_allow_nothing() -> None:
    assert not _may(allow("s3:GetObject", "arn:aws:s3:::other/*"))
    assert not _may(allow("s3:PutObject", f"{BUCKET}/*"))
    assert not _may(deny("s3:GetObject", f"{BUCKET}/*"))
    assert not _may({"Effect": "Allow", "Action": "s3:*", "NotResource": f"{BUCKET}/*"})
    assert not identity_may_allow((), GET_OBJECT, OBJECT)
