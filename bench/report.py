"""The benchmark's results as one Markdown table: one row per number, one column per size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Size = dict[str, Any]
Row = tuple[str, Callable[[Size], Any]]


def _get(size: Size, *path: str) -> Any:
    """A nested value, or None when this size did not measure it."""
    value: Any = size
    for step in path:
        if not isinstance(value, dict) or step not in value:
            return None
        value = value[step]
    return value


def _at(*path: str) -> Callable[[Size], Any]:
    return lambda size: _get(size, *path)


def _total(values: list[Any]) -> float | None:
    numbers = [v for v in values if isinstance(v, int | float)]
    return round(sum(numbers), 3) if numbers else None


def load_and_derive_s(size: Size) -> float | None:
    """What the 10-minute target covers: transform, loader write and every derive step (none
    when the size was measured without derive)."""
    if _get(size, "derive") is None:
        return None
    derive = [step["seconds"] for step in size["derive"].values()]
    return _total(
        [_get(size, "load", "transform_s"), _get(size, "load", "loader", "seconds"), *derive]
    )


def _fixed_rows() -> list[Row]:
    return [
        ("synthetic snapshot generated (s)", _at("synth_s")),
        ("graph nodes", _at("graph", "nodes")),
        ("graph relationships", _at("graph", "relationships")),
        ("transform (s)", _at("load", "transform_s")),
        ("loader write (s)", _at("load", "loader", "seconds")),
        ("loader rows", _at("load", "loader", "rows")),
        ("loader rows/s", _at("load", "loader", "rows_per_s")),
        ("baseline rows/s", _at("load", "baseline", "rows_per_s")),
        ("loader / baseline", _at("load", "ratio")),
    ]


def _measured(section: str, name: str, field: str) -> Callable[[Size], Any]:
    """The field, or '> N' for a query the benchmark stopped after N seconds."""

    def value(size: Size) -> Any:
        limit = _get(size, section, name, "timed_out_after_s")
        return f"> {limit:g}" if limit is not None else _get(size, section, name, field)

    return value


def _named_rows(sizes: list[Size], section: str, field: str, unit: str) -> list[Row]:
    """One row per derive step or query any size measured, in first-seen order."""
    names = dict.fromkeys(name for size in sizes for name in (_get(size, section) or {}))
    return [(f"{section}: {name} ({unit})", _measured(section, name, field)) for name in names]


def _memory_rows() -> list[Row]:
    return [
        ("load + derive (s)", load_and_derive_s),
        ("Python peak, tracemalloc (MiB)", _at("memory", "tracemalloc_peak_mib")),
        ("Python peak, max RSS (MiB)", _at("memory", "maxrss_mib")),
        ("largest worker process, max RSS (MiB)", _at("memory", "worker_maxrss_mib")),
    ]


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown_report(report: dict[str, Any]) -> str:
    """The run's environment line and its table, ready for stdout and latest.md."""
    sizes: list[Size] = report["sizes"]
    rows = [
        *_fixed_rows(),
        *_named_rows(sizes, "derive", "seconds", "s"),
        *_named_rows(sizes, "query", "first_s", "s, first run"),
        *_memory_rows(),
    ]
    header = "| accounts | " + " | ".join(_cell(s["accounts"]) for s in sizes) + " |"
    lines = [header, "|---" + "|---:" * len(sizes) + "|"]
    for label, value in rows:
        lines.append(f"| {label} | " + " | ".join(_cell(value(s)) for s in sizes) + " |")
    env = report["environment"]
    intro = (
        f"Run {env['created_at']} at commit {env['commit']}: Python {env['python']}, "
        f"{env['cpus']} CPUs, Neo4j {env['neo4j']} with a {env['neo4j_heap']} heap, "
        f"batches of {env['batch_size']} rows."
    )
    return intro + "\n\n" + "\n".join(lines) + "\n"
