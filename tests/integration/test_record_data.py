"""Rows read through Graph come out as the driver's `Record.data()` gives them, whatever the
query returns: plain values take kg's quick conversion, graph and temporal values the driver's."""

from __future__ import annotations

from typing import LiteralString, cast

import pytest
from neo4j import GraphDatabase

from kg.config import Neo4jSettings
from kg.graph.driver import Graph

pytestmark = pytest.mark.integration

RETURNS = {
    "plain values": "RETURN 1 AS n, 'a' AS s, null AS nothing, [1.5, 2.5] AS floats, "
    "{key: 'k', nested: [{flag: true}]} AS map",
    "nodes, relationships and paths": "MATCH p = (a:Thing {name: 'a'})-[r:NEXT]->(b) "
    "RETURN a, r, p, [a, b] AS both, {start: a} AS inside",
    "temporal values": "MATCH (a:Thing {name: 'a'}) RETURN a.seen AS seen, [a.seen] AS seen_list",
}


@pytest.mark.parametrize("query", RETURNS.values(), ids=RETURNS.keys())
def test_rows_read_are_what_the_drivers_record_data_gives(
    graph: Graph, neo4j_settings: Neo4jSettings, query: str
) -> None:
    graph.write(
        "CREATE (:Thing {name: 'a', seen: datetime('2026-11-29T10:00:00Z')})"
        "-[:NEXT {weight: 2}]->(:Thing {name: 'b'})"
    )
    cypher = cast(LiteralString, query)
    auth = (neo4j_settings.user, neo4j_settings.password)
    with GraphDatabase.driver(neo4j_settings.uri, auth=auth) as driver:
        expected = [record.data() for record in driver.execute_query(cypher).records]
    assert expected
    assert graph.read(cypher) == expected
