"""`apply_schema` creates every declared constraint once; a second run changes nothing."""

from __future__ import annotations

import pytest

from kg.graph.ddl import apply_schema
from kg.graph.driver import Graph
from kg.model import load_schema

pytestmark = pytest.mark.integration


def test_apply_twice_creates_nothing_the_second_time(graph: Graph) -> None:
    schema = load_schema()
    apply_schema(graph, schema)  # the session fixture applied it already: nothing new either way
    again = apply_schema(graph, schema)
    assert again.created == 0
    names = {r["name"] for r in graph.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    for node in schema.nodes.values():
        assert f"{node.label.lower()}_{node.key}_unique" in names


def test_uniqueness_is_enforced_on_keys(graph: Graph) -> None:
    graph.write("CREATE (:Account {account_id: '111111111111'})")
    with pytest.raises(Exception, match="already exists"):
        graph.write("CREATE (:Account {account_id: '111111111111'})")
