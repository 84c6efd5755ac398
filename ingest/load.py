"""Load a snapshot into Neo4j: transform and check everything first, then write it, then derive.

Every file is read, every record checked against the schema and every policy parsed before the
graph is touched, so a malformed snapshot fails with one line naming the file and leaves the
previous graph as it was. The write is one transaction up to the transaction budget and staged
above it (kg.graph.writer). Facts of the accounts the snapshot collected replace their older
facts; an account whose collection failed keeps what an earlier load said about it and is marked
stale.

`load_and_derive` is what `kg load`, `kg ingest` and `kg demo` run: one writer at a time (the
writer lock), one organization per graph, and a load whose derive must finish before queries
answer (docs/decisions/0006-a-load-is-one-unit-with-its-derive.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from neo4j import ManagedTransaction
from neo4j.time import DateTime

from ingest.aws import service_modules
from ingest.snapshot import Snapshot
from kg.analysis import pipeline
from kg.analysis.crown_jewels import DEFAULT, CrownJewelConfig
from kg.analysis.exposure_network import check_network
from kg.analysis.iam_view import PolicyParser, check_policies
from kg.errors import SnapshotError
from kg.gc_pauses import fewer_collections
from kg.graph.ddl import apply_schema
from kg.graph.driver import Graph
from kg.graph.lock import writer_lock
from kg.graph.records import GraphRecords
from kg.graph.writer import REPLACE, GraphWriter, WriteSummary
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


Finish = Callable[[ManagedTransaction, DateTime], None]


def _mark_accounts(snapshot: Snapshot) -> Finish:
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


def _and_then(first: Finish, then: Finish | None) -> Finish:
    def both(tx: ManagedTransaction, now: DateTime) -> None:
        first(tx, now)
        if then is not None:
            then(tx, now)

    return both


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


@dataclass(frozen=True)
class PreparedSnapshot:
    """A snapshot checked whole and ready to write: its records, the policies they hold (parsed,
    for the derive to reuse) and a warning for each file nothing read."""

    snapshot: Snapshot
    records: GraphRecords
    policies: PolicyParser
    warnings: list[str]


def prepare_snapshot(snapshot: Snapshot, strict: bool = False) -> PreparedSnapshot:
    """Every check that needs no graph: the transform's own (files and fields), the files it did
    not read (errors under `strict`), and the network values and policy grammar the analyses
    will read. The writer checks the records against the schema before its first write."""
    records = transform_snapshot(snapshot)
    warnings = unread_warnings(snapshot, strict)
    check_network(records)
    return PreparedSnapshot(snapshot, records, check_policies(records), warnings)


def write_snapshot(
    graph: Graph,
    prepared: PreparedSnapshot,
    progress: Callable[[int], None] = lambda n: None,
    *,
    replace: bool = False,
    then: Finish | None = None,
) -> LoadSummary:
    """Write a prepared snapshot; `replace` deletes the whole graph in the same write, and `then`
    runs in the write's last transaction."""
    snapshot = prepared.snapshot
    write = GraphWriter(graph, load_schema()).load(
        prepared.records,
        covered_accounts=snapshot.account_ids(),
        progress=progress,
        after=_and_then(_mark_accounts(snapshot), then),
        replace=replace,
    )
    return LoadSummary(
        snapshot.account_ids(), snapshot.failed_account_ids(), write, prepared.warnings
    )


def load_snapshot(
    graph: Graph,
    snapshot: Snapshot,
    progress: Callable[[int], None] = lambda n: None,
    strict: bool = False,
) -> LoadSummary:
    """Load the snapshot's facts alone (no derive, no writer lock): for tests and benchmarks of
    the load itself. Users' loads go through `load_and_derive`."""
    return write_snapshot(graph, prepare_snapshot(snapshot, strict), progress)


@dataclass(frozen=True)
class LoadProgress:
    """What a long load reports as it goes: rows written, then each analysis finished."""

    rows: Callable[[int], None] = field(default=lambda n: None)
    derived: Callable[[str], None] = field(default=lambda name: None)


