"""kg measured against BishopFox's iam-vulnerable lab (github.com/BishopFox/iam-vulnerable, commit
0f298666f9b7cfa01488b86912afdb211773188a): its 31 privilege escalation paths and its tool-testing
cases, rebuilt as one in-memory account with the lab's principals, policies, trusts and optional
resources, so docs/privesc-coverage.md's counts are what these tests pin.

The lab's facts carried over (from modules/free-resources/privesc-paths/*.tf, tool-testing/*.tf and
modules/non-free-resources/*/*.tf): every path creates a user and a role holding the same customer
managed policy (Resource "*"), the role trusting the principal that deployed the lab; a shared
admin service role ("Action": "*", with an instance profile) trusted by ten services; and, in its
optional modules, an EC2 instance running that profile, a Lambda function, a Glue dev endpoint and
a SageMaker notebook each running an admin role of their own, and a CloudFormation stack whose
service role is the shared one. The deployer is modelled as an admin user with an access key and
a console password (the lab requires an admin profile to deploy it; it does not create one)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import pytest

from kg.analysis.iam_view import Actor, Target, requester_context
from kg.analysis.policy import Policy, PolicyKind, PolicySet, Principal, PrincipalKind
from kg.analysis.privesc import Credentials, Estate, Finding, Status, find_escalations

ACCOUNT = "111111111111"
IAM = f"arn:aws:iam::{ACCOUNT}"
REGION = "us-east-1"
AS_OF = "2025-09-12T00:00:00Z"  # the snapshot's time, as kg's loader sets it
DEPLOYER = f"{IAM}:user/lab-deployer"
SERVICE_ROLE = f"{IAM}:role/privesc-high-priv-service-role"
LAMBDA_ROLE = f"{IAM}:role/privesc-high-priv-lambda-role2"
GLUE_ROLE = f"{IAM}:role/privesc-glue-devendpoint-role"
SAGEMAKER_ROLE = f"{IAM}:role/privesc-sagemaker-role"
SRE_USER = f"{IAM}:user/privesc-sre-user"
SRE_ROLE = f"{IAM}:role/privesc-sre-role"
SRE_GROUP = f"{IAM}:group/privesc-sre-group"
ASSUME_START = f"{IAM}:role/privesc-AssumeRole-starting-role"
ASSUME_MIDDLE = f"{IAM}:role/privesc-AssumeRole-intermediate-role"
ASSUME_END = f"{IAM}:role/privesc-AssumeRole-ending-role"
INSTANCE = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0a1b2c3d4e5f60718"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:test_lambda"
STACK = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/privesc-cloudformationStack/0a1b"
NOTEBOOK = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/privesc-sagemakernotebook"
SERVICES = [
    "ec2.amazonaws.com",
    "datapipeline.amazonaws.com",
    "cloudformation.amazonaws.com",
    "lambda.amazonaws.com",
    "glue.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "codebuild.amazonaws.com",
    "eks.amazonaws.com",
    "sagemaker.amazonaws.com",
    "elasticbeanstalk.amazonaws.com",
]
EVERYTHING = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]


def _allow(*actions: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": "*"}


# Each path's policy as the lab writes it: (profile, principal name prefix, statements).
PATHS: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("privesc1", "privesc1-CreateNewPolicyVersion", [_allow("iam:CreatePolicyVersion")]),
    (
        "privesc2",
        "privesc2-SetExistingDefaultPolicyVersion",
        [_allow("iam:SetDefaultPolicyVersion")],
    ),
    (
        "privesc3",
        "privesc3-CreateEC2WithExistingInstanceProfile",
        [
            _allow(
                "iam:PassRole",
                "ec2:DescribeInstances",
                "ec2:RunInstances",
                "ec2:CreateKeyPair",
                "ec2:AssociateIamInstanceProfile",
            )
        ],
    ),
    ("privesc4", "privesc4-CreateAccessKey", [_allow("iam:CreateAccessKey")]),
    ("privesc5", "privesc5-CreateLoginProfile", [_allow("iam:CreateLoginProfile")]),
    ("privesc6", "privesc6-UpdateLoginProfile", [_allow("iam:UpdateLoginProfile")]),
    ("privesc7", "privesc7-AttachUserPolicy", [_allow("iam:AttachUserPolicy")]),
    ("privesc8", "privesc8-AttachGroupPolicy", [_allow("iam:AttachGroupPolicy")]),
    ("privesc9", "privesc9-AttachRolePolicy", [_allow("iam:AttachRolePolicy")]),
    ("privesc10", "privesc10-PutUserPolicy", [_allow("iam:PutUserPolicy")]),
    ("privesc11", "privesc11-PutGroupPolicy", [_allow("iam:PutGroupPolicy")]),
    ("privesc12", "privesc12-PutRolePolicy", [_allow("iam:PutRolePolicy")]),
    ("privesc13", "privesc13-AddUserToGroup", [_allow("iam:AddUserToGroup")]),
    (
        "privesc14",
        "privesc14-UpdatingAssumeRolePolicy",
        [_allow("iam:UpdateAssumeRolePolicy", "sts:AssumeRole")],
    ),
    (
        "privesc15",
        "privesc15-PassExistingRoleToNewLambdaThenInvoke",
        [_allow("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")],
    ),
    (
        "privesc16",
        "privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo",
        [_allow("lambda:CreateFunction", "iam:PassRole", "lambda:CreateEventSourceMapping")],
    ),
    (
        "privesc17",
        "privesc17-EditExistingLambdaFunctionWithRole",
        [_allow("lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration")],
    ),
    (
        "privesc18",
        "privesc18-PassExistingRoleToNewGlueDevEndpoint",
        [_allow("glue:CreateDevEndpoint", "glue:GetDevEndpoint", "iam:PassRole")],
    ),
    (
        "privesc19",
        "privesc19-UpdateExistingGlueDevEndpoint",
        [_allow("glue:UpdateDevEndpoint", "glue:GetDevEndpoint")],
    ),
    (
        "privesc20",
        "privesc20-PassExistingRoleToCloudFormation",
        [_allow("iam:PassRole", "cloudformation:CreateStack", "cloudformation:DescribeStacks")],
    ),
    (
        "privesc21",
        "privesc21-PassExistingRoleToNewDataPipeline",
        [
            _allow("iam:PassRole"),
            _allow(
                "datapipeline:CreatePipeline",
                "datapipeline:PutPipelineDefinition",
                "datapipeline:ActivatePipeline",
            ),
        ],
    ),
    (
        "privesc-cfUpdateStack",
        "privesc-CloudFormationUpdateStack",
        [_allow("cloudformation:UpdateStack", "cloudformation:DescribeStacks")],
    ),
    (
        "privesc-codeBuildProject",
        "privesc-codeBuildCreateProjectPassRole",
        [
            _allow(
                "codebuild:CreateProject",
                "codebuild:StartBuild",
                "codebuild:StartBuildBatch",
                "iam:PassRole",
                "iam:ListRoles",
            )
        ],
    ),
    (
        "privesc-instanceConnect",
        "privesc-ec2InstanceConnect",
        [
            _allow(
                "ec2:DescribeInstances",
                "ec2-instance-connect:SendSSHPublicKey",
                "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
            )
        ],
    ),
    (
        "privesc-sageNotebook",
        "privesc-sageMakerCreateNotebookPassRole",
        [
            _allow(
                "sagemaker:CreateNotebookInstance",
                "sagemaker:CreatePresignedNotebookInstanceUrl",
                "sagemaker:ListNotebookInstances",
                "sagemaker:DescribeNotebookInstance",
                "sagemaker:StopNotebookInstance",
                "sagemaker:DeleteNotebookInstance",
                "iam:PassRole",
                "iam:ListRoles",
            )
        ],
    ),
    (
        "privesc-sageUpdateURL",
        "privesc-sageMakerCreatePresignedNotebookURL",
        [_allow("sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:ListNotebookInstances")],
    ),
    (
        "privesc-sageProcessing",
        "privesc-sageMakerCreateProcessingJobPassRole",
        [_allow("sagemaker:CreateProcessingJob", "iam:PassRole")],
    ),
    (
        "privesc-sageTraining",
        "privesc-sageMakerCreateTrainingJobPassRole",
        [_allow("sagemaker:CreateTrainingJob", "iam:PassRole")],
    ),
    (
        "privesc-ssm-command",
        "privesc-ssmSendCommand",
        [
            _allow(
                "ec2:DescribeInstances",
                "ssm:listCommands",
                "ssm:listCommandInvocations",
                "ssm:sendCommand",
            )
        ],
    ),
    (
        "privesc-ssm-session",
        "privesc-ssmStartSession",
        [
            _allow(
                "ec2:DescribeInstances",
                "ssm:StartSession",
                "ssm:DescribeSessions",
                "ssm:GetConnectionStatus",
                "ssm:DescribeInstanceProperties",
                "ssm:TerminateSession",
                "ssm:ResumeSession",
            )
        ],
    ),
]

# The lab's policy names differ from its principal names in two paths.
POLICY_NAMES = {
    "privesc-codeBuildCreateProjectPassRole": "privesc-codeBuildCreateProjectPassRole-policy",
    "privesc-ec2InstanceConnect": "privesc-ec2InstanceConnect-policy",
    "privesc-sageMakerCreateNotebookPassRole": "privesc-sageMakerCreateNotebookPassRole-policy",
    "privesc-sageMakerCreatePresignedNotebookURL": (
        "privesc-sageMakerCreatePresignedNotebookURL-policy"
    ),
    "privesc-sageMakerCreateProcessingJobPassRole": (
        "privesc-sageMakerCreateProcessingJobPassRole-policy"
    ),
    "privesc-sageMakerCreateTrainingJobPassRole": (
        "privesc-sageMakerCreateTrainingJobPassRole-policy"
    ),
    "privesc-ssmSendCommand": "privesc-ssmSendCommand-policy",
    "privesc-ssmStartSession": "privesc-ssmStartSession-policy",
}

# The tool-testing cases: (prefix, [(policy name, statements)], escalates as deployed).
TOOL_TESTS: list[tuple[str, list[tuple[str, list[dict[str, Any]]]], bool]] = [
    (
        "fn1-privesc3-partial",
        [
            ("fn1-privesc3-partial", [_allow("ec2:DescribeInstances", "ec2:RunInstances")]),
            ("fn1-passrole-star", [_allow("iam:PassRole")]),
        ],
        True,
    ),
    (
        "fn2-exploitableResourceConstraint",
        [
            (
                "fn2-exploitableResourceConstraint",
                [
                    {
                        "Effect": "Allow",
                        "Action": "iam:CreatePolicyVersion",
                        "Resource": "arn:aws:iam::*:policy/fn2-*",
                    }
                ],
            )
        ],
        True,
    ),
    (
        "fn3-exploitableConditionConstraint",
        [
            (
                "fn3-exploitableConditionConstraint",
                [
                    {
                        "Effect": "Allow",
                        "Action": ["iam:CreatePolicyVersion"],
                        "Resource": ["*"],
                        "Condition": {
                            "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}
                        },
                    }
                ],
            )
        ],
        True,
    ),
    (
        "fn4-exploitableNotAction",
        [
            (
                "fn4-exploitableNotAction",
                [
                    {
                        "Effect": "Allow",
                        "NotAction": ["iam:Update*", "iam:Create*", "iam:Attach*"],
                        "Resource": "*",
                    }
                ],
            )
        ],
        True,
    ),
    (
        "fp1-allow-and-deny",
        [
            (
                "fp1-allow-and-deny",
                [
                    _allow("iam:*"),
                    {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
                ],
            )
        ],
        False,
    ),
    (
        "fp2-allow-and-deny-multiple-policies",
        [
            ("fp2-allow-all", EVERYTHING),
            ("deny-all", [{"Effect": "Deny", "Action": "*", "Resource": "*"}]),
        ],
        False,
    ),
    (
        "fp3-deny-iam",
        [("fp3-deny-iam", [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}])],
        False,
    ),
    (
        "fp4-nonExploitableResourceConstraint",
        [
            (
                "fp4-nonExploitableResourceConstraint",
                [
                    {
                        "Effect": "Allow",
                        "Action": "iam:CreatePolicyVersion",
                        "Resource": "arn:aws:iam::aws:policy/fp4-*",
                    }
                ],
            )
        ],
        False,
    ),
    (
        "fp5-nonExploitableConditionConstraint",
        [
            (
                "fp5-nonExploitableConditionConstraint",
                [
                    {
                        "Effect": "Allow",
                        "Action": ["iam:CreatePolicyVersion"],
                        "Resource": ["*"],
                        "Condition": {
                            "DateLessThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}
                        },
                    }
                ],
            )
        ],
        False,
    ),
]


def _policy(statements: list[dict[str, Any]], kind: PolicyKind, name: str) -> Policy:
    document = {"Version": "2012-10-17", "Statement": statements}
    return Policy.parse(document, policy_id=name, kind=kind)


def _managed(name: str, statements: list[dict[str, Any]]) -> Policy:
    return _policy(statements, PolicyKind.IDENTITY, f"{IAM}:policy/{name}")


def _actor(arn: str, policies: tuple[Policy, ...]) -> Actor:
    """As kg's loader builds it: a role acts through a fresh session, a user with its long-term
    keys (no aws:TokenIssueTime), at the snapshot's time."""
    kind = PrincipalKind.USER if ":user/" in arn else PrincipalKind.ROLE
    return Actor(
        "User" if kind is PrincipalKind.USER else "Role",
        Principal(kind, arn),
        PolicySet(identity=policies),
        context=requester_context(AS_OF, session=kind is PrincipalKind.ROLE),
    )


