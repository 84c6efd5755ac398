"""Every escalation technique: found when its permissions are all allowed on a resource that makes
it work, and not found when a permission is missing, denied, cut by an SCP or a boundary, or
aimed at a target that is not more powerful."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kg.analysis.iam_view import Actor, Target
from kg.analysis.policy import OrgLevel, Policy, PolicyKind, PolicySet, Principal, PrincipalKind
from kg.analysis.privesc import (
    Credentials,
    Estate,
    Status,
    confined_to_account,
    find_escalations,
)
from kg.analysis.privesc_techniques import (
    REWRITTEN_TRUST,
    TECHNIQUES,
    Needs,
    Technique,
    Via,
    catalog_markdown,
)

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
ATTACKER_USER = f"arn:aws:iam::{ACCOUNT}:user/attacker"
ATTACKER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/attacker"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/admin"
PLAIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/plain"
ADMIN_USER = f"arn:aws:iam::{ACCOUNT}:user/admin"
PLAIN_USER = f"arn:aws:iam::{ACCOUNT}:user/plain"
PLAIN_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/plain-policy"
OWN_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/attacker-policy"
DEVS_GROUP = f"arn:aws:iam::{ACCOUNT}:group/devs"
ADMINS_GROUP = f"arn:aws:iam::{ACCOUNT}:group/admins"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:admin-fn"
INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0123456789abcdef0"
STACK = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/infra/0a1b2c3d"
PROJECT = f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/build"
NOTEBOOK = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:notebook-instance/lab"
GLUE_JOB = f"arn:aws:glue:us-east-1:{ACCOUNT}:job/etl"
CLUSTER = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/apps"
TASK = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/apps/0123456789abcdef"
TASK_DEFINITION = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:3"
TEMPLATE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:launch-template/lt-0123456789abcdef0"
GROUP = (
    f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:0a1b2c3d:autoScalingGroupName/web"
)
SERVICES = sorted({t.service for t in TECHNIQUES if t.service})


def _policy(statements: list[dict[str, Any]], kind: PolicyKind, name: str) -> Policy:
    document = {"Version": "2012-10-17", "Statement": statements}
    return Policy.parse(document, policy_id=name, kind=kind)


def _allow(actions: list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def _deny(actions: list[str]) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": actions, "Resource": "*"}


def _actor(
    arn: str,
    statements: list[dict[str, Any]],
    *,
    boundary: list[dict[str, Any]] | None = None,
    scp: list[dict[str, Any]] | None = None,
) -> Actor:
    kind = PrincipalKind.USER if ":user/" in arn else PrincipalKind.ROLE
    # The attacker's permissions are its customer managed policy (the one it may rewrite).
    name = OWN_POLICY if arn in (ATTACKER_USER, ATTACKER_ROLE) else f"{arn}/policy"
    identity = (_policy(statements, PolicyKind.IDENTITY, name),) if statements else ()
    scps = None
    if scp is not None:
        scps = (OrgLevel("r-root", (_policy(scp, PolicyKind.SCP, "scp"),)),)
    return Actor(
        "User" if kind is PrincipalKind.USER else "Role",
        Principal(kind, arn),
        PolicySet(
            identity=identity,
            scps=scps,
            boundary=_policy(boundary, PolicyKind.BOUNDARY, "boundary") if boundary else None,
            management_account_id="999999999999",
        ),
    )


def _role_target(arn: str) -> Target:
    trust = [
        {
            "Effect": "Allow",
            "Principal": {
                "Service": SERVICES,
                "AWS": [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{OTHER_ACCOUNT}:root"],
            },
            "Action": "sts:AssumeRole",
        }
    ]
    return Target("Role", arn, ACCOUNT, _policy(trust, PolicyKind.RESOURCE, f"{arn} trust"), None)


EVERYTHING = [_allow(["*"])]


def _deployed(technique: Technique | None) -> dict[str, Any]:
    """The estate as the technique needs it deployed: the admin user's credentials it acts on
    and a broader version of the attacker's policy to set back to."""
    needs = technique.needs if technique else None
    return {
        "credentials": {
            user: Credentials(needs is Needs.CONSOLE_PASSWORD, 1)
            for user in (ADMIN_USER, PLAIN_USER)
        },
        "other_versions": {
            OWN_POLICY: (_policy(EVERYTHING, PolicyKind.IDENTITY, OWN_POLICY),),
            PLAIN_POLICY: (),
        },
        "existing": {
            ("GlueJob", ACCOUNT): (GLUE_JOB,),
            ("EcsCluster", ACCOUNT): (CLUSTER,),
            ("EcsTaskDefinition", ACCOUNT): (TASK_DEFINITION,),
        },
    }


