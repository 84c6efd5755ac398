"""The network layer: VPC topology, traffic filters, and where traffic lands.

What is loaded here is what AWS says (collected facts); whether traffic can actually flow is
decided by the reachability analysis, which reads these nodes and writes CAN_REACH.
"""

from kg.model.schema import NodeSchema, RelSchema

LAYER = "network"

_COMMON = {
    "account_id": "the collected account that stated this object (its owner, or the account it "
    "is shared with when the owner is outside the snapshot)",
    "region": "AWS region",
    "name": "the Name tag, or the AWS id when there is none",
    "tags": "tags as 'key=value' strings",
}
_OWNER = {"owner_id": "the account that owns the object (differs from account_id when shared)"}
_RULE_PEER = {
    "cidr": "IPv4 CIDR of the other end",
    "ipv6_cidr": "IPv6 CIDR of the other end",
}


def _node(label: str, description: str, props: dict[str, str]) -> NodeSchema:
    return NodeSchema(
        label=label,
        key="arn",
        layer=LAYER,
        description=description,
        properties={"arn": "ARN (the key)", **_COMMON, **props},
    )


def _part(label: str, key: str, description: str, props: dict[str, str]) -> NodeSchema:
    """A part of an owned object (a route, a rule), reached through its parent."""
    return NodeSchema(
        label=label,
        key=key,
        layer=LAYER,
        description=description,
        properties={"account_id": _COMMON["account_id"], "region": "AWS region", **props},
        caption="summary" if "summary" in props else "destination",
    )


def _rel(
    rel_type: str,
    source: str,
    target: str,
    description: str,
    properties: dict[str, str] | None = None,
    merge_on: tuple[str, ...] = (),
) -> RelSchema:
    return RelSchema(
        rel_type, source, target, LAYER, description, properties=properties or {}, merge_on=merge_on
    )