def _trust(role: str, principal: dict[str, Any]) -> Target:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return Target("Role", role, ACCOUNT, _policy([statement], PolicyKind.RESOURCE, role), None)


@dataclass
class _Lab:
    """The account as it is assembled, before it is frozen into an Estate."""

    actors: dict[str, Actor]
    roles: dict[str, Target]
    own: dict[str, tuple[str, ...]]
    groups: dict[str, PolicySet]
    members: dict[str, tuple[str, ...]]
    credentials: dict[str, Credentials]

    def principal(self, name: str, policies: tuple[Policy, ...], user: bool = True) -> str:
        """A lab user (access key, no console password) or a role trusting the deployer."""
        arn = f"{IAM}:{'user' if user else 'role'}/{name}"
        self.actors[arn] = _actor(arn, policies)
        self.own[arn] = tuple(p.policy_id for p in policies if ":policy/" in p.policy_id)
        if user:
            self.credentials[arn] = Credentials(False, 1)
        else:
            self.roles[arn] = _trust(arn, {"AWS": DEPLOYER})
        return arn


def _lab() -> _Lab:
    admin = _managed("AdministratorAccess", EVERYTHING)
    lab = _Lab({}, {}, {}, {}, {}, {DEPLOYER: Credentials(True, 1)})
    lab.actors[DEPLOYER] = _actor(DEPLOYER, (admin,))
    for prefix, statements in [(p, s) for _, p, s in PATHS if p != "privesc-AssumeRole"]:
        policy = _managed(POLICY_NAMES.get(prefix, prefix), statements)
        lab.principal(f"{prefix}-user", (policy,))
        lab.principal(f"{prefix}-role", (policy,), user=False)
    for group in ("privesc8-AttachGroupPolicy-group", "privesc11-PutGroupPolicy-group"):
        lab.groups[f"{IAM}:group/{group}"] = PolicySet()
        user = f"{IAM}:user/{group.removesuffix('-group')}-user"
        lab.members[user] = (f"{IAM}:group/{group}",)
    # The shared admin service role, and the admin roles of the optional modules.
    service = _managed("privesc-high-priv-service-policy", EVERYTHING)
    ssm_core = _policy(
        [_allow("ssm:UpdateInstanceInformation", "ssmmessages:*", "ec2messages:*")],
        PolicyKind.IDENTITY,
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    )
    lab.actors[SERVICE_ROLE] = _actor(SERVICE_ROLE, (service, ssm_core))
    lab.roles[SERVICE_ROLE] = _trust(SERVICE_ROLE, {"Service": SERVICES})
    for role, policy, service_name in (
        (LAMBDA_ROLE, "privesc-high-priv-lambda-policy2", "lambda.amazonaws.com"),
        (GLUE_ROLE, "privesc-high-priv-glue-policy2", "glue.amazonaws.com"),
        (SAGEMAKER_ROLE, "privesc-high-priv-sagemaker-policy2", "sagemaker.amazonaws.com"),
    ):
        lab.actors[role] = _actor(role, (_managed(policy, EVERYTHING),))
        lab.roles[role] = _trust(role, {"Service": service_name})
    # The AssumeRole path: a role trusting the deployer, one trusting it, an admin trusting that.
    for role, trusted in (
        (ASSUME_START, DEPLOYER),
        (ASSUME_MIDDLE, ASSUME_START),
        (ASSUME_END, ASSUME_MIDDLE),
    ):
        policies = (_managed("privesc-AssumeRole-high-priv-policy", EVERYTHING),)
        lab.actors[role] = _actor(role, policies if role == ASSUME_END else ())
        lab.roles[role] = _trust(role, {"AWS": trusted})
    lab.principal("privesc-AssumeRole-start-user", ())
    # sre.tf: a user whose group and role grant iam:*, ec2:* and s3:*.
    sre = _managed("privesc-sre-admin-policy", [_allow("iam:*", "ec2:*", "s3:*")])
    lab.principal("privesc-sre-user", ())
    lab.groups[SRE_GROUP] = PolicySet(identity=(sre,))
    lab.members[SRE_USER] = (SRE_GROUP,)
    lab.actors[SRE_ROLE] = _actor(SRE_ROLE, (sre,))
    lab.roles[SRE_ROLE] = _trust(SRE_ROLE, {"AWS": SRE_USER})
    for prefix, policies, _ in TOOL_TESTS:
        attached = tuple(_managed(name, statements) for name, statements in policies)
        lab.principal(f"{prefix}-user", attached)
        lab.principal(f"{prefix}-role", attached, user=False)
    permissive = f"{IAM}:role/privesc-permissive-role-trust"
    lab.actors[permissive] = _actor(permissive, ())
    lab.roles[permissive] = _trust(permissive, {"AWS": f"{IAM}:root"})
    return lab