def _estate(
    attacker: Actor, *, admin_role_arn: str = ADMIN_ROLE, technique: Technique | None = None
) -> Estate:
    everything = EVERYTHING
    actors = {
        attacker.arn: attacker,
        admin_role_arn: _actor(admin_role_arn, everything),
        ADMIN_USER: _actor(ADMIN_USER, everything),
        PLAIN_ROLE: _actor(PLAIN_ROLE, [_allow(["s3:ListAllMyBuckets"])]),
        PLAIN_USER: _actor(PLAIN_USER, [_allow(["s3:ListAllMyBuckets"])]),
    }
    admins_group = PolicySet(identity=(_policy(everything, PolicyKind.IDENTITY, "admins"),))
    return Estate(
        actors=actors,
        roles={arn: _role_target(arn) for arn in (admin_role_arn, PLAIN_ROLE)},
        own_policies={attacker.arn: (OWN_POLICY,), PLAIN_ROLE: (PLAIN_POLICY,)},
        group_policies={DEVS_GROUP: PolicySet(), ADMINS_GROUP: admins_group},
        memberships={ATTACKER_USER: (DEVS_GROUP,)} if attacker.label == "User" else {},
        runs_as=(
            ("LambdaFunction", FUNCTION, admin_role_arn),
            ("Ec2Instance", INSTANCE, admin_role_arn),
            ("CloudFormationStack", STACK, admin_role_arn),
            ("CodeBuildProject", PROJECT, admin_role_arn),
            ("SageMakerNotebook", NOTEBOOK, admin_role_arn),
            ("EcsTask", TASK, admin_role_arn),
            ("Ec2LaunchTemplate", TEMPLATE, admin_role_arn),
        ),
        template_groups={TEMPLATE: (GROUP,)},
        profiled_roles=frozenset({admin_role_arn}),
        exec_tasks=frozenset({TASK}),
        **_deployed(technique),
    )


def _attacker_arn(technique: Technique) -> str:
    return ATTACKER_ROLE if technique.principal_label == "Role" else ATTACKER_USER


def _actions(technique: Technique) -> list[str]:
    return [action for action, _ in technique.permissions]


def _identity_actions(technique: Technique) -> list[str]:
    """The actions its identity policies must allow: a trust it rewrote to name it lets it
    assume the role with none."""
    return [action for action, on in technique.permissions if on != REWRITTEN_TRUST]


# What each kind of technique becomes.
_BECOMES = {
    Via.ADMIN_USER: ADMIN_USER,
    Via.ANY_USER: PLAIN_USER,
    Via.ANY_ROLE: PLAIN_ROLE,
    Via.ROLE_POLICY: PLAIN_ROLE,
}


def _found(estate: Estate, technique: Technique, status: Status = Status.EXPLOITABLE) -> list[str]:
    """The targets the attacker reaches with the technique, as deployed (or with `status`)."""
    return [
        finding.target
        for finding in find_escalations(estate, (technique,))
        if "attacker" in finding.source and finding.status is status
    ]


def _unseen(technique: Technique) -> bool:
    """It needs a resource kg does not collect: the best kg can say is unknown."""
    return technique.needs is not None and technique.needs.unseen


IDS = [t.name for t in TECHNIQUES]


@pytest.mark.parametrize("technique", TECHNIQUES, ids=IDS)
def test_technique_found_when_every_permission_is_allowed(technique: Technique) -> None:
    # What else it needs allowed: iam:PassRole on a stack's role, invoking a changed function.
    extra = {
        Needs.PASS_STACK_ROLE: ["iam:PassRole"],
        Needs.FUNCTION_INVOKED: ["lambda:InvokeFunction"],
        Needs.TEMPLATE_LAUNCHED: ["autoscaling:SetDesiredCapacity"],
    }
    passes = extra.get(technique.needs, []) if technique.needs else []
    attacker = _actor(_attacker_arn(technique), [_allow([*_actions(technique), *passes])])
    status = Status.UNKNOWN if _unseen(technique) else Status.EXPLOITABLE
    targets = _found(_estate(attacker, technique=technique), technique, status)
    assert targets
    self_escalation = technique.via in (Via.OWN_POLICY, Via.SELF, Via.OWN_GROUP, Via.ADMIN_GROUP)
    expected = attacker.arn if self_escalation else _BECOMES.get(technique.via, ADMIN_ROLE)
    assert set(targets) == {expected}


