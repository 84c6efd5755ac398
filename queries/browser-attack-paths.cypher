// name: browser-attack-paths
// title: Attack paths from the internet to the crown jewels (graph view)
// description: One shortest attack path from the internet, and from everyone ("*", what a policy grants to any requester), to each crown jewel it reaches (up to 25 targets per start), over the derived routes: network reach (CAN_REACH, DELIVERS_TO, SENDS_THROUGH), workload identity (RUNS_AS), role assumption (CAN_ASSUME), privilege escalation (CAN_ESCALATE_TO) and access (CAN_ACCESS), at most 8 hops. For Neo4j Browser's graph view; `kg paths` lists every route with its entry points and `attack-paths-shortest` takes other starts and targets.
// layer: network
// params:
MATCH (s)
WHERE s:Internet OR s:AnyPrincipal
// Which crown jewels the start reaches at all, in one breadth-first sweep, before the shortest
// path to each (see attack-paths-shortest).
CALL (s) {
  MATCH (s)-[:CAN_REACH|DELIVERS_TO|SENDS_THROUGH|RUNS_AS|CAN_ASSUME|CAN_ESCALATE_TO|CAN_ACCESS*1..8]->(t:CrownJewel)
  RETURN DISTINCT t
  LIMIT 25
}
MATCH p = SHORTEST 1 (s)
  (()-[:CAN_REACH|DELIVERS_TO|SENDS_THROUGH|RUNS_AS|CAN_ASSUME|CAN_ESCALATE_TO|CAN_ACCESS]->()){1,8}
  (t)
RETURN p
