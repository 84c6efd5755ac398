"""CodeBuild projects and the service role their builds run as.

Whoever may start a build of a project can override its build commands (a buildspec override), so
they run code with the project's service role (an escalation technique, kg.analysis.privesc).
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import account_regions, response
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "codebuild"
BATCH = 100  # names per batch_get_projects call (the API's limit)


def collect(ctx: CallContext) -> None:
    names = (ctx.call(CLIENT, "list_projects") or {}).get("projects", [])
    for start in range(0, len(names), BATCH):
        batch = names[start : start + BATCH]
        ctx.call(CLIENT, "batch_get_projects", str(start // BATCH), names=batch)


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        listing = response(snapshot, account_id, region, CLIENT, "list_projects")
        names = listing.strings("projects") if listing is not None else []
        for batch in range(-(-len(names) // BATCH)):
            got = response(snapshot, account_id, region, CLIENT, "batch_get_projects", str(batch))
            for project in got.children("projects") if got is not None else []:
                role_arn = project.optional_string("serviceRole")
                ref = out.owned(
                    "CodeBuildProject",
                    project.string("arn"),
                    name=project.string("name"),
                    source_type=project.child("source").optional_string("type"),
                    role_arn=role_arn,
                )
                if role_arn:
                    out.rel("HAS_SERVICE_ROLE", ref, ("Role", role_arn))
    return records