@pytest.mark.parametrize("technique", TECHNIQUES, ids=IDS)
def test_technique_not_found_when_a_permission_is_missing(technique: Technique) -> None:
    attacker = _actor(
        _attacker_arn(technique),
        [_allow(_identity_actions(technique)[:-1])]
        if len(_identity_actions(technique)) > 1
        else [],
    )
    assert _found(_estate(attacker, technique=technique), technique) == []


@pytest.mark.parametrize("technique", TECHNIQUES, ids=IDS)
def test_technique_not_found_when_a_permission_is_denied(technique: Technique) -> None:
    statements = [_allow(_actions(technique)), _deny(_actions(technique)[-1:])]
    assert (
        _found(
            _estate(_actor(_attacker_arn(technique), statements), technique=technique), technique
        )
        == []
    )


@pytest.mark.parametrize("technique", TECHNIQUES, ids=IDS)
def test_technique_not_found_when_an_scp_denies_it(technique: Technique) -> None:
    scp = [_allow(["*"]), _deny(_actions(technique)[:1])]
    attacker = _actor(_attacker_arn(technique), [_allow(_actions(technique))], scp=scp)
    assert _found(_estate(attacker, technique=technique), technique) == []


@pytest.mark.parametrize("technique", TECHNIQUES, ids=IDS)
def test_technique_not_found_outside_the_permissions_boundary(technique: Technique) -> None:
    boundary = [_allow(["s3:*", "ec2:Describe*"])]
    attacker = _actor(_attacker_arn(technique), [_allow(_actions(technique))], boundary=boundary)
    assert _found(_estate(attacker, technique=technique), technique) == []


@pytest.mark.parametrize(
    "technique",
    [t for t in TECHNIQUES if t.via is Via.PASSABLE_ROLE and "iam:PassRole" in _actions(t)],
    ids=lambda t: t.name,
)
def test_passrole_scoped_to_a_role_that_is_not_admin_escalates_nothing(
    technique: Technique,
) -> None:
    others = [a for a in _actions(technique) if a != "iam:PassRole"]
    attacker = _actor(ATTACKER_USER, [_allow(["iam:PassRole"], PLAIN_ROLE), _allow(others)])
    assert _found(_estate(attacker, technique=technique), technique) == []


