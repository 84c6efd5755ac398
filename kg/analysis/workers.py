"""Spread an analysis's independent, CPU-bound decisions over worker processes.

Access, privilege escalation and reachability decide hundreds of thousands of independent
pairs in pure Python: one process keeps one core busy while Neo4j, waiting for the write that
follows, leaves the others idle. Workers are forked once the analysis has read the graph, so
they inherit its in-memory view instead of receiving a pickled copy; only their results travel
back, in order, so the output is the same whatever the number of workers. Off Linux (where
forking is not safe), in a daemonic process (which may not have children), with one worker, or
with too little work to share, everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from kg.config import worker_processes

Item = TypeVar("Item")
Result = TypeVar("Result")

# Fewer items than this per worker are decided in-process: forking costs more than it saves.
MIN_ITEMS_PER_WORKER = 200
_CHUNKS_PER_WORKER = 8  # enough to even out uneven chunks without much return traffic

# What the forked workers run: set just before the fork, read by _run_chunk in each worker.
_work: tuple[Callable[[Sequence[Any]], list[Any]], list[Sequence[Any]]] | None = None


def map_chunks(
    decide: Callable[[Sequence[Item]], list[Result]],
    items: Sequence[Item],
    workers: int | None = None,
) -> list[Result]:
    """`decide` applied to consecutive chunks of `items`, its results concatenated in order.

    `decide` must only read the state it closes over (a worker's changes to it are lost)."""
    count = min(workers or worker_processes(), len(items) // MIN_ITEMS_PER_WORKER)
    if count <= 1 or not _can_fork():
        return decide(items)
    size = -(-len(items) // (count * _CHUNKS_PER_WORKER))
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    global _work
    _work = (decide, chunks)
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            results: list[Result] = []
            for part in pool.imap(_run_chunk, range(len(chunks))):
                results.extend(part)
            return results
    finally:
        _work = None


def _can_fork() -> bool:
    """On Linux (macOS has fork, but forking there is unsafe once system frameworks have
    started), and not in a daemonic process, which may not have children (a
    multiprocessing.Pool's worker, say)."""
    return sys.platform.startswith("linux") and not multiprocessing.current_process().daemon


def _run_chunk(index: int) -> list[Any]:
    assert _work is not None, "map_chunks sets the work before forking its workers"
    decide, chunks = _work
    return decide(chunks[index])
