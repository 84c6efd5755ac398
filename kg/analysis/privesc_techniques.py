"""The privilege escalation technique catalog, as data.

Each technique names the permissions it needs, the resource each must be allowed on (ANY, the
resource it acts on, or a role trust it rewrote itself) and what it acts on, which decides the
target it reaches. It covers the public catalogues of AWS IAM escalation methods (policy
rewrites, group joins, credentials of other users, trust rewrites, passing a role to a service,
replacing a function's code, commands on an instance, assuming a role).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Via(StrEnum):
    """What a technique acts on, and so which target it reaches."""

    OWN_POLICY = "own_policy"  # a customer managed policy attached to the principal -> itself
    SELF = "self"  # the principal's own user or role -> itself
    OWN_GROUP = "own_group"  # a group the user is in -> itself
    # "Powerful" below: admin-equivalent, or able to escalate further (privesc derives both).
    ADMIN_GROUP = "admin_group"  # a group whose policies make its members powerful -> itself
    ADMIN_USER = "admin_user"  # a powerful user -> that user
    ADMIN_ROLE = "admin_role"  # a powerful role -> that role
    PASSABLE_ROLE = "passable_role"  # a powerful role trusting the technique's service
    FUNCTION = "function"  # a Lambda function running as a powerful role -> that role
    INSTANCE = "instance"  # an EC2 instance running as a powerful role -> that role
    STACK = "stack"  # a CloudFormation stack whose service role is powerful -> that role
    PROJECT = "project"  # a CodeBuild project whose service role is powerful -> that role
    NOTEBOOK = "notebook"  # a SageMaker notebook running as a powerful role -> that role


class Needs(StrEnum):
    """A fact of the estate, beyond permissions, without which the technique fails as deployed."""

    NO_CONSOLE_PASSWORD = "no_console_password"  # CreateLoginProfile fails if one exists
    CONSOLE_PASSWORD = "console_password"  # UpdateLoginProfile needs one to exist
    FREE_ACCESS_KEY_SLOT = "free_access_key_slot"  # AWS allows two access keys per user
    OTHER_POLICY_VERSION = "other_policy_version"  # a version to set back to, broader than now
    # AWS's CloudFormation guide says a user acting on a stack with a service role must be
    # allowed iam:PassRole on it; the public catalogs list the stack permission alone. Without
    # iam:PassRole on the role, kg cannot tell, and says so (unknown).
    PASS_STACK_ROLE = "pass_stack_role"


ANY = "*"
VIA = "via"
REWRITTEN_TRUST = "rewritten_trust"  # sts:AssumeRole after the technique rewrote the trust


@dataclass(frozen=True)
class Technique:
    name: str
    via: Via
    permissions: tuple[tuple[str, str], ...]  # (action, ANY | VIA | REWRITTEN_TRUST)
    explanation: str
    source: str  # the public catalog(s) that describe it
    service: str | None = None  # for PASSABLE_ROLE: the service the role must trust
    principal_label: str | None = None  # only users ("User") or only roles ("Role")
    # Acts on a resource not in the graph that stays in its role's account and takes no
    # resource policy, so the principal must be in that account too.
    in_role_account: bool = False
    needs: Needs | None = None

    @property
    def changes_own_policies(self) -> bool:
        """Whether it gains power by changing which policies apply to the principal itself (a
        group joined, a version set back), after which other techniques may take over."""
        return self.via is Via.ADMIN_GROUP or self.needs is Needs.OTHER_POLICY_VERSION


def _passrole(
    name: str, service: str, actions: tuple[str, ...], how: str, source: str
) -> Technique:
    return Technique(
        name,
        Via.PASSABLE_ROLE,
        (("iam:PassRole", VIA), *((action, ANY) for action in actions)),
        f"Pass the role to {how}, whose code then runs with the role's credentials.",
        source,
        service=service,
    )


TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "create-policy-version",
        Via.OWN_POLICY,
        (("iam:CreatePolicyVersion", VIA),),
        "Write a new default version of a policy attached to itself granting everything.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #1",
    ),
    Technique(
        "set-default-policy-version",
        Via.OWN_POLICY,
        (("iam:SetDefaultPolicyVersion", VIA),),
        "Make another version of a policy attached to itself the default.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #2",
        needs=Needs.OTHER_POLICY_VERSION,
    ),
    Technique(
        "attach-user-policy",
        Via.SELF,
        (("iam:AttachUserPolicy", VIA),),
        "Attach AdministratorAccess to itself.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #7",
        principal_label="User",
    ),
    Technique(
        "put-user-policy",
        Via.SELF,
        (("iam:PutUserPolicy", VIA),),
        "Write an inline policy granting everything on itself.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #10",
        principal_label="User",
    ),
    Technique(
        "attach-role-policy",
        Via.SELF,
        (("iam:AttachRolePolicy", VIA),),
        "Attach AdministratorAccess to its own role.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #9",
        principal_label="Role",
    ),
    Technique(
        "put-role-policy",
        Via.SELF,
        (("iam:PutRolePolicy", VIA),),
        "Write an inline policy granting everything on its own role.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #12",
        principal_label="Role",
    ),
    Technique(
        "attach-group-policy",
        Via.OWN_GROUP,
        (("iam:AttachGroupPolicy", VIA),),
        "Attach AdministratorAccess to a group it is a member of.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #8",
    ),
    Technique(
        "put-group-policy",
        Via.OWN_GROUP,
        (("iam:PutGroupPolicy", VIA),),
        "Write an inline policy granting everything on a group it is a member of.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #11",
    ),
    Technique(
        "add-user-to-group",
        Via.ADMIN_GROUP,
        (("iam:AddUserToGroup", VIA),),
        "Add itself to a group whose policies grant admin.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #13",
    ),
    Technique(
        "create-access-key",
        Via.ADMIN_USER,
        (("iam:CreateAccessKey", VIA),),
        "Create an access key for the user and sign in as it.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #4",
        needs=Needs.FREE_ACCESS_KEY_SLOT,
    ),
    Technique(
        "create-login-profile",
        Via.ADMIN_USER,
        (("iam:CreateLoginProfile", VIA),),
        "Give the user a console password and sign in as it.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #5",
        needs=Needs.NO_CONSOLE_PASSWORD,
    ),
    Technique(
        "update-login-profile",
        Via.ADMIN_USER,
        (("iam:UpdateLoginProfile", VIA),),
        "Reset the user's console password and sign in as it.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #6",
        needs=Needs.CONSOLE_PASSWORD,
    ),
    Technique(
        "update-assume-role-policy",
        Via.ADMIN_ROLE,
        (("iam:UpdateAssumeRolePolicy", VIA), ("sts:AssumeRole", REWRITTEN_TRUST)),
        "Rewrite the role's trust policy to trust itself, then assume the role.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #14",
    ),
    Technique(
        "assume-role",
        Via.ADMIN_ROLE,
        (("sts:AssumeRole", VIA),),
        "Assume the role: its trust policy and the principal's permissions allow it.",
        "Principal Mapper (sts:AssumeRole edges)",
    ),
    _passrole(
        "passrole-ec2",
        "ec2.amazonaws.com",
        ("ec2:RunInstances",),
        "a new EC2 instance",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #3",
    ),
    _passrole(
        "passrole-lambda-invoke",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:InvokeFunction"),
        "a new Lambda function it then invokes",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #15",
    ),
    _passrole(
        "passrole-lambda-event-source",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
        "a new Lambda function triggered by an event source it maps",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #16",
    ),
    _passrole(
        "passrole-cloudformation",
        "cloudformation.amazonaws.com",
        ("cloudformation:CreateStack",),
        "a CloudFormation stack whose resources it defines",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #20",
    ),
    _passrole(
        "passrole-glue-dev-endpoint",
        "glue.amazonaws.com",
        ("glue:CreateDevEndpoint",),
        "a new Glue development endpoint it can log in to",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #18",
    ),
    _passrole(
        "passrole-codebuild",
        "codebuild.amazonaws.com",
        ("codebuild:CreateProject", "codebuild:StartBuild"),
        "a CodeBuild project whose build commands it writes",
        "pathfinding.cloud; BishopFox iam-vulnerable",
    ),
    _passrole(
        "passrole-sagemaker-notebook",
        "sagemaker.amazonaws.com",
        ("sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"),
        "a SageMaker notebook instance it opens",
        "pathfinding.cloud; BishopFox iam-vulnerable",
    ),
    _passrole(
        "passrole-sagemaker-training-job",
        "sagemaker.amazonaws.com",
        ("sagemaker:CreateTrainingJob",),
        "a SageMaker training job whose container image and script it chooses",
        "pathfinding.cloud; AWS SageMaker API reference (CreateTrainingJob RoleArn)",
    ),
    _passrole(
        "passrole-sagemaker-processing-job",
        "sagemaker.amazonaws.com",
        ("sagemaker:CreateProcessingJob",),
        "a SageMaker processing job whose container and entry point it chooses",
        "pathfinding.cloud; AWS SageMaker API reference (CreateProcessingJob RoleArn)",
    ),
    _passrole(
        "passrole-ecs-task",
        "ecs-tasks.amazonaws.com",
        ("ecs:RegisterTaskDefinition", "ecs:RunTask"),
        "an ECS task whose container it chooses",
        "pathfinding.cloud",
    ),
    _passrole(
        "passrole-datapipeline",
        "datapipeline.amazonaws.com",
        (
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ),
        "a Data Pipeline whose activities it defines",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #21",
    ),
    Technique(
        "glue-update-dev-endpoint",
        Via.PASSABLE_ROLE,
        (("glue:UpdateDevEndpoint", ANY),),
        "Add its SSH key to a Glue development endpoint running as the role, then log in "
        "(needs such an endpoint to exist).",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #19",
        service="glue.amazonaws.com",
        in_role_account=True,  # an endpoint runs a role of its account; Glue has no policy on it
    ),
    Technique(
        "lambda-update-function-code",
        Via.FUNCTION,
        (("lambda:UpdateFunctionCode", VIA),),
        "Replace the code of a function that runs as the role.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #17",
    ),
    Technique(
        "cloudformation-update-stack",
        Via.STACK,
        (("cloudformation:UpdateStack", VIA),),
        "Update a stack that runs as the role with a template that creates what it wants "
        "(a role it may assume, a policy on itself); the stack's role makes the change.",
        "pathfinding.cloud cloudformation-002; Principal Mapper (CloudFormation edges)",
        needs=Needs.PASS_STACK_ROLE,
    ),
    Technique(
        "cloudformation-change-set",
        Via.STACK,
        (("cloudformation:CreateChangeSet", VIA), ("cloudformation:ExecuteChangeSet", VIA)),
        "Create and execute a change set on a stack that runs as the role, with a template "
        "that creates what it wants; the stack's role makes the change.",
        "pathfinding.cloud (CloudFormation change sets)",
        needs=Needs.PASS_STACK_ROLE,
    ),
    Technique(
        "codebuild-start-build",
        Via.PROJECT,
        (("codebuild:StartBuild", VIA),),
        "Start a build of a project that runs as the role, overriding its build commands "
        "(buildspec override).",
        "pathfinding.cloud codebuild-002; Principal Mapper (CodeBuild edges)",
    ),
    Technique(
        "codebuild-start-build-batch",
        Via.PROJECT,
        (("codebuild:StartBuildBatch", VIA),),
        "Start a batch build of a project that runs as the role, overriding its build "
        "commands (buildspec override).",
        "pathfinding.cloud (CodeBuild StartBuildBatch)",
    ),
    Technique(
        "sagemaker-presigned-notebook-url",
        Via.NOTEBOOK,
        (("sagemaker:CreatePresignedNotebookInstanceUrl", VIA),),
        "Open a notebook instance that runs as the role (a presigned URL) and run code in it.",
        "pathfinding.cloud (SageMaker presigned notebook URL)",
    ),
    Technique(
        "ssm-send-command",
        Via.INSTANCE,
        (("ssm:SendCommand", VIA),),
        "Run commands on an instance that runs as the role and read its credentials.",
        "pathfinding.cloud; Principal Mapper (SSM edges)",
    ),
    Technique(
        "ssm-start-session",
        Via.INSTANCE,
        (("ssm:StartSession", VIA),),
        "Open a shell on an instance that runs as the role.",
        "pathfinding.cloud; Principal Mapper (SSM edges)",
    ),
    Technique(
        "ec2-instance-connect",
        Via.INSTANCE,
        (("ec2-instance-connect:SendSSHPublicKey", VIA),),
        "Push an SSH key to an instance that runs as the role and log in.",
        "pathfinding.cloud",
    ),
)


_NEEDS_TEXT = {
    Needs.NO_CONSOLE_PASSWORD: "the user has no console password",
    Needs.CONSOLE_PASSWORD: "the user has a console password",
    Needs.FREE_ACCESS_KEY_SLOT: "the user has fewer than two access keys",
    Needs.OTHER_POLICY_VERSION: "another version of the policy gives more than the default",
    Needs.PASS_STACK_ROLE: "`iam:PassRole` on the stack's role (per AWS's CloudFormation guide; "
    "without it: unknown)",
}
_ON_TEXT = {
    ANY: "any resource",
    VIA: "the resource it acts on",
    REWRITTEN_TRUST: "the rewritten trust",
}


def catalog_markdown() -> str:
    """docs/privesc.md: every technique with its permissions, what it needs as deployed and its
    source, from TECHNIQUES (make docs regenerates it; a test keeps it current)."""
    lines = [
        "# Privilege escalation techniques",
        "",
        "Generated from kg/analysis/privesc_techniques.py by `make docs`; do not edit. How they",
        "are decided, chained and reported: docs/access.md, `kg privesc`.",
        "",
        "| technique | acts on | permissions (on) | needs as deployed | source |",
        "|---|---|---|---|---|",
    ]
    for technique in TECHNIQUES:
        permissions = "; ".join(
            f"`{action}` ({_ON_TEXT[on]})" for action, on in technique.permissions
        )
        acts_on = technique.via.value.replace("_", " ")
        if technique.service:
            acts_on += f" trusting `{technique.service}`"
        needs = _NEEDS_TEXT[technique.needs] if technique.needs else ""
        lines.append(
            f"| `{technique.name}` | {acts_on} | {permissions} | {needs} | {technique.source} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalog_markdown(), end="")
