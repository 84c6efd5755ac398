"""The resources layer: data stores, keys, queues, functions and their resource-based policies.

Every resource carries the extra label `Resource`. A resource policy is stored as `policy`: JSON
text of the normalized document (an object whose Statement is a list), the same shape as identity
policies, so one evaluator reads both. `unknown` names the facts whose calls failed: a missing
value listed there means "could not see", one not listed means "not set".
"""

from kg.model.schema import NodeSchema, RelSchema

LAYER = "resources"

_COMMON = {
    "arn": "ARN (the key)",
    "account_id": "owning account",
    "region": "AWS region",
    "name": "the resource's name",
    "policy": "resource-based policy as JSON text (normalized); absent when there is none",
    "unknown": "facts that could not be read (policy, encryption, tags, ...)",
}


def _resource(label: str, description: str, props: dict[str, str]) -> NodeSchema:
    return NodeSchema(
        label=label,
        key="arn",
        layer=LAYER,
        description=description,
        extra_labels=("Resource",),
        properties={**_COMMON, **props},
        indexes=("name",),  # commands take a resource by its name (kg.analysis.names)
    )


def _rel(
    rel_type: str, source: str, target: str, description: str, layer: str = LAYER
) -> RelSchema:
    return RelSchema(rel_type, source, target, layer, description)


NODES = (
    _resource(
        "S3Bucket",
        "An S3 bucket. Block Public Access booleans are null when the bucket has no setting (the "
        "account-level setting may still apply).",
        {
            "creation_date": "when it was created",
            "policy_is_public": "AWS's own verdict that the bucket policy grants public access",
            "block_public_acls": "bucket Block Public Access: reject public ACLs",
            "ignore_public_acls": "bucket Block Public Access: ignore public ACLs",
            "block_public_policy": "bucket Block Public Access: reject public policies",
            "restrict_public_buckets": "bucket Block Public Access: only AWS principals and the "
            "owner account may use a public policy",
            "encryption_algorithm": "default encryption: AES256, aws:kms or aws:kms:dsse",
            "encryption_kms_key_id": "default encryption KMS key",
            "bucket_key_enabled": "S3 Bucket Key on for KMS encryption",
            "tags": "tags as 'key=value' strings",
            "macie_sensitivity_score": "Amazon Macie's sensitivity score (-1 classification "
            "error, 1-49 not sensitive, 50 not yet analyzed, 51-100 sensitive); absent when no "
            "Macie inventory lists the bucket",
        },
    ),
    _resource(
        "KmsKey",
        "A KMS key. Its key policy decides who may use it, together with grants and IAM.",
        {
            "key_id": "key id",
            "aliases": "alias names",
            "key_manager": "CUSTOMER or AWS",
            "key_state": "Enabled, Disabled, PendingDeletion, ...",
            "key_usage": "ENCRYPT_DECRYPT, SIGN_VERIFY, ...",
            "key_spec": "SYMMETRIC_DEFAULT, RSA_2048, ...",
            "origin": "AWS_KMS, EXTERNAL, AWS_CLOUDHSM, ...",
            "multi_region": "true for multi-Region keys",
            "enabled": "whether the key can be used",
            "description": "the key's description",
            "rotation_enabled": "automatic rotation on (AWS managed keys always rotate)",
            "tags": "tags as 'key=value' strings",
        },
    ),
    _resource(
        "Secret",
        "A Secrets Manager secret.",
        {
            "rotation_enabled": "automatic rotation on",
            "last_rotated_date": "when it was last rotated",
            "kms_key_id": "encryption key as configured (absent: the AWS managed key)",
            "tags": "tags as 'key=value' strings",
        },
    ),
    _resource(
        "SqsQueue",
        "An SQS queue.",
        {
            "url": "queue URL",
            "kms_key_id": "KMS key for server-side encryption",
            "sqs_managed_sse": "SQS-managed server-side encryption on",
        },
    ),
    _resource(
        "SnsTopic",
        "An SNS topic.",
        {"display_name": "display name", "kms_key_id": "KMS key for server-side encryption"},
    ),
    _resource(
        "LambdaFunction",
        "A Lambda function. Its code runs as its execution role; its resource policy and "
        "function URL say who may invoke it.",
        {
            "runtime": "e.g. python3.12",
            "package_type": "Zip or Image",
            "role_arn": "execution role",
            "vpc_id": "VPC it runs in, when attached to one",
            "function_url": "function URL, when it has one",
            "function_url_auth_type": "NONE (anyone on the internet) or AWS_IAM",
        },
    ),
    _resource(
        "CloudFormationStack",
        "A CloudFormation stack. With a service role, every change to the stack is made with "
        "that role's credentials.",
        {
            "status": "e.g. CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE",
            "role_arn": "service role, when it has one",
        },
    ),
    _resource(
        "CodeBuildProject",
        "A CodeBuild project. Its builds run with its service role; starting a build may "
        "override the build commands.",
        {
            "source_type": "where its source comes from: CODECOMMIT, GITHUB, S3, NO_SOURCE, ...",
            "role_arn": "service role",
        },
    ),
    _resource(
        "SageMakerNotebook",
        "A SageMaker notebook instance. Code in it runs with its execution role.",
        {
            "status": "InService, Stopped, ...",
            "role_arn": "execution role",
            "direct_internet_access": "Enabled or Disabled",
            "root_access": "Enabled or Disabled",
        },
    ),
    _resource(
        "GlueJob",
        "A Glue job. Its script runs with the job's role; whoever may update the job may change "
        "both.",
        {
            "role_arn": "the role the job runs as",
            "glue_version": "Glue version, e.g. 4.0",
        },
    ),
    _resource(
        "EcsCluster",
        "An ECS cluster. Tasks and services run in it, each with the task role of its task "
        "definition.",
        {"unknown": '["tasks"] when its running tasks could not be listed or described'},
    ),
    _resource(
        "EcsTask",
        "A running ECS task. Its containers run with its task role; with ECS Exec enabled, "
        "whoever may exec into it runs commands there.",
        {
            "cluster_arn": "the cluster it runs in",
            "task_definition_arn": "the task definition revision it runs",
            "last_status": "RUNNING, PENDING, ...",
            "execute_command": "ECS Exec enabled on the task",
            "role_arn": "task role (the task's override, else its task definition's)",
            "unknown": '["role_arn"] when its task definition could not be described',
        },
    ),
    _resource(
        "Ec2LaunchTemplate",
        "An EC2 launch template. Instances launched from it get its default version's instance "
        "profile and user data.",
        {
            "template_id": "lt-...",
            "default_version": "default version number",
            "latest_version": "latest version number",
            "instance_profile_arn": "the default version's instance profile, when given by ARN",
            "instance_profile_name": "the default version's instance profile, when given by name",
        },
    ),
    _resource(
        "AutoScalingGroup",
        "An EC2 Auto Scaling group, launching instances from a launch template.",
        {
            "launch_template_id": "the template it launches from (lt-...)",
            "launch_template_version": "$Default, $Latest or a version number",
            "desired_capacity": "instances it keeps running",
        },
    ),
    _resource(
        "EcrRepository",
        "An ECR image repository.",
        {
            "uri": "repository URI",
            "image_tag_mutability": "MUTABLE or IMMUTABLE",
            "scan_on_push": "basic scanning on push",
            "encryption_type": "AES256 or KMS",
            "kms_key_id": "KMS key when encryption_type is KMS",
        },
    ),
)