def test_passrole_needs_the_role_to_trust_the_service() -> None:
    technique = next(t for t in TECHNIQUES if t.name == "passrole-lambda-invoke")
    attacker = _actor(ATTACKER_USER, [_allow(_actions(technique))])
    estate = _estate(attacker)
    untrusting = Target(
        "Role",
        ADMIN_ROLE,
        ACCOUNT,
        _policy(
            [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
            PolicyKind.RESOURCE,
            "trust",
        ),
        None,
    )
    estate = Estate(
        estate.actors,
        {**estate.roles, ADMIN_ROLE: untrusting},
        estate.own_policies,
        estate.group_policies,
        estate.memberships,
        estate.runs_as,
    )
    assert _found(estate, technique) == []


def test_admins_are_not_reported_as_escalating() -> None:
    attacker = _actor(ATTACKER_USER, [_allow(["*"])])
    assert [f for f in find_escalations(_estate(attacker)) if f.source == ATTACKER_USER] == []


def test_catalog_names_are_unique_and_cover_the_public_techniques() -> None:
    assert len(IDS) == len(set(IDS))
    actions = {action for t in TECHNIQUES for action in _actions(t)}
    assert {
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:AttachUserPolicy",
        "iam:AttachGroupPolicy",
        "iam:AttachRolePolicy",
        "iam:PutUserPolicy",
        "iam:PutGroupPolicy",
        "iam:PutRolePolicy",
        "iam:AddUserToGroup",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:UpdateAssumeRolePolicy",
        "iam:PassRole",
        "ec2:RunInstances",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
        "lambda:CreateEventSourceMapping",
        "cloudformation:CreateStack",
        "glue:CreateDevEndpoint",
        "glue:UpdateDevEndpoint",
        "codebuild:CreateProject",
        "sagemaker:CreateNotebookInstance",
        "ecs:RunTask",
        "datapipeline:CreatePipeline",
        "lambda:UpdateFunctionCode",
        "ssm:SendCommand",
        "ssm:StartSession",
        "ec2-instance-connect:SendSSHPublicKey",
        "sts:AssumeRole",
    } <= actions
    # The pathfinding.cloud paths decidable from what kg collects (docs/privesc-coverage.md).
    assert {
        "iam:DeleteAccessKey",
        "ec2:RequestSpotInstances",
        "ec2:ModifyInstanceAttribute",
        "lambda:AddPermission",
        "cloudformation:ExecuteChangeSet",
        "codebuild:StartBuildBatch",
        "ecs:CreateCluster",
        "ecs:CreateService",
        "glue:StartJobRun",
        "glue:CreateTrigger",
        "glue:RunStatement",
        "apprunner:CreateService",
        "bedrock-agentcore:InvokeCodeInterpreter",
        "bedrock-agentcore:InvokeAgentRuntimeCommand",
        "bedrock-agentcore:ConnectBrowserAutomationStream",
        "braket:CreateJob",
        "emr-serverless:StartJobRun",
        "imagebuilder:CreateImage",
        "kinesisanalytics:StartApplication",
        "omics:StartRun",
        "ssm:StartAutomationExecution",
    } <= actions


# Reached from another account: only assuming a role its trust lets in. (The Glue endpoint
# update's permission is on any resource, but the endpoint runs a role of its own account and
# Glue takes no resource policy on it.)
CROSS_ACCOUNT = {"assume-role"}


@pytest.mark.parametrize(
    "technique",
    [t for t in TECHNIQUES if t.via not in (Via.OWN_POLICY, Via.SELF, Via.OWN_GROUP)],
    ids=lambda t: t.name,
)
def test_only_a_trust_policy_lets_a_technique_reach_into_another_account(
    technique: Technique,
) -> None:
    outsider = _attacker_arn(technique).replace(ACCOUNT, OTHER_ACCOUNT)
    attacker = _actor(outsider, [_allow(_actions(technique))])
    found = _found(_estate(attacker, technique=technique), technique)
    assert bool(found) == (technique.name in CROSS_ACCOUNT)
    assert confined_to_account(technique) == (technique.name not in CROSS_ACCOUNT)


def test_docs_privesc_md_is_generated_from_the_catalog() -> None:
    """Regenerate docs/privesc.md (make docs) whenever the catalog changes."""
    docs = Path(__file__).resolve().parents[3] / "docs" / "privesc.md"
    assert docs.read_text() == catalog_markdown()
    assert all(t.source for t in TECHNIQUES)


@pytest.mark.parametrize(
    "technique", [t for t in TECHNIQUES if t.needs is Needs.PASS_STACK_ROLE], ids=lambda t: t.name
)
def test_a_stack_change_without_pass_role_on_its_role_is_unknown(technique: Technique) -> None:
    """AWS's guide and the public catalogs disagree on whether it needs iam:PassRole: kg says
    it cannot tell, and never puts it in a chain."""
    attacker = _actor(ATTACKER_USER, [_allow(_actions(technique))])
    estate = _estate(attacker, technique=technique)
    findings = [f for f in find_escalations(estate, (technique,)) if f.source == ATTACKER_USER]
    assert [(f.target, f.status) for f in findings] == [(ADMIN_ROLE, Status.UNKNOWN)]
    assert findings[0].reason and "iam:PassRole" in findings[0].reason


@pytest.mark.parametrize(
    "technique",
    [t for t in TECHNIQUES if t.needs is Needs.INSTANCE_PROFILE],
    ids=lambda t: t.name,
)
def test_launching_with_a_role_that_has_no_instance_profile_is_latent(technique: Technique) -> None:
    attacker = _actor(ATTACKER_USER, [_allow(_actions(technique))])
    estate = _estate(attacker, technique=technique)
    unprofiled = replace(estate, profiled_roles=frozenset())
    assert _found(unprofiled, technique) == []
    findings = [f for f in find_escalations(unprofiled, (technique,)) if f.source == ATTACKER_USER]
    assert [(f.status, f.reason) for f in findings] == [
        (
            Status.LATENT,
            "the role has no instance profile to launch an instance with (making one needs "
            "iam:CreateInstanceProfile and iam:AddRoleToInstanceProfile)",
        )
    ]


def test_techniques_on_resources_kg_does_not_collect_are_never_exploitable() -> None:
    unseen = [t for t in TECHNIQUES if _unseen(t)]
    assert {t.name for t in unseen} >= {
        "glue-update-dev-endpoint",
        "passrole-lambda-event-source",
    }
    for technique in unseen:
        attacker = _actor(_attacker_arn(technique), [_allow(_actions(technique))])
        estate = _estate(attacker, technique=technique)
        assert _found(estate, technique) == [], technique.name


def test_rewriting_a_trust_to_name_itself_needs_no_identity_permission_to_assume() -> None:
    """pathfinding.cloud iam-012: the rewritten trust names the principal, and in its own
    account a trust that names a principal lets it in with no identity permission; an SCP that
    denies sts:AssumeRole still stops it."""
    technique = next(t for t in TECHNIQUES if t.name == "update-assume-role-policy")
    alone = _actor(ATTACKER_USER, [_allow(["iam:UpdateAssumeRolePolicy"])])
    assert _found(_estate(alone, technique=technique), technique) == [ADMIN_ROLE]
    scp = [_allow(["*"]), _deny(["sts:AssumeRole"])]
    denied = _actor(ATTACKER_USER, [_allow(["iam:UpdateAssumeRolePolicy"])], scp=scp)
    assert _found(_estate(denied, technique=technique), technique) == []


def test_a_role_made_admin_must_also_be_assumable() -> None:
    """iam-014: attaching a policy to a role is no escalation unless the principal can then
    become it; its trust lets the account in, so the principal's own sts:AssumeRole decides."""
    technique = next(t for t in TECHNIQUES if t.name == "attach-role-policy-assume")
    cannot_assume = _actor(
        ATTACKER_USER,
        [_allow(["iam:AttachRolePolicy"]), _deny(["sts:AssumeRole"])],
    )
    assert _found(_estate(cannot_assume, technique=technique), technique) == []
    can = _actor(ATTACKER_USER, [_allow(["iam:AttachRolePolicy", "sts:AssumeRole"])])
    assert _found(_estate(can, technique=technique), technique) == [PLAIN_ROLE]


@pytest.mark.parametrize(
    "technique", [t for t in TECHNIQUES if t.needs is Needs.VERSION_SLOT], ids=lambda t: t.name
)
def test_a_sixth_policy_version_is_latent_and_uncollected_versions_unknown(
    technique: Technique,
) -> None:
    attacker = _actor(_attacker_arn(technique), [_allow(_actions(technique))])
    estate = _estate(attacker, technique=technique)
    full = replace(
        estate,
        other_versions={
            arn: (_policy(EVERYTHING, PolicyKind.IDENTITY, arn),) * 4
            for arn in (OWN_POLICY, PLAIN_POLICY)
        },
    )
    assert _found(full, technique) == []
    latent = [f for f in find_escalations(full, (technique,)) if f.source == attacker.arn]
    assert [f.status for f in latent] == [Status.LATENT]
    assert latent[0].reason and "5 versions" in latent[0].reason
    uncollected = replace(estate, other_versions={})
    assert _found(uncollected, technique) == []
    assert _found(uncollected, technique, Status.UNKNOWN)


PASS_TO_LAMBDA = next(t for t in TECHNIQUES if t.name == "passrole-lambda-invoke")
REGION_LOCK = [
    _allow(["*"]),
    {
        "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*", "organizations:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
    },
]


def _lambda_found(statements: list[dict[str, Any]], **estate: Any) -> list[str]:
    attacker = _actor(ATTACKER_USER, statements, scp=estate.pop("scp", None))
    return _found(replace(_estate(attacker), **estate), PASS_TO_LAMBDA)


def test_a_region_lock_leaves_the_attacker_the_regions_it_allows() -> None:
    """The attacker creates the function in a region it picks: under a region lock, one the
    lock allows and the organization uses."""
    statements = [_allow(_actions(PASS_TO_LAMBDA))]
    assert _lambda_found(statements, scp=REGION_LOCK, regions=("us-east-1", "eu-west-1")) == [
        ADMIN_ROLE
    ]
    assert _lambda_found(statements, scp=REGION_LOCK, regions=("us-east-1",)) == []


def test_a_grant_on_named_functions_lets_it_create_one_of_them() -> None:
    """Least privilege names the functions: creating and invoking dev-* is enough to pass the
    role to one; a grant in another account or a Deny on every function is not."""
    dev = f"arn:aws:lambda:*:{ACCOUNT}:function:dev-*"
    scoped = [
        _allow(["iam:PassRole"]),
        _allow(["lambda:CreateFunction", "lambda:InvokeFunction"], dev),
    ]
    assert _lambda_found(scoped) == [ADMIN_ROLE]
    elsewhere = f"arn:aws:lambda:*:{OTHER_ACCOUNT}:function:dev-*"
    assert _lambda_found([scoped[0], {**scoped[1], "Resource": elsewhere}]) == []
    in_other_region = f"arn:aws:lambda:ap-south-1:{ACCOUNT}:function:dev-*"
    assert _lambda_found([scoped[0], {**scoped[1], "Resource": in_other_region}]) == []
    deny_functions = {
        "Effect": "Deny",
        "Action": "lambda:CreateFunction",
        "Resource": f"arn:aws:lambda:*:{ACCOUNT}:function:*",
    }
    assert _lambda_found([*scoped, deny_functions]) == []


@pytest.mark.parametrize("name", ["ssm-send-command", "ssm-start-session"])
def test_systems_manager_reaches_only_an_instance_whose_role_lets_it_register(name: str) -> None:
    """The agent registers the instance with the instance's role: a role that may not call
    ssm:UpdateInstanceInformation leaves kg unable to tell (Default Host Management could
    register it instead), so the technique is unknown, not exploitable."""
    technique = next(t for t in TECHNIQUES if t.name == name)
    attacker = _actor(ATTACKER_USER, [_allow(_actions(technique))])
    estate = _estate(attacker, technique=technique)
    assert _found(estate, technique) == [ADMIN_ROLE]
    unregistered = _actor(ADMIN_ROLE, [*EVERYTHING, _deny(["ssm:UpdateInstanceInformation"])])
    estate = replace(estate, actors={**estate.actors, ADMIN_ROLE: unregistered})
    assert _found(estate, technique) == []
    (unknown,) = [f for f in find_escalations(estate, (technique,)) if f.source == ATTACKER_USER]
    assert unknown.status is Status.UNKNOWN
    assert unknown.reason and "ssm:UpdateInstanceInformation" in unknown.reason


def test_joining_a_group_is_latent_for_a_user_in_ten_groups() -> None:
    technique = next(t for t in TECHNIQUES if t.name == "add-user-to-group")
    attacker = _actor(ATTACKER_USER, [_allow(["iam:AddUserToGroup"])])
    estate = _estate(attacker, technique=technique)
    assert _found(estate, technique) == [ATTACKER_USER]
    groups = tuple(f"arn:aws:iam::{ACCOUNT}:group/team-{n}" for n in range(10))
    full = replace(estate, memberships={ATTACKER_USER: groups})
    assert _found(full, technique) == []
    (latent,) = _found(full, technique, Status.LATENT)
    assert latent == ATTACKER_USER


def test_a_role_names_its_own_session_in_the_trust_it_writes_past_its_boundary() -> None:
    """A role whose boundary allows iam:UpdateAssumeRolePolicy but not sts:AssumeRole writes a
    trust naming its own session ARN: a grant naming the session directly is not limited by the
    boundary (AWS's policy evaluation logic), so it still becomes the admin role; an SCP that
    denies sts:AssumeRole still stops it."""
    technique = next(t for t in TECHNIQUES if t.name == "update-assume-role-policy")
    statements = [_allow(["iam:UpdateAssumeRolePolicy"])]
    bounded = _actor(ATTACKER_ROLE, statements, boundary=statements)
    assert _found(_estate(bounded, technique=technique), technique) == [ADMIN_ROLE]
    scp = [_allow(["*"]), _deny(["sts:AssumeRole"])]
    denied = _actor(ATTACKER_ROLE, statements, boundary=statements, scp=scp)
    assert _found(_estate(denied, technique=technique), technique) == []


def test_the_function_it_creates_is_the_one_it_must_invoke() -> None:
    """Creating app-* and invoking other-* do not add up: one function must take both."""
    app = f"arn:aws:lambda:*:{ACCOUNT}:function:app-*"
    other = f"arn:aws:lambda:*:{ACCOUNT}:function:other-*"
    apart = [
        _allow(["iam:PassRole"]),
        _allow(["lambda:CreateFunction"], app),
        _allow(["lambda:InvokeFunction"], other),
    ]
    assert _lambda_found(apart) == []
    together = [*apart, _allow(["lambda:InvokeFunction"], app)]
    assert _lambda_found(together) == [ADMIN_ROLE]


def test_a_deny_on_every_function_stops_creating_one_whatever_is_allowed_on_star() -> None:
    """The request names the new function's ARN, never "*": a Deny on every function ARN of
    the account stops it."""
    everything = [_allow(_actions(PASS_TO_LAMBDA))]
    deny_all_functions = {
        "Effect": "Deny",
        "Action": "lambda:*",
        "Resource": "arn:aws:lambda:*:*:function:*",
    }
    assert _lambda_found(everything) == [ADMIN_ROLE]
    assert _lambda_found([*everything, deny_all_functions]) == []


_ON_EXISTING = {
    "passrole-glue-update-job": ("GlueJob", GLUE_JOB),
    "passrole-glue-update-job-trigger": ("GlueJob", GLUE_JOB),
    "passrole-ecs-task": ("EcsCluster", CLUSTER),
    "passrole-ecs-service": ("EcsCluster", CLUSTER),
    "passrole-ecs-run-task-override": ("EcsTaskDefinition", TASK_DEFINITION),
}


@pytest.mark.parametrize("name", sorted(_ON_EXISTING))
def test_a_technique_on_an_existing_resource_needs_one_in_its_account(name: str) -> None:
    """glue-005/006 update an existing job, ecs-003/004 run in an existing cluster: with one in
    the principal's account the role is reached; with none collected there (none in the
    account, or only in another one) kg cannot tell: unknown, never exploitable."""
    technique = next(t for t in TECHNIQUES if t.name == name)
    label, arn = _ON_EXISTING[name]
    attacker = _actor(ATTACKER_USER, [_allow(_actions(technique))])
    estate = _estate(attacker, technique=technique)
    assert _found(estate, technique) == [ADMIN_ROLE]
    other = arn.replace(ACCOUNT, OTHER_ACCOUNT)
    for existing in ({}, {(label, OTHER_ACCOUNT): (other,)}):
        missing = replace(estate, existing=existing)
        assert _found(missing, technique) == []
        (unknown,) = [
            f for f in find_escalations(missing, (technique,)) if f.source == ATTACKER_USER
        ]
        assert (unknown.target, unknown.status) == (ADMIN_ROLE, Status.UNKNOWN)
        assert unknown.reason and "none was collected" in unknown.reason


@pytest.mark.parametrize(
    ("name", "action", "resource"),
    [
        ("passrole-glue-update-job", "glue:UpdateJob", GLUE_JOB),
        ("passrole-glue-update-job-trigger", "glue:UpdateJob", GLUE_JOB),
        ("passrole-ecs-run-task-override", "ecs:RunTask", TASK_DEFINITION),
    ],
)
def test_a_resource_it_may_not_act_on_is_no_way_in(name: str, action: str, resource: str) -> None:
    """Glue jobs and task definitions take no resource policy: the principal's policies must
    allow the action on the existing resource itself, and one it may not act on gives no
    finding at all."""
    technique = next(t for t in TECHNIQUES if t.name == name)
    other = resource.replace("etl", "other").replace("web:3", "other:1")
    statements = [
        _allow([a for a in _actions(technique) if a != action]),
        _allow([action], other),
    ]
    estate = _estate(_actor(ATTACKER_USER, statements), technique=technique)
    assert [f for f in find_escalations(estate, (technique,)) if f.source == ATTACKER_USER] == []
    on_it = [*statements, _allow([action], resource)]
    estate = _estate(_actor(ATTACKER_USER, on_it), technique=technique)
    assert _found(estate, technique) == [ADMIN_ROLE]
    tagged = {
        **_allow([action], resource),
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "x"}},
    }
    estate = _estate(_actor(ATTACKER_USER, [*statements, tagged]), technique=technique)
    (unsure,) = [f for f in find_escalations(estate, (technique,)) if f.source == ATTACKER_USER]
    assert unsure.status is Status.UNKNOWN and unsure.reason and "conditions" in unsure.reason