NODES = (
    _node(
        "Vpc",
        "A virtual private cloud.",
        {
            "vpc_id": "vpc-...",
            "cidrs": "associated IPv4 CIDR blocks",
            "ipv6_cidrs": "associated IPv6 CIDR blocks",
            "is_default": "true for the region's default VPC",
            "state": "available or pending",
            **_OWNER,
        },
    ),
    _node(
        "Subnet",
        "A subnet of a VPC in one availability zone.",
        {
            "subnet_id": "subnet-...",
            "vpc_id": "its VPC",
            "cidr": "IPv4 CIDR block",
            "ipv6_cidrs": "associated IPv6 CIDR blocks",
            "availability_zone": "availability zone name",
            "map_public_ip_on_launch": "instances launched here get a public IPv4 address",
            "assign_ipv6_address_on_creation": "interfaces created here get an IPv6 address",
            **_OWNER,
        },
    ),
    _node(
        "RouteTable",
        "A VPC route table; the VPC's main table serves subnets with no explicit association.",
        {
            "route_table_id": "rtb-...",
            "vpc_id": "its VPC",
            "is_main": "true for the VPC's main route table",
            "edge_gateway_ids": "internet or virtual private gateways associated for ingress "
            "routing",
            **_OWNER,
        },
    ),
    _part(
        "Route",
        "route_id",
        "One route of a route table: a destination and where matching traffic goes.",
        {
            "route_id": "'<route table id>|<destination>' (the key)",
            "route_table_id": "its route table",
            "destination": "the destination as AWS states it (CIDR or prefix list id)",
            "destination_cidr": "IPv4 destination CIDR",
            "destination_ipv6_cidr": "IPv6 destination CIDR",
            "destination_prefix_list_id": "destination managed prefix list (gateway endpoints)",
            "destination_prefix_list_cidrs": "the prefix list's CIDRs; absent when unknown",
            "target_type": "local, igw, eigw, nat, pcx, tgw, vpce, vgw, eni, instance, lgw, "
            "cagw, core_network, gateway; blackhole when the target is gone (traffic dropped)",
            "target_id": "the target's AWS id (kept for blackhole routes)",
            "state": "active or blackhole",
            "origin": "CreateRouteTable, CreateRoute or EnableVgwRoutePropagation",
        },
    ),
    _node(
        "InternetGateway",
        "An internet gateway: the way between a VPC and the internet, both directions.",
        {"gateway_id": "igw-...", **_OWNER},
    ),
    _node(
        "EgressOnlyInternetGateway",
        "An egress-only internet gateway: IPv6 traffic out to the internet, none back in.",
        {"gateway_id": "eigw-...", **_OWNER},
    ),
    _node(
        "NatGateway",
        "A NAT gateway: outbound connections from private subnets, no inbound ones.",
        {
            "nat_gateway_id": "nat-...",
            "state": "pending, available, deleting, deleted or failed",
            "connectivity_type": "public (to the internet) or private",
            "vpc_id": "its VPC",
            "subnet_id": "its subnet",
            "public_ips": "public (Elastic) IP addresses",
            "private_ips": "private IP addresses",
        },
    ),
    _node(
        "VpcPeeringConnection",
        "A peering connection between two VPCs, possibly in other accounts or regions. Keyed "
        "by the requester's account and region.",
        {
            "peering_connection_id": "pcx-...",
            "status": "active, pending-acceptance, rejected, deleted, ...",
            **{
                f"{side}_{field}": f"{side} side: {meaning}"
                for side in ("requester", "accepter")
                for field, meaning in (
                    ("vpc_id", "VPC id"),
                    ("owner_id", "account"),
                    ("region", "region"),
                    ("cidrs", "IPv4 CIDRs"),
                    ("ipv6_cidrs", "IPv6 CIDRs"),
                )
            },
        },
    ),
    _node(
        "TransitGatewayAttachment",
        "An attachment of a VPC (or VPN, peering, ...) to a transit gateway. Keyed by the "
        "resource owner's account.",
        {
            "attachment_id": "tgw-attach-...",
            "transit_gateway_id": "tgw-...",
            "transit_gateway_owner_id": "account that owns the transit gateway",
            "resource_type": "vpc, vpn, direct-connect-gateway, peering, connect, ...",
            "resource_id": "the attached resource's id",
            "resource_owner_id": "account that owns the attached resource",
            "state": "available, pendingAcceptance, deleted, ...",
        },
    ),
    _node(
        "VpcEndpoint",
        "A VPC endpoint to an AWS or PrivateLink service, with its endpoint policy.",
        {
            "vpc_endpoint_id": "vpce-...",
            "vpc_endpoint_type": "Interface, Gateway or GatewayLoadBalancer",
            "service_name": "e.g. com.amazonaws.us-east-1.s3",
            "state": "available, pending, ...",
            "vpc_id": "its VPC",
            "private_dns_enabled": "interface endpoints: private DNS names resolve to it",
            "route_table_ids": "gateway endpoints: route tables that route to it",
            "policy": "endpoint policy as JSON text (normalized: Statement is a list)",
            **_OWNER,
        },
    ),
    _node(
        "FlowLog",
        "A flow log recording traffic of a VPC, subnet or network interface.",
        {
            "flow_log_id": "fl-...",
            "resource_id": "the monitored VPC, subnet, interface or transit gateway",
            "traffic_type": "ACCEPT, REJECT or ALL",
            "log_destination_type": "cloud-watch-logs, s3 or kinesis-data-firehose",
            "log_destination": "where the records go",
            "status": "ACTIVE when the flow log is on",
            "deliver_logs_status": "SUCCESS or FAILED",
        },
    ),
    _node(
        "NetworkAcl",
        "A network ACL: stateless allow/deny rules on a subnet's traffic, evaluated in "
        "rule-number order.",
        {
            "network_acl_id": "acl-...",
            "vpc_id": "its VPC",
            "is_default": "true for the VPC's default network ACL",
            **_OWNER,
        },
    ),
    _part(
        "NetworkAclEntry",
        "entry_id",
        "One network ACL rule. Protocol as AWS states it: an IANA number as text, '-1' = all.",
        {
            "entry_id": "'<acl id>|<direction>|<rule number>|<cidr>' (the key)",
            "network_acl_id": "its network ACL",
            "direction": "ingress or egress",
            "egress": "true for outbound rules",
            "rule_number": "evaluation order (lowest first; 32767 is the final catch-all)",
            "rule_action": "allow or deny",
            "protocol": "'-1' (all), '6' (TCP), '17' (UDP), '1' (ICMP), '58' (ICMPv6), ...",
            "from_port": "first port of the range (TCP/UDP); absent for all",
            "to_port": "last port of the range (TCP/UDP); absent for all",
            "icmp_type": "ICMP type (-1 = all)",
            "icmp_code": "ICMP code (-1 = all)",
            **_RULE_PEER,
            "summary": "the rule in one line",
        },
    ),
    _node(
        "SecurityGroup",
        "A security group: stateful allow rules on the traffic of the interfaces it protects.",
        {
            "group_id": "sg-...",
            "description": "the group's description",
            "vpc_id": "its VPC",
            **_OWNER,
        },
    ),
    _part(
        "SecurityGroupRule",
        "rule_id",
        "One security group rule for one source (ingress) or destination (egress). Protocol as "
        "AWS states it ('-1' = all, 'tcp', 'udp', 'icmp', 'icmpv6' or a number); ports absent "
        "when the protocol is all; for ICMP, from_port is the type and to_port the code.",
        {
            "rule_id": "'<group id>|<direction>|<protocol>|<from>|<to>|<peer>' (the key)",
            "group_id": "its security group",
            "direction": "ingress or egress",
            "protocol": "IP protocol, exact ('-1' means all)",
            "from_port": "first port (or ICMP type)",
            "to_port": "last port (or ICMP code)",
            "peer_type": "cidr, ipv6_cidr, prefix_list or security_group",
            **_RULE_PEER,
            "prefix_list_id": "managed prefix list of the other end",
            "prefix_list_name": "its name (e.g. com.amazonaws.us-east-1.s3)",
            "prefix_list_cidrs": "its CIDRs; absent when they could not be read",
            "referenced_group_id": "security group of the other end",
            "referenced_account_id": "account of the referenced group",
            "referenced_vpc_id": "VPC of the referenced group",
            "peering_connection_id": "peering connection of a cross-VPC reference",
            "peering_status": "status of that peering reference",
            "description": "the rule's description",
            "summary": "the rule in one line",
        },
    ),
    _node(
        "NetworkInterface",
        "An elastic network interface: where traffic to an instance, load balancer, NAT "
        "gateway, endpoint or function lands.",
        {
            "network_interface_id": "eni-...",
            "interface_type": "interface, network_load_balancer, nat_gateway, vpc_endpoint, "
            "lambda, ...",
            "description": "AWS's description (says which service created it)",
            "status": "in-use or available",
            "vpc_id": "its VPC",
            "subnet_id": "its subnet",
            "availability_zone": "availability zone",
            "public_ip": "public IPv4 address of the primary private IP",
            "public_ips": "every public IPv4 address on the interface",
            "elastic_ip": "true when a public address is an Elastic IP",
            "private_ip": "primary private IPv4 address",
            "private_ips": "every private IPv4 address",
            "ipv6_addresses": "IPv6 addresses (publicly routable when the route table allows)",
            "attached_instance_id": "the instance it is attached to",
            "requester_id": "the service that created it, for requester-managed interfaces",
            "requester_managed": "true when an AWS service manages it",
            "source_dest_check": "false when the interface may forward traffic",
            **_OWNER,
        },
    ),
    _node(
        "Ec2Instance",
        "An EC2 instance.",
        {
            "instance_id": "i-...",
            "state": "pending, running, stopping, stopped, shutting-down, terminated",
            "instance_type": "e.g. t3.micro",
            "image_id": "AMI id",
            "platform": "platform details (Linux/UNIX, Windows, ...)",
            "launch_time": "when it was launched",
            "vpc_id": "its VPC",
            "subnet_id": "its subnet",
            "public_ip": "public IPv4 address",
            "private_ip": "primary private IPv4 address",
            "instance_profile_arn": "instance profile (the role its code runs as)",
            "http_tokens": "IMDS: required (IMDSv2 only) or optional (IMDSv1 allowed)",
            "http_endpoint": "IMDS: enabled or disabled",
            "http_put_response_hop_limit": "IMDS: hops a token response may travel",
        },
    ),
    _node(
        "LoadBalancer",
        "An Elastic Load Balancing v2 load balancer (application, network or gateway).",
        {
            "load_balancer_name": "its name",
            "scheme": "internet-facing or internal",
            "type": "application, network or gateway",
            "dns_name": "public or internal DNS name",
            "state": "active, provisioning, failed, ...",
            "vpc_id": "its VPC",
            "ip_address_type": "ipv4, dualstack or dualstack-without-public-ipv4",
            "unknown": "facts that could not be read (listeners when describe_listeners failed)",
        },
    ),
    _node(
        "Listener",
        "A load balancer listener: the port and protocol it accepts traffic on.",
        {
            "port": "listening port",
            "protocol": "HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP or GENEVE",
            "ssl_policy": "TLS policy of HTTPS/TLS listeners",
            "load_balancer_arn": "its load balancer",
            "unknown": "facts that could not be read (rules when describe_rules failed)",
        },
    ),
    _node(
        "TargetGroup",
        "A load balancer target group: where listeners send traffic.",
        {
            "target_group_name": "its name",
            "protocol": "protocol to the targets",
            "port": "default port on the targets",
            "target_type": "instance, ip, lambda or alb",
            "vpc_id": "its VPC",
            "load_balancer_arns": "load balancers that use it",
            "unresolved_targets": "IP targets ('ip:port') that match no loaded interface",
            "unknown": "facts that could not be read (targets when describe_target_health failed)",
        },
    ),
)

