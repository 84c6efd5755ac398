"""Action and resource matching with AWS wildcard semantics, and policy variables."""

import pytest

from kg.analysis.policy import Truth
from kg.analysis.policy.wildcards import Pattern, Style

from .builders import identity


def arn(pattern: str) -> Pattern:
    return Pattern.compile(pattern, Style.ARN, variables=True)


def test_action_names_match_case_insensitively_in_service_and_name() -> None:
    (statement,) = identity(
        {"Effect": "Allow", "Action": "S3:getobject", "Resource": "*"}
    ).statements
    assert statement.matches_action("s3:getobject")
    assert not statement.matches_action("s3:getobjectacl")


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("*", "iam:createuser", True),
        ("s3:*", "s3:putobject", True),
        ("s3:*", "s3express:createsession", False),
        ("s3:Get*", "s3:get", True),  # * may match nothing
        ("iam:*AccessKey*", "iam:createaccesskey", True),
        ("iam:*AccessKey*", "iam:createuser", False),
        ("ec2:Describe?pcs", "ec2:describevpcs", True),
        ("ec2:Describe?pcs", "ec2:describepcs", False),
    ],
)
def test_action_wildcards(pattern: str, action: str, expected: bool) -> None:
    (statement,) = identity({"Effect": "Allow", "Action": pattern, "Resource": "*"}).statements
    assert statement.matches_action(action) is expected


def test_not_action_covers_every_other_action() -> None:
    (statement,) = identity(
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    ).statements
    assert statement.matches_action("s3:getobject")
    assert not statement.matches_action("iam:createuser")


def test_covered_picks_the_actions_a_statement_covers_from_a_set() -> None:
    allow_reads, deny_other = identity(
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:ListBucket"], "Resource": "*"},
        {"Effect": "Deny", "NotAction": "s3:Get*", "Resource": "*"},
    ).statements
    actions = frozenset({"s3:getobject", "s3:listbucket", "s3:putobject", "iam:passrole"})
    assert allow_reads.covered(actions) == {"s3:getobject", "s3:listbucket"}
    assert deny_other.covered(actions) == {"s3:listbucket", "s3:putobject", "iam:passrole"}
    assert allow_reads.covered(frozenset({"s3:getobject"})) == {"s3:getobject"}


def test_statements_listing_the_same_actions_share_one_matcher() -> None:
    (first,) = identity({"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "*"}).statements
    (second,) = identity({"Effect": "Deny", "NotAction": ["s3:Get*"], "Resource": "*"}).statements
    assert first.actions is second.actions
    actions = frozenset({"s3:getobject", "s3:putobject"})
    assert first.covered(actions) == {"s3:getobject"}
    assert second.covered(actions) == {"s3:putobject"}


def test_resource_arns_match_case_sensitively() -> None:
    assert (
        arn("arn:aws:s3:::Example-Reports/*").matches("arn:aws:s3:::example-reports/a")
        is Truth.FALSE
    )
    assert (
        arn("arn:aws:s3:::example-reports/*").matches("arn:aws:s3:::example-reports/a")
        is Truth.TRUE
    )


def test_star_in_a_bounded_segment_stays_in_its_segment() -> None:
    # The AWS documentation's ArnLike example: the region wildcard may not swallow the account.
    pattern = arn("arn:aws:someservice:*:111122223333:finance/*")
    assert pattern.matches("arn:aws:someservice:us-east-2:111122223333:finance/a.txt") is Truth.TRUE
    tricky = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/a.txt"
    assert pattern.matches(tricky) is Truth.FALSE
    assert (
        Pattern.compile("arn:aws:someservice:*:111122223333:finance/*", Style.TEXT).matches(tricky)
        is Truth.TRUE
    )


def test_star_in_the_last_segment_spans_colons_and_slashes() -> None:
    assert arn("arn:aws:s3:::*").matches("arn:aws:s3:::bucket/key:with:colons") is Truth.TRUE
    assert arn("arn:*").matches("arn:aws:iam::111122223333:role/a/b") is Truth.TRUE
    assert (
        arn("arn:aws:logs:us-east-1:111122223333:log-group:app:*").matches(
            "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:web"
        )
        is Truth.TRUE
    )
    assert arn("*").matches("*") is Truth.TRUE


def test_question_mark_in_a_resource_is_exactly_one_character() -> None:
    pattern = arn("arn:aws:s3:::logs-202?")
    assert pattern.matches("arn:aws:s3:::logs-2026") is Truth.TRUE
    assert pattern.matches("arn:aws:s3:::logs-202") is Truth.FALSE
    assert pattern.matches("arn:aws:s3:::logs-20266") is Truth.FALSE


def test_policy_variables_resolve_from_known_keys() -> None:
    pattern = arn("arn:aws:s3:::home/${aws:username}/*")
    known = {"aws:username": ("alice",)}
    assert pattern.matches("arn:aws:s3:::home/alice/notes.txt", known.get) is Truth.TRUE
    assert pattern.matches("arn:aws:s3:::home/bob/notes.txt", known.get) is Truth.FALSE


def test_unknown_variable_leaves_the_match_undecided_and_absent_one_uses_its_default() -> None:
    pattern = arn("arn:aws:s3:::team-${aws:PrincipalTag/team, 'shared'}/*")
    unknown: dict[str, tuple[str, ...]] = {}
    assert pattern.matches("arn:aws:s3:::team-red/x", unknown.get) is Truth.UNKNOWN
    absent = {"aws:principaltag/team": ()}
    assert pattern.matches("arn:aws:s3:::team-shared/x", absent.get) is Truth.TRUE
    without_default = arn("arn:aws:s3:::team-${aws:PrincipalTag/team}/*")
    assert without_default.matches("arn:aws:s3:::team-/x", absent.get) is Truth.FALSE


def test_variable_values_are_literal_and_escapes_write_wildcard_characters() -> None:
    pattern = arn("arn:aws:s3:::home/${aws:username}")
    star_user = {"aws:username": ("*",)}
    assert pattern.matches("arn:aws:s3:::home/anyone", star_user.get) is Truth.FALSE
    assert pattern.matches("arn:aws:s3:::home/*", star_user.get) is Truth.TRUE
    literal_star = arn("arn:aws:s3:::odd${*}name")
    assert literal_star.matches("arn:aws:s3:::odd*name") is Truth.TRUE
    assert literal_star.matches("arn:aws:s3:::oddXname") is Truth.FALSE


def test_version_2008_policies_take_variables_literally() -> None:
    old = Pattern.compile("arn:aws:s3:::home/${aws:username}", Style.ARN, variables=False)
    assert old.matches("arn:aws:s3:::home/${aws:username}") is Truth.TRUE