def load_and_derive(
    graph: Graph,
    snapshot: Snapshot,
    *,
    command: str = "kg load",
    replace: bool = False,
    strict: bool = False,
    wait_seconds: float = 0.0,
    crown_jewels: CrownJewelConfig = DEFAULT,
    progress: LoadProgress = LoadProgress(),
) -> tuple[LoadSummary, pipeline.DeriveSummary]:
    """Load a snapshot and derive from it, as one unit.

    Everything that can reject the snapshot runs before the graph is touched (`strict`: files
    nothing reads too). Then, holding the
    graph's writer lock (`command` names the holder to a second writer), the organization is
    checked against the graph's, the facts are written with a mark of the derive that must
    follow (committed with the last of them), and the analyses run; the last one clears the
    mark. Until then queries refuse, so no answer mixes this load's facts with the previous
    load's derived facts, and the next load repairs whatever an interrupted one left.
    """
    prepared = prepare_snapshot(snapshot, strict)
    with writer_lock(graph, command, wait_seconds) as lock:
        apply_schema(graph, load_schema())
        if not replace:
            check_not_mid_replace(graph, prepared)
            check_same_organization(graph, prepared)
        lock.fence()
        loaded = write_snapshot(
            graph, prepared, progress.rows, replace=replace, then=pipeline.mark_pending
        )
        derived = pipeline.derive_all(
            graph,
            on_step=progress.derived,
            crown_jewels=crown_jewels,
            policies=prepared.policies,
            before_recording=lock.confirm,
        )
    return loaded, derived


def check_not_mid_replace(graph: Graph, prepared: PreparedSnapshot) -> None:
    """Refuse a plain load over a replace that was interrupted: part of the old graph is gone and
    part is left, and only another replace knows to remove the rest."""
    if graph.read(_MID_REPLACE, name=REPLACE):
        raise SnapshotError(
            f"{prepared.snapshot.root}: the graph is part-way through a `kg load --replace` that "
            "was interrupted; finish it by loading with --replace"
        )


_MID_REPLACE = "MATCH (w:KgPendingWrite {name: $name}) RETURN w.name AS name"
_GRAPH_ESTATE = """
OPTIONAL MATCH (o:Organization)
WITH collect(DISTINCT o.id) AS organizations
OPTIONAL MATCH (a:Account) WHERE NOT coalesce(a.external, false)
RETURN organizations, collect(a.account_id) AS accounts
"""


def _snapshot_estate(prepared: PreparedSnapshot) -> tuple[set[str], set[str]]:
    """The organizations the snapshot describes and the accounts it holds as members."""
    records, snapshot = prepared.records, prepared.snapshot
    organizations = {row["id"] for row in records.nodes.get("Organization", [])}
    accounts = {entry.account_id for entry in snapshot.manifest.accounts}
    accounts |= {
        row["account_id"]
        for table in (records.nodes, records.refs)
        for row in table.get("Account", [])
        if row.get("external") is False
    }
    return organizations, accounts


def _estate_text(organizations: set[str], accounts: set[str]) -> str:
    if organizations:
        return "organization " + ", ".join(sorted(organizations))
    listed = sorted(accounts)
    more = f" and {len(listed) - 3} more" if len(listed) > 3 else ""
    return "account(s) " + ", ".join(listed[:3]) + more + " (no organization data)"


def check_same_organization(graph: Graph, prepared: PreparedSnapshot) -> None:
    """Refuse a snapshot of another organization than the graph's: one graph holds one
    organization, so that every answer is about one estate. A snapshot without organization data
    fits a graph whose member accounts include all of its accounts (a part of that organization),
    and a graph without organization data fits a snapshot whose members include its accounts."""
    row = graph.read(_GRAPH_ESTATE)[0]
    graph_orgs, graph_accounts = set(row["organizations"]), set(row["accounts"])
    if not graph_orgs and not graph_accounts:
        return
    snapshot_orgs, snapshot_accounts = _snapshot_estate(prepared)
    if graph_orgs and snapshot_orgs:
        fits = graph_orgs == snapshot_orgs
    elif graph_orgs:
        fits = snapshot_accounts <= graph_accounts
    elif snapshot_orgs:
        fits = graph_accounts <= snapshot_accounts
    else:
        fits = bool(graph_accounts & snapshot_accounts)
    if not fits:
        snapshot_estate = _estate_text(snapshot_orgs, snapshot_accounts)
        raise SnapshotError(
            f"{prepared.snapshot.root}: the snapshot is of {snapshot_estate}"
            f" but the graph holds {_estate_text(graph_orgs, graph_accounts)}; one graph holds "
            "one organization: load a snapshot that includes that organization's data, or pass "
            "--replace to replace the whole graph with this one"
        )
