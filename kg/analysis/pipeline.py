"""Run every analysis after a load, in dependency order, each replacing its own derived facts.

Access needs the loaded policies; privilege escalation needs access; crown jewels need the admin
flags access sets; paths need reachability and access; coverage reads everything. Each step
writes on its own (kg.graph.writer), so a failed step leaves the earlier steps' results and the
loaded facts in place.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kg.analysis.crown_jewels import DEFAULT, CrownJewelConfig
from kg.analysis.iam_view import load_view
from kg.gc_pauses import fewer_collections
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


@dataclass
class DeriveSummary:
    counts: dict[str, int] = field(default_factory=dict)


def derive_all(
    graph: Graph,
    on_step: Callable[[str], None] = lambda name: None,
    crown_jewels: CrownJewelConfig = DEFAULT,
) -> DeriveSummary:
    summary = DeriveSummary()
    with fewer_collections():
        # Access and privilege escalation decide over the same loaded policies (neither
        # changes them).
        view = load_view(graph)
        options: dict[str, dict[str, Any]] = {
            "access": {"view": view},
            "privesc": {"view": view},
            "crown_jewels": {"config": crown_jewels},
        }
        for name, module_name in STEPS:
            module = importlib.import_module(module_name)
            summary.counts[name] = module.derive(graph, **options.get(name, {}))
            on_step(name)
    return summary
