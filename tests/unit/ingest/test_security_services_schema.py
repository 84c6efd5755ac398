"""The security-service graph fits the declared schema, and every control state reads the same way
(so coverage can treat all services alike)."""

from __future__ import annotations

from pathlib import Path

from kg.graph.writer import validate
from kg.model import load_schema
from kg.model.security_services import CONTROL_STATE, SERVICE_IDS, STATE_NODES
from tests.unit.ingest.security_organization import (
    SECURITY_MODULES,
    organization_snapshot,
    security_records,
)

STATE_PROPERTIES = {"id", "name", "service", "account_id", "region", "status", "status_reason"}


def test_every_state_label_is_a_security_control_state_keyed_by_id() -> None:
    for node in STATE_NODES:
        assert CONTROL_STATE in node.extra_labels, node.label
        assert node.key == "id", node.label
        assert set(node.properties) >= STATE_PROPERTIES, node.label


def test_records_of_every_module_validate_against_the_project_schema(tmp_path: Path) -> None:
    records = security_records(organization_snapshot(tmp_path))
    validate(records, load_schema())
    state_labels = {node.label for node in STATE_NODES}
    states = [row for label in state_labels for row in records.nodes[label]]
    assert states, "the organization snapshot produced no control states"
    for row in states:
        assert set(row) >= STATE_PROPERTIES, row["id"]
        assert row["status"] in ("enabled", "disabled", "unknown"), row["id"]
        assert row["service"] in SERVICE_IDS, row["id"]
    assert {row["id"] for row in states} == {
        row["target"]
        for ident, rows in records.rels.items()
        if ident[0] == "HAS_CONTROL_STATE"
        for row in rows
    }


def test_every_module_has_the_shape_the_loader_discovers() -> None:
    for module in SECURITY_MODULES:
        assert module.SCOPE in ("organization", "account", "region"), module.__name__
        assert callable(module.collect) and callable(module.transform), module.__name__
