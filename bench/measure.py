"""What the benchmark measures on one loaded Neo4j: load against a bare baseline, derive, query.

Every function here takes a graph that the caller owns and returns plain numbers (seconds, rows,
counts), so the driver script only orchestrates and reports. Nothing here asserts anything about
time: the numbers are compared against the targets in docs/performance.md by people.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, LiteralString, cast

from neo4j import Driver, GraphDatabase, ManagedTransaction

from ingest.load import transform_snapshot
from ingest.snapshot import Snapshot
from kg import queries
from kg.analysis import pipeline
from kg.analysis.chokepoints import find_chokepoints
from kg.analysis.coverage.report import coverage_matrix, matrix_tally
from kg.analysis.paths import find_paths
from kg.catalog import load_catalog
from kg.config import Neo4jSettings
from kg.graph.driver import Graph
from kg.graph.records import GraphRecords
from kg.graph.writer import DEFAULT_BATCH_SIZE, GraphWriter
from kg.model.schema import Schema

# Relationships first: a batch of nodes deleted with their relationships could hold millions of
# them (an account's node has one per resource) and exceed Neo4j's transaction memory.
WIPE = (
    "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
)


def bare_driver(settings: Neo4jSettings) -> Driver:
    """The official driver with nothing of kg's around it, for the baseline and for wiping."""
    return GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password))


def wipe(driver: Driver, database: str) -> None:
    """Delete every node and relationship (constraints and indexes stay), in small commits."""
    with driver.session(database=database) as session:
        for statement in WIPE:
            session.run(statement).consume()


def graph_size(graph: Graph) -> dict[str, int]:
    nodes = graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"]
    rels = graph.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    return {"nodes": int(nodes), "relationships": int(rels)}


def _elapsed(start: float) -> float:
    return round(time.perf_counter() - start, 3)


def _rate(rows: int, seconds: float) -> float:
    return round(rows / seconds, 1) if seconds > 0 else 0.0


def time_transform(snapshot: Snapshot) -> tuple[GraphRecords, float]:
    start = time.perf_counter()
    records = transform_snapshot(snapshot)
    return records, _elapsed(start)


def time_loader(
    graph: Graph, schema: Schema, records: GraphRecords, accounts: list[str]
) -> dict[str, Any]:
    """The project's writer: validation, batched MERGEs and cleanup (staged above the budget)."""
    start = time.perf_counter()
    summary = GraphWriter(graph, schema).load(records, covered_accounts=accounts)
    seconds = _elapsed(start)
    rows = summary.nodes + summary.relationships
    return {"rows": rows, "seconds": seconds, "rows_per_s": _rate(rows, seconds)}


@dataclass(frozen=True)
class Batch:
    """One statement of the baseline with the rows it receives."""

    query: str
    rows: Sequence[dict[str, Any]]


def key_of(schema: Schema, label: str) -> str:
    """The key property of a label, or of the one declared label that carries it as extra."""
    if label in schema.nodes:
        return schema.nodes[label].key
    (key,) = {n.key for n in schema.nodes.values() if label in n.extra_labels}
    return key


