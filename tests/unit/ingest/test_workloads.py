"""CloudFormation stacks, CodeBuild projects and SageMaker notebooks, each with the role it runs
as, so privilege escalation can act on the ones that exist. CodeBuild and SageMaker are collected
from moto; CloudFormation from a scripted answer botocore checks against the service's model
(moto's CloudFormation needs optional dependencies kg does not install)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import boto3
from moto import mock_aws

from ingest.aws import (
    autoscaling,
    cloudformation,
    codebuild,
    ec2launchtemplates,
    ecs,
    glue,
    sagemaker,
)
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot, SnapshotWriter
from kg.graph.records import GraphRecords
from kg.graph.writer import validate
from kg.model import load_schema
from tests.unit.ingest.network_fixtures import node, targets, undeclared_properties
from tests.unit.ingest.security_snapshot import stubbed_context

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"


def _collect(root: Path, session: boto3.Session) -> Snapshot:
    writer = SnapshotWriter(root, source="aws")
    for module in (codebuild, sagemaker):
        module.collect(CallContext(session, ACCOUNT, REGION, writer))
    assert writer.failures == []
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()
    return Snapshot.open(root)


def _transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for module in (
        autoscaling,
        cloudformation,
        codebuild,
        ec2launchtemplates,
        ecs,
        glue,
        sagemaker,
    ):
        records.extend(module.transform(snapshot))
    validate(records, load_schema())
    assert undeclared_properties(records) == set()
    return records


def test_stacks_and_their_service_roles(tmp_path: Path) -> None:
    ctx, session, writer = stubbed_context(tmp_path, ACCOUNT, REGION)
    stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/infra/0a1b2c3d-1111"
    plain_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/plain/0a1b2c3d-2222"
    created = datetime(2026, 1, 1, tzinfo=UTC)
    answer = {
        "Stacks": [
            {
                "StackId": stack_id,
                "StackName": "infra",
                "CreationTime": created,
                "StackStatus": "UPDATE_COMPLETE",
                "RoleARN": ROLE,
            },
            {
                "StackId": plain_id,
                "StackName": "plain",
                "CreationTime": created,
                "StackStatus": "CREATE_COMPLETE",
            },
        ]
    }
    session.stub("cloudformation").add_response("describe_stacks", answer, {})
    cloudformation.collect(ctx)
    session.assert_all_answered()
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()

    records = _transform(Snapshot.open(tmp_path))

    stack = node(records, "CloudFormationStack", stack_id)
    assert (stack["name"], stack["role_arn"], stack["region"]) == ("infra", ROLE, REGION)
    assert node(records, "CloudFormationStack", plain_id)["role_arn"] is None
    # The stack without a service role runs as whoever changes it: no edge.
    assert targets(records, "HAS_SERVICE_ROLE", "CloudFormationStack", "Role") == {stack_id: [ROLE]}


@mock_aws
def test_projects_and_notebooks_and_the_roles_they_run_as(tmp_path: Path) -> None:
    session = boto3.Session(region_name=REGION)
    builds = session.client("codebuild")
    project = builds.create_project(
        name="release",
        source={"type": "S3", "location": "artifacts-bucket/source.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole=ROLE,
    )["project"]
    notebooks = session.client("sagemaker")
    notebook_arn = notebooks.create_notebook_instance(
        NotebookInstanceName="lab", InstanceType="ml.t3.medium", RoleArn=ROLE
    )["NotebookInstanceArn"]

    records = _transform(_collect(tmp_path, session))

    assert node(records, "CodeBuildProject", project["arn"])["role_arn"] == ROLE
    assert targets(records, "HAS_SERVICE_ROLE", "CodeBuildProject", "Role") == {
        project["arn"]: [ROLE]
    }
    lab = node(records, "SageMakerNotebook", notebook_arn)
    assert (lab["name"], lab["role_arn"], lab["unknown"]) == ("lab", ROLE, [])
    assert targets(records, "HAS_EXECUTION_ROLE", "SageMakerNotebook", "Role") == {
        notebook_arn: [ROLE]
    }


def test_a_notebook_whose_description_failed_has_an_unknown_role(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, source="aws")
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/lab"
    listing = {"NotebookInstances": [{"NotebookInstanceName": "lab", "NotebookInstanceArn": arn}]}
    writer.write(ACCOUNT, REGION, "sagemaker", "list_notebook_instances", listing)
    writer.record_failure(
        ACCOUNT, REGION, "sagemaker", "describe_notebook_instance", "AccessDenied", "no", "lab"
    )
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()
    lab = node(_transform(Snapshot.open(tmp_path)), "SageMakerNotebook", arn)
    assert lab["role_arn"] is None
    assert lab["unknown"] == ["role_arn", "direct_internet_access", "root_access"]


def test_glue_jobs_and_the_roles_they_run_as(tmp_path: Path) -> None:
    """Glue takes a job's role as a name or an ARN: both become the role's ARN. (Stubbed: the
    mock AWS library's Glue needs a parser package kg does not install.)"""
    ctx, session, writer = stubbed_context(tmp_path, ACCOUNT, REGION)
    command = {"Name": "glueetl", "ScriptLocation": "s3://scripts/etl.py"}
    answer = {
        "Jobs": [
            {"Name": "etl", "Role": ROLE, "Command": command, "GlueVersion": "4.0"},
            {"Name": "by-name", "Role": "loader", "Command": command},
        ]
    }
    session.stub("glue").add_response("get_jobs", answer, {})
    glue.collect(ctx)
    session.assert_all_answered()
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()

    records = _transform(Snapshot.open(tmp_path))

    etl = f"arn:aws:glue:{REGION}:{ACCOUNT}:job/etl"
    by_name = f"arn:aws:glue:{REGION}:{ACCOUNT}:job/by-name"
    assert (node(records, "GlueJob", etl)["name"], node(records, "GlueJob", etl)["role_arn"]) == (
        "etl",
        ROLE,
    )
    loader = f"arn:aws:iam::{ACCOUNT}:role/loader"
    assert targets(records, "HAS_EXECUTION_ROLE", "GlueJob", "Role") == {
        etl: [ROLE],
        by_name: [loader],
    }


def test_glue_jobs_whose_listing_failed_are_none_in_the_graph(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, source="aws")
    writer.record_failure(ACCOUNT, REGION, "glue", "get_jobs", "AccessDeniedException", "no")
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()
    records = _transform(Snapshot.open(tmp_path))
    assert not records.nodes.get("GlueJob")


@mock_aws
def test_ecs_clusters(tmp_path: Path) -> None:
    session = boto3.Session(region_name=REGION)
    arn = session.client("ecs").create_cluster(clusterName="apps")["cluster"]["clusterArn"]
    writer = SnapshotWriter(tmp_path, source="aws")
    ecs.collect(CallContext(session, ACCOUNT, REGION, writer))
    assert writer.failures == []
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()
    records = _transform(Snapshot.open(tmp_path))
    cluster = node(records, "EcsCluster", arn)
    assert (cluster["name"], cluster["region"], cluster["account_id"]) == ("apps", REGION, ACCOUNT)


def test_ecs_clusters_whose_listing_failed_are_none_in_the_graph(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, source="aws")
    writer.record_failure(ACCOUNT, REGION, "ecs", "list_clusters", "AccessDeniedException", "no")
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()
    assert not _transform(Snapshot.open(tmp_path)).nodes.get("EcsCluster")


CLUSTER = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/apps"
TASK = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/apps/0123456789abcdef"
OVERRIDDEN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/apps/fedcba9876543210"
DEFINITION = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web:3"
OVERRIDE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/debug"


def _task(arn: str, exec_enabled: bool, **overrides: str) -> dict[str, object]:
    return {
        "taskArn": arn,
        "clusterArn": CLUSTER,
        "taskDefinitionArn": DEFINITION,
        "lastStatus": "RUNNING",
        "enableExecuteCommand": exec_enabled,
        "overrides": overrides,
    }


def test_running_ecs_tasks_and_their_task_roles(tmp_path: Path) -> None:
    """The task role is the task's override, else its task definition's; each definition is
    described once."""
    ctx, session, writer = stubbed_context(tmp_path, ACCOUNT, REGION)
    stub = session.stub("ecs")
    stub.add_response("list_clusters", {"clusterArns": [CLUSTER]}, {})
    stub.add_response(
        "list_tasks",
        {"taskArns": [TASK, OVERRIDDEN]},
        {"cluster": CLUSTER, "desiredStatus": "RUNNING"},
    )
    tasks = [_task(TASK, True), _task(OVERRIDDEN, False, taskRoleArn=OVERRIDE_ROLE)]
    stub.add_response(
        "describe_tasks", {"tasks": tasks}, {"cluster": CLUSTER, "tasks": [TASK, OVERRIDDEN]}
    )
    definition = {"taskDefinitionArn": DEFINITION, "taskRoleArn": ROLE}
    stub.add_response(
        "describe_task_definition", {"taskDefinition": definition}, {"taskDefinition": DEFINITION}
    )
    ecs.collect(ctx)
    session.assert_all_answered()
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()

    records = _transform(Snapshot.open(tmp_path))

    assert node(records, "EcsCluster", CLUSTER)["unknown"] == []
    task = node(records, "EcsTask", TASK)
    assert (task["execute_command"], task["cluster_arn"], task["role_arn"]) == (True, CLUSTER, ROLE)
    assert node(records, "EcsTask", OVERRIDDEN)["execute_command"] is False
    assert targets(records, "HAS_TASK_ROLE", "EcsTask", "Role") == {
        TASK: [ROLE],
        OVERRIDDEN: [OVERRIDE_ROLE],
    }


def test_ecs_reads_that_failed_are_unknown_never_none(tmp_path: Path) -> None:
    """A task definition that could not be described leaves the task's role unknown; tasks that
    could not be listed leave the cluster's tasks unknown."""
    writer = SnapshotWriter(tmp_path, source="aws")
    other = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/batch"
    writer.write(ACCOUNT, REGION, "ecs", "list_clusters", {"clusterArns": [CLUSTER, other]})
    writer.write(ACCOUNT, REGION, "ecs", "list_tasks", {"taskArns": [TASK]}, "apps")
    writer.write(ACCOUNT, REGION, "ecs", "describe_tasks", {"tasks": [_task(TASK, True)]}, "apps.0")
    writer.record_failure(
        ACCOUNT, REGION, "ecs", "describe_task_definition", "AccessDeniedException", "no", "web:3"
    )
    writer.record_failure(
        ACCOUNT, REGION, "ecs", "list_tasks", "AccessDeniedException", "no", "batch"
    )
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()
    records = _transform(Snapshot.open(tmp_path))
    task = node(records, "EcsTask", TASK)
    assert (task["role_arn"], task["unknown"]) == (None, ["role_arn"])
    assert node(records, "EcsCluster", other)["unknown"] == ["tasks"]
    assert node(records, "EcsCluster", CLUSTER)["unknown"] == []


PROFILE = f"arn:aws:iam::{ACCOUNT}:instance-profile/web"


@mock_aws
def test_launch_templates_their_profiles_and_the_groups_launching_from_them(
    tmp_path: Path,
) -> None:
    session = boto3.Session(region_name=REGION)
    ec2_client = session.client("ec2")
    data = {"ImageId": "ami-12c6146b", "IamInstanceProfile": {"Arn": PROFILE}}
    template = ec2_client.create_launch_template(LaunchTemplateName="web", LaunchTemplateData=data)
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]
    named = {"ImageId": "ami-12c6146b", "IamInstanceProfile": {"Name": "batch"}}
    ec2_client.create_launch_template(LaunchTemplateName="batch", LaunchTemplateData=named)
    session.client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchTemplate={"LaunchTemplateId": template_id},
        MinSize=0,
        MaxSize=1,
        AvailabilityZones=[f"{REGION}a"],
    )
    writer = SnapshotWriter(tmp_path, source="aws")
    for module in (ec2launchtemplates, autoscaling):
        module.collect(CallContext(session, ACCOUNT, REGION, writer))
    assert writer.failures == []
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()

    records = _transform(Snapshot.open(tmp_path))

    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:launch-template/{template_id}"
    web = node(records, "Ec2LaunchTemplate", arn)
    assert (web["name"], web["default_version"], web["instance_profile_arn"]) == ("web", 1, PROFILE)
    assert targets(records, "HAS_PROFILE", "Ec2LaunchTemplate", "InstanceProfile") == {
        arn: [PROFILE]
    }
    (batch,) = [t for t in records.nodes["Ec2LaunchTemplate"] if t["name"] == "batch"]
    assert (batch["instance_profile_arn"], batch["instance_profile_name"]) == (None, "batch")
    (group,) = records.nodes["AutoScalingGroup"]
    assert group["launch_template_version"] == "$Default"
    assert targets(records, "LAUNCHES_FROM", "AutoScalingGroup", "Ec2LaunchTemplate") == {
        group["arn"]: [arn]
    }


def test_a_template_whose_versions_failed_has_an_unknown_profile(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, source="aws")
    listing = {"LaunchTemplates": [{"LaunchTemplateId": "lt-1", "LaunchTemplateName": "web"}]}
    writer.write(ACCOUNT, REGION, "ec2", "describe_launch_templates", listing)
    writer.record_failure(
        ACCOUNT,
        REGION,
        "ec2",
        "describe_launch_template_versions",
        "UnauthorizedOperation",
        "no",
        "lt-1",
    )
    writer.set_account(ACCOUNT, [REGION])
    writer.finish()
    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:launch-template/lt-1"
    template = node(_transform(Snapshot.open(tmp_path)), "Ec2LaunchTemplate", arn)
    assert (template["instance_profile_arn"], template["unknown"]) == (None, ["instance_profile"])
