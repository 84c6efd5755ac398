"""Derived network exposure: who can open a connection to what, and the controls that allowed it.

CAN_REACH is a conclusion of the reachability analysis (kg.analysis.exposure), rewritten as a
whole on each run, with DELIVERS_TO and SENDS_THROUGH between an instance and its interfaces, so
an attack path walks every hop forward. The crown jewel analysis (kg.analysis.crown_jewels) marks
the targets worth protecting with the CrownJewel label and the node properties `crown_jewel`
(true) and `crown_jewel_reason` (why).
"""

from kg.model.schema import MarkSchema, NodeSchema, RelSchema

LAYER = "network"

_REACH_PROPS = {
    "protocol": "the IP protocols that get through, e.g. 'tcp' or 'tcp,udp' ('all' for any)",
    "ports": "the port ranges that get through, as 'from-to' strings (empty for all ports)",
    "traffic": "the traffic that gets through in one line, e.g. 'tcp/22, tcp/443'",
    "controls": "every control evaluated on the way, in path order, in words",
    "unknown": "true when a control could not be evaluated (missing facts; may overstate)",
}

# No nodes of its own.
NODES: tuple[NodeSchema, ...] = ()

MARKS = (
    MarkSchema(
        "CrownJewel",
        "A target worth protecting, marked by the crown jewel analysis (with the properties "
        "`crown_jewel` and `crown_jewel_reason`); attack paths lead to it.",
    ),
)

_REACH = tuple(
    RelSchema(
        "CAN_REACH",
        source,
        target,
        LAYER,
        description,
        scope="derived",
        properties=_REACH_PROPS,
    )
    for source, target, description in (
        (
            "Internet",
            "NetworkInterface",
            "Anyone on the internet can open a connection to the interface: a public address, "
            "a route to an internet gateway, the network ACL and a security group all allow it.",
        ),
        (
            "Internet",
            "LoadBalancer",
            "Anyone on the internet can connect to a listener of the internet-facing load "
            "balancer.",
        ),
        (
            "NetworkInterface",
            "NetworkInterface",
            "The source interface can open a connection to the target interface (routes, "
            "network ACLs and security groups of both ends allow it).",
        ),
        (
            "LoadBalancer",
            "Ec2Instance",
            "The load balancer forwards traffic to the instance, and the instance's security "
            "groups and network ACL let it in.",
        ),
        (
            "LoadBalancer",
            "NetworkInterface",
            "The load balancer forwards traffic to the interface (an IP target), and its "
            "security groups and network ACL let it in.",
        ),
    )
)

RELS = (
    *_REACH,
    RelSchema(
        "DELIVERS_TO",
        "NetworkInterface",
        "Ec2Instance",
        LAYER,
        "Traffic that reaches the interface lands on the instance it is attached to (an "
        "attacker who reaches the interface reaches the instance).",
        scope="derived",
    ),
    RelSchema(
        "SENDS_THROUGH",
        "Ec2Instance",
        "NetworkInterface",
        LAYER,
        "Code on the instance sends traffic through the interface attached to it (an attacker "
        "on the instance connects onwards from each of its interfaces).",
        scope="derived",
    ),
)