def baseline_statements(
    records: GraphRecords, schema: Schema, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[Batch]:
    """Bare MERGE statements over the loader's rows (deduplicated by key, as the loader does).

    Labels and types come from the declared schema; relationships MERGE on the same identity as
    the loader (their merge_on properties) so both produce the same number of relationships.
    """
    for table in (records.nodes, records.refs):
        for label in sorted(table):
            key = schema.node(label).key
            rows = list({row[key]: row for row in table[label]}.values())
            query = f"UNWIND $rows AS r MERGE (n:{label} {{{key}: r.{key}}}) SET n += r"
            yield from _batched(query, rows, batch_size)
    for ident in sorted(records.rels):
        rel = schema.rel(*ident)
        identity = ", ".join(f"{p}: r.props.{p}" for p in rel.merge_on)
        identity = f" {{{identity}}}" if identity else ""
        query = (
            f"UNWIND $rows AS r "
            f"MATCH (a:{rel.source} {{{key_of(schema, rel.source)}: r.source}}) "
            f"MATCH (b:{rel.target} {{{key_of(schema, rel.target)}: r.target}}) "
            f"MERGE (a)-[x:{rel.type}{identity}]->(b) SET x += r.props"
        )
        yield from _batched(query, records.rels[ident], batch_size)


def _batched(query: str, rows: Sequence[dict[str, Any]], size: int) -> Iterator[Batch]:
    for start in range(0, len(rows), size):
        yield Batch(query, rows[start : start + size])


def time_baseline(driver: Driver, database: str, batches: Sequence[Batch]) -> dict[str, Any]:
    """Run the bare statements, one write transaction per batch, as a plain script would."""

    def run(tx: ManagedTransaction, batch: Batch) -> None:
        tx.run(cast(LiteralString, batch.query), rows=list(batch.rows)).consume()

    rows = sum(len(b.rows) for b in batches)
    start = time.perf_counter()
    with driver.session(database=database) as session:
        for batch in batches:
            session.execute_write(run, batch)
    seconds = _elapsed(start)
    return {"rows": rows, "seconds": seconds, "rows_per_s": _rate(rows, seconds)}


def compare_load(
    graph: Graph,
    driver: Driver,
    schema: Schema,
    records: GraphRecords,
    accounts: list[str],
    runs: int = 2,
) -> dict[str, Any]:
    """Loader and baseline on the same rows, each into an empty database.

    Each runs `runs` times and the last run counts, so with two runs query planning and the
    server's warm-up are not charged to whichever happens to go first. The loader runs last: its
    graph is the one the derive and query stages read.
    """
    database = graph.settings.database
    batches = list(baseline_statements(records, schema))
    results: dict[str, Any] = {}
    for name, load in (
        ("baseline", partial(time_baseline, driver, database, batches)),
        ("loader", partial(time_loader, graph, schema, records, accounts)),
    ):
        for _ in range(max(1, runs)):
            wipe(driver, database)
            results[name] = load()
    baseline_rate = results["baseline"]["rows_per_s"]
    results["ratio"] = (
        round(results["loader"]["rows_per_s"] / baseline_rate, 3) if baseline_rate else None
    )
    return results


def time_derive(
    graph: Graph, on_step: Callable[[str], None] = lambda name: None
) -> dict[str, dict[str, Any]]:
    """Each analysis step of the pipeline, timed as `kg load` runs them (the first step's time
    includes reading the policies the first two share)."""
    results: dict[str, dict[str, Any]] = {}
    steps = iter(name for name, _ in pipeline.STEPS)
    start = time.perf_counter()
    on_step(f"derive {next(steps)}")

    def finished(name: str) -> None:
        nonlocal start
        results[name] = {"seconds": _elapsed(start)}
        following = next(steps, None)
        if following is not None:
            on_step(f"derive {following}")
        start = time.perf_counter()

    summary = pipeline.derive_all(graph, on_step=finished)
    for name, facts in summary.counts.items():
        results[name]["facts"] = facts
    return results


@dataclass(frozen=True)
class QueryBench:
    """One question a user asks of the graph: a name and a callable returning its row count."""

    name: str
    run: Callable[[Graph], int]


def _named_query(name: str, graph: Graph) -> int:
    return len(queries.run(graph, name))


def _coverage(graph: Graph) -> int:
    """`kg coverage`: the layer matrix the command prints; how many verdicts it counts."""
    entries = coverage_matrix(graph, [layer.id for layer in load_catalog().layers])
    overall = matrix_tally(entries)
    return int(overall["applicable"] + overall["not_applicable"])


def _paths_internet_to_crown_jewels(graph: Graph) -> int:
    """`kg paths`: the routes shown."""
    return len(find_paths(graph, "internet", "crown-jewels").paths)


def _chokepoints_internet_to_crown_jewels(graph: Graph) -> int:
    """`kg chokepoints`: the verified cuts."""
    return len(find_chokepoints(graph, "internet", "crown-jewels"))


def _privesc(graph: Graph) -> int:
    return len(queries.run(graph, "privesc"))


# What the commands run, through the same library functions; a new command joins this tuple.
COMMAND_BENCHES: tuple[QueryBench, ...] = (
    QueryBench("kg coverage", _coverage),
    QueryBench("kg paths --from internet --to crown-jewels", _paths_internet_to_crown_jewels),
    QueryBench(
        "kg chokepoints --from internet --to crown-jewels", _chokepoints_internet_to_crown_jewels
    ),
    QueryBench("kg privesc", _privesc),
)


def query_benches() -> list[QueryBench]:
    """The commands' queries first, then every named query of the query library."""
    library = [
        QueryBench(f"kg query {name}", partial(_named_query, name)) for name in queries.library()
    ]
    return [*COMMAND_BENCHES, *library]


def terminate_transactions(driver: Driver, database: str) -> int:
    """Terminate every transaction but this one on the benchmark's own server; how many."""
    with driver.session(database=database) as session:
        ids = [
            record["id"]
            for record in session.run(
                "SHOW TRANSACTIONS YIELD transactionId AS id, currentQuery "
                "WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN id"
            )
        ]
        if ids:
            session.run("TERMINATE TRANSACTIONS $ids", ids=ids).consume()
    return len(ids)


def call_with_deadline(
    run: Callable[[], int], seconds: float | None, stop: Callable[[], object]
) -> int | None:
    """run()'s result, or None when it is still running after `seconds`.

    The call runs in a thread; past the deadline `stop` is called (it terminates the server's
    transactions) until the call gives up, so a runaway query does not hold up the benchmark.
    """
    if seconds is None:
        return run()
    outcome: list[int] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(run())
        except BaseException as exc:  # re-raised below unless the deadline stopped it
            failure.append(exc)

    thread = threading.Thread(target=target, name="bench-query", daemon=True)
    thread.start()
    thread.join(seconds)
    if not thread.is_alive():
        if failure:
            raise failure[0]
        return outcome[0]
    for _ in range(12):  # the driver may retry a terminated transaction: stop it again
        stop()
        thread.join(5)
        if not thread.is_alive():
            break
    return None


def time_queries(
    graph: Graph,
    benches: Sequence[QueryBench],
    repeat: int = 3,
    deadline_s: float | None = None,
    stop: Callable[[], object] = lambda: None,
) -> dict[str, Any]:
    """First (cold) and best of `repeat` runs (warm) of each query, with its row count.

    A query still running after `deadline_s` is stopped and reported as timed out (its times
    and rows are None), and not repeated.
    """
    results: dict[str, Any] = {}
    for bench in benches:
        times = []
        rows: int | None = 0
        for _ in range(max(1, repeat)):
            start = time.perf_counter()
            rows = call_with_deadline(partial(bench.run, graph), deadline_s, stop)
            if rows is None:
                break
            times.append(_elapsed(start))
        if rows is None:
            results[bench.name] = {
                "first_s": None,
                "best_s": None,
                "rows": None,
                "timed_out_after_s": deadline_s,
            }
        else:
            results[bench.name] = {"first_s": times[0], "best_s": min(times), "rows": rows}
    return results