@cache
def lab_estate() -> Estate:
    """The lab with its optional modules (EC2, Lambda, Glue, SageMaker, CloudFormation) deployed:
    every customer managed policy holds the one version Terraform wrote."""
    lab = _lab()
    policies = {p.policy_id for a in lab.actors.values() for p in a.policies.identity}
    policies |= {p.policy_id for g in lab.groups.values() for p in g.identity}
    return Estate(
        actors=lab.actors,
        roles=lab.roles,
        own_policies=lab.own,
        group_policies=lab.groups,
        memberships=lab.members,
        runs_as=(
            ("Ec2Instance", INSTANCE, SERVICE_ROLE),
            ("LambdaFunction", FUNCTION, LAMBDA_ROLE),
            ("CloudFormationStack", STACK, SERVICE_ROLE),
            ("SageMakerNotebook", NOTEBOOK, SAGEMAKER_ROLE),
        ),
        profiled_roles=frozenset({SERVICE_ROLE}),
        credentials=lab.credentials,
        other_versions={p: () for p in policies if f":{ACCOUNT}:" in p},
        regions=(REGION,),
    )


@cache
def lab_findings() -> tuple[Finding, ...]:
    return tuple(find_escalations(lab_estate()))


def _from(source: str) -> list[Finding]:
    return [f for f in lab_findings() if f.source == source]


