"""Resource transforms (S3, KMS, Secrets Manager, SQS, SNS, Lambda, ECR) and their collectors."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from types import ModuleType

import boto3
import pytest
from moto import mock_aws

from ingest.aws import awslambda, ecr, kms, s3, secretsmanager, sns, sqs
from ingest.aws.collect import CallContext
from ingest.snapshot import GLOBAL_REGION, Snapshot, SnapshotWriter
from kg.errors import SnapshotError
from kg.graph.records import GraphRecords
from kg.graph.writer import validate
from kg.model import load_schema
from tests.unit.ingest.network_fixtures import arn, node, targets, undeclared_properties
from tests.unit.ingest.network_fixtures import write_snapshot as write_fixture
from tests.unit.ingest.resource_fixtures import (
    AWS_KEY_ARN,
    EAST,
    FUNCTION_ARN,
    KEY_ARN,
    KEY_ID,
    REPOSITORY_ARN,
    SECRET_ARN,
    A,
    B,
    C,
)
from tests.unit.ingest.security_snapshot import stubbed_context

MODULES = (s3, kms, secretsmanager, sqs, sns, awslambda, ecr)
MOTO_ACCOUNT = "123456789012"
PUBLIC_BUCKET = "arn:aws:s3:::public-data"
QUEUE_ARN = f"arn:aws:sqs:{EAST}:{A}:jobs"


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> GraphRecords:
    snapshot = write_fixture(tmp_path_factory.mktemp("snap"))
    out = GraphRecords()
    for module in MODULES:
        out.extend(module.transform(snapshot))
    return out


def _statements(row: dict) -> list[dict]:
    return json.loads(row["policy"])["Statement"]


def test_records_fit_the_declared_schema_and_every_property_is_documented(
    records: GraphRecords,
) -> None:
    validate(records, load_schema())
    assert undeclared_properties(records) == set()


def test_public_bucket_policy_keeps_principal_star_and_its_condition(
    records: GraphRecords,
) -> None:
    bucket = node(records, "S3Bucket", PUBLIC_BUCKET)
    # AWS allowed a single statement object; the stored document always has a list
    assert _statements(bucket) == [
        {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::public-data/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        }
    ]
    assert json.loads(bucket["policy"])["Version"] == "2012-10-17"
    assert bucket["policy_is_public"] is True
    assert (bucket["region"], bucket["tags"], bucket["unknown"]) == (
        "us-east-1",
        ["data=public"],
        [],
    )


def test_bucket_without_settings_reads_not_set_and_failed_calls_read_unknown(
    records: GraphRecords,
) -> None:
    public = node(records, "S3Bucket", PUBLIC_BUCKET)
    assert [public[p] for p in s3.PUBLIC_ACCESS_BLOCK] == [None, None, None, None]
    logs = node(records, "S3Bucket", "arn:aws:s3:::logs-eu")
    assert logs["region"] == "eu-west-1"  # AWS's legacy "EU"
    assert [logs[p] for p in s3.PUBLIC_ACCESS_BLOCK] == [True, True, True, True]
    assert (logs["policy"], logs["policy_is_public"]) == (None, False)
    assert (logs["encryption_algorithm"], logs["tags"], logs["unknown"]) == (
        "AES256",
        None,
        ["tags"],
    )


def test_encryption_settings_link_resources_to_their_key_through_arns_and_aliases(
    records: GraphRecords,
) -> None:
    encrypted = {
        source: target
        for (rel_type, _, _), rows in records.rels.items()
        if rel_type == "ENCRYPTED_BY"
        for source, target in ((r["source"], r["target"]) for r in rows)
    }
    assert encrypted == {
        PUBLIC_BUCKET: KEY_ARN,  # a key ARN
        QUEUE_ARN: KEY_ARN,  # alias/app
        REPOSITORY_ARN: KEY_ARN,
        SECRET_ARN: AWS_KEY_ARN,  # no key configured: the account's aws/secretsmanager key
    }


def test_kms_keys_record_manager_rotation_aliases_and_what_could_not_be_read(
    records: GraphRecords,
) -> None:
    customer = node(records, "KmsKey", KEY_ARN)
    assert (customer["key_manager"], customer["rotation_enabled"]) == ("CUSTOMER", True)
    assert (customer["name"], customer["tags"]) == ("alias/app", ["team=app"])
    assert _statements(customer)[0]["Principal"] == {"AWS": f"arn:aws:iam::{A}:root"}
    managed = node(records, "KmsKey", AWS_KEY_ARN)
    assert (managed["key_manager"], managed["rotation_enabled"]) == ("AWS", True)
    assert (managed["policy"], managed["unknown"]) == (None, ["policy"])


def test_secret_queue_topic_function_and_repository_policies(records: GraphRecords) -> None:
    secret = node(records, "Secret", SECRET_ARN)
    assert _statements(secret)[0]["Principal"] == {"AWS": f"arn:aws:iam::{C}:root"}
    assert (secret["name"], secret["rotation_enabled"]) == ("prod/db", False)
    queue = node(records, "SqsQueue", QUEUE_ARN)
    assert _statements(queue)[0]["Principal"] == {"Service": "sns.amazonaws.com"}
    assert (queue["kms_key_id"], queue["sqs_managed_sse"]) == ("alias/app", False)
    topic = node(records, "SnsTopic", f"arn:aws:sns:{EAST}:{A}:alerts")
    assert (topic["policy"], topic["unknown"]) == (None, ["policy", "encryption"])
    repository = node(records, "EcrRepository", REPOSITORY_ARN)
    assert repository["name"] == "app/api"  # stored under a percent-encoded key
    assert _statements(repository)[0]["Principal"] == {"AWS": f"arn:aws:iam::{B}:root"}


def test_lambda_function_url_policy_role_and_network_placement(records: GraphRecords) -> None:
    function = node(records, "LambdaFunction", FUNCTION_ARN)
    assert function["function_url_auth_type"] == "NONE"
    assert function["role_arn"] == f"arn:aws:iam::{A}:role/handler-role"
    [statement] = _statements(function)
    assert statement["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert targets(records, "IN", "LambdaFunction", "Subnet") == {
        FUNCTION_ARN: [arn(A, "subnet", "subnet-priv")]
    }
    assert targets(records, "PROTECTED_BY", "LambdaFunction", "SecurityGroup") == {
        FUNCTION_ARN: [arn(A, "security-group", "sg-app")]
    }


def test_every_resource_belongs_to_its_account(records: GraphRecords) -> None:
    for label in ("S3Bucket", "KmsKey", "Secret", "SqsQueue", "SnsTopic", "LambdaFunction"):
        owners = targets(records, "BELONGS_TO", label, "Account")
        assert {row["arn"] for row in records.nodes[label]} == set(owners)
        assert all(accounts == [A] for accounts in owners.values())


def test_key_resolver_names_keys_from_arns_ids_and_aliases(tmp_path: Path) -> None:
    resolver = kms.KeyResolver(write_fixture(tmp_path))
    other = f"arn:aws:kms:eu-west-1:{B}:key/{KEY_ID}"
    assert resolver.key(A, EAST, other) == ("KmsKey", other)
    assert resolver.key(A, EAST, KEY_ID) == ("KmsKey", KEY_ARN)
    assert resolver.key(A, EAST, f"arn:aws:kms:{EAST}:{A}:alias/app") == ("KmsKey", KEY_ARN)
    assert resolver.key(A, EAST, "alias/aws/sqs") is None  # AWS has not created that key yet
    assert resolver.key(A, EAST, None) is None


def test_malformed_policy_names_the_file_and_field(tmp_path: Path) -> None:
    writer = SnapshotWriter(tmp_path, source="synthetic")
    writer.set_account(A, [EAST])
    writer.write(A, GLOBAL_REGION, "s3", "list_buckets", {"Buckets": [{"Name": "b"}]})
    writer.write(A, GLOBAL_REGION, "s3", "get_bucket_policy", {"Policy": "{not json"}, "b")
    writer.finish()
    with pytest.raises(SnapshotError, match=r"get_bucket_policy/b\.json\.Policy: invalid JSON"):
        s3.transform(Snapshot.open(tmp_path))


def _collect(root: Path, session: boto3.Session, module: ModuleType) -> Snapshot:
    writer = SnapshotWriter(root, source="aws")
    region = GLOBAL_REGION if module.SCOPE == "account" else EAST
    module.collect(CallContext(session, MOTO_ACCOUNT, region, writer))
    assert writer.failures == [], module.__name__  # "not configured" answers are not failures
    writer.set_account(MOTO_ACCOUNT, [EAST])
    writer.finish()
    return Snapshot.open(root)


@mock_aws
def test_s3_collector_keeps_not_configured_apart_from_failures(tmp_path: Path) -> None:
    session = boto3.Session(region_name=EAST)
    client = session.client("s3")
    client.create_bucket(Bucket="open-bucket")
    client.create_bucket(
        Bucket="plain-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::open-bucket/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket="open-bucket", Policy=json.dumps(policy))

    snapshot = _collect(tmp_path, session, s3)

    assert snapshot.keys(MOTO_ACCOUNT, GLOBAL_REGION, "s3", "get_bucket_policy") == ["open-bucket"]
    records = s3.transform(snapshot)
    validate(records, load_schema())
    opened = node(records, "S3Bucket", "arn:aws:s3:::open-bucket")
    assert (opened["policy_is_public"], _statements(opened)[0]["Principal"]) == (True, "*")
    plain = node(records, "S3Bucket", "arn:aws:s3:::plain-eu")
    assert (plain["region"], plain["policy"], plain["unknown"]) == ("eu-west-1", None, [])


@mock_aws
def test_kms_and_secrets_collectors(tmp_path: Path) -> None:
    session = boto3.Session(region_name=EAST)
    keys = session.client("kms")
    key_id = keys.create_key(Description="app")["KeyMetadata"]["KeyId"]
    keys.enable_key_rotation(KeyId=key_id)
    keys.create_alias(AliasName="alias/app", TargetKeyId=key_id)
    secrets = session.client("secretsmanager")
    secret = secrets.create_secret(Name="prod/db", SecretString="x", KmsKeyId="alias/app")
    secret_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:DeleteSecret",
                "Resource": "*",
            }
        ],
    }
    secrets.put_resource_policy(SecretId=secret["ARN"], ResourcePolicy=json.dumps(secret_policy))

    records = GraphRecords()
    for module in (kms, secretsmanager):
        records.extend(module.transform(_collect(tmp_path / module.__name__, session, module)))

    validate(records, load_schema())
    key_arn = f"arn:aws:kms:{EAST}:{MOTO_ACCOUNT}:key/{key_id}"
    key = node(records, "KmsKey", key_arn)
    assert (key["rotation_enabled"], key["name"], key["key_manager"]) == (
        True,
        "alias/app",
        "CUSTOMER",
    )
    stored = node(records, "Secret", secret["ARN"])
    assert _statements(stored)[0]["Effect"] == "Deny"


def test_kms_asymmetric_key_without_automatic_rotation_is_not_rotated_not_unknown(
    tmp_path: Path,
) -> None:
    """moto answers rotation status for any key; AWS answers UnsupportedOperationException for
    asymmetric keys, so this collector path runs against botocore's Stubber."""
    ctx, session, writer = stubbed_context(tmp_path, A, EAST)
    stub = session.stub("kms")
    key_arn = f"arn:aws:kms:{EAST}:{A}:key/{KEY_ID}"
    stub.add_response("list_keys", {"Keys": [{"KeyId": KEY_ID, "KeyArn": key_arn}]})
    stub.add_response("list_aliases", {"Aliases": []})
    metadata = {"KeyId": KEY_ID, "Arn": key_arn, "KeyManager": "CUSTOMER", "KeySpec": "RSA_2048"}
    stub.add_response("describe_key", {"KeyMetadata": metadata}, {"KeyId": KEY_ID})
    stub.add_response(
        "get_key_policy",
        {"Policy": '{"Statement": []}'},
        {"KeyId": KEY_ID, "PolicyName": "default"},
    )
    stub.add_client_error("get_key_rotation_status", "UnsupportedOperationException")
    stub.add_response("list_resource_tags", {"Tags": []}, {"KeyId": KEY_ID})

    kms.collect(ctx)
    session.assert_all_answered()
    writer.set_account(A, [EAST])
    writer.finish()

    assert writer.failures == []
    [key] = kms.transform(Snapshot.open(tmp_path)).nodes["KmsKey"]
    assert (key["rotation_enabled"], key["unknown"]) == (False, [])


