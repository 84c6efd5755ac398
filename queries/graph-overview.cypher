// name: graph-overview
// title: What the graph holds, per account
// description: Accounts with their collection status and how many nodes belong to each.
// layer: account
// params:
MATCH (a:Account)
OPTIONAL MATCH (n)-[:BELONGS_TO]->(a)
RETURN a.account_id AS account_id, a.name AS name, a.collection_status AS collection_status,
       a.external AS external, count(n) AS nodes
ORDER BY account_id
