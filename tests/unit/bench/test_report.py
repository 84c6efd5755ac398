"""The results table: one column per size, a row per number, n/a where a size lacks one."""

from __future__ import annotations

from typing import Any

from bench.report import load_and_derive_s, markdown_report

ENVIRONMENT = {
    "created_at": "2026-11-29T00:00:00+00:00",
    "commit": "abc1234",
    "python": "3.11.7",
    "cpus": 2,
    "neo4j": "5.26.30",
    "neo4j_heap": "2g",
    "batch_size": 1000,
}


def _size(accounts: int, derive: dict[str, Any]) -> dict[str, Any]:
    return {
        "accounts": accounts,
        "synth_s": None,
        "load": {
            "transform_s": 2.0,
            "loader": {"rows": 1000, "seconds": 4.0, "rows_per_s": 250.0},
            "baseline": {"rows": 1000, "seconds": 2.0, "rows_per_s": 500.0},
            "ratio": 0.5,
        },
        "derive": derive,
        "query": {"kg coverage": {"first_s": 0.25, "best_s": 0.125, "rows": 7}},
        "graph": {"nodes": 1234, "relationships": 5678},
        "memory": {"tracemalloc_peak_mib": 10.5, "maxrss_mib": 80.0},
    }


def _row(table: str, label: str) -> list[str]:
    line = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
    return [cell.strip() for cell in line.strip("|").split("|")][1:]


def test_load_and_derive_adds_transform_write_and_every_step() -> None:
    size = _size(10, {"access": {"seconds": 1.5, "facts": 3}, "paths": {"seconds": 0.5}})
    assert load_and_derive_s(size) == 8.0


def test_a_step_one_size_did_not_run_shows_as_not_available() -> None:
    report = {
        "environment": ENVIRONMENT,
        "sizes": [_size(10, {}), _size(100, {"access": {"seconds": 3.0, "facts": 1}})],
    }
    table = markdown_report(report)
    assert _row(table, "accounts") == ["10", "100"]
    assert _row(table, "derive: access (s)") == ["n/a", "3"]
    assert _row(table, "load + derive (s)") == ["6", "9"]
    assert _row(table, "query: kg coverage (s, first run)") == ["0.25", "0.25"]
    assert _row(table, "graph relationships") == ["5,678", "5,678"]
    assert "commit abc1234" in table


def test_a_query_stopped_at_the_deadline_shows_the_limit() -> None:
    size = _size(1000, {})
    size["query"]["kg paths"] = {
        "first_s": None,
        "best_s": None,
        "rows": None,
        "timed_out_after_s": 120.0,
    }
    table = markdown_report({"environment": ENVIRONMENT, "sizes": [size]})
    assert _row(table, "query: kg paths (s, first run)") == ["> 120"]
    assert _row(table, "query: kg coverage (s, first run)") == ["0.25"]


def test_a_size_measured_load_only_has_no_load_and_derive_total() -> None:
    load_only = _size(1000, {})
    del load_only["derive"], load_only["query"]
    report = {"environment": ENVIRONMENT, "sizes": [_size(10, {}), load_only]}
    table = markdown_report(report)
    assert load_and_derive_s(load_only) is None
    assert _row(table, "load + derive (s)") == ["6", "n/a"]
    assert _row(table, "loader rows/s") == ["250", "250"]
