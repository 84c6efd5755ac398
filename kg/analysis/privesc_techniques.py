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
    ADMIN_GROUP = "admin_group"  # a group whose policies make its members admin -> itself
    ADMIN_USER = "admin_user"  # an admin user -> that user
    ADMIN_ROLE = "admin_role"  # an admin role -> that role
    PASSABLE_ROLE = "passable_role"  # an admin role trusting the technique's service
    FUNCTION = "function"  # a Lambda function running as an admin role -> that role
    INSTANCE = "instance"  # an EC2 instance running as an admin role -> that role


ANY = "*"
VIA = "via"
REWRITTEN_TRUST = "rewritten_trust"  # sts:AssumeRole after the technique rewrote the trust


@dataclass(frozen=True)
class Technique:
    name: str
    via: Via
    permissions: tuple[tuple[str, str], ...]  # (action, ANY | VIA | REWRITTEN_TRUST)
    explanation: str
    service: str | None = None  # for PASSABLE_ROLE: the service the role must trust
    principal_label: str | None = None  # only users ("User") or only roles ("Role")
    # Acts on a resource not in the graph that stays in its role's account and takes no
    # resource policy, so the principal must be in that account too.
    in_role_account: bool = False


def _passrole(name: str, service: str, actions: tuple[str, ...], how: str) -> Technique:
    return Technique(
        name,
        Via.PASSABLE_ROLE,
        (("iam:PassRole", VIA), *((action, ANY) for action in actions)),
        f"Pass the role to {how}, whose code then runs with the role's credentials.",
        service=service,
    )


TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "create-policy-version",
        Via.OWN_POLICY,
        (("iam:CreatePolicyVersion", VIA),),
        "Write a new default version of a policy attached to itself granting everything.",
    ),
    Technique(
        "set-default-policy-version",
        Via.OWN_POLICY,
        (("iam:SetDefaultPolicyVersion", VIA),),
        "Make an older, broader version of a policy attached to itself the default.",
    ),
    Technique(
        "attach-user-policy",
        Via.SELF,
        (("iam:AttachUserPolicy", VIA),),
        "Attach AdministratorAccess to itself.",
        principal_label="User",
    ),
    Technique(
        "put-user-policy",
        Via.SELF,
        (("iam:PutUserPolicy", VIA),),
        "Write an inline policy granting everything on itself.",
        principal_label="User",
    ),
    Technique(
        "attach-role-policy",
        Via.SELF,
        (("iam:AttachRolePolicy", VIA),),
        "Attach AdministratorAccess to its own role.",
        principal_label="Role",
    ),
    Technique(
        "put-role-policy",
        Via.SELF,
        (("iam:PutRolePolicy", VIA),),
        "Write an inline policy granting everything on its own role.",
        principal_label="Role",
    ),
    Technique(
        "attach-group-policy",
        Via.OWN_GROUP,
        (("iam:AttachGroupPolicy", VIA),),
        "Attach AdministratorAccess to a group it is a member of.",
    ),
    Technique(
        "put-group-policy",
        Via.OWN_GROUP,
        (("iam:PutGroupPolicy", VIA),),
        "Write an inline policy granting everything on a group it is a member of.",
    ),
    Technique(
        "add-user-to-group",
        Via.ADMIN_GROUP,
        (("iam:AddUserToGroup", VIA),),
        "Add itself to a group whose policies grant admin.",
    ),
    Technique(
        "create-access-key",
        Via.ADMIN_USER,
        (("iam:CreateAccessKey", VIA),),
        "Create an access key for the admin user and sign in as it.",
    ),
    Technique(
        "create-login-profile",
        Via.ADMIN_USER,
        (("iam:CreateLoginProfile", VIA),),
        "Give the admin user a console password and sign in as it.",
    ),
    Technique(
        "update-login-profile",
        Via.ADMIN_USER,
        (("iam:UpdateLoginProfile", VIA),),
        "Reset the admin user's console password and sign in as it.",
    ),
    Technique(
        "update-assume-role-policy",
        Via.ADMIN_ROLE,
        (("iam:UpdateAssumeRolePolicy", VIA), ("sts:AssumeRole", REWRITTEN_TRUST)),
        "Rewrite the admin role's trust policy to trust itself, then assume the role.",
    ),
    Technique(
        "assume-role",
        Via.ADMIN_ROLE,
        (("sts:AssumeRole", VIA),),
        "Assume the admin role: its trust policy and the principal's permissions allow it.",
    ),
    _passrole("passrole-ec2", "ec2.amazonaws.com", ("ec2:RunInstances",), "a new EC2 instance"),
    _passrole(
        "passrole-lambda-invoke",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:InvokeFunction"),
        "a new Lambda function it then invokes",
    ),
    _passrole(
        "passrole-lambda-event-source",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
        "a new Lambda function triggered by an event source it maps",
    ),
    _passrole(
        "passrole-cloudformation",
        "cloudformation.amazonaws.com",
        ("cloudformation:CreateStack",),
        "a CloudFormation stack whose resources it defines",
    ),
    _passrole(
        "passrole-glue-dev-endpoint",
        "glue.amazonaws.com",
        ("glue:CreateDevEndpoint",),
        "a new Glue development endpoint it can log in to",
    ),
    _passrole(
        "passrole-codebuild",
        "codebuild.amazonaws.com",
        ("codebuild:CreateProject", "codebuild:StartBuild"),
        "a CodeBuild project whose build commands it writes",
    ),
    _passrole(
        "passrole-sagemaker-notebook",
        "sagemaker.amazonaws.com",
        ("sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"),
        "a SageMaker notebook instance it opens",
    ),
    _passrole(
        "passrole-ecs-task",
        "ecs-tasks.amazonaws.com",
        ("ecs:RegisterTaskDefinition", "ecs:RunTask"),
        "an ECS task whose container it chooses",
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
    ),
    Technique(
        "glue-update-dev-endpoint",
        Via.PASSABLE_ROLE,
        (("glue:UpdateDevEndpoint", ANY),),
        "Add its SSH key to a Glue development endpoint running as the role, then log in "
        "(needs such an endpoint to exist).",
        service="glue.amazonaws.com",
        in_role_account=True,  # an endpoint runs a role of its account; Glue has no policy on it
    ),
    Technique(
        "lambda-update-function-code",
        Via.FUNCTION,
        (("lambda:UpdateFunctionCode", VIA),),
        "Replace the code of a function that runs as the role.",
    ),
    Technique(
        "ssm-send-command",
        Via.INSTANCE,
        (("ssm:SendCommand", VIA),),
        "Run commands on an instance that runs as the role and read its credentials.",
    ),
    Technique(
        "ssm-start-session",
        Via.INSTANCE,
        (("ssm:StartSession", VIA),),
        "Open a shell on an instance that runs as the role.",
    ),
    Technique(
        "ec2-instance-connect",
        Via.INSTANCE,
        (("ec2-instance-connect:SendSSHPublicKey", VIA),),
        "Push an SSH key to an instance that runs as the role and log in.",
    ),
)