def test_ecs_exec_reaches_a_task_with_exec_enabled_whose_role_lets_its_agent_in() -> None:
    """ecs-006: a shell in a running task, when ECS Exec is on for it (off: no way in), and the
    exec agent opens its channels with the task's role (AWS's ECS Exec guide): a role that may
    not leaves it unknown, not exploitable."""
    technique = next(t for t in TECHNIQUES if t.name == "ecs-execute-command")
    attacker = _actor(ATTACKER_USER, [_allow(_actions(technique))])
    estate = _estate(attacker, technique=technique)
    assert _found(estate, technique) == [ADMIN_ROLE]
    off = replace(estate, exec_tasks=frozenset())
    assert [f for f in find_escalations(off, (technique,)) if f.source == ATTACKER_USER] == []
    other_task = TASK.replace("0123456789abcdef", "fedcba9876543210")
    elsewhere = _actor(ATTACKER_USER, [_allow(_actions(technique), other_task)])
    assert _found(_estate(elsewhere, technique=technique), technique) == []
    task_only = _estate(
        _actor(ATTACKER_USER, [_allow(_actions(technique), TASK)]), technique=technique
    )
    (unsure,) = [f for f in find_escalations(task_only, (technique,)) if f.source == ATTACKER_USER]
    assert unsure.status is Status.UNKNOWN and unsure.reason and "cluster" in unsure.reason
    on_both = _allow(_actions(technique), [TASK, CLUSTER])
    assert _found(_estate(_actor(ATTACKER_USER, [on_both]), technique=technique), technique) == [
        ADMIN_ROLE
    ]
    no_agent = _actor(ADMIN_ROLE, [*EVERYTHING, _deny(["ssmmessages:CreateControlChannel"])])
    estate = replace(estate, actors={**estate.actors, ADMIN_ROLE: no_agent})
    (unknown,) = [f for f in find_escalations(estate, (technique,)) if f.source == ATTACKER_USER]
    assert (unknown.target, unknown.status) == (ADMIN_ROLE, Status.UNKNOWN)
    assert unknown.reason and "ssmmessages:CreateControlChannel" in unknown.reason