ORDER = (Status.EXPLOITABLE, Status.CONDITIONAL, Status.UNKNOWN, Status.LATENT)


def verdict(source: str) -> tuple[Status | None, frozenset[str]]:
    """What kg says of the principal: the best status at which it reaches an admin-equivalent
    principal (every hop exploitable but at most one of that status), and the techniques of the
    first hops on those paths. A chain through a principal that escalates counts, as in
    `kg privesc`."""
    by_source: dict[str, list[Finding]] = {}
    for finding in lab_findings():
        by_source.setdefault(finding.source, []).append(finding)

    def reaches(finding: Finding, allowed: frozenset[Status], seen: frozenset[str]) -> bool:
        if finding.status not in allowed:
            return False
        if finding.grants_admin:
            return True
        if finding.target in seen:
            return False
        onward = by_source.get(finding.target, [])
        return any(reaches(f, allowed, seen | {finding.target}) for f in onward)

    for status in ORDER:
        allowed = frozenset({Status.EXPLOITABLE, status})
        first = [f for f in by_source.get(source, []) if reaches(f, allowed, frozenset({source}))]
        if first:
            return status, frozenset(f.technique.name for f in first if f.status is status)
    return None, frozenset()


E, U, L = Status.EXPLOITABLE, Status.UNKNOWN, Status.LATENT

