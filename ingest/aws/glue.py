"""Glue jobs and the role their scripts run as.

Whoever may pass a role to Glue and update an existing job may make the job run a script of its
choosing as that role (an escalation technique, kg.analysis.privesc). `get_jobs` returns every
job with its role in one paginated call.
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import account_regions, listed, partition
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "glue"


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "get_jobs")


def role_arn(role: str, account_id: str, region: str) -> str:
    """A job's role as an ARN: Glue takes a role name or an ARN."""
    if role.startswith("arn:"):
        return role
    return f"arn:{partition(region)}:iam::{account_id}:role/{role}"


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        for job in listed(snapshot, account_id, region, CLIENT, "get_jobs", "Jobs"):
            name = job.string("Name")
            role = job.optional_string("Role")
            role = role_arn(role, account_id, region) if role else None
            ref = out.owned(
                "GlueJob",
                f"arn:{partition(region)}:glue:{region}:{account_id}:job/{name}",
                name=name,
                role_arn=role,
                glue_version=job.optional_string("GlueVersion"),
            )
            if role:
                out.rel("HAS_EXECUTION_ROLE", ref, ("Role", role))
    return records
