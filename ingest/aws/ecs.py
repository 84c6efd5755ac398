"""ECS clusters: where a task or service whose role the principal passes can be run.

Techniques that register a task definition and run it need a cluster to run it in
(kg.analysis.privesc); `list_clusters` names every cluster of the region.
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import account_regions, response
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "ecs"


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "list_clusters")


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        answer = response(snapshot, account_id, region, CLIENT, "list_clusters")
        for arn in answer.strings("clusterArns") if answer is not None else []:
            out.owned("EcsCluster", arn, name=arn.rpartition("/")[2])
    return records
