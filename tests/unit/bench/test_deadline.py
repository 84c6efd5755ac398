"""Queries past the benchmark's deadline are stopped and reported, not waited for."""

from __future__ import annotations

import threading

import pytest

from bench.measure import QueryBench, call_with_deadline, time_queries


def test_a_call_within_the_deadline_returns_its_result_and_never_stops_anything() -> None:
    stops: list[int] = []
    assert call_with_deadline(lambda: 7, 5.0, lambda: stops.append(1)) == 7
    assert stops == []


def test_a_call_past_the_deadline_is_stopped_and_gives_none() -> None:
    release = threading.Event()

    def slow() -> int:
        release.wait(10)
        raise RuntimeError("terminated")  # what a terminated transaction raises

    assert call_with_deadline(slow, 0.05, release.set) is None
    assert release.is_set()


def test_an_error_within_the_deadline_is_raised() -> None:
    def broken() -> int:
        raise ValueError("bad query")

    with pytest.raises(ValueError, match="bad query"):
        call_with_deadline(broken, 5.0, lambda: None)


def test_a_timed_out_query_is_reported_without_times_and_not_repeated() -> None:
    calls: list[int] = []
    release = threading.Event()

    def slow(graph: object) -> int:
        calls.append(1)
        release.wait(10)
        return 1

    results = time_queries(
        graph=None,  # type: ignore[arg-type]
        benches=[QueryBench("slow", slow), QueryBench("fast", lambda graph: 3)],
        repeat=3,
        deadline_s=0.05,
        stop=release.set,
    )
    assert results["slow"] == {
        "first_s": None,
        "best_s": None,
        "rows": None,
        "timed_out_after_s": 0.05,
    }
    assert calls == [1]
    assert results["fast"]["rows"] == 3
