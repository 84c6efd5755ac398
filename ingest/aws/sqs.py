"""SQS queues: queue policy and encryption."""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import ResourceCalls, account_regions, partition, response
from ingest.aws.collect import CallContext
from ingest.aws.kms import KeyResolver
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "sqs"


def queue_name(url: str) -> str:
    """The queue name is the last part of its URL."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def collect(ctx: CallContext) -> None:
    queues = ctx.call(CLIENT, "list_queues")
    for url in (queues or {}).get("QueueUrls", []):
        ctx.call(
            CLIENT, "get_queue_attributes", queue_name(url), QueueUrl=url, AttributeNames=["All"]
        )


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    keys = KeyResolver(snapshot)
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        listing = response(snapshot, account_id, region, CLIENT, "list_queues")
        for url in listing.strings("QueueUrls") if listing else []:
            name = queue_name(url)
            calls = ResourceCalls(snapshot, account_id, region, CLIENT, name)
            answer = calls.get("get_queue_attributes", "policy", "encryption")
            attributes = answer.child("Attributes") if answer else None
            kms_key_id = attributes.optional_string("KmsMasterKeyId") if attributes else None
            ref = out.owned(
                "SqsQueue",
                f"arn:{partition(region)}:sqs:{region}:{account_id}:{name}",
                name=name,
                url=url,
                policy=attributes.policy("Policy") if attributes else None,
                kms_key_id=kms_key_id,
                sqs_managed_sse=attributes.optional_string("SqsManagedSseEnabled") == "true"
                if attributes
                else None,
                unknown=calls.unknown,
            )
            keys.link(out, ref, region, kms_key_id)
    return records
