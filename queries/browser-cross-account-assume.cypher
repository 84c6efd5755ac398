// name: browser-cross-account-assume
// title: Who can assume roles in another account (graph view)
// description: Principals, external accounts and everyone ("*") that can assume a role in a different account (derived CAN_ASSUME, which carries the trust that lets them and whether it depends on conditions), up to 200 of them. A service principal (an AWS service the role trusts) is not another account and is left out. For Neo4j Browser's graph view.
// layer: principals
// params:
MATCH p = (source)-[:CAN_ASSUME]->(role:Role)
WHERE NOT source:ServicePrincipal AND coalesce(source.account_id, '') <> role.account_id
RETURN p
LIMIT 200
