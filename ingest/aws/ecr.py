"""ECR repositories: repository policy, scanning and encryption settings."""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import ResourceCalls, account_regions, listed
from ingest.aws.collect import CallContext
from ingest.aws.kms import KeyResolver
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "ecr"


def collect(ctx: CallContext) -> None:
    repositories = ctx.call(CLIENT, "describe_repositories")
    for repository in (repositories or {}).get("repositories", []):
        name = repository["repositoryName"]
        ctx.call(
            CLIENT,
            "get_repository_policy",
            name,
            not_configured=("RepositoryPolicyNotFoundException",),
            repositoryName=name,
        )


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    keys = KeyResolver(snapshot)
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        for repository in listed(
            snapshot, account_id, region, CLIENT, "describe_repositories", "repositories"
        ):
            name = repository.string("repositoryName")
            calls = ResourceCalls(snapshot, account_id, region, CLIENT, name)
            encryption = repository.child("encryptionConfiguration")
            kms_key_id = encryption.optional_string("kmsKey")
            ref = out.owned(
                "EcrRepository",
                repository.string("repositoryArn"),
                name=name,
                uri=repository.optional_string("repositoryUri"),
                image_tag_mutability=repository.optional_string("imageTagMutability"),
                scan_on_push=repository.child("imageScanningConfiguration").optional_bool(
                    "scanOnPush"
                ),
                encryption_type=encryption.optional_string("encryptionType"),
                kms_key_id=kms_key_id,
                policy=calls.policy("get_repository_policy", "policyText"),
                unknown=calls.unknown,
            )
            keys.link(out, ref, region, kms_key_id)
    return records