# Each of the lab's 31 paths: its principal name prefix, what kg says of its user and of its role
# (None: no escalation), and the technique kg names for it. A path counts as found when either
# principal reaches admin.
LAB_PATHS: list[tuple[str, Status | None, Status | None, str]] = [
    ("privesc1-CreateNewPolicyVersion", E, E, "create-policy-version"),
    # Terraform writes one version: there is none to set back to, so kg says latent.
    ("privesc2-SetExistingDefaultPolicyVersion", L, L, "set-default-policy-version"),
    ("privesc3-CreateEC2WithExistingInstanceProfile", E, E, "passrole-ec2"),
    ("privesc4-CreateAccessKey", E, E, "create-access-key"),
    # The deployer has a console password; the lab's users, which escalate, have none.
    ("privesc5-CreateLoginProfile", E, E, "create-login-profile"),
    ("privesc6-UpdateLoginProfile", E, E, "update-login-profile"),
    # A role that writes a user's policies cannot become that user.
    ("privesc7-AttachUserPolicy", E, None, "attach-user-policy"),
    ("privesc8-AttachGroupPolicy", E, None, "attach-group-policy"),
    # A user that writes a role's policies may not assume it (no sts:AssumeRole, and the lab's
    # roles trust only the deployer).
    ("privesc9-AttachRolePolicy", None, E, "attach-role-policy"),
    ("privesc10-PutUserPolicy", E, None, "put-user-policy"),
    ("privesc11-PutGroupPolicy", E, None, "put-group-policy"),
    ("privesc12-PutRolePolicy", None, E, "put-role-policy"),
    # Into privesc-sre-group (iam:*), then onwards.
    ("privesc13-AddUserToGroup", E, None, "add-user-to-group+attach-user-policy"),
    ("privesc14-UpdatingAssumeRolePolicy", E, E, "update-assume-role-policy"),
    ("privesc15-PassExistingRoleToNewLambdaThenInvoke", E, E, "passrole-lambda-invoke"),
    # kg does not collect event sources (DynamoDB or Kinesis streams, SQS queues).
    ("privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo", U, U, "passrole-lambda-event-source"),
    # The policy grants no lambda:InvokeFunction, and kg does not collect what triggers it.
    ("privesc17-EditExistingLambdaFunctionWithRole", U, U, "lambda-update-function-code"),
    ("privesc18-PassExistingRoleToNewGlueDevEndpoint", E, E, "passrole-glue-dev-endpoint"),
    # kg does not collect Glue dev endpoints.
    ("privesc19-UpdateExistingGlueDevEndpoint", U, U, "glue-update-dev-endpoint"),
    ("privesc20-PassExistingRoleToCloudFormation", E, E, "passrole-cloudformation"),
    ("privesc21-PassExistingRoleToNewDataPipeline", E, E, "passrole-datapipeline"),
    # No iam:PassRole on the stack's role: AWS's guide and the public catalogs disagree.
    ("privesc-CloudFormationUpdateStack", U, U, "cloudformation-update-stack"),
    ("privesc-codeBuildCreateProjectPassRole", E, E, "passrole-codebuild"),
    # kg does not collect whether the attacker can reach the instance's SSH port.
    ("privesc-ec2InstanceConnect", U, U, "ec2-instance-connect"),
    ("privesc-sageMakerCreateNotebookPassRole", E, E, "passrole-sagemaker-notebook"),
    ("privesc-sageMakerCreatePresignedNotebookURL", E, E, "sagemaker-presigned-notebook-url"),
    ("privesc-sageMakerCreateProcessingJobPassRole", E, E, "passrole-sagemaker-processing-job"),
    ("privesc-sageMakerCreateTrainingJobPassRole", E, E, "passrole-sagemaker-training-job"),
    ("privesc-ssmSendCommand", E, E, "ssm-send-command"),
    ("privesc-ssmStartSession", E, E, "ssm-start-session"),
    # The starting role (the lab's profile) assumes the intermediate role, which assumes the
    # admin ending role; the start user holds no policy.
    ("privesc-AssumeRole", None, E, "assume-role"),
]


