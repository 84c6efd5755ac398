"""Conditions in decisions: decided from what the graph knows, otherwise carried as CONDITIONAL."""

from kg.analysis.policy import (
    ConditionContext,
    Effect,
    Outcome,
    PolicySet,
    Principal,
    PrincipalKind,
    Request,
    Resource,
    evaluate,
    evaluate_actions,
)

from .builders import (
    ACCOUNT,
    ALICE,
    ANONYMOUS,
    BUCKET,
    OBJECT,
    OPS,
    OPS_ROLE_ARN,
    ORG_ID,
    OTHER_ACCOUNT,
    PARTNER,
    allow,
    deny,
    identity,
    on_resource,
    request,
)

GET_OBJECT = request("s3:GetObject", OBJECT, ACCOUNT)
REQUIRE_MFA = deny(
    "*", Sid="RequireMFA", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
)


def test_allow_with_unknown_condition_is_conditional_and_carries_the_condition() -> None:
    from_office = identity(
        allow(
            "s3:GetObject",
            Sid="FromOffice",
            Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        )
    )
    decision = evaluate(ALICE, GET_OBJECT, PolicySet(identity=(from_office,)))
    assert decision.outcome is Outcome.CONDITIONAL
    (undecided,) = decision.conditions
    assert undecided.effect is Effect.ALLOW
    assert undecided.to_json() == {
        "policy": f"arn:aws:iam::{ACCOUNT}:policy/Test",
        "policy_kind": "identity",
        "statement": "FromOffice",
        "effect": "Allow",
        "condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
    }


