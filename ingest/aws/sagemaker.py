"""SageMaker notebook instances and the execution role their code runs as.

Whoever may open a notebook (a presigned URL) runs code with its execution role (an escalation
technique, kg.analysis.privesc); the role is only in the per-notebook description.
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import ResourceCalls, account_regions, listed
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "sagemaker"


def collect(ctx: CallContext) -> None:
    notebooks = ctx.call(CLIENT, "list_notebook_instances")
    for notebook in (notebooks or {}).get("NotebookInstances", []):
        name = notebook["NotebookInstanceName"]
        ctx.call(CLIENT, "describe_notebook_instance", name, NotebookInstanceName=name)


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        notebooks = listed(
            snapshot, account_id, region, CLIENT, "list_notebook_instances", "NotebookInstances"
        )
        for notebook in notebooks:
            name = notebook.string("NotebookInstanceName")
            calls = ResourceCalls(snapshot, account_id, region, CLIENT, name)
            described = calls.get(
                "describe_notebook_instance", "role_arn", "direct_internet_access", "root_access"
            )
            role_arn = described.optional_string("RoleArn") if described else None
            ref = out.owned(
                "SageMakerNotebook",
                notebook.string("NotebookInstanceArn"),
                name=name,
                status=notebook.optional_string("NotebookInstanceStatus"),
                role_arn=role_arn,
                direct_internet_access=described.optional_string("DirectInternetAccess")
                if described
                else None,
                root_access=described.optional_string("RootAccess") if described else None,
                unknown=calls.unknown,
            )
            if role_arn:
                out.rel("HAS_EXECUTION_ROLE", ref, ("Role", role_arn))
    return records
