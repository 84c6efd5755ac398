"""Regional resources with resource-based policies: KMS keys, secrets, queues, topics, Lambda
functions and ECR repositories.

Policies that AWS returns as JSON text (key, queue, topic, function, repository and secret
policies) are written as text; "not configured" answers (no bucket policy, no tags, no
function URL) write no file, as the collector does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ingest.aws.sqs import queue_name
from ingest.example.builder.policies import Document, account_root, allow, policy_text
from ingest.example.builder.scope import Place, Scope


@dataclass(frozen=True)
class KmsKey:
    name: str  # alias without "alias/"
    description: str = ""
    rotation: bool = True
    policy: Document | None = None  # None: the default key policy (the account decides)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Secret:
    name: str
    rotation: bool = False
    kms_key: str | None = None  # alias name of a key in the same region
    policy: Document | None = None
    description: str = ""


@dataclass(frozen=True)
class Queue:
    name: str
    policy: Document | None = None


@dataclass(frozen=True)
class Topic:
    name: str
    policy: Document | None = None  # None: the default topic policy


@dataclass(frozen=True)
class Function:
    name: str
    role: str  # execution role name
    policy: Document | None = None
    url_auth: str | None = None  # NONE or AWS_IAM when the function has a URL
    runtime: str = "python3.12"


@dataclass(frozen=True)
class Repository:
    name: str
    policy: Document | None = None


@dataclass(frozen=True)
class Workload:
    """A CloudFormation stack, CodeBuild project or SageMaker notebook and the role it runs as
    (a stack may have none)."""

    name: str
    role: str | None  # role name


@dataclass
class RegionResources:
    kms_keys: list[KmsKey] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)
    queues: list[Queue] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    repositories: list[Repository] = field(default_factory=list)
    stacks: list[Workload] = field(default_factory=list)
    projects: list[Workload] = field(default_factory=list)
    notebooks: list[Workload] = field(default_factory=list)


def key_id(scope: Place, name: str, region: str | None = None) -> str:
    return scope.ids.uuid(scope.account_id, region or scope.region, "kms", name)


def secret_arn(scope: Place, name: str) -> str:
    """Secrets Manager appends six random characters to the name."""
    return scope.arn(
        "secretsmanager", f"secret:{name}-{scope.ids.lower(6, scope.account_id, name)}"
    )


def key_arn(scope: Place, name: str, region: str | None = None) -> str:
    return scope.arn("kms", f"key/{key_id(scope, name, region)}", region=region)


def _default_key_policy(scope: Scope) -> Document:
    return {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            allow(
                "kms:*",
                "*",
                sid="Enable IAM User Permissions",
                principal={"AWS": account_root(scope.account_id)},
            )
        ],
    }


def _kms(scope: Scope, keys: list[KmsKey]) -> None:
    listed = [{"KeyId": key_id(scope, k.name), "KeyArn": key_arn(scope, k.name)} for k in keys]
    aliases = [
        {
            "AliasName": f"alias/{k.name}",
            "AliasArn": scope.arn("kms", f"alias/{k.name}"),
            "TargetKeyId": key_id(scope, k.name),
            "CreationDate": scope.created("kms", k.name),
            "LastUpdatedDate": scope.created("kms", k.name),
        }
        for k in keys
    ]
    answered = scope.answer("kms", "list_keys", {"Keys": listed, "Truncated": False})
    scope.answer("kms", "list_aliases", {"Aliases": aliases, "Truncated": False})
    for k in keys if answered else []:
        kid, created = key_id(scope, k.name), scope.created("kms", k.name)
        scope.answer(
            "kms",
            "describe_key",
            {
                "KeyMetadata": {
                    "AWSAccountId": scope.account_id,
                    "KeyId": kid,
                    "Arn": key_arn(scope, k.name),
                    "CreationDate": created,
                    "Enabled": True,
                    "Description": k.description,
                    "KeyUsage": "ENCRYPT_DECRYPT",
                    "KeyState": "Enabled",
                    "Origin": "AWS_KMS",
                    "KeyManager": "CUSTOMER",
                    "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                    "KeySpec": "SYMMETRIC_DEFAULT",
                    "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                    "MultiRegion": False,
                }
            },
            kid,
        )
        policy = k.policy or _default_key_policy(scope)
        scope.answer(
            "kms",
            "get_key_policy",
            {"Policy": json.dumps(policy, indent=4), "PolicyName": "default"},
            kid,
        )
        rotation: dict[str, Any] = {"KeyRotationEnabled": k.rotation, "KeyId": kid}
        if k.rotation:
            rotation |= {
                "RotationPeriodInDays": 365,
                "NextRotationDate": scope.created("kms-rotation", k.name),
            }
        scope.answer("kms", "get_key_rotation_status", rotation, kid)
        tags = [{"TagKey": t, "TagValue": v} for t, v in k.tags.items()]
        scope.answer("kms", "list_resource_tags", {"Tags": tags, "Truncated": False}, kid)


def _secrets(scope: Scope, secrets: list[Secret]) -> None:
    listed = []
    for s in secrets:
        arn = secret_arn(scope, s.name)
        entry: dict[str, Any] = {
            "ARN": arn,
            "Name": s.name,
            "Description": s.description,
            "RotationEnabled": s.rotation,
            "CreatedDate": scope.created("secret", s.name),
            "LastChangedDate": scope.created("secret-changed", s.name),
            "SecretVersionsToStages": {scope.ids.uuid(arn, "v1"): ["AWSCURRENT"]},
            "Tags": [],
        }
        if s.kms_key:
            entry["KmsKeyId"] = key_arn(scope, s.kms_key)
        if s.rotation:
            entry["RotationLambdaARN"] = scope.arn("lambda", f"function:{s.name}-rotation")
            entry["RotationRules"] = {"AutomaticallyAfterDays": 30}
        listed.append(entry)
    if scope.answer("secretsmanager", "list_secrets", {"SecretList": listed}):
        for s, entry in zip(secrets, listed, strict=True):
            policy = {"ResourcePolicy": policy_text(s.policy)} if s.policy else {}
            scope.answer(
                "secretsmanager",
                "get_resource_policy",
                {"ARN": entry["ARN"], "Name": s.name, **policy},
                s.name,
            )


def _queues_and_topics(scope: Scope, queues: list[Queue], topics: list[Topic]) -> None:
    urls = [f"https://sqs.{scope.region}.amazonaws.com/{scope.account_id}/{q.name}" for q in queues]
    # SQS leaves QueueUrls out entirely when the account has no queue.
    if scope.answer("sqs", "list_queues", {"QueueUrls": urls} if urls else {}):
        for q, url in zip(queues, urls, strict=True):
            created = str(scope.ids.number(10**8, url) + 1_600_000_000)
            attributes = {
                "QueueArn": scope.arn("sqs", q.name),
                "ApproximateNumberOfMessages": "0",
                "CreatedTimestamp": created,
                "LastModifiedTimestamp": created,
                "VisibilityTimeout": "30",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "SqsManagedSseEnabled": "true",
            }
            if q.policy:
                attributes["Policy"] = policy_text(q.policy)
            scope.answer("sqs", "get_queue_attributes", {"Attributes": attributes}, queue_name(url))
    arns = [scope.arn("sns", t.name) for t in topics]
    if scope.answer("sns", "list_topics", {"Topics": [{"TopicArn": a} for a in arns]}):
        for t, arn in zip(topics, arns, strict=True):
            policy = t.policy or {
                "Version": "2008-10-17",
                "Id": "__default_policy_ID",
                "Statement": [
                    allow(
                        [
                            "SNS:GetTopicAttributes",
                            "SNS:SetTopicAttributes",
                            "SNS:AddPermission",
                            "SNS:RemovePermission",
                            "SNS:DeleteTopic",
                            "SNS:Subscribe",
                            "SNS:ListSubscriptionsByTopic",
                            "SNS:Publish",
                        ],
                        arn,
                        sid="__default_statement_ID",
                        principal={"AWS": "*"},
                        condition={"StringEquals": {"AWS:SourceOwner": scope.account_id}},
                    )
                ],
            }
            scope.answer(
                "sns",
                "get_topic_attributes",
                {
                    "Attributes": {
                        "TopicArn": arn,
                        "Owner": scope.account_id,
                        "Policy": policy_text(policy),
                        "DisplayName": "",
                        "SubscriptionsConfirmed": "1",
                        "SubscriptionsPending": "0",
                        "SubscriptionsDeleted": "0",
                    }
                },
                t.name,
            )


def _functions(scope: Scope, functions: list[Function]) -> None:
    listed = []
    for f in functions:
        listed.append(
            {
                "FunctionName": f.name,
                "FunctionArn": scope.arn("lambda", f"function:{f.name}"),
                "Runtime": f.runtime,
                "Role": f"arn:aws:iam::{scope.account_id}:role/{f.role}",
                "Handler": "app.handler",
                "CodeSize": 4096 + scope.ids.number(40000, f.name),
                "Description": "",
                "Timeout": 30,
                "MemorySize": 256,
                "LastModified": scope.created("lambda", f.name).replace("Z", ".000+0000"),
                "CodeSha256": scope.ids.hex(43, "code", f.name),
                "Version": "$LATEST",
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": scope.ids.uuid(f.name),
                "PackageType": "Zip",
                "Architectures": ["x86_64"],
                "EphemeralStorage": {"Size": 512},
            }
        )
    if not scope.answer("lambda", "list_functions", {"Functions": listed}):
        return
    for f, entry in zip(functions, listed, strict=True):
        if f.policy:
            scope.answer(
                "lambda",
                "get_policy",
                {"Policy": policy_text(f.policy), "RevisionId": entry["RevisionId"]},
                f.name,
            )
        if f.url_auth:
            url = f"https://{scope.ids.lower(32, f.name)}.lambda-url.{scope.region}.on.aws/"
            scope.answer(
                "lambda",
                "get_function_url_config",
                {
                    "FunctionUrl": url,
                    "FunctionArn": entry["FunctionArn"],
                    "AuthType": f.url_auth,
                    "CreationTime": entry["LastModified"],
                    "LastModifiedTime": entry["LastModified"],
                    "InvokeMode": "BUFFERED",
                },
                f.name,
            )


def _repositories(scope: Scope, repositories: list[Repository]) -> None:
    registry = f"{scope.account_id}.dkr.ecr.{scope.region}.amazonaws.com"
    listed = [
        {
            "repositoryArn": scope.arn("ecr", f"repository/{r.name}"),
            "registryId": scope.account_id,
            "repositoryName": r.name,
            "repositoryUri": f"{registry}/{r.name}",
            "createdAt": scope.created("ecr", r.name),
            "imageTagMutability": "MUTABLE",
            "imageScanningConfiguration": {"scanOnPush": True},
            "encryptionConfiguration": {"encryptionType": "AES256"},
        }
        for r in repositories
    ]
    if scope.answer("ecr", "describe_repositories", {"repositories": listed}):
        for r in repositories:
            if r.policy:
                scope.answer(
                    "ecr",
                    "get_repository_policy",
                    {
                        "registryId": scope.account_id,
                        "repositoryName": r.name,
                        "policyText": json.dumps(r.policy, indent=2),
                    },
                    r.name,
                )


def _role(scope: Scope, workload: Workload) -> str:
    assert workload.role, f"{workload.name} runs as a role"
    return f"arn:aws:iam::{scope.account_id}:role/{workload.role}"


def _stacks(scope: Scope, stacks: list[Workload]) -> None:
    described = []
    for stack in stacks:
        entry = {
            "StackId": scope.arn(
                "cloudformation", f"stack/{stack.name}/{scope.ids.uuid(stack.name)}"
            ),
            "StackName": stack.name,
            "CreationTime": scope.created("cloudformation", stack.name),
            "StackStatus": "UPDATE_COMPLETE",
        }
        if stack.role:
            entry["RoleARN"] = _role(scope, stack)
        described.append(entry)
    scope.answer("cloudformation", "describe_stacks", {"Stacks": described})


def _projects(scope: Scope, projects: list[Workload]) -> None:
    names = [p.name for p in projects]
    if not scope.answer("codebuild", "list_projects", {"projects": names}) or not projects:
        return
    described = [
        {
            "name": p.name,
            "arn": scope.arn("codebuild", f"project/{p.name}"),
            "source": {
                "type": "CODECOMMIT",
                "location": f"https://git-codecommit.{scope.region}.amazonaws.com/v1/repos/{p.name}",
            },
            "serviceRole": _role(scope, p),
            "created": scope.created("codebuild", p.name),
        }
        for p in projects
    ]
    scope.answer(
        "codebuild", "batch_get_projects", {"projects": described, "projectsNotFound": []}, "0"
    )


def _notebooks(scope: Scope, notebooks: list[Workload]) -> None:
    listed = [
        {
            "NotebookInstanceName": n.name,
            "NotebookInstanceArn": scope.arn("sagemaker", f"notebook-instance/{n.name}"),
            "NotebookInstanceStatus": "InService",
            "InstanceType": "ml.t3.medium",
            "CreationTime": scope.created("sagemaker", n.name),
        }
        for n in notebooks
    ]
    if not scope.answer("sagemaker", "list_notebook_instances", {"NotebookInstances": listed}):
        return
    for notebook, entry in zip(notebooks, listed, strict=True):
        scope.answer(
            "sagemaker",
            "describe_notebook_instance",
            {
                **entry,
                "RoleArn": _role(scope, notebook),
                "DirectInternetAccess": "Enabled",
                "RootAccess": "Enabled",
            },
            notebook.name,
        )


def render_resources(scope: Scope, resources: RegionResources) -> None:
    """Every regional resource call of one account and region."""
    _kms(scope, resources.kms_keys)
    _secrets(scope, resources.secrets)
    _queues_and_topics(scope, resources.queues, resources.topics)
    _functions(scope, resources.functions)
    _repositories(scope, resources.repositories)
    _stacks(scope, resources.stacks)
    _projects(scope, resources.projects)
    _notebooks(scope, resources.notebooks)
