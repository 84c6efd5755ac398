// name: principal-access
// title: What a principal can reach
// description: The resources a principal (a user or role ARN; an external account by its id; 'everyone' for what policies grant to "*") can act on (derived CAN_ACCESS, with access levels) and the roles it can assume (CAN_ASSUME), grouped by resource type; conditional rows hold only if their conditions go the right way.
// layer: principals
// params: principal
CALL {
  MATCH (p:Principal {arn: $principal}) RETURN p
  UNION
  MATCH (p:Account {account_id: $principal}) WHERE p.external = true RETURN p
  UNION
  MATCH (p:AnyPrincipal {name: $principal}) RETURN p
}
MATCH (p)-[e:CAN_ACCESS|CAN_ASSUME]->(r)
RETURN [label IN labels(r) WHERE label <> 'Resource' AND label <> 'Principal'][0] AS resource_type,
       r.arn AS resource,
       CASE type(e) WHEN 'CAN_ASSUME' THEN ['Assume'] ELSE e.access_levels END AS access_levels,
       coalesce(e.action_count, 1) AS action_count, e.conditional AS conditional,
       e.conditions AS conditions
ORDER BY resource_type, resource
