// name: attack-paths-shortest
// title: Shortest attack paths from a start to the targets worth protecting
// description: For each target, the shortest chain of network reach (CAN_REACH, an interface to its instance), workload identity (RUNS_AS), role assumption (CAN_ASSUME), privilege escalation (CAN_ESCALATE_TO) and access (CAN_ACCESS). source: 'internet', 'external' (accounts outside the organization), both also starting from everyone (what a policy grants to "*"), or an ARN; target: 'crown-jewels', 'admin' or an ARN. Hops are bounded (at most 10; max_hops cuts lower).
// layer: network
// params: source='internet', target='crown-jewels', max_hops=6
MATCH (s)
WHERE ($source = 'internet' AND s:Internet)
   OR ($source = 'external' AND s:Account AND s.external = true)
   OR ($source IN ['internet', 'external'] AND s:AnyPrincipal)
   OR s.arn = $source
MATCH (t)
WHERE ($target = 'crown-jewels' AND t.crown_jewel = true)
   OR ($target = 'admin' AND t:Principal AND t.is_admin = true)
   OR t.arn = $target
MATCH p = SHORTEST 1 (s)
  ((a)-[r:CAN_REACH|HAS_INTERFACE|RUNS_AS|CAN_ASSUME|CAN_ESCALATE_TO|CAN_ACCESS]-(b)
    WHERE (type(r) = 'HAS_INTERFACE') = (startNode(r) = b)){1,10}
  (t)
WHERE length(p) <= $max_hops
RETURN [n IN nodes(p) | {key: coalesce(n.arn, n.name, n.account_id), label: labels(n)[0],
                         name: coalesce(n.name, n.arn, n.account_id),
                         crown_jewel_reason: n.crown_jewel_reason,
                         is_admin: coalesce(n.is_admin, false)}] AS nodes,
       [x IN relationships(p) | {relation: type(x), properties: properties(x)}] AS rels
ORDER BY length(p), nodes[-1].key
