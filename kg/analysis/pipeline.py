"""Run every analysis after a load, in dependency order, each replacing its own derived facts.

Access needs the loaded policies; privilege escalation needs access; crown jewels need the admin
flags access sets; paths need reachability and access; coverage reads everything. Each step
writes on its own (kg.graph.writer). A load marks the derive pending in its last transaction
(`mark_pending`), each step advances the mark and the last one clears it: a derive that fails or
is killed part-way leaves the mark, so queries refuse until the next load derives again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neo4j import ManagedTransaction
from neo4j.time import DateTime

from kg.analysis.crown_jewels import DEFAULT, CrownJewelConfig
from kg.analysis.iam_view import PolicyParser, load_view
from kg.gc_pauses import fewer_collections
from kg.graph import pending
from kg.graph.driver import Graph

# (name, module): each module defines `derive(graph, **options) -> int`, the number of facts it
# wrote; the options of a step are the keyword arguments derive_all passes it (none by default).
STEPS: tuple[tuple[str, str], ...] = (
    ("access", "kg.analysis.access"),
    ("privesc", "kg.analysis.privesc"),
    ("exposure", "kg.analysis.exposure"),
    ("crown_jewels", "kg.analysis.crown_jewels"),
    ("coverage", "kg.analysis.coverage"),
)


def mark_pending(tx: ManagedTransaction, stamp: DateTime) -> None:
    """Mark, in a load's last transaction, the derive that must follow it (and count the load,
    so that a question begun before it knows the graph changed)."""
    pending.mark(tx, pending.DERIVE_AFTER_LOAD, len(STEPS), stamp, unit=pending.STEPS)
    pending.new_generation(tx)


def _step_done(graph: Graph, done: int) -> None:
    def record(tx: ManagedTransaction) -> None:
        if done < len(STEPS):
            pending.advance(tx, pending.DERIVE_AFTER_LOAD, done)
        else:
            pending.clear(tx, pending.DERIVE_AFTER_LOAD)

    graph.execute_write(record, "derive progress")


@dataclass
class DeriveSummary:
    counts: dict[str, int] = field(default_factory=dict)


def derive_all(
    graph: Graph,
    on_step: Callable[[str], None] = lambda name: None,
    crown_jewels: CrownJewelConfig = DEFAULT,
    policies: PolicyParser | None = None,
    before_recording: Callable[[], None] = lambda: None,
) -> DeriveSummary:
    """Every analysis in order; `policies`: those parsed already (by the load's check);
    `before_recording` runs before each step is recorded done (a load confirms it still holds
    the writer lock there, so the mark is never cleared by a writer that lost it)."""
    summary = DeriveSummary()
    with fewer_collections():
        # Access and privilege escalation decide over the same loaded policies (neither
        # changes them).
        view = load_view(graph, policies)
        options: dict[str, dict[str, Any]] = {
            "access": {"view": view},
            "privesc": {"view": view},
            "crown_jewels": {"config": crown_jewels},
        }
        for done, (name, module_name) in enumerate(STEPS, start=1):
            module = importlib.import_module(module_name)
            summary.counts[name] = module.derive(graph, **options.get(name, {}))
            before_recording()
            _step_done(graph, done)
            on_step(name)
    return summary
