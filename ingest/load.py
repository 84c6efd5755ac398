"""Load a snapshot into Neo4j: transform and check everything first, then write it.

Every file is read and every record checked against the schema before the graph is touched, so a
malformed snapshot fails with one line naming the file and leaves the previous graph as it was.
The write is one transaction up to the transaction budget and staged above it (kg.graph.writer).
Facts of the accounts the snapshot collected replace their older facts; an account whose
collection failed keeps what an earlier load said about it and is marked stale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from neo4j import ManagedTransaction
from neo4j.time import DateTime

from ingest.aws import service_modules
from ingest.snapshot import Snapshot
from kg.errors import SnapshotError
from kg.gc_pauses import fewer_collections
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import GraphWriter, WriteSummary
from kg.model import load_schema

MARK_COLLECTED = """
UNWIND $accounts AS account_id
MERGE (a:Account {account_id: account_id})
ON CREATE SET a.first_seen = $now, a.external = false
SET a.collection_status = 'ok', a.stale = false, a.collected_at = $collected_at,
    a.last_updated = $now
"""

MARK_NOT_COLLECTED = """
MATCH (a:Account) WHERE a.external = false AND a.collection_status IS NULL
SET a.collection_status = 'not_collected'
"""

MARK_FAILED = """
UNWIND $accounts AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_seen = $now, a.external = false
SET a.collection_status = 'failed', a.stale = true, a.collection_error = row.error,
    a.last_updated = $now
"""


@dataclass(frozen=True)
class LoadSummary:
    accounts: list[str]
    stale_accounts: list[str]
    write: WriteSummary
    warnings: list[str] = field(default_factory=list)  # one line each


def transform_snapshot(snapshot: Snapshot) -> GraphRecords:
    """Every service's graph records for the snapshot (pure: nothing is written).

    Every account the manifest names exists as a node before relationships are written, so
    account-owned facts always find their account even without organization data.
    """
    records = GraphRecords()
    for entry in snapshot.manifest.accounts:
        records.ref("Account", account_id=entry.account_id, name=entry.account_id, external=False)
    with fewer_collections():
        for module in service_modules():
            records.extend(module.transform(snapshot))
    return records


def _mark_accounts(snapshot: Snapshot) -> Callable[[ManagedTransaction, DateTime], None]:
    failed = [
        {"account_id": a.account_id, "error": a.error or "collection failed"}
        for a in snapshot.manifest.accounts
        if a.status != "ok"
    ]

    def mark(tx: ManagedTransaction, now: DateTime) -> None:
        tx.run(
            MARK_COLLECTED,
            accounts=snapshot.account_ids(),
            collected_at=snapshot.manifest.created_at,
            now=now,
        ).consume()
        if failed:
            tx.run(MARK_FAILED, accounts=failed, now=now).consume()
        tx.run(MARK_NOT_COLLECTED).consume()

    return mark


def unread_warnings(snapshot: Snapshot, strict: bool) -> list[str]:
    """A warning for each file the transform did not read, since a misnamed or misplaced response
    would otherwise pass for "not configured"; under `strict`, an error before anything is
    written."""
    unread = snapshot.unread_files()
    if strict and unread:
        more = f" and {len(unread) - 1} more" if len(unread) > 1 else ""
        raise SnapshotError(
            f"{snapshot.root}: file not read: {unread[0]}{more} (--strict refuses a snapshot "
            "with files nothing reads)"
        )
    return [f"snapshot file not read: {entry}" for entry in unread]


def load_snapshot(
    graph: Graph,
    snapshot: Snapshot,
    progress: Callable[[int], None] = lambda n: None,
    strict: bool = False,
) -> LoadSummary:
    schema = load_schema()
    records = transform_snapshot(snapshot)
    warnings = unread_warnings(snapshot, strict)
    write = GraphWriter(graph, schema).load(
        records,
        covered_accounts=snapshot.account_ids(),
        progress=progress,
        after=_mark_accounts(snapshot),
    )
    return LoadSummary(snapshot.account_ids(), snapshot.failed_account_ids(), write, warnings)
