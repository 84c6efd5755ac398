// name: attack-paths-shortest
// title: Shortest attack paths from a start to the targets worth protecting (one per start and target)
// description: For each target, the shortest chain of network reach (CAN_REACH; DELIVERS_TO from an interface to its instance, SENDS_THROUGH from an instance to its interfaces), workload identity (RUNS_AS), role assumption (CAN_ASSUME), privilege escalation (CAN_ESCALATE_TO) and access (CAN_ACCESS), every hop walked forward. source: 'internet', 'external' (accounts outside the organization, and their users and roles that a policy names), an account id (the account and every user and role of it: credentials anywhere in it) or an ARN, each also starting from everyone (what a policy grants to "*", which any requester can do); target: 'crown-jewels' (the CrownJewel label), 'admin' (admin-equivalent principals: admin's permissions, or able to make themselves admin alone), an account id (anything of the account) or an ARN. Hops are bounded (at most 10; max_hops cuts lower). One shortest path per start and target: `kg paths` lists every route and its entry points, and `kg chokepoints` the verified cuts.
// layer: network
// params: source='internet', target='crown-jewels', max_hops=6
CALL () {
  MATCH (s:Internet) WHERE $source = 'internet' RETURN s
  UNION
  MATCH (a:Account)
  WHERE ($source = 'external' AND a.external = true) OR a.account_id = $source
  CALL (a) {
    RETURN a AS s
    UNION
    MATCH (s:Role) WHERE s.account_id = a.account_id RETURN s
    UNION
    MATCH (s:User) WHERE s.account_id = a.account_id RETURN s
  }
  RETURN s
  UNION
  MATCH (s:AnyPrincipal)
  WHERE $source IN ['internet', 'external'] OR $source STARTS WITH 'arn:' OR $source =~ '[0-9]{12}'
  RETURN s
  UNION
  UNWIND [arn IN [$source] WHERE arn STARTS WITH 'arn:'] AS arn
  MATCH (s) WHERE s.arn = arn OR (s:FederatedProvider AND s.name = arn) RETURN s
}
// Which targets the start reaches at all, in one breadth-first sweep: a shortest-path search
// between a start and a target it cannot reach exhausts everything within ten hops of one. The
// sweep sits in a subquery so that the planner cannot start it from the targets, which would
// enumerate paths instead.
CALL (s) {
  MATCH (s)-[:CAN_REACH|DELIVERS_TO|SENDS_THROUGH|RUNS_AS|CAN_ASSUME|CAN_ESCALATE_TO|CAN_ACCESS*1..10]->(t)
  RETURN DISTINCT t
}
WITH s, t
WHERE ($target = 'crown-jewels' AND t:CrownJewel)
   OR ($target = 'admin' AND t:Principal
       AND (t.is_admin = true OR t.makes_itself_admin = true))
   OR t.arn = $target
   OR t.account_id = $target
MATCH p = SHORTEST 1 (s)
  (()-[:CAN_REACH|DELIVERS_TO|SENDS_THROUGH|RUNS_AS|CAN_ASSUME|CAN_ESCALATE_TO|CAN_ACCESS]->()){1,10}
  (t)
WHERE length(p) <= $max_hops
RETURN [n IN nodes(p) | {key: coalesce(n.arn, n.name, n.account_id),
                         label: [x IN labels(n) WHERE x <> 'CrownJewel'][0],
                         name: coalesce(n.name, n.arn, n.account_id),
                         crown_jewel_reason: n.crown_jewel_reason,
                         is_admin: coalesce(n.is_admin, false)
                                   OR coalesce(n.makes_itself_admin, false)}] AS nodes,
       // The properties a hop's explanation reads (an access edge's action list stays behind).
       [x IN relationships(p) | {relation: type(x),
                                 properties: x {.traffic, .controls, .via, .technique,
                                                .explanation, .access_levels, .allowed_by,
                                                .conditional, .conditions, .scope_detail}}] AS rels
ORDER BY length(p), nodes[-1].key
