"""Layered control coverage: which catalog controls are in force where, with evidence.

`derive(graph)` runs after every load (kg.analysis.pipeline): it writes the reference catalog
(layers, capabilities, services, controls) and replaces every HAS_COVERAGE relationship from the
organization, OUs and accounts to the controls (one write, see kg.graph.writer), so coverage
from an older snapshot never survives a reload::

    from kg.analysis.coverage import derive
    written = derive(graph)   # catalog nodes and relationships plus coverage verdicts
"""

from __future__ import annotations

from kg.analysis.coverage.evaluate import (
    EVALUATORS,
    evaluate,
    evaluated_controls,
    labels_needed,
    relationships_needed,
)
from kg.analysis.coverage.facts import GLOBAL, Facts, read_facts
from kg.analysis.coverage.records import (
    COVERAGE_REL,
    REFERENCE_LABELS,
    catalog_records,
    coverage_records,
)
from kg.analysis.coverage.verdicts import STATUSES, Verdict
from kg.catalog import load_catalog
from kg.graph.driver import Graph
from kg.graph.writer import GraphWriter
from kg.model import load_schema

__all__ = [
    "EVALUATORS",
    "GLOBAL",
    "STATUSES",
    "Facts",
    "Verdict",
    "derive",
    "evaluate",
    "evaluated_controls",
    "read_facts",
]


def derive(graph: Graph) -> int:
    """Rewrite the catalog and every coverage verdict; the number of facts written."""
    catalog = load_catalog()
    facts = read_facts(graph, labels_needed(catalog), relationships_needed(catalog))
    records = catalog_records(catalog)
    records.extend(coverage_records(evaluate(catalog, facts)))
    summary = GraphWriter(graph, load_schema()).replace_derived(
        records, rel_types=(COVERAGE_REL,), labels=REFERENCE_LABELS
    )
    return summary.nodes + summary.relationships
