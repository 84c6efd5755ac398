// name: browser-privesc-chains
// title: Privilege escalation chains to admin power (graph view)
// description: For up to 100 principals that are not admin-equivalent but can escalate (derived CAN_ESCALATE_TO, one hop per technique that works as deployed), one shortest chain ending in a hop that grants admin power (`grants_admin`), at most 6 hops; each hop carries its technique and the permissions it uses. For Neo4j Browser's graph view; the `privesc` query lists every starting principal with its chains and permissions.
// layer: principals
// params:
MATCH (s:Principal)
WHERE NOT coalesce(s.is_admin, false)
  AND EXISTS { (s)-[:CAN_ESCALATE_TO]->() }
WITH s
ORDER BY s.arn
LIMIT 100
CALL (s) {
  MATCH p = ANY SHORTEST (s)
        ((:Principal)-[:CAN_ESCALATE_TO {grants_admin: false}]->(:Principal)){0,5}
        (:Principal)-[:CAN_ESCALATE_TO {grants_admin: true}]->(:Principal)
  RETURN p
  LIMIT 1
}
RETURN p
