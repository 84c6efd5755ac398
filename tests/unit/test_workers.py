"""map_chunks: the same results in the same order, decided in forked workers when it pays."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence

import pytest

from kg.analysis import workers
from kg.analysis.workers import map_chunks
from kg.errors import ConfigError

ITEMS = list(range(1000))


def _square_with_pid(chunk: Sequence[int]) -> list[tuple[int, int]]:
    return [(item * item, os.getpid()) for item in chunk]


def test_results_come_back_in_order_from_forked_workers() -> None:
    offset = 7  # state the workers inherit rather than receive

    def decide(chunk: Sequence[int]) -> list[int]:
        return [item + offset for item in chunk]

    assert map_chunks(decide, ITEMS, workers=2) == [item + 7 for item in ITEMS]
    pids = {pid for _, pid in map_chunks(_square_with_pid, ITEMS, workers=2)}
    assert os.getpid() not in pids and len(pids) <= 2


def test_one_worker_or_little_work_stays_in_this_process() -> None:
    for items, count in ((ITEMS, 1), (ITEMS[: workers.MIN_ITEMS_PER_WORKER], 2)):
        results = map_chunks(_square_with_pid, items, workers=count)
        assert results == [(item * item, os.getpid()) for item in items]


def test_a_workers_error_reaches_the_caller() -> None:
    def decide(chunk: Sequence[int]) -> list[int]:
        if 500 in chunk:
            raise ValueError("policy 500 has an unknown shape")
        return list(chunk)

    with pytest.raises(ValueError, match="policy 500 has an unknown shape"):
        map_chunks(decide, ITEMS, workers=2)


def test_kg_workers_sets_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_WORKERS", "1")
    assert {pid for _, pid in map_chunks(_square_with_pid, ITEMS)} == {os.getpid()}
    monkeypatch.setenv("KG_WORKERS", "two")
    with pytest.raises(ConfigError, match="KG_WORKERS='two'"):
        map_chunks(_square_with_pid, ITEMS)


def _decide_in_a_daemon(items: list[int]) -> list[tuple[int, int]]:
    return map_chunks(_square_with_pid, items, workers=2)


def test_a_daemonic_process_decides_in_itself() -> None:
    # A multiprocessing.Pool's worker is a daemon, which may not have children of its own.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        results = pool.apply(_decide_in_a_daemon, (ITEMS,))
    assert [square for square, _ in results] == [item * item for item in ITEMS]
    assert len({pid for _, pid in results}) == 1 and os.getpid() not in {p for _, p in results}
