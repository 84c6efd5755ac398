"""Graph records for the reference catalog and the coverage verdicts (schema: kg.model.coverage)."""

from __future__ import annotations

from collections.abc import Iterable

from kg.analysis.coverage.verdicts import Verdict
from kg.catalog import Catalog
from kg.graph.records import GraphRecords

COVERAGE_REL = "HAS_COVERAGE"
REFERENCE_LABELS = ("Layer", "Capability", "SecurityService", "Control")


def catalog_records(catalog: Catalog) -> GraphRecords:
    """The catalog as reference nodes, each control linked to its layer, capability, service."""
    records = GraphRecords()
    for layer in catalog.layers:
        records.node(
            "Layer",
            id=layer.id,
            title=layer.title,
            description=layer.description,
            order=layer.order,
        )
    for capability in catalog.capabilities:
        records.node(
            "Capability",
            id=capability.id,
            title=capability.title,
            description=capability.description,
        )
    for service in catalog.services:
        records.node(
            "SecurityService",
            id=service.id,
            title=service.title,
            description=service.description,
            service_principal=service.service_principal,
            dual_scope=service.dual_scope,
        )
    for control in catalog.controls:
        records.node(
            "Control",
            id=control.id,
            title=control.title,
            layer=control.layer,
            capability=control.capability,
            service=control.service,
            scope=control.scope,
            severity=control.severity,
            check_kind=control.check.kind,
            in_place_when=control.in_place_when,
            remediation=control.remediation,
            reference=control.reference,
        )
        source = ("Control", control.id)
        records.rel("AT_LAYER", source, ("Layer", control.layer))
        records.rel("SERVES", source, ("Capability", control.capability))
        records.rel("USES", source, ("SecurityService", control.service))
    return records


def coverage_records(verdicts: Iterable[Verdict]) -> GraphRecords:
    """One HAS_COVERAGE relationship per verdict, from its target to the control."""
    records = GraphRecords()
    for verdict in verdicts:
        records.rel(
            COVERAGE_REL,
            (verdict.target.kind, verdict.target.key),
            ("Control", verdict.control_id),
            status=verdict.status,
            region=verdict.region,
            evidence=verdict.evidence,
            reason=verdict.reason,
            scope=verdict.scope,
        )
    return records
