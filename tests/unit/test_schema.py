"""The schema declaration: validation rules, generated Cypher, and the model doc kept in sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import SchemaError
from kg.graph import cypher
from kg.graph.records import GraphRecords
from kg.graph.writer import validate
from kg.model import load_schema
from kg.model.docs import model_markdown
from kg.model.grass import grass
from kg.model.schema import MarkSchema, NodeSchema, RelSchema, Schema

ROOT = Path(__file__).resolve().parents[2]


def _node(label: str = "Thing", **kw) -> NodeSchema:
    return NodeSchema(
        label=label, key=kw.pop("key", "arn"), layer="resources", description="d", **kw
    )


def test_rejects_label_that_is_not_pascal_case() -> None:
    with pytest.raises(SchemaError, match="not PascalCase"):
        Schema([_node("bad_label")], [])


def test_rejects_relationship_to_undeclared_label() -> None:
    rel = RelSchema("OWNS", "Thing", "Ghost", "resources", "d")
    with pytest.raises(SchemaError, match="Ghost is not declared"):
        Schema([_node()], [rel])


def test_rejects_duplicate_label() -> None:
    with pytest.raises(SchemaError, match="declared twice"):
        Schema([_node(), _node()], [])


def test_rejects_a_mark_that_is_also_a_node_label() -> None:
    with pytest.raises(SchemaError, match="also a node label"):
        Schema([_node()], [], [MarkSchema("Thing", "d")])


def test_the_project_schema_is_valid_and_every_rel_end_resolves() -> None:
    schema = load_schema()
    assert "Account" in schema.nodes
    for rel in schema.rels.values():
        assert rel.layer and rel.description


def test_generated_merge_uses_parameters_for_every_value() -> None:
    node = _node(extra_labels=("Resource",))
    query = cypher.node_merge(node)
    assert "MERGE (n:Thing {arn: row.arn})" in query
    assert "SET n = row" in query and "n:Resource" in query
    assert "$now" in query and "$rows" in query


def test_records_with_unstorable_values_are_rejected_before_writing() -> None:
    schema = Schema([_node(scope="global")], [])
    records = GraphRecords()
    records.node("Thing", arn="a", document={"Statement": []})
    with pytest.raises(SchemaError, match=r"Thing\.document: dict values cannot be stored"):
        validate(records, schema)


def test_account_scoped_records_need_account_id() -> None:
    schema = Schema([_node()], [])
    records = GraphRecords()
    records.node("Thing", arn="a")
    with pytest.raises(SchemaError, match="without account_id"):
        validate(records, schema)


def test_undeclared_relationship_is_rejected() -> None:
    schema = Schema([_node(scope="global")], [])
    records = GraphRecords()
    records.rel("LIKES", ("Thing", "a"), ("Thing", "b"))
    with pytest.raises(SchemaError, match=r"\(Thing\)-\[:LIKES\]->\(Thing\) is not declared"):
        validate(records, schema)


def test_docs_model_md_is_generated_from_the_schema() -> None:
    """Regenerate docs/model.md (make docs) whenever the model changes."""
    assert (ROOT / "docs" / "model.md").read_text() == model_markdown(load_schema())


def test_browser_style_sheet_is_generated_from_the_schema() -> None:
    """Regenerate docs/browser/kg.grass (make docs) whenever the model changes."""
    assert (ROOT / "docs" / "browser" / "kg.grass").read_text() == grass(load_schema())