def _principals(prefix: str) -> tuple[str, str]:
    if prefix == "privesc-AssumeRole":
        return f"{IAM}:user/privesc-AssumeRole-start-user", ASSUME_START
    return f"{IAM}:user/{prefix}-user", f"{IAM}:role/{prefix}-role"


def test_the_lab_has_31_paths() -> None:
    assert len(LAB_PATHS) == 31
    assert len({prefix for prefix, *_ in LAB_PATHS}) == 31
    assert {p for _, p, _ in PATHS} | {"privesc-AssumeRole"} == {p for p, *_ in LAB_PATHS}


@pytest.mark.parametrize(
    ("prefix", "user", "role", "technique"), LAB_PATHS, ids=[p for p, *_ in LAB_PATHS]
)
def test_lab_path(prefix: str, user: Status | None, role: Status | None, technique: str) -> None:
    user_arn, role_arn = _principals(prefix)
    found = {}
    for arn, expected in ((user_arn, user), (role_arn, role)):
        status, techniques = verdict(arn)
        assert status is expected, arn
        if status is not None:
            found[arn] = techniques
    assert found
    assert all(technique in techniques for techniques in found.values())


def test_unknown_paths_say_why() -> None:
    """Unknown is only honest with its reason: what kg did not collect, or cannot decide."""
    reasons = {
        "privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo": "event source",
        "privesc19-UpdateExistingGlueDevEndpoint": "Glue development endpoint",
        "privesc-CloudFormationUpdateStack": "iam:PassRole",
        "privesc-ec2InstanceConnect": "SSH",
    }
    for prefix, words in reasons.items():
        findings = _from(_principals(prefix)[0])
        assert findings and all(f.status is U for f in findings), prefix
        assert all(f.reason and words in f.reason for f in findings), (prefix, findings[0].reason)


