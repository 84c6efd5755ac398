"""Talking to Neo4j: the driver wrapper, schema DDL, the batched writer and scoped cleanup."""
