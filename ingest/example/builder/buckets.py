"""S3 buckets: listed once per account, each with its location, policy, public access block,
default encryption, policy status and tags. "Not configured" answers (no bucket policy, no
tags) write no file, as the collector does."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.example.builder.policies import Document, has_public_grant, policy_text
from ingest.example.builder.scope import Scope

_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str
    policy: Document | None = None
    public_access_block: bool = True  # the four bucket-level flags on, or no configuration
    kms_key_arn: str | None = None  # SSE-KMS; otherwise SSE-S3, the default since 2023
    tags: dict[str, str] = field(default_factory=dict)


def render_buckets(scope: Scope, buckets: list[Bucket]) -> None:
    """list_buckets and the per-bucket calls (S3 answers them in the account's global scope)."""
    listed = [
        {"Name": b.name, "CreationDate": scope.created("bucket", b.name), "BucketRegion": b.region}
        for b in buckets
    ]
    owner = {"ID": scope.ids.hex(64, scope.account_id, "canonical-user")}
    if not scope.answer("s3", "list_buckets", {"Buckets": listed, "Owner": owner}):
        return
    for b in buckets:
        location = None if b.region == "us-east-1" else b.region  # AWS answers null there
        scope.answer("s3", "get_bucket_location", {"LocationConstraint": location}, b.name)
        if b.policy is not None:
            scope.answer("s3", "get_bucket_policy", {"Policy": policy_text(b.policy)}, b.name)
            scope.answer(
                "s3",
                "get_bucket_policy_status",
                {"PolicyStatus": {"IsPublic": has_public_grant(b.policy)}},
                b.name,
            )
        if b.public_access_block:
            scope.answer(
                "s3",
                "get_public_access_block",
                {"PublicAccessBlockConfiguration": {flag: True for flag in _FLAGS}},
                b.name,
            )
        default: dict[str, str] = {"SSEAlgorithm": "AES256"}
        if b.kms_key_arn:
            default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": b.kms_key_arn}
        scope.answer(
            "s3",
            "get_bucket_encryption",
            {
                "ServerSideEncryptionConfiguration": {
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": default,
                            "BucketKeyEnabled": b.kms_key_arn is not None,
                        }
                    ]
                }
            },
            b.name,
        )
        if b.tags:
            scope.answer(
                "s3",
                "get_bucket_tagging",
                {"TagSet": [{"Key": k, "Value": v} for k, v in b.tags.items()]},
                b.name,
            )