def test_a_second_policy_version_makes_privesc2_exploitable() -> None:
    """The exploit guide's premise: an older, broader version of the path's own policy."""
    policy = f"{IAM}:policy/privesc2-SetExistingDefaultPolicyVersion"
    estate = lab_estate()
    older = _policy(EVERYTHING, PolicyKind.IDENTITY, policy)
    with_version = replace(estate, other_versions={**estate.other_versions, policy: (older,)})
    user = f"{IAM}:user/privesc2-SetExistingDefaultPolicyVersion-user"
    findings = [f for f in find_escalations(with_version) if f.source == user]
    direct = [f for f in findings if f.technique.name == "set-default-policy-version"]
    assert [(f.target, f.status, f.grants_admin) for f in direct] == [(user, E, True)]


def test_without_the_optional_modules_the_paths_on_resources_find_nothing() -> None:
    """The lab's default deployment creates no instance, function, stack, notebook or endpoint:
    the paths that act on one escalate nothing (creating them, privesc3/15/18/20, still does)."""
    bare = replace(lab_estate(), runs_as=())
    findings = find_escalations(bare)
    for prefix in (
        "privesc17-EditExistingLambdaFunctionWithRole",
        "privesc-CloudFormationUpdateStack",
        "privesc-ec2InstanceConnect",
        "privesc-sageMakerCreatePresignedNotebookURL",
        "privesc-ssmSendCommand",
        "privesc-ssmStartSession",
    ):
        assert not [f for f in findings if f.source in _principals(prefix)], prefix
    created = {f.source for f in findings if f.status is E and f.grants_admin}
    for prefix in (
        "privesc3-CreateEC2WithExistingInstanceProfile",
        "privesc15-PassExistingRoleToNewLambdaThenInvoke",
        "privesc18-PassExistingRoleToNewGlueDevEndpoint",
        "privesc20-PassExistingRoleToCloudFormation",
    ):
        assert set(_principals(prefix)) <= created, prefix


