"""S3 buckets: bucket policy, bucket-level Block Public Access, default encryption, policy status.

Bucket calls are account-wide (region "global" in the snapshot, the bucket name as key); each
bucket's own region comes from get_bucket_location. The account-level Block Public Access
setting (s3control) is a security-service fact collected elsewhere; Macie's sensitivity score of
a bucket comes from the Macie inventory (ingest.aws.macie2).
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import Item, ResourceCalls, listed, partition
from ingest.aws.collect import CallContext
from ingest.aws.kms import KeyResolver
from ingest.aws.macie2 import bucket_sensitivity
from ingest.snapshot import GLOBAL_REGION, Snapshot
from kg.graph.records import GraphRecords

SCOPE = "account"
CLIENT = "s3"

# Per-bucket calls, and the error each returns when the bucket simply does not have the setting.
BUCKET_CALLS = (
    ("get_bucket_location", ()),
    ("get_bucket_policy", ("NoSuchBucketPolicy",)),
    ("get_public_access_block", ("NoSuchPublicAccessBlockConfiguration",)),
    ("get_bucket_encryption", ("ServerSideEncryptionConfigurationNotFoundError",)),
    ("get_bucket_policy_status", ("NoSuchBucketPolicy",)),
    ("get_bucket_tagging", ("NoSuchTagSet",)),
)
PUBLIC_ACCESS_BLOCK = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


def collect(ctx: CallContext) -> None:
    buckets = ctx.call(CLIENT, "list_buckets")
    for bucket in (buckets or {}).get("Buckets", []):
        name = bucket["Name"]
        for method, not_configured in BUCKET_CALLS:
            ctx.call(CLIENT, method, name, not_configured=not_configured, Bucket=name)


def _region(calls: ResourceCalls, bucket: Item) -> str | None:
    listed_region = bucket.optional_string("BucketRegion")  # newer list_buckets answers say it
    location = calls.get("get_bucket_location", *([] if listed_region else ["region"]))
    if location is None:
        return listed_region
    constraint = location.optional_string("LocationConstraint")
    # AWS answers null for us-east-1 and the legacy "EU" for eu-west-1.
    return {None: "us-east-1", "EU": "eu-west-1"}.get(constraint, constraint)


def _encryption(calls: ResourceCalls) -> tuple[str | None, str | None, bool | None]:
    """(algorithm, KMS key, bucket key enabled) of the first default-encryption rule."""
    answer = calls.get("get_bucket_encryption", "encryption")
    rules = answer.child("ServerSideEncryptionConfiguration").children("Rules") if answer else []
    if not rules:
        return None, None, None
    default = rules[0].child("ApplyServerSideEncryptionByDefault")
    return (
        default.optional_string("SSEAlgorithm"),
        default.optional_string("KMSMasterKeyID"),
        rules[0].optional_bool("BucketKeyEnabled"),
    )


def _bucket(
    snapshot: Snapshot,
    out: AccountRecords,
    keys: KeyResolver,
    bucket: Item,
    macie_scores: dict[str, int],
) -> None:
    name = bucket.string("Name")
    calls = ResourceCalls(snapshot, out.account_id, GLOBAL_REGION, CLIENT, name)
    region = _region(calls, bucket)
    block = calls.get("get_public_access_block", "public_access_block")
    block_config = block.child("PublicAccessBlockConfiguration") if block else None
    algorithm, kms_key, bucket_key = _encryption(calls)
    status = calls.get("get_bucket_policy_status", "policy_is_public")
    if status is not None:
        policy_is_public = status.child("PolicyStatus").optional_bool("IsPublic")
    else:  # no policy means not public through a policy; a failed call means unknown
        policy_is_public = None if "policy_is_public" in calls.unknown else False
    ref = out.owned(
        "S3Bucket",
        f"arn:{partition(region or 'us-east-1')}:s3:::{name}",
        region=region,
        name=name,
        creation_date=bucket.optional_string("CreationDate"),
        policy=calls.policy("get_bucket_policy", "Policy"),
        policy_is_public=policy_is_public,
        **{
            prop: block_config.optional_bool(field) if block_config else None
            for prop, field in PUBLIC_ACCESS_BLOCK.items()
        },
        encryption_algorithm=algorithm,
        encryption_kms_key_id=kms_key,
        bucket_key_enabled=bucket_key,
        tags=calls.tags("get_bucket_tagging", "TagSet"),
        macie_sensitivity_score=macie_scores.get(name),
        unknown=calls.unknown,
    )
    if region:
        keys.link(out, ref, region, kms_key)


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    keys = KeyResolver(snapshot)
    macie_scores = bucket_sensitivity(snapshot)
    for account_id in snapshot.account_ids():
        out = AccountRecords(records, account_id, GLOBAL_REGION)
        for bucket in listed(
            snapshot, account_id, GLOBAL_REGION, CLIENT, "list_buckets", "Buckets"
        ):
            _bucket(snapshot, out, keys, bucket, macie_scores)
    return records