_BELONGS = tuple(
    _rel("BELONGS_TO", node.label, "Account", "The AWS account that owns it.")
    for node in NODES
    if node.key == "arn"
)

_TARGETS = "Where the route sends matching traffic (a transit gateway route: the VPC's attachment)."
_TARGET_HEALTH = {
    "port": "port on the target",
    "health_state": "healthy, unhealthy, unused, initial, draining, unavailable",
    "health_reason": "why, when not healthy",
}

# (type, source, target, meaning) of the relationships that carry no properties of their own
_PLAIN = (
    ("IN", "Subnet", "Vpc", "The subnet is part of the VPC."),
    ("HAS_PROFILE", "Ec2Instance", "InstanceProfile",
     "The instance profile whose role the instance's code runs as."),
    ("IN", "RouteTable", "Vpc", "The route table belongs to the VPC."),
    ("MAIN_FOR", "RouteTable", "Vpc",
     "The VPC's main route table: it routes every subnet that has no explicit association."),
    ("ASSOCIATED_WITH", "RouteTable", "Subnet", "The route table routes the subnet's traffic."),
    ("HAS_ROUTE", "RouteTable", "Route", "A route of the table."),
    *(("TARGETS", "Route", target, _TARGETS) for target in (
        "InternetGateway", "EgressOnlyInternetGateway", "NatGateway", "VpcPeeringConnection",
        "TransitGatewayAttachment", "VpcEndpoint", "NetworkInterface", "Ec2Instance")),
    ("IN", "NatGateway", "Subnet", "The NAT gateway lives in the subnet."),
    ("ATTACHES", "TransitGatewayAttachment", "Vpc",
     "The VPC is attached to a transit gateway through this attachment."),
    ("IN", "VpcEndpoint", "Vpc", "The endpoint is in the VPC."),
    ("IN", "VpcEndpoint", "Subnet", "The interface endpoint has an interface in the subnet."),
    *(("MONITORS", "FlowLog", target, "The flow log records its traffic.")
      for target in ("Vpc", "Subnet", "NetworkInterface")),
    ("IN", "NetworkAcl", "Vpc", "The network ACL belongs to the VPC."),
    ("PROTECTS", "NetworkAcl", "Subnet", "The network ACL filters the subnet's traffic."),
    ("HAS_ENTRY", "NetworkAcl", "NetworkAclEntry", "A rule of the network ACL."),
    ("IN", "SecurityGroup", "Vpc", "The security group belongs to the VPC."),
    ("HAS_RULE", "SecurityGroup", "SecurityGroupRule", "A rule of the security group."),
    ("ALLOWS_FROM", "SecurityGroupRule", "SecurityGroup",
     "The ingress rule allows traffic from interfaces protected by the referenced group."),
    ("ALLOWS_TO", "SecurityGroupRule", "SecurityGroup",
     "The egress rule allows traffic to interfaces protected by the referenced group."),
    ("IN", "NetworkInterface", "Subnet", "The interface is in the subnet."),
    *(("PROTECTED_BY", source, "SecurityGroup", "The security group filters its traffic.")
      for source in ("NetworkInterface", "VpcEndpoint", "LoadBalancer")),
    *(("HAS_INTERFACE", source, "NetworkInterface", "Traffic to it lands on the interface.")
      for source in ("NatGateway", "VpcEndpoint", "LoadBalancer")),
    ("IN", "Ec2Instance", "Subnet", "The instance's primary interface is in the subnet."),
    ("IN", "LoadBalancer", "Subnet", "The load balancer has a node in the subnet."),
    ("HAS_LISTENER", "LoadBalancer", "Listener",
     "The load balancer accepts traffic on the listener."),
)  # fmt: skip