def test_create_login_profile_is_latent_on_the_deployer_and_goes_through_lab_users() -> None:
    """The deployer has a password already; the lab's users have none, and some escalate."""
    findings = _from(f"{IAM}:user/privesc5-CreateLoginProfile-user")
    assert {(f.status, f.grants_admin) for f in findings if f.target == DEPLOYER} == {(L, True)}
    onward = {f.target for f in findings if f.status is E}
    assert f"{IAM}:user/privesc7-AttachUserPolicy-user" in onward
    assert not any(f.grants_admin for f in findings if f.status is E)


def test_update_login_profile_needs_a_user_with_a_password() -> None:
    """The lab gives none of its users a console password: only the deployer's makes privesc6
    exploitable; without it kg says latent."""
    estate = replace(
        lab_estate(), credentials={**lab_estate().credentials, DEPLOYER: Credentials(False, 1)}
    )
    user = f"{IAM}:user/privesc6-UpdateLoginProfile-user"
    findings = [f for f in find_escalations(estate) if f.source == user]
    assert findings and {f.status for f in findings} == {L}


# The lab's tool-testing cases: fn* escalate (a tool that misses them has a false negative), fp*
# do not (a tool that reports them has a false positive). As the loader sees them: fn3's
# aws:TokenIssueTime condition holds for a role's fresh session and never for a user's long-term
# keys; fp5's never holds.
TOOL_VERDICTS: list[tuple[str, Status | None, Status | None]] = [
    ("fn1-privesc3-partial", E, E),
    ("fn2-exploitableResourceConstraint", E, E),
    ("fn3-exploitableConditionConstraint", None, E),
    ("fn4-exploitableNotAction", E, E),
    ("fp1-allow-and-deny", None, None),
    ("fp2-allow-and-deny-multiple-policies", None, None),
    ("fp3-deny-iam", None, None),
    ("fp4-nonExploitableResourceConstraint", None, None),
    ("fp5-nonExploitableConditionConstraint", None, None),
]


@pytest.mark.parametrize(
    ("prefix", "user", "role"), TOOL_VERDICTS, ids=[t[0] for t in TOOL_VERDICTS]
)
def test_lab_tool_testing_case(prefix: str, user: Status | None, role: Status | None) -> None:
    escalates = next(e for p, _, e in TOOL_TESTS if p == prefix)
    assert escalates == (user is E or role is E)
    assert verdict(f"{IAM}:user/{prefix}-user")[0] is user
    assert verdict(f"{IAM}:role/{prefix}-role")[0] is role
    if not escalates:
        assert not _from(f"{IAM}:user/{prefix}-user") + _from(f"{IAM}:role/{prefix}-role")


def test_fp5_without_a_snapshot_time_is_conditional_not_exploitable() -> None:
    """Without the snapshot's time kg cannot evaluate aws:TokenIssueTime: it says conditional,
    never exploitable."""
    role = f"{IAM}:role/fp5-nonExploitableConditionConstraint-role"
    estate = lab_estate()
    untimed = replace(estate.actors[role], context=requester_context(None))
    findings = [
        f
        for f in find_escalations(replace(estate, actors={**estate.actors, role: untimed}))
        if f.source == role
    ]
    assert [f.status for f in findings] == [Status.CONDITIONAL]
