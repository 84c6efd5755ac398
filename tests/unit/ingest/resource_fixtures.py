"""AWS-shaped responses for account A's resources (part of the snapshot in network_fixtures)."""

from __future__ import annotations

import json

from ingest.snapshot import GLOBAL_REGION, SnapshotWriter

A, B, C = "111111111111", "222222222222", "333333333333"
EAST = "us-east-1"
FUNCTION_ARN = f"arn:aws:lambda:{EAST}:{A}:function:handler"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
AWS_KEY_ID = "0987dcba-09fe-87dc-65ba-ab0987654321"
KEY_ARN = f"arn:aws:kms:{EAST}:{A}:key/{KEY_ID}"
AWS_KEY_ARN = f"arn:aws:kms:{EAST}:{A}:key/{AWS_KEY_ID}"
SECRET_ARN = f"arn:aws:secretsmanager:{EAST}:{A}:secret:prod/db-AbCdEf"
REPOSITORY_ARN = f"arn:aws:ecr:{EAST}:{A}:repository/app/api"

PUBLIC_BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": {  # a single statement object, as AWS allows
        "Sid": "PublicRead",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::public-data/*",
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    },
}


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# fmt: off
def write_resources(w: SnapshotWriter) -> None:
    def s3(method: str, data: dict, key: str | None = None) -> None:
        w.write(A, GLOBAL_REGION, "s3", method, data, key)

    def put(client: str, method: str, data: dict, key: str | None = None) -> None:
        w.write(A, EAST, client, method, data, key)

    s3("list_buckets", {"Buckets": [
        {"Name": "public-data", "CreationDate": "2026-01-01T00:00:00Z"},
        {"Name": "logs-eu", "CreationDate": "2026-02-01T00:00:00Z"}], "Owner": {"ID": "abc"}})
    s3("get_bucket_location", {"LocationConstraint": None}, "public-data")
    s3("get_bucket_policy", {"Policy": json.dumps(PUBLIC_BUCKET_POLICY)}, "public-data")
    s3("get_bucket_encryption", {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                "KMSMasterKeyID": KEY_ARN},
         "BucketKeyEnabled": True}]}}, "public-data")
    s3("get_bucket_policy_status", {"PolicyStatus": {"IsPublic": True}}, "public-data")
    s3("get_bucket_tagging", {"TagSet": [{"Key": "data", "Value": "public"}]}, "public-data")
    s3("get_bucket_location", {"LocationConstraint": "EU"}, "logs-eu")
    s3("get_public_access_block", {"PublicAccessBlockConfiguration": {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True}}, "logs-eu")
    s3("get_bucket_encryption", {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}, "logs-eu")
    w.record_failure(A, GLOBAL_REGION, "s3", "get_bucket_tagging", "AccessDenied", "no", "logs-eu")

    put("kms", "list_keys", {"Keys": [{"KeyId": KEY_ID, "KeyArn": KEY_ARN},
                                      {"KeyId": AWS_KEY_ID, "KeyArn": AWS_KEY_ARN}]})
    put("kms", "list_aliases", {"Aliases": [
        {"AliasName": "alias/app", "TargetKeyId": KEY_ID},
        {"AliasName": "alias/aws/secretsmanager", "TargetKeyId": AWS_KEY_ID},
        {"AliasName": "alias/aws/sqs"}]})
    put("kms", "describe_key", {"KeyMetadata": {
        "KeyId": KEY_ID, "Arn": KEY_ARN, "KeyManager": "CUSTOMER", "KeyState": "Enabled",
        "Enabled": True, "KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT",
        "Origin": "AWS_KMS", "MultiRegion": False}}, KEY_ID)
    put("kms", "get_key_policy", {"PolicyName": "default", "Policy": _policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*",
         "Resource": "*"})}, KEY_ID)
    put("kms", "get_key_rotation_status", {"KeyRotationEnabled": True}, KEY_ID)
    put("kms", "list_resource_tags", {"Tags": [{"TagKey": "team", "TagValue": "app"}]}, KEY_ID)
    put("kms", "describe_key", {"KeyMetadata": {
        "KeyId": AWS_KEY_ID, "Arn": AWS_KEY_ARN, "KeyManager": "AWS", "KeyState": "Enabled",
        "Enabled": True}}, AWS_KEY_ID)
    w.record_failure(A, EAST, "kms", "get_key_policy", "AccessDeniedException", "no", AWS_KEY_ID)

    put("secretsmanager", "list_secrets", {"SecretList": [
        {"ARN": SECRET_ARN, "Name": "prod/db", "RotationEnabled": False,
         "Tags": [{"Key": "data", "Value": "sensitive"}]}]})
    put("secretsmanager", "get_resource_policy", {"ARN": SECRET_ARN, "Name": "prod/db",
        "ResourcePolicy": _policy(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{C}:root"},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"})}, "prod/db")

    put("sqs", "list_queues", {"QueueUrls": [f"https://sqs.{EAST}.amazonaws.com/{A}/jobs"]})
    put("sqs", "get_queue_attributes", {"Attributes": {
        "QueueArn": f"arn:aws:sqs:{EAST}:{A}:jobs", "KmsMasterKeyId": "alias/app",
        "SqsManagedSseEnabled": "false", "Policy": _policy(
            {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
             "Action": "sqs:SendMessage", "Resource": "*"})}}, "jobs")
    put("sns", "list_topics", {"Topics": [{"TopicArn": f"arn:aws:sns:{EAST}:{A}:alerts"}]})
    w.record_failure(A, EAST, "sns", "get_topic_attributes", "AuthorizationError", "no", "alerts")

    put("lambda", "list_functions", {"Functions": [
        {"FunctionName": "handler", "FunctionArn": FUNCTION_ARN, "Runtime": "python3.12",
         "Role": f"arn:aws:iam::{A}:role/handler-role", "PackageType": "Zip",
         "VpcConfig": {"SubnetIds": ["subnet-priv"], "SecurityGroupIds": ["sg-app"],
                       "VpcId": "vpc-a1"}}]})
    put("lambda", "get_policy", {"RevisionId": "1", "Policy": _policy(
        {"Sid": "url", "Effect": "Allow", "Principal": "*",
         "Action": "lambda:InvokeFunctionUrl", "Resource": FUNCTION_ARN,
         "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}})}, "handler")
    put("lambda", "get_function_url_config", {
        "FunctionUrl": "https://abc.lambda-url.us-east-1.on.aws/", "FunctionArn": FUNCTION_ARN,
        "AuthType": "NONE"}, "handler")

    put("ecr", "describe_repositories", {"repositories": [
        {"repositoryArn": REPOSITORY_ARN, "registryId": A, "repositoryName": "app/api",
         "repositoryUri": f"{A}.dkr.ecr.{EAST}.amazonaws.com/app/api",
         "imageTagMutability": "MUTABLE", "imageScanningConfiguration": {"scanOnPush": True},
         "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY_ARN}}]})
    put("ecr", "get_repository_policy", {"registryId": A, "repositoryName": "app/api",
        "policyText": _policy(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
             "Action": ["ecr:BatchGetImage"]})}, "app/api")
# fmt: on
