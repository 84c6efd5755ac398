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
    TASK = "task"  # a running ECS task whose task role is powerful -> that role
    # an EC2 launch template whose default version's instance profile is powerful -> its role
    LAUNCH_TEMPLATE = "launch_template"
    # Not powerful yet: the technique makes them admin, then becomes them.
    ANY_ROLE = "any_role"  # a role of its account, not admin -> that role
    ANY_USER = "any_user"  # a user of its account, not admin -> that user
    ROLE_POLICY = "role_policy"  # a customer managed policy on such a role -> the role


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
    VERSION_SLOT = "version_slot"  # a managed policy holds at most five versions
    INSTANCE_PROFILE = "instance_profile"  # an instance is launched with a profile, not a role
    GROUP_SLOT = "group_slot"  # a user is in at most ten groups
    # Systems Manager reaches an instance only once its agent has registered it, with the
    # instance's role (or Default Host Management, not collected).
    SSM_AGENT = "ssm_agent"
    # Resources the technique needs to exist that kg does not collect: it cannot tell (unknown).
    # An existing Glue job in the principal's account that it may update and start (Glue jobs
    # take no resource policy); none collected is unknown: none, or the listing failed.
    GLUE_JOB = "glue_job"
    GLUE_JOB_TRIGGERED = "glue_job_triggered"  # the same, started by a trigger it creates
    # An ECS cluster in the principal's account to run the task or service in; none collected is
    # unknown (none, or the listing failed).
    ECS_CLUSTER = "ecs_cluster"
    # ECS Exec enabled on the task, and its task role allowing the channels the exec agent opens
    # (ssmmessages:CreateControlChannel, per AWS's ECS Exec guide); a role that may not is
    # unknown.
    ECS_EXEC = "ecs_exec"
    # An existing task definition in the principal's account it may run (a running task's: kg
    # reads only those); none seen is unknown.
    ECS_TASK_DEFINITION = "ecs_task_definition"
    # The new default version runs when an instance is launched from the template: by an Auto
    # Scaling group the principal may make launch, or else by something kg cannot tell (unknown).
    TEMPLATE_LAUNCHED = "template_launched"
    UNSEEN_DEV_ENDPOINT = "unseen_dev_endpoint"
    UNSEEN_EVENT_SOURCE = "unseen_event_source"
    UNSEEN_SSH = "unseen_ssh"  # SSH to the instance from the attacker, and Instance Connect on it
    # The new code runs when the function is invoked: by the principal, or by a trigger kg does
    # not collect (unknown).
    FUNCTION_INVOKED = "function_invoked"

    @property
    def unseen(self) -> bool:
        return self.name.startswith("UNSEEN_")


ANY = "*"
VIA = "via"
REWRITTEN_TRUST = "rewritten_trust"  # sts:AssumeRole after the technique rewrote the trust
TARGET = "target"  # the principal it becomes (when it acts on something else first)


@dataclass(frozen=True)
class Technique:
    name: str
    via: Via
    permissions: tuple[tuple[str, str], ...]  # (action, ANY | VIA | TARGET | REWRITTEN_TRUST)
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
    name: str,
    service: str,
    actions: tuple[str, ...],
    how: str,
    source: str,
    needs: Needs | None = None,
) -> Technique:
    return Technique(
        name,
        Via.PASSABLE_ROLE,
        (("iam:PassRole", VIA), *((action, ANY) for action in actions)),
        f"Pass the role to {how}, whose code then runs with the role's credentials.",
        source,
        service=service,
        needs=needs,
    )


TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "create-policy-version",
        Via.OWN_POLICY,
        (("iam:CreatePolicyVersion", VIA),),
        "Write a new default version of a policy attached to itself granting everything.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #1; pathfinding.cloud iam-001",
        needs=Needs.VERSION_SLOT,
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
        "Rhino Security Labs, AWS IAM privilege escalation methods, #7; pathfinding.cloud iam-008",
        principal_label="User",
    ),
    Technique(
        "put-user-policy",
        Via.SELF,
        (("iam:PutUserPolicy", VIA),),
        "Write an inline policy granting everything on itself.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #10; pathfinding.cloud iam-007",
        principal_label="User",
    ),
    Technique(
        "attach-role-policy",
        Via.SELF,
        (("iam:AttachRolePolicy", VIA),),
        "Attach AdministratorAccess to its own role.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #9; pathfinding.cloud iam-009",
        principal_label="Role",
    ),
    Technique(
        "put-role-policy",
        Via.SELF,
        (("iam:PutRolePolicy", VIA),),
        "Write an inline policy granting everything on its own role.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #12; pathfinding.cloud iam-005",
        principal_label="Role",
    ),
    Technique(
        "attach-group-policy",
        Via.OWN_GROUP,
        (("iam:AttachGroupPolicy", VIA),),
        "Attach AdministratorAccess to a group it is a member of.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #8; pathfinding.cloud iam-010",
    ),
    Technique(
        "put-group-policy",
        Via.OWN_GROUP,
        (("iam:PutGroupPolicy", VIA),),
        "Write an inline policy granting everything on a group it is a member of.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #11; pathfinding.cloud iam-011",
    ),
    Technique(
        "add-user-to-group",
        Via.ADMIN_GROUP,
        (("iam:AddUserToGroup", VIA),),
        "Add itself to a group whose policies grant admin.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #13; pathfinding.cloud iam-013",
        needs=Needs.GROUP_SLOT,
    ),
    Technique(
        "create-access-key",
        Via.ADMIN_USER,
        (("iam:CreateAccessKey", VIA),),
        "Create an access key for the user and sign in as it.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #4; pathfinding.cloud iam-002",
        needs=Needs.FREE_ACCESS_KEY_SLOT,
    ),
    Technique(
        "create-access-key-delete",
        Via.ADMIN_USER,
        (("iam:CreateAccessKey", VIA), ("iam:DeleteAccessKey", VIA)),
        "Delete one of the user's access keys if it has two, create one and sign in as it.",
        "pathfinding.cloud iam-003; Rhino Security Labs, AWS IAM privilege escalation methods, "
        "#4 (variant)",
    ),
    Technique(
        "create-login-profile",
        Via.ADMIN_USER,
        (("iam:CreateLoginProfile", VIA),),
        "Give the user a console password and sign in as it.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #5; pathfinding.cloud iam-004",
        needs=Needs.NO_CONSOLE_PASSWORD,
    ),
    Technique(
        "update-login-profile",
        Via.ADMIN_USER,
        (("iam:UpdateLoginProfile", VIA),),
        "Reset the user's console password and sign in as it.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #6; pathfinding.cloud iam-006",
        needs=Needs.CONSOLE_PASSWORD,
    ),
    Technique(
        "update-assume-role-policy",
        Via.ADMIN_ROLE,
        (("iam:UpdateAssumeRolePolicy", VIA), ("sts:AssumeRole", REWRITTEN_TRUST)),
        "Rewrite the role's trust policy to trust itself, then assume the role (a trust that "
        "names it needs no identity permission in its own account).",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #14; pathfinding.cloud iam-012",
    ),
    Technique(
        "attach-role-policy-assume",
        Via.ANY_ROLE,
        (("iam:AttachRolePolicy", VIA), ("sts:AssumeRole", VIA)),
        "Attach AdministratorAccess to a role it may assume, then assume it.",
        "pathfinding.cloud iam-014",
    ),
    Technique(
        "put-role-policy-assume",
        Via.ANY_ROLE,
        (("iam:PutRolePolicy", VIA), ("sts:AssumeRole", VIA)),
        "Write an inline policy granting everything on a role it may assume, then assume it.",
        "pathfinding.cloud iam-017",
    ),
    Technique(
        "create-policy-version-assume",
        Via.ROLE_POLICY,
        (("iam:CreatePolicyVersion", VIA), ("sts:AssumeRole", TARGET)),
        "Write a new default version granting everything of a policy attached to a role it may "
        "assume, then assume the role.",
        "pathfinding.cloud iam-016",
        needs=Needs.VERSION_SLOT,
    ),
    Technique(
        "attach-user-policy-access-key",
        Via.ANY_USER,
        (("iam:AttachUserPolicy", VIA), ("iam:CreateAccessKey", VIA)),
        "Attach AdministratorAccess to another user, then create an access key for it.",
        "pathfinding.cloud iam-015",
        needs=Needs.FREE_ACCESS_KEY_SLOT,
    ),
    Technique(
        "put-user-policy-access-key",
        Via.ANY_USER,
        (("iam:PutUserPolicy", VIA), ("iam:CreateAccessKey", VIA)),
        "Write an inline policy granting everything on another user, then create an access key "
        "for it.",
        "pathfinding.cloud iam-018",
        needs=Needs.FREE_ACCESS_KEY_SLOT,
    ),
    Technique(
        "attach-role-policy-update-trust",
        Via.ANY_ROLE,
        (
            ("iam:AttachRolePolicy", VIA),
            ("iam:UpdateAssumeRolePolicy", VIA),
            ("sts:AssumeRole", REWRITTEN_TRUST),
        ),
        "Attach AdministratorAccess to a role, rewrite its trust to trust itself, then assume it.",
        "pathfinding.cloud iam-019",
    ),
    Technique(
        "put-role-policy-update-trust",
        Via.ANY_ROLE,
        (
            ("iam:PutRolePolicy", VIA),
            ("iam:UpdateAssumeRolePolicy", VIA),
            ("sts:AssumeRole", REWRITTEN_TRUST),
        ),
        "Write an inline policy granting everything on a role, rewrite its trust to trust itself, "
        "then assume it.",
        "pathfinding.cloud iam-021",
    ),
    Technique(
        "create-policy-version-update-trust",
        Via.ROLE_POLICY,
        (
            ("iam:CreatePolicyVersion", VIA),
            ("iam:UpdateAssumeRolePolicy", TARGET),
            ("sts:AssumeRole", REWRITTEN_TRUST),
        ),
        "Write a new default version granting everything of a policy attached to a role, "
        "rewrite the role's trust to trust itself, then assume it.",
        "pathfinding.cloud iam-020",
        needs=Needs.VERSION_SLOT,
    ),
    Technique(
        "assume-role",
        Via.ADMIN_ROLE,
        (("sts:AssumeRole", VIA),),
        "Assume the role: its trust policy and the principal's permissions allow it.",
        "pathfinding.cloud sts-001; Principal Mapper (sts:AssumeRole edges)",
    ),
    _passrole(
        "passrole-ec2",
        "ec2.amazonaws.com",
        ("ec2:RunInstances",),
        "a new EC2 instance",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #3; pathfinding.cloud ec2-001",
        needs=Needs.INSTANCE_PROFILE,
    ),
    _passrole(
        "passrole-lambda-invoke",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:InvokeFunction"),
        "a new Lambda function it then invokes",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #15; "
        "pathfinding.cloud lambda-001",
    ),
    _passrole(
        "passrole-lambda-event-source",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
        "a new Lambda function triggered by an event source it maps",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #16; "
        "pathfinding.cloud lambda-002",
        needs=Needs.UNSEEN_EVENT_SOURCE,
    ),
    _passrole(
        "passrole-cloudformation",
        "cloudformation.amazonaws.com",
        ("cloudformation:CreateStack",),
        "a CloudFormation stack whose resources it defines",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #20; "
        "pathfinding.cloud cloudformation-001",
    ),
    _passrole(
        "passrole-glue-dev-endpoint",
        "glue.amazonaws.com",
        ("glue:CreateDevEndpoint",),
        "a new Glue development endpoint it can log in to",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #18; "
        "pathfinding.cloud glue-001",
    ),
    _passrole(
        "passrole-codebuild",
        "codebuild.amazonaws.com",
        ("codebuild:CreateProject", "codebuild:StartBuild"),
        "a CodeBuild project whose build commands it writes",
        "pathfinding.cloud codebuild-001; BishopFox iam-vulnerable",
    ),
    _passrole(
        "passrole-sagemaker-notebook",
        "sagemaker.amazonaws.com",
        ("sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"),
        "a SageMaker notebook instance it opens",
        "pathfinding.cloud sagemaker-001 (plus the presigned URL its steps use); BishopFox "
        "iam-vulnerable",
    ),
    _passrole(
        "passrole-sagemaker-training-job",
        "sagemaker.amazonaws.com",
        ("sagemaker:CreateTrainingJob",),
        "a SageMaker training job whose container image and script it chooses",
        "pathfinding.cloud sagemaker-002; AWS SageMaker API reference (CreateTrainingJob RoleArn)",
    ),
    _passrole(
        "passrole-sagemaker-processing-job",
        "sagemaker.amazonaws.com",
        ("sagemaker:CreateProcessingJob",),
        "a SageMaker processing job whose container and entry point it chooses",
        "pathfinding.cloud sagemaker-003; AWS SageMaker API reference (CreateProcessingJob "
        "RoleArn)",
    ),
    _passrole(
        "passrole-ecs-task",
        "ecs-tasks.amazonaws.com",
        ("ecs:RegisterTaskDefinition", "ecs:RunTask"),
        "an ECS task whose container it chooses",
        "pathfinding.cloud ecs-004",
        needs=Needs.ECS_CLUSTER,
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
        "Rhino Security Labs, AWS IAM privilege escalation methods, #21; "
        "pathfinding.cloud datapipeline-001",
    ),
    _passrole(
        "passrole-ec2-spot",
        "ec2.amazonaws.com",
        ("ec2:RequestSpotInstances",),
        "a new EC2 Spot Instance whose user data it writes",
        "pathfinding.cloud ec2-003; Rhino Security Labs, AWS IAM privilege escalation methods, "
        "#3 (Spot variant)",
        needs=Needs.INSTANCE_PROFILE,
    ),
    _passrole(
        "passrole-lambda-add-permission",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:AddPermission"),
        "a new Lambda function whose resource policy it lets itself invoke",
        "pathfinding.cloud lambda-006; Rhino Security Labs, AWS IAM privilege escalation "
        "methods, #15 (variant)",
    ),
    _passrole(
        "passrole-cloudformation-change-set",
        "cloudformation.amazonaws.com",
        ("cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"),
        "a new CloudFormation stack it creates through a change set (ChangeSetType CREATE) "
        "and executes",
        "pathfinding.cloud cloudformation-005 (variant creating its own stack); AWS "
        "CloudFormation API reference (CreateChangeSet ChangeSetType, RoleARN)",
    ),
    _passrole(
        "passrole-codebuild-batch",
        "codebuild.amazonaws.com",
        ("codebuild:CreateProject", "codebuild:StartBuildBatch"),
        "a CodeBuild project whose batch build commands it writes",
        "pathfinding.cloud codebuild-004",
    ),
    _passrole(
        "passrole-ecs-service",
        "ecs-tasks.amazonaws.com",
        ("ecs:RegisterTaskDefinition", "ecs:CreateService"),
        "a service, in an existing ECS cluster, whose task container it chooses",
        "pathfinding.cloud ecs-003",
        needs=Needs.ECS_CLUSTER,
    ),
    _passrole(
        "passrole-ecs-run-task-override",
        "ecs-tasks.amazonaws.com",
        ("ecs:RunTask",),
        "an existing ECS task definition it runs with the task role and command overridden",
        "pathfinding.cloud ecs-008",
        needs=Needs.ECS_TASK_DEFINITION,
    ),
    _passrole(
        "passrole-ecs-cluster-service",
        "ecs-tasks.amazonaws.com",
        ("ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:CreateService"),
        "a service, in an ECS cluster it creates, whose task container it chooses",
        "pathfinding.cloud ecs-001",
    ),
    _passrole(
        "passrole-ecs-cluster-task",
        "ecs-tasks.amazonaws.com",
        ("ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:RunTask"),
        "a task, in an ECS cluster it creates, whose container it chooses",
        "pathfinding.cloud ecs-002",
    ),
    _passrole(
        "passrole-glue-job",
        "glue.amazonaws.com",
        ("glue:CreateJob", "glue:StartJobRun"),
        "a new Glue job whose script it chooses, then runs",
        "pathfinding.cloud glue-003",
    ),
    _passrole(
        "passrole-glue-job-trigger",
        "glue.amazonaws.com",
        ("glue:CreateJob", "glue:CreateTrigger"),
        "a new Glue job whose script it chooses, started by a trigger it creates",
        "pathfinding.cloud glue-004",
    ),
    _passrole(
        "passrole-glue-update-job",
        "glue.amazonaws.com",
        ("glue:UpdateJob", "glue:StartJobRun"),
        "an existing Glue job it updates to run a script it chooses, then starts",
        "pathfinding.cloud glue-005",
        needs=Needs.GLUE_JOB,
    ),
    _passrole(
        "passrole-glue-update-job-trigger",
        "glue.amazonaws.com",
        ("glue:UpdateJob", "glue:CreateTrigger"),
        "an existing Glue job it updates to run a script it chooses, started by a trigger it "
        "creates",
        "pathfinding.cloud glue-006",
        needs=Needs.GLUE_JOB_TRIGGERED,
    ),
    _passrole(
        "passrole-glue-interactive-session",
        "glue.amazonaws.com",
        ("glue:CreateSession", "glue:RunStatement"),
        "a new Glue interactive session it runs statements in",
        "pathfinding.cloud glue-007",
    ),
    _passrole(
        "passrole-apprunner",
        "tasks.apprunner.amazonaws.com",
        ("apprunner:CreateService",),
        "a new App Runner service (its instance role) whose image and start command it chooses",
        "pathfinding.cloud apprunner-001",
    ),
    _passrole(
        "passrole-bedrock-code-interpreter",
        "bedrock-agentcore.amazonaws.com",
        (
            "bedrock-agentcore:CreateCodeInterpreter",
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter",
        ),
        "a new Bedrock AgentCore code interpreter it invokes",
        "pathfinding.cloud bedrock-001",
    ),
    _passrole(
        "passrole-bedrock-agent-runtime",
        "bedrock-agentcore.amazonaws.com",
        (
            "bedrock-agentcore:CreateAgentRuntime",
            "bedrock-agentcore:CreateAgentRuntimeEndpoint",
            "bedrock-agentcore:CreateWorkloadIdentity",
            "bedrock-agentcore:InvokeAgentRuntimeCommand",
        ),
        "a new Bedrock AgentCore runtime it runs commands in",
        "pathfinding.cloud bedrock-003",
    ),
    _passrole(
        "passrole-bedrock-harness",
        "bedrock-agentcore.amazonaws.com",
        (
            "bedrock-agentcore:CreateHarness",
            "bedrock-agentcore:CreateAgentRuntime",
            "bedrock-agentcore:CreateAgentRuntimeEndpoint",
            "bedrock-agentcore:CreateWorkloadIdentity",
            "bedrock-agentcore:GetAgentRuntime",
            "bedrock-agentcore:GetHarness",
            "bedrock-agentcore:InvokeAgentRuntimeCommand",
        ),
        "a new Bedrock AgentCore harness it runs commands in",
        "pathfinding.cloud bedrock-005",
    ),
    _passrole(
        "passrole-bedrock-browser",
        "bedrock-agentcore.amazonaws.com",
        (
            "bedrock-agentcore:CreateBrowser",
            "bedrock-agentcore:StartBrowserSession",
            "bedrock-agentcore:ConnectBrowserAutomationStream",
        ),
        "a new Bedrock AgentCore browser it drives to read the role's credentials",
        "pathfinding.cloud bedrock-006",
    ),
    _passrole(
        "passrole-braket",
        "braket.amazonaws.com",
        ("braket:CreateJob",),
        "a new Amazon Braket hybrid job whose script it chooses",
        "pathfinding.cloud braket-001",
    ),
    _passrole(
        "passrole-emr-serverless",
        "emr-serverless.amazonaws.com",
        ("emr-serverless:CreateApplication", "emr-serverless:StartJobRun"),
        "a job run, in an EMR Serverless application it creates, whose script it chooses",
        "pathfinding.cloud emrserverless-001",
    ),
    _passrole(
        "passrole-imagebuilder",
        "ec2.amazonaws.com",
        (
            "imagebuilder:CreateComponent",
            "imagebuilder:CreateImageRecipe",
            "imagebuilder:CreateInfrastructureConfiguration",
            "imagebuilder:CreateImage",
        ),
        "the build instance of an EC2 Image Builder image whose build component it writes",
        "pathfinding.cloud imagebuilder-001",
        needs=Needs.INSTANCE_PROFILE,
    ),
    _passrole(
        "passrole-kinesisanalytics",
        "kinesisanalytics.amazonaws.com",
        ("kinesisanalytics:CreateApplication", "kinesisanalytics:StartApplication"),
        "a new Managed Service for Apache Flink application whose code it chooses",
        "pathfinding.cloud kinesisanalytics-001",
    ),
    _passrole(
        "passrole-omics",
        "omics.amazonaws.com",
        ("omics:CreateWorkflow", "omics:StartRun", "s3:GetObject"),
        "a HealthOmics workflow run whose task writes the credentials to a bucket it reads",
        "pathfinding.cloud omics-001",
    ),
    _passrole(
        "passrole-ssm-automation",
        "ssm.amazonaws.com",
        ("ssm:CreateDocument", "ssm:StartAutomationExecution"),
        "an SSM Automation execution of a document whose script it writes",
        "pathfinding.cloud ssm-003",
    ),
    Technique(
        "glue-update-dev-endpoint",
        Via.PASSABLE_ROLE,
        (("glue:UpdateDevEndpoint", ANY),),
        "Add its SSH key to a Glue development endpoint running as the role, then log in.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #19; "
        "pathfinding.cloud glue-002",
        service="glue.amazonaws.com",
        in_role_account=True,  # an endpoint runs a role of its account; Glue has no policy on it
        needs=Needs.UNSEEN_DEV_ENDPOINT,
    ),
    Technique(
        "lambda-update-function-code",
        Via.FUNCTION,
        (("lambda:UpdateFunctionCode", VIA),),
        "Replace the code of a function that runs as the role.",
        "Rhino Security Labs, AWS IAM privilege escalation methods, #17; "
        "pathfinding.cloud lambda-003",
        needs=Needs.FUNCTION_INVOKED,
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
        "pathfinding.cloud cloudformation-005",
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
        "pathfinding.cloud codebuild-003",
    ),
    Technique(
        "sagemaker-notebook-lifecycle-config",
        Via.NOTEBOOK,
        (
            ("sagemaker:CreateNotebookInstanceLifecycleConfig", ANY),
            ("sagemaker:StopNotebookInstance", VIA),
            ("sagemaker:UpdateNotebookInstance", VIA),
            ("sagemaker:StartNotebookInstance", VIA),
        ),
        "Give a notebook instance that runs as the role a start-up script of its own, then "
        "restart it: the script runs with the role's credentials.",
        "pathfinding.cloud sagemaker-005",
    ),
    Technique(
        "sagemaker-presigned-notebook-url",
        Via.NOTEBOOK,
        (("sagemaker:CreatePresignedNotebookInstanceUrl", VIA),),
        "Open a notebook instance that runs as the role (a presigned URL) and run code in it.",
        "pathfinding.cloud sagemaker-004",
    ),
    Technique(
        "launch-template-new-default-version",
        Via.LAUNCH_TEMPLATE,
        (("ec2:CreateLaunchTemplateVersion", VIA), ("ec2:ModifyLaunchTemplate", VIA)),
        "Write a new default version of a launch template, keeping its instance profile that "
        "hands out the role and adding a start-up script of its own: the next instance launched "
        "from it runs the script with the role's credentials.",
        "pathfinding.cloud ec2-004, ec2-005",
        needs=Needs.TEMPLATE_LAUNCHED,
    ),
    Technique(
        "ecs-execute-command",
        Via.TASK,
        (("ecs:ExecuteCommand", VIA), ("ecs:DescribeTasks", VIA)),
        "Open a shell in a running task that runs as the role (ECS Exec) and read its credentials.",
        "pathfinding.cloud ecs-006",
        needs=Needs.ECS_EXEC,
    ),
    Technique(
        "ssm-send-command",
        Via.INSTANCE,
        (("ssm:SendCommand", VIA),),
        "Run commands on an instance that runs as the role and read its credentials.",
        "pathfinding.cloud ssm-002; Principal Mapper (SSM edges)",
        needs=Needs.SSM_AGENT,
    ),
    Technique(
        "ssm-start-session",
        Via.INSTANCE,
        (("ssm:StartSession", VIA),),
        "Open a shell on an instance that runs as the role.",
        "pathfinding.cloud ssm-001; Principal Mapper (SSM edges)",
        needs=Needs.SSM_AGENT,
    ),
    Technique(
        "ec2-modify-user-data",
        Via.INSTANCE,
        (
            ("ec2:StopInstances", VIA),
            ("ec2:ModifyInstanceAttribute", VIA),
            ("ec2:StartInstances", VIA),
        ),
        "Stop an instance that runs as the role, replace its user data with a script run at "
        "every boot, and start it.",
        "pathfinding.cloud ec2-002",
    ),
    Technique(
        "ec2-instance-connect",
        Via.INSTANCE,
        (("ec2-instance-connect:SendSSHPublicKey", VIA),),
        "Push an SSH key to an instance that runs as the role and log in.",
        "pathfinding.cloud ec2instanceconnect-003",
        needs=Needs.UNSEEN_SSH,
    ),
)


