// name: privesc
// title: Who can become an admin-equivalent principal, and by which chain
// description: Principals that reach admin power by a chain of escalation techniques that work as deployed (derived CAN_ESCALATE_TO, one hop per technique: assuming a role, passing it to a service, taking another user's credentials, rewriting its own policies, ...), every shortest chain to each principal it can become, up to six hops. The last hop grants admin (`grants_admin`); the others reach a principal that escalates further. `principal` filters on the starting principal or the target, `account` on the starting principal's account. Each row carries the hop-by-hop chain and every permission it uses.
// layer: principals
// params: principal=null, account=null
MATCH path = ALL SHORTEST (p:Principal)
      ((:Principal)-[:CAN_ESCALATE_TO {grants_admin: false}]->(:Principal)){0,5}
      (:Principal)-[:CAN_ESCALATE_TO {grants_admin: true}]->(t:Principal)
WHERE ($principal IS NULL OR p.arn = $principal OR t.arn = $principal)
  AND ($account IS NULL OR p.account_id = $account)
  AND NOT coalesce(p.is_admin, false)
WITH p, t, path, relationships(path) AS hops
RETURN p.arn AS principal, p.account_id AS account_id, t.arn AS target,
       [r IN hops | r.technique] AS techniques,
       [r IN hops | startNode(r).arn + ' -[' + r.technique + ' via ' + r.via + ']-> '
        + endNode(r).arn] AS chain,
       reduce(used = [], r IN hops |
              used + [a IN r.permissions WHERE NOT a IN used]) AS permissions,
       last(hops).explanation AS explanation
ORDER BY principal, size(chain), target
