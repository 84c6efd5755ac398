"""CloudFormation stacks and the service role each runs as.

A stack with a service role makes every change to it with that role's credentials, so whoever may
update the stack acts as the role (an escalation technique, kg.analysis.privesc).
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import account_regions, listed
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "cloudformation"


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "describe_stacks")


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        for stack in listed(snapshot, account_id, region, CLIENT, "describe_stacks", "Stacks"):
            role_arn = stack.optional_string("RoleARN")
            ref = out.owned(
                "CloudFormationStack",
                stack.string("StackId"),
                name=stack.string("StackName"),
                status=stack.optional_string("StackStatus"),
                role_arn=role_arn,
            )
            if role_arn:
                out.rel("HAS_SERVICE_ROLE", ref, ("Role", role_arn))
    return records
