// name: browser-coverage-gaps
// title: Controls missing in an account, by layer (graph view)
// description: The account, the controls that are missing or unknown there, and their layers (at most 500 rows); for Neo4j Browser's graph view. account: an account id or name.
// layer: account
// params: account='555566667777'
MATCH (a:Account)
WHERE a.account_id = $account OR a.name = $account
MATCH (a)-[c:HAS_COVERAGE]->(control:Control)-[at:AT_LAYER]->(layer:Layer)
WHERE c.status IN ['missing', 'unknown']
RETURN a, c, control, at, layer
LIMIT 500
