// name: privesc
// title: Who can become an admin-equivalent principal, and by which chain
// description: Principals that reach admin power by a chain of escalation techniques that work as deployed (derived CAN_ESCALATE_TO, one hop per technique: assuming a role, passing it to a service, taking another user's credentials, rewriting its own policies, ...). A principal with a technique that grants admin in one hop is listed with every such technique; one that needs more hops is listed with up to three of its shortest chains (up to six hops), each ending in a hop that grants admin (`grants_admin`), the others reaching a principal that escalates further. `principal` filters on the starting principal or the target, `account` on the starting principal's account. Each row carries the hop-by-hop chain and every permission it uses.
// layer: principals
// params: principal=null, account=null
CALL () {
  MATCH (p:Principal)-[e:CAN_ESCALATE_TO {grants_admin: true}]->(t:Principal)
  WHERE ($principal IS NULL OR p.arn = $principal OR t.arn = $principal)
    AND ($account IS NULL OR p.account_id = $account)
    AND NOT coalesce(p.is_admin, false)
  RETURN p, t, [e] AS hops
  UNION ALL
  MATCH (p:Principal)
  WHERE ($account IS NULL OR p.account_id = $account)
    AND NOT coalesce(p.is_admin, false)
    AND EXISTS { (p)-[:CAN_ESCALATE_TO {grants_admin: false}]->() }
    AND NOT EXISTS { (p)-[:CAN_ESCALATE_TO {grants_admin: true}]->() }
  CALL (p) {
    MATCH path = ANY SHORTEST (p)
          ((:Principal)-[:CAN_ESCALATE_TO {grants_admin: false}]->(:Principal)){1,5}
          (:Principal)-[:CAN_ESCALATE_TO {grants_admin: true}]->(t:Principal)
    WHERE $principal IS NULL OR p.arn = $principal OR t.arn = $principal
    RETURN t, relationships(path) AS hops
    LIMIT 3
  }
  RETURN p, t, hops
}
RETURN p.arn AS principal, p.account_id AS account_id, t.arn AS target,
       [r IN hops | r.technique] AS techniques,
       [r IN hops | startNode(r).arn + ' -[' + r.technique + ' via ' + r.via + ']-> '
        + endNode(r).arn] AS chain,
       reduce(used = [], r IN hops |
              used + [a IN r.permissions WHERE NOT a IN used]) AS permissions,
       last(hops).explanation AS explanation
ORDER BY principal, size(chain), target
