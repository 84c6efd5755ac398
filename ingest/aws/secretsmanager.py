"""Secrets Manager secrets: resource policy, rotation, and the KMS key that encrypts them."""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import ResourceCalls, account_regions, listed, tag_list
from ingest.aws.collect import CallContext
from ingest.aws.kms import KeyResolver
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "secretsmanager"
# A secret created without a key is encrypted with the account's AWS managed key.
DEFAULT_KEY = "alias/aws/secretsmanager"


def collect(ctx: CallContext) -> None:
    secrets = ctx.call(CLIENT, "list_secrets")
    for secret in (secrets or {}).get("SecretList", []):
        ctx.call(CLIENT, "get_resource_policy", secret["Name"], SecretId=secret["ARN"])


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    keys = KeyResolver(snapshot)
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        for secret in listed(snapshot, account_id, region, CLIENT, "list_secrets", "SecretList"):
            name = secret.string("Name")
            calls = ResourceCalls(snapshot, account_id, region, CLIENT, name)
            kms_key_id = secret.optional_string("KmsKeyId")
            ref = out.owned(
                "Secret",
                secret.string("ARN"),
                name=name,
                rotation_enabled=secret.flag("RotationEnabled"),
                last_rotated_date=secret.optional_string("LastRotatedDate"),
                kms_key_id=kms_key_id,
                policy=calls.policy("get_resource_policy", "ResourcePolicy"),
                tags=tag_list(secret.children("Tags")),
                unknown=calls.unknown,
            )
            keys.link(out, ref, region, kms_key_id or DEFAULT_KEY)
    return records