@mock_aws
def test_queue_topic_function_and_repository_collectors(tmp_path: Path) -> None:
    session = boto3.Session(region_name=EAST)
    queue_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
        ],
    }
    session.client("sqs").create_queue(
        QueueName="jobs", Attributes={"Policy": json.dumps(queue_policy)}
    )
    session.client("sns").create_topic(Name="alerts")
    role = session.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    functions = session.client("lambda")
    for name in ("public-fn", "private-fn"):
        functions.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="app.handler",
            Code={"ZipFile": code.getvalue()},
        )
    functions.create_function_url_config(FunctionName="public-fn", AuthType="NONE")
    functions.add_permission(
        FunctionName="public-fn",
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    repositories = session.client("ecr")
    repositories.create_repository(repositoryName="app/api")
    repositories.create_repository(repositoryName="app/worker")
    repository_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
                "Action": "ecr:BatchGetImage",
            }
        ],
    }
    repositories.set_repository_policy(
        repositoryName="app/api", policyText=json.dumps(repository_policy)
    )

    records = GraphRecords()
    for module in (sqs, sns, awslambda, ecr):
        records.extend(module.transform(_collect(tmp_path / module.__name__, session, module)))

    validate(records, load_schema())
    [queue] = records.nodes["SqsQueue"]
    assert (queue["arn"], _statements(queue)[0]["Action"]) == (
        f"arn:aws:sqs:{EAST}:{MOTO_ACCOUNT}:jobs",
        "sqs:SendMessage",
    )
    [topic] = records.nodes["SnsTopic"]
    assert topic["policy"] is not None and topic["unknown"] == []
    by_name = {row["name"]: row for row in records.nodes["LambdaFunction"]}
    assert by_name["public-fn"]["function_url_auth_type"] == "NONE"
    assert _statements(by_name["public-fn"])[0]["Principal"] == "*"
    private = by_name["private-fn"]
    assert (private["function_url"], private["policy"], private["unknown"]) == (None, None, [])
    repos = {row["name"]: row for row in records.nodes["EcrRepository"]}
    assert _statements(repos["app/api"])[0]["Action"] == "ecr:BatchGetImage"
    assert (repos["app/worker"]["policy"], repos["app/worker"]["unknown"]) == (None, [])
