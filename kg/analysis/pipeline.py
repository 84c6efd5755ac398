"""Run every analysis after a load, in dependency order, each replacing its own derived facts.

Access needs the loaded policies; privilege escalation needs access; paths need reachability and
access; coverage reads everything. Each step writes in its own transaction, so a failed step
leaves the earlier steps' results and the loaded facts in place.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.graph.driver import Graph

# (name, module): each module defines `derive(graph) -> int`, the number of facts it wrote.
STEPS: tuple[tuple[str, str], ...] = (
    ("access", "kg.analysis.access"),
    ("privesc", "kg.analysis.privesc"),
    ("exposure", "kg.analysis.exposure"),
    ("coverage", "kg.analysis.coverage"),
)


@dataclass
class DeriveSummary:
    counts: dict[str, int] = field(default_factory=dict)


def derive_all(graph: Graph, on_step: Callable[[str], None] = lambda name: None) -> DeriveSummary:
    summary = DeriveSummary()
    for name, module_name in STEPS:
        module = importlib.import_module(module_name)
        summary.counts[name] = module.derive(graph)
        on_step(name)
    return summary
