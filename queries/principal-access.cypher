// name: principal-access
// title: What a principal can reach
// description: The resources a principal (a user or role ARN; an external account by its id; 'everyone' for what policies grant to "*") can act on (derived CAN_ACCESS, with access levels) and the roles it can assume (CAN_ASSUME), grouped by resource type; conditional rows hold only if their conditions go the right way. What everyone can do, any requester can: granted_to says whether a row is the principal's own edge or everyone's (on a resource where the principal has no edge of its own, which it gets only for what goes beyond everyone's). scope: of a bucket's objects, the key patterns granted (['*'] for all); scope_detail: the actions per scope and what a Deny takes out of each.
// layer: principals
// params: principal
CALL {
  MATCH (p:Principal {arn: $principal}) RETURN p
  UNION
  MATCH (p:Account {account_id: $principal}) WHERE p.external = true RETURN p
  UNION
  MATCH (p:AnyPrincipal {name: $principal}) RETURN p
}
CALL (p) {
  MATCH (p)-[e:CAN_ACCESS|CAN_ASSUME]->(r)
  RETURN e, r, 'principal' AS granted_to
  UNION
  MATCH (everyone:AnyPrincipal)-[e:CAN_ACCESS|CAN_ASSUME]->(r)
  WHERE everyone <> p AND NOT EXISTS { (p)-[:CAN_ACCESS|CAN_ASSUME]->(r) }
  RETURN e, r, 'everyone' AS granted_to
}
RETURN [label IN labels(r) WHERE label <> 'Resource' AND label <> 'Principal'][0] AS resource_type,
       r.arn AS resource,
       CASE type(e) WHEN 'CAN_ASSUME' THEN ['Assume'] ELSE e.access_levels END AS access_levels,
       coalesce(e.action_count, 1) AS action_count, e.conditional AS conditional,
       e.conditions AS conditions, e.scope AS scope, e.scope_detail AS scope_detail, granted_to
ORDER BY resource_type, resource