_NEEDS_TEXT = {
    Needs.NO_CONSOLE_PASSWORD: "the user has no console password",
    Needs.CONSOLE_PASSWORD: "the user has a console password",
    Needs.FREE_ACCESS_KEY_SLOT: "the user has fewer than two access keys",
    Needs.OTHER_POLICY_VERSION: "another version of the policy gives more than the default",
    Needs.VERSION_SLOT: "the policy has fewer than five versions",
    Needs.INSTANCE_PROFILE: "the role has an instance profile",
    Needs.GROUP_SLOT: "the user is in fewer than ten groups",
    Needs.GLUE_JOB: "a Glue job in the principal's account it may update and start "
    "(none collected: unknown)",
    Needs.GLUE_JOB_TRIGGERED: "a Glue job in the principal's account it may update "
    "(none collected: unknown)",
    Needs.FUNCTION_INVOKED: "the principal may invoke the function (`lambda:InvokeFunction`; "
    "otherwise unknown: what triggers it is not collected)",
    Needs.SSM_AGENT: "the instance is registered with Systems Manager: its role allows "
    "`ssm:UpdateInstanceInformation` (otherwise unknown: Default Host Management is not "
    "collected)",
    Needs.UNSEEN_SSH: "SSH to the instance from the attacker, and EC2 Instance Connect on it (not "
    "checked: unknown)",
    Needs.UNSEEN_DEV_ENDPOINT: "a Glue development endpoint running as the role (not collected: "
    "unknown)",
    Needs.TEMPLATE_LAUNCHED: "an Auto Scaling group launches from the template's default or "
    "latest version and the principal may make it launch (else unknown)",
    Needs.ECS_TASK_DEFINITION: "a task definition in the principal's account it may run "
    "(kg reads those of running tasks; none seen: unknown)",
    Needs.ECS_EXEC: "ECS Exec is enabled on the task, and its role allows "
    "`ssmmessages:CreateControlChannel` (else unknown)",
    Needs.ECS_CLUSTER: "an ECS cluster in the principal's account (none collected: unknown)",
    Needs.UNSEEN_EVENT_SOURCE: "an event source (stream or queue) to map the function to (not "
    "checked: unknown)",
    Needs.PASS_STACK_ROLE: "`iam:PassRole` on the stack's role (per AWS's CloudFormation guide; "
    "without it: unknown)",
}
_ON_TEXT = {
    ANY: "any resource",
    VIA: "the resource it acts on",
    TARGET: "the principal it becomes",
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
    return "\n".join([*lines, "", *_CONDITIONS_TEXT]) + "\n"


_CONDITIONS_TEXT = (
    "## Conditions",
    "",
    "Each permission is decided with what kg knows of the requester (docs/access.md lists the",
    "condition keys it settles): `aws:SecureTransport` is true, `aws:CurrentTime`,",
    "`aws:EpochTime` and a role session's `aws:TokenIssueTime` are the snapshot's time, the",
    "principal's own keys and tags are as collected, and `aws:RequestedRegion` is each region the",
    "organization uses for a technique that creates what it needs (the attacker picks the",
    "region), else the region in the resource's ARN. A technique whose permissions hold only",
    "under a condition kg cannot decide (`aws:SourceIp`, `aws:MultiFactorAuthPresent`,",
    "`aws:ViaAWSService`, request tags, ...) is `conditional`: listed by `kg privesc --latent`",
    "with the condition keys in its reason, never part of a chain.",
)


if __name__ == "__main__":
    print(catalog_markdown(), end="")
