"""kg: a Neo4j knowledge graph of an AWS organization's defense in depth."""

__version__ = "0.1.0"
