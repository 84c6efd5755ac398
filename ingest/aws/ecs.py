"""ECS clusters, and the running tasks in them with the role each runs as.

Techniques that register a task definition and run it need a cluster to run it in; a running task
with ECS Exec enabled lets whoever may exec into it act with its task role (kg.analysis.privesc).
Tasks are read for those techniques: the running ones (`list_tasks` with desiredStatus RUNNING),
described a hundred at a time, and the task definition of each, once, for its task role (a task
may override it). Stopped tasks and task definitions no task runs are not read.
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import Item, ResourceCalls, account_regions, response
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "ecs"
DESCRIBE_BATCH = 100  # tasks per describe_tasks call (the API's limit)


def _name(arn: str) -> str:
    return arn.rpartition("/")[2]


def _batches(cluster: str, tasks: list[str]) -> list[tuple[str, list[str]]]:
    """describe_tasks calls for a cluster's tasks: (the key its answer is stored under, tasks)."""
    return [
        (f"{_name(cluster)}.{start // DESCRIBE_BATCH}", tasks[start : start + DESCRIBE_BATCH])
        for start in range(0, len(tasks), DESCRIBE_BATCH)
    ]


def collect(ctx: CallContext) -> None:
    clusters = ctx.call(CLIENT, "list_clusters")
    definitions: set[str] = set()
    for cluster in (clusters or {}).get("clusterArns", []):
        listed = ctx.call(
            CLIENT, "list_tasks", _name(cluster), cluster=cluster, desiredStatus="RUNNING"
        )
        for key, batch in _batches(cluster, (listed or {}).get("taskArns", [])):
            described = ctx.call(CLIENT, "describe_tasks", key, cluster=cluster, tasks=batch)
            definitions |= {t["taskDefinitionArn"] for t in (described or {}).get("tasks", [])}
    for definition in sorted(definitions):
        ctx.call(CLIENT, "describe_task_definition", _name(definition), taskDefinition=definition)


def _tasks(
    snapshot: Snapshot, account_id: str, region: str, cluster: str
) -> tuple[list[Item], list[str]]:
    """The cluster's running tasks as described, and ["tasks"] when some could not be read."""
    calls = ResourceCalls(snapshot, account_id, region, CLIENT, _name(cluster))
    listed = calls.get("list_tasks", "tasks")
    tasks: list[Item] = []
    for key, _ in _batches(cluster, listed.strings("taskArns") if listed else []):
        batch = ResourceCalls(snapshot, account_id, region, CLIENT, key)
        described = batch.get("describe_tasks", "tasks")
        tasks.extend(described.children("tasks") if described else [])
        calls.unknown.extend(batch.unknown)
    return tasks, sorted(set(calls.unknown))


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        answer = response(snapshot, account_id, region, CLIENT, "list_clusters")
        for cluster in answer.strings("clusterArns") if answer is not None else []:
            tasks, unread = _tasks(snapshot, account_id, region, cluster)
            out.owned("EcsCluster", cluster, name=_name(cluster), unknown=unread)
            for task in tasks:
                definition = task.string("taskDefinitionArn")
                calls = ResourceCalls(snapshot, account_id, region, CLIENT, _name(definition))
                role = task.child("overrides").optional_string("taskRoleArn")
                if role is None:
                    described = calls.get("describe_task_definition", "role_arn")
                    role = (
                        described.child("taskDefinition").optional_string("taskRoleArn")
                        if described
                        else None
                    )
                arn = task.string("taskArn")
                ref = out.owned(
                    "EcsTask",
                    arn,
                    name=_name(arn),
                    cluster_arn=cluster,
                    task_definition_arn=definition,
                    last_status=task.optional_string("lastStatus"),
                    execute_command=task.optional_bool("enableExecuteCommand") or False,
                    role_arn=role,
                    unknown=calls.unknown,
                )
                if role:
                    out.rel("HAS_TASK_ROLE", ref, ("Role", role))
    return records