RELS = (
    *_BELONGS,
    *(_rel(*row) for row in _PLAIN),
    _rel(
        "ATTACHED_TO",
        "InternetGateway",
        "Vpc",
        "The gateway is attached to the VPC.",
        properties={"state": "attachment state ('available' means attached)"},
    ),
    _rel(
        "ATTACHED_TO",
        "EgressOnlyInternetGateway",
        "Vpc",
        "The gateway is attached to the VPC.",
        properties={"state": "attachment state"},
    ),
    _rel(
        "CONNECTS",
        "VpcPeeringConnection",
        "Vpc",
        "The peering connection joins the VPC.",
        properties={"side": "requester or accepter"},
    ),
    _rel(
        "HAS_INTERFACE",
        "Ec2Instance",
        "NetworkInterface",
        "Traffic to it lands on the interface.",
        properties={"device_index": "attachment position (0 = primary)"},
    ),
    _rel(
        "FORWARDS_TO",
        "Listener",
        "TargetGroup",
        "The listener sends traffic to the target group (default action or a rule).",
        properties={"rules": "'default' and/or the priorities of the rules that forward"},
    ),
    *(
        _rel(
            "HAS_TARGET",
            "TargetGroup",
            target,
            "The target group sends traffic to the target.",
            properties=_TARGET_HEALTH,
            merge_on=merge_on,
        )
        for target, merge_on in (
            ("Ec2Instance", ("port",)),
            ("NetworkInterface", ("port",)),
            ("LoadBalancer", ("port",)),
            ("LambdaFunction", ()),
        )
    ),
)