RELS = (
    *(_rel("BELONGS_TO", node.label, "Account", "The AWS account that owns it.") for node in NODES),
    *(
        _rel(
            "ENCRYPTED_BY",
            label,
            "KmsKey",
            "Its data is encrypted with the KMS key (using the "
            "resource needs kms:Decrypt on that key too).",
        )
        for label in ("S3Bucket", "Secret", "SqsQueue", "SnsTopic", "EcrRepository")
    ),
    *(
        _rel(
            rel_type,
            label,
            "Role",
            f"The role the {noun} runs as (RUNS_AS is derived by the IAM analysis).",
            layer="principals",
        )
        for rel_type, label, noun in (
            ("HAS_EXECUTION_ROLE", "LambdaFunction", "function's code"),
            ("HAS_EXECUTION_ROLE", "SageMakerNotebook", "notebook's code"),
            ("HAS_EXECUTION_ROLE", "GlueJob", "job's script"),
            ("HAS_TASK_ROLE", "EcsTask", "task's containers"),
            ("HAS_SERVICE_ROLE", "CloudFormationStack", "stack's changes"),
            ("HAS_SERVICE_ROLE", "CodeBuildProject", "project's builds"),
        )
    ),
    _rel(
        "HAS_PROFILE",
        "Ec2LaunchTemplate",
        "InstanceProfile",
        "The instance profile the template's default version launches instances with (given by "
        "ARN; one given by name is in instance_profile_name).",
        layer="principals",
    ),
    _rel(
        "LAUNCHES_FROM",
        "AutoScalingGroup",
        "Ec2LaunchTemplate",
        "The group launches its instances from the template (version: launch_template_version).",
    ),
    _rel(
        "IN",
        "LambdaFunction",
        "Subnet",
        "The function's interfaces are in the subnet.",
        layer="network",
    ),
    _rel(
        "PROTECTED_BY",
        "LambdaFunction",
        "SecurityGroup",
        "The security group filters the function's traffic.",
        layer="network",
    ),
)
