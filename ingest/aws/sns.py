"""SNS topics: topic policy and encryption."""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import ResourceCalls, account_regions, listed
from ingest.aws.collect import CallContext
from ingest.aws.kms import KeyResolver
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "sns"


def topic_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def collect(ctx: CallContext) -> None:
    topics = ctx.call(CLIENT, "list_topics")
    for topic in (topics or {}).get("Topics", []):
        arn = topic["TopicArn"]
        ctx.call(CLIENT, "get_topic_attributes", topic_name(arn), TopicArn=arn)


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    keys = KeyResolver(snapshot)
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        for topic in listed(snapshot, account_id, region, CLIENT, "list_topics", "Topics"):
            arn = topic.string("TopicArn")
            name = topic_name(arn)
            calls = ResourceCalls(snapshot, account_id, region, CLIENT, name)
            answer = calls.get("get_topic_attributes", "policy", "encryption")
            attributes = answer.child("Attributes") if answer else None
            kms_key_id = attributes.optional_string("KmsMasterKeyId") if attributes else None
            ref = out.owned(
                "SnsTopic",
                arn,
                name=name,
                display_name=attributes.optional_string("DisplayName") if attributes else None,
                policy=attributes.policy("Policy") if attributes else None,
                kms_key_id=kms_key_id,
                unknown=calls.unknown,
            )
            keys.link(out, ref, region, kms_key_id)
    return records
