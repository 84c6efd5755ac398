// name: privesc
// title: Who can become an admin-equivalent principal, and by which chain
// description: Principals that reach admin power by assuming up to two roles and then one escalation technique (derived CAN_ASSUME and CAN_ESCALATE_TO); `principal` filters on the starting principal or the target, `account` on the starting principal's account. Each row carries the hop-by-hop chain.
// layer: principals
// params: principal=null, account=null
MATCH path = (p:Principal)-[:CAN_ASSUME*0..2]->(:Principal)-[e:CAN_ESCALATE_TO]->(t:Principal)
WHERE ($principal IS NULL OR p.arn = $principal OR t.arn = $principal)
  AND ($account IS NULL OR p.account_id = $account)
  AND NOT coalesce(p.is_admin, false)
  AND all(n IN nodes(path)[1..-1] WHERE n <> p)
RETURN p.arn AS principal, p.account_id AS account_id, t.arn AS target,
       [r IN relationships(path) | coalesce(r.technique, 'assume-role')] AS techniques,
       [r IN relationships(path) | startNode(r).arn + ' -[' +
        CASE type(r) WHEN 'CAN_ASSUME' THEN 'assume-role' ELSE r.technique + ' via ' + r.via END
        + ']-> ' + endNode(r).arn] AS chain,
       e.permissions AS permissions, e.explanation AS explanation
ORDER BY principal, size(chain), target
