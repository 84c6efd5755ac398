// name: browser-internet-exposure
// title: What the internet can reach (graph view)
// description: Network interfaces and load balancers the internet can reach (derived CAN_REACH, which carries the ports and the controls that allowed it), and one hop behind each: the instance an interface delivers to (DELIVERS_TO) and what a load balancer forwards to (CAN_REACH). Up to 200 entry points. For Neo4j Browser's graph view.
// layer: network
// params:
MATCH p = (:Internet)-[:CAN_REACH]->(entry)
WITH p, entry
ORDER BY entry.arn
LIMIT 200
OPTIONAL MATCH q = (entry)-[:DELIVERS_TO|CAN_REACH]->(behind)
WHERE entry:LoadBalancer OR behind:Ec2Instance
RETURN p, q
