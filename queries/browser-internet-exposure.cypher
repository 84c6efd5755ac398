// name: browser-internet-exposure
// title: What the internet can reach (graph view)
// description: Every network interface and load balancer the internet can reach, with the instance behind each interface; the CAN_REACH relationship carries the ports and the controls that allowed it.
// layer: network
// params:
MATCH p = (:Internet)-[:CAN_REACH]->(entry)
OPTIONAL MATCH q = (entry)<-[:HAS_INTERFACE]-(:Ec2Instance)
RETURN p, q
