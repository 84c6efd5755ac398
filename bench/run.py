"""Benchmark every stage at several organization sizes: load, derive, query, memory, graph size.

    python -m bench.run [--accounts 10,100,1000] [--seed 7] [--out bench/results] [--uri URI]

For each size a synthetic snapshot is generated once (cached under <out>/cache), a dedicated
Neo4j with a 2 GiB heap is started from the cached jars on free ports (unless --uri names a
server, which must hold an empty database), and one fresh Python process measures that size so
its peak memory is its own. Results go to stdout, <out>/latest.json and <out>/latest.md.
Numbers only: nothing here asserts anything about time (targets: docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench import measure
from bench.report import markdown_report
from ingest.snapshot import MANIFEST, Snapshot
from kg.config import Neo4jSettings, cache_dir, transaction_rows
from kg.errors import KgError
from kg.graph.ddl import apply_schema
from kg.graph.driver import Graph
from kg.graph.writer import DEFAULT_BATCH_SIZE
from kg.model import load_schema
from kg.server import jar

REPO = Path(__file__).resolve().parents[1]
NEO4J_HEAP = "2g"
NEO4J_PAGECACHE = "1g"


def parse_sizes(text: str) -> list[int]:
    """'10,100,1000' as ascending, distinct, positive counts (an argparse type)."""
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of numbers"
        ) from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must name at least one positive count")
    return sizes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--accounts", type=parse_sizes, default=parse_sizes("10,100,1000"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--uri", help="use this Neo4j (its database must be empty; it is wiped)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (first and best)")
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=300.0,
        help="seconds after which a query is stopped and reported as timed out (0: no limit)",
    )
    parser.add_argument(
        "--load-only",
        type=parse_sizes,
        default=[],
        help="sizes (of --accounts) at which only transform and load are measured, no derive "
        "or queries",
    )
    parser.add_argument(
        "--load-runs",
        type=int,
        default=2,
        help="runs of the baseline and of the loader, each into an empty database; the last "
        "one counts (default 2, so warm-up is not charged to either)",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also report tracemalloc's peak (slows Python stages several times: timings of "
        "such a run are not comparable)",
    )
    return parser.parse_args(argv)


def synthetic_snapshot(out: Path, accounts: int, seed: int) -> tuple[Path, float | None]:
    """The cached snapshot for (accounts, seed), generated first if missing; seconds generating.

    The generator writes into a temporary folder that is renamed once complete, so an
    interrupted run never leaves a half-written snapshot in the cache.
    """
    path = out / "cache" / f"synthetic-{accounts}-seed{seed}"
    if (path / MANIFEST).is_file():
        return path, None
    partial = path.with_name(path.name + ".tmp")
    shutil.rmtree(partial, ignore_errors=True)
    start = time.perf_counter()
    command = [sys.executable, "-m", "bench.synth", "--accounts", str(accounts)]
    command += ["--seed", str(seed), "-o", str(partial)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = " | ".join(result.stderr.strip().splitlines()[-3:])
        raise KgError(f"bench.synth failed for {accounts} accounts: {tail}")
    seconds = round(time.perf_counter() - start, 3)
    shutil.rmtree(path, ignore_errors=True)
    partial.rename(path)
    return path, seconds


@contextmanager
def local_neo4j() -> Iterator[Neo4jSettings]:
    """A dedicated server from the shared jar cache, in a temporary home, on free ports."""
    home = Path(tempfile.mkdtemp(prefix="kg-bench-neo4j-"))
    password = secrets.token_urlsafe(16)
    config = jar.ServerConfig(
        home=home,
        lib=cache_dir() / f"neo4j-{jar.NEO4J_VERSION}" / "lib",
        bolt_port=free_port(),
        http_port=free_port(),
        heap=NEO4J_HEAP,
        pagecache=NEO4J_PAGECACHE,
        password=password,
    )
    jar.start(config, timeout=180)
    try:
        yield Neo4jSettings(uri=config.bolt_uri, password=password)
    finally:
        jar.stop(config)
        shutil.rmtree(home, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def neo4j_for_run(uri: str | None) -> Iterator[Neo4jSettings]:
    if uri is None:
        with local_neo4j() as settings:
            yield settings
        return
    settings = Neo4jSettings.from_env(uri=uri)
    with Graph(settings) as graph:
        if measure.graph_size(graph)["nodes"]:
            raise KgError(f"--uri {uri}: the database is not empty; the benchmark wipes it")
    yield settings


def memory_mib() -> dict[str, float | None]:
    """The process's peak resident set (Linux reports KiB), its largest worker process's (the
    analyses' forked workers; a fork starts from the parent's pages, so the two overlap), and
    tracemalloc's peak if tracing."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    traced = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else None
    return {
        "maxrss_mib": round(maxrss / 1024, 1),
        "worker_maxrss_mib": round(workers / 1024, 1) if workers else None,
        "tracemalloc_peak_mib": None if traced is None else round(traced / 2**20, 1),
    }


