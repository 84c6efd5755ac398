// name: browser-cross-account-assume
// title: Who can assume roles in another account (graph view)
// description: Principals and external accounts that can assume a role in a different account, the trust that lets them, and whether it depends on conditions.
// layer: principals
// params:
MATCH p = (source)-[assume:CAN_ASSUME]->(role:Role)
WHERE coalesce(source.account_id, '') <> role.account_id
RETURN p
