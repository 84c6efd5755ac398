"""Named Cypher queries: run by `kg query NAME` and pasteable into Neo4j Browser unchanged.

Each .cypher file starts with a header of `// key: value` lines (name, title, description,
params, layer) followed by the query. Parameters are written `$name`; in Browser set them first
with `:param name => 'value'`.
"""