def progress(stage: str) -> None:
    """One line on stderr per stage, so a long run shows where it is."""
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    print(f"  {stamp} {stage}", file=sys.stderr, flush=True)


def bench_size(
    snapshot_path: str,
    settings: Neo4jSettings,
    repeat: int,
    trace: bool,
    query_timeout: float | None = None,
    load_runs: int = 2,
    load_only: bool = False,
) -> dict[str, Any]:
    """Measure one size; runs in its own process so its memory peaks are its own."""
    if trace:
        tracemalloc.start()
    schema = load_schema()
    snapshot = Snapshot.open(snapshot_path)
    driver = measure.bare_driver(settings)
    with Graph(settings) as graph, driver:
        apply_schema(graph, schema)
        progress("transform")
        records, transform_s = measure.time_transform(snapshot)
        progress(f"load: baseline and loader, {load_runs} run(s) each")
        load = measure.compare_load(
            graph, driver, schema, records, snapshot.account_ids(), load_runs
        )
        del records
        measured: dict[str, Any] = {"load": {"transform_s": transform_s, **load}}
        if not load_only:
            measured["derive"] = measure.time_derive(graph, progress)
            progress("queries")
            stop = partial(measure.terminate_transactions, driver, settings.database)
            measured["query"] = measure.time_queries(
                graph, measure.query_benches(), repeat, query_timeout or None, stop
            )
        measured["graph"] = measure.graph_size(graph)
    return {**measured, "memory": memory_mib()}


def run_size(accounts: int, args: argparse.Namespace) -> dict[str, Any]:
    snapshot, synth_s = synthetic_snapshot(args.out, accounts, args.seed)
    with neo4j_for_run(args.uri) as settings:
        # Not a multiprocessing.Pool: its daemonic worker could not fork the analyses' workers.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=context) as measuring:
            job = (
                str(snapshot),
                settings,
                args.repeat,
                args.tracemalloc,
                args.query_timeout,
                args.load_runs,
                accounts in args.load_only,
            )
            result = measuring.submit(bench_size, *job).result()
    if args.uri is not None:
        with measure.bare_driver(settings) as driver:
            measure.wipe(driver, settings.database)
    return {"accounts": accounts, "seed": args.seed, "synth_s": synth_s, **result}


def environment(traced: bool) -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return {
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "commit": commit or None,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": multiprocessing.cpu_count(),
        "neo4j": jar.NEO4J_VERSION,
        "neo4j_heap": NEO4J_HEAP,
        "batch_size": DEFAULT_BATCH_SIZE,
        "transaction_rows": transaction_rows(),
        "tracemalloc": traced,
    }


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """Turn SIGTERM into SystemExit so the finally blocks stop the server this run started."""
    sys.exit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"environment": environment(args.tracemalloc), "sizes": []}
    try:
        for accounts in args.accounts:
            print(f"benchmarking {accounts} accounts ...", file=sys.stderr, flush=True)
            report["sizes"].append(run_size(accounts, args))
            write_results(args.out, report)  # a long run keeps every size it finished
    except KgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if not report["sizes"]:
            return 1
    print(markdown_report(report))
    return 0


def write_results(out: Path, report: dict[str, Any]) -> None:
    (out / "latest.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (out / "latest.md").write_text(markdown_report(report), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