def test_a_new_default_template_version_runs_when_a_group_the_principal_scales_launches() -> None:
    """ec2-004/005: the script runs when an instance is launched from the template: a group
    launching from its default or latest version that the principal may make launch makes it
    exploitable; a group it may not scale, or no group, leaves kg unable to tell (unknown)."""
    technique = next(t for t in TECHNIQUES if t.name == "launch-template-new-default-version")
    scales = _allow([*_actions(technique), "autoscaling:SetDesiredCapacity"])
    estate = _estate(_actor(ATTACKER_USER, [scales]), technique=technique)
    assert _found(estate, technique) == [ADMIN_ROLE]
    waits = _estate(_actor(ATTACKER_USER, [_allow(_actions(technique))]), technique=technique)
    no_group = replace(estate, template_groups={})
    for case, why in ((waits, "may not make it launch"), (no_group, "no collected")):
        assert _found(case, technique) == []
        (unknown,) = [f for f in find_escalations(case, (technique,)) if f.source == ATTACKER_USER]
        assert (unknown.target, unknown.status) == (ADMIN_ROLE, Status.UNKNOWN)
        assert unknown.reason and why in unknown.reason
    other = TEMPLATE.replace("lt-0123456789abcdef0", "lt-0fedcba9876543210")
    elsewhere = _actor(ATTACKER_USER, [_allow(_actions(technique), other)])
    assert find_escalations(_estate(elsewhere, technique=technique), (technique,)) == [
        f
        for f in find_escalations(_estate(elsewhere, technique=technique), (technique,))
        if f.source != ATTACKER_USER
    ]