def test_a_known_source_ip_decides_the_same_condition() -> None:
    from_office = identity(
        allow("s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    )
    policies = PolicySet(identity=(from_office,))
    inside = Request(
        "s3:GetObject",
        Resource(OBJECT, ACCOUNT),
        ConditionContext.of({"aws:SourceIp": "203.0.113.9"}),
    )
    outside = Request(
        "s3:GetObject",
        Resource(OBJECT, ACCOUNT),
        ConditionContext.of({"aws:SourceIp": "198.51.100.1"}),
    )
    assert evaluate(ALICE, inside, policies).outcome is Outcome.ALLOWED
    assert evaluate(ALICE, outside, policies).outcome is Outcome.IMPLICIT_DENY


def test_deny_with_unknown_condition_makes_an_allowed_request_conditional_not_allowed() -> None:
    policies = PolicySet(identity=(identity(allow("s3:*"), REQUIRE_MFA),))
    decision = evaluate(ALICE, GET_OBJECT, policies)
    assert decision.outcome is Outcome.CONDITIONAL
    assert [(c.effect, c.statement.sid) for c in decision.conditions] == [
        (Effect.DENY, "RequireMFA")
    ]
    # The allowing statement is still named, so a reader sees what grants if the deny does not.
    assert [ref.index for ref in decision.statements] == [0]


def test_deny_with_unknown_condition_does_not_turn_an_implicit_deny_into_anything_else() -> None:
    policies = PolicySet(identity=(identity(allow("ec2:*"), REQUIRE_MFA),))
    assert evaluate(ALICE, GET_OBJECT, policies).outcome is Outcome.IMPLICIT_DENY


def test_principal_keys_known_to_the_graph_decide_conditions() -> None:
    org_member = Principal(
        PrincipalKind.ROLE, OPS_ROLE_ARN, org_id=ORG_ID, tags=(("team", "data"),)
    )
    bucket = on_resource(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/*",
            "Condition": {
                "StringEquals": {
                    "aws:PrincipalOrgID": ORG_ID,
                    "aws:PrincipalAccount": ACCOUNT,
                    "aws:ResourceAccount": ACCOUNT,
                    "aws:PrincipalTag/team": "data",
                },
                "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"},
                "Bool": {"aws:PrincipalIsAWSService": "false"},
            },
        }
    )
    assert evaluate(org_member, GET_OBJECT, PolicySet(resource=bucket)).outcome is Outcome.ALLOWED
    other_team = Principal(PrincipalKind.ROLE, OPS_ROLE_ARN, org_id=ORG_ID, tags=(("team", "web"),))
    assert (
        evaluate(other_team, GET_OBJECT, PolicySet(resource=bucket)).outcome
        is Outcome.IMPLICIT_DENY
    )
    # Without the organization id the graph cannot decide, and says so.
    unknown_org = evaluate(OPS, GET_OBJECT, PolicySet(resource=bucket))
    assert unknown_org.outcome is Outcome.CONDITIONAL


def test_a_principal_known_to_be_outside_the_organization_fails_its_org_id_test() -> None:
    bucket = on_resource(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
        }
    )
    root = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
    outsider = Principal(PrincipalKind.ROOT, root, outside_orgs=frozenset({ORG_ID}))
    decision = evaluate(outsider, GET_OBJECT, PolicySet(resource=bucket))
    assert decision.outcome is Outcome.IMPLICIT_DENY
    # Knowing nothing about its organization, the same request stays conditional.
    unknown = evaluate(Principal(PrincipalKind.ROOT, root), GET_OBJECT, PolicySet(resource=bucket))
    assert unknown.outcome is Outcome.CONDITIONAL


def test_confused_deputy_keys_are_absent_for_iam_principals_and_known_when_given_for_services() -> (
    None
):
    topic_policy = on_resource(
        {
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com", "AWS": ALICE.arn},
            "Action": "sns:Publish",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        },
        resource_id=f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts",
    )
    policies = PolicySet(resource=topic_policy)
    topic = Resource(f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts", ACCOUNT)
    # An IAM user calling directly never carries aws:SourceAccount: the condition is false.
    assert evaluate(ALICE, Request("sns:Publish", topic), policies).outcome is Outcome.IMPLICIT_DENY
    events = Principal(PrincipalKind.SERVICE, "events.amazonaws.com")
    assert evaluate(events, Request("sns:Publish", topic), policies).outcome is Outcome.CONDITIONAL
    for source, outcome in ((ACCOUNT, Outcome.ALLOWED), (OTHER_ACCOUNT, Outcome.IMPLICIT_DENY)):
        known = ConditionContext.of({"aws:SourceAccount": source})
        assert evaluate(events, Request("sns:Publish", topic, known), policies).outcome is outcome


def test_the_default_topic_policy_admits_only_the_owner_accounts_principals() -> None:
    topic_arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
    default_policy = on_resource(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:Publish", "SNS:Subscribe"],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}},
        },
        resource_id=topic_arn,
    )
    topic = Resource(topic_arn, ACCOUNT)
    publish = Request("sns:Publish", topic)
    # On a direct call SNS sets AWS:SourceOwner to the caller's account.
    owner_side = PolicySet(resource=default_policy)
    assert evaluate(ALICE, publish, owner_side).outcome is Outcome.ALLOWED
    partner_side = PolicySet(identity=(identity(allow("sns:*")),), resource=default_policy)
    assert evaluate(PARTNER, publish, partner_side).outcome is Outcome.IMPLICIT_DENY
    assert evaluate(ANONYMOUS, publish, owner_side).outcome is Outcome.IMPLICIT_DENY


def test_user_name_variable_scopes_a_home_folder() -> None:
    home = identity(allow("s3:*", f"{BUCKET}/home/${{aws:username}}/*"))
    policies = PolicySet(identity=(home,))
    own = request("s3:PutObject", f"{BUCKET}/home/alice/notes.txt", ACCOUNT)
    other = request("s3:PutObject", f"{BUCKET}/home/bob/notes.txt", ACCOUNT)
    assert evaluate(ALICE, own, policies).outcome is Outcome.ALLOWED
    assert evaluate(ALICE, other, policies).outcome is Outcome.IMPLICIT_DENY
    # A role session has no user name: the variable's key is absent and nothing matches.
    assert evaluate(OPS, own, policies).outcome is Outcome.IMPLICIT_DENY


def test_unresolved_resource_variable_is_reported_as_the_undecided_part() -> None:
    by_tag = identity(allow("s3:GetObject", f"{BUCKET}/${{aws:PrincipalTag/team}}/*"))
    decision = evaluate(
        OPS, request("s3:GetObject", f"{BUCKET}/data/x", ACCOUNT), PolicySet(identity=(by_tag,))
    )
    assert decision.outcome is Outcome.CONDITIONAL
    (clause,) = decision.conditions[0].clauses
    assert (clause.operator, clause.key) == ("Resource", "${aws:PrincipalTag/team}")


def test_evaluate_actions_agrees_with_evaluate_for_every_action() -> None:
    policies = PolicySet(
        identity=(
            identity(
                allow(["s3:Get*", "s3:List*", "iam:PassRole"]),
                deny("s3:GetObjectAcl"),
                REQUIRE_MFA | {"Action": "s3:GetObjectVersion"},
            ),
        ),
        resource=on_resource(
            {**allow("s3:PutObject", f"{BUCKET}/*"), "Principal": {"AWS": ALICE.arn}}
        ),
    )
    actions = [
        "s3:GetObject",
        "S3:GETOBJECTACL",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:DeleteObject",
        "iam:PassRole",
    ]
    resource = Resource(OBJECT, ACCOUNT)
    many = evaluate_actions(ALICE, actions, resource, policies)
    assert list(many) == actions
    for action in actions:
        assert many[action] == evaluate(ALICE, Request(action, resource), policies)
    assert {action: decision.outcome for action, decision in many.items()} == {
        "s3:GetObject": Outcome.ALLOWED,
        "S3:GETOBJECTACL": Outcome.DENIED,
        "s3:GetObjectVersion": Outcome.CONDITIONAL,
        "s3:PutObject": Outcome.ALLOWED,
        "s3:DeleteObject": Outcome.IMPLICIT_DENY,
        "iam:PassRole": Outcome.ALLOWED,
    }
