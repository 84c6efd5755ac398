"""Application load balancers: listeners, rules, target groups, target health, and the
network interfaces that carry their addresses."""

from __future__ import annotations

from typing import Any

from ingest.example.builder.compute import group_refs, instance_addresses, interface
from ingest.example.builder.network import (
    Listener,
    Vpc,
    group_id,
    host,
    instance_id,
    subnet_id,
    vpc_id,
)
from ingest.example.builder.scope import Batch, Place, Scope

# Route 53 hosted zones of application load balancers, per region.
_ALB_ZONES = {"us-east-1": "Z35SXDOTRQ7X7K", "eu-west-1": "Z32O12XQLNTSW2"}


def _elb_arn(scope: Place, kind: str, *names: str) -> str:
    suffix = "/".join(names)
    return scope.arn("elasticloadbalancing", f"{kind}/{suffix}")


def _lb_hex(scope: Place, name: str) -> str:
    return scope.ids.hex(16, scope.account_id, "lb", name)


def load_balancer_arn(scope: Place, name: str) -> str:
    return _elb_arn(scope, "loadbalancer", "app", name, _lb_hex(scope, name))


def add_load_balancers(batch: Batch, scope: Scope, vpc: Vpc) -> None:
    """Load balancers, their listeners, rules, target groups and target health."""
    balancers = batch.items("elbv2", "describe_load_balancers", "LoadBalancers")
    groups = batch.items("elbv2", "describe_target_groups", "TargetGroups")
    interfaces = batch.items("ec2", "describe_network_interfaces", "NetworkInterfaces")
    addresses = instance_addresses(vpc)
    for lb in vpc.load_balancers:
        lb_hex, lb_arn = _lb_hex(scope, lb.name), load_balancer_arn(scope, lb.name)
        tg_arns = {
            tg.name: _elb_arn(
                scope, "targetgroup", tg.name, scope.ids.hex(16, scope.account_id, "tg", tg.name)
            )
            for tg in lb.target_groups
        }
        scheme = "internet-facing" if lb.internet_facing else "internal"
        dns_prefix = "" if lb.internet_facing else "internal-"
        balancers.append(
            {
                "LoadBalancerArn": lb_arn,
                "LoadBalancerName": lb.name,
                "Scheme": scheme,
                "DNSName": f"{dns_prefix}{lb.name}-{scope.ids.number(10**10, lb_arn)}"
                f".{scope.region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": _ALB_ZONES.get(scope.region, "Z35SXDOTRQ7X7K"),
                "CreatedTime": scope.created("lb", lb.name),
                "VpcId": vpc_id(scope, vpc),
                "State": {"Code": "active"},
                "Type": "application",
                "IpAddressType": "ipv4",
                "AvailabilityZones": [
                    {
                        "ZoneName": scope.region + vpc.subnet(s).zone,
                        "SubnetId": subnet_id(scope, vpc, s),
                        "LoadBalancerAddresses": [],
                    }
                    for s in lb.subnets
                ],
                "SecurityGroups": [group_id(scope, vpc, g) for g in lb.security_groups],
            }
        )
        for index, subnet in enumerate(lb.subnets):
            name = f"{lb.name}-{subnet}"
            public_ip = scope.ids.public_ip(scope.account_id, name) if lb.internet_facing else None
            interfaces.append(
                interface(
                    scope,
                    vpc,
                    name,
                    subnet=subnet,
                    public_ip=public_ip,
                    private_ip=host(vpc.subnet(subnet).cidr, 200 + index),
                    groups=group_refs(scope, vpc, lb.security_groups),
                    description=f"ELB app/{lb.name}/{lb_hex}",
                    requester="amazon-elb",
                    attachment={
                        "AttachTime": scope.created("lb", lb.name),
                        "DeleteOnTermination": False,
                        "DeviceIndex": 1,
                        "NetworkCardIndex": 0,
                        "Status": "attached",
                        "AttachmentId": scope.ec2_id("eni-attach", name),
                        "InstanceOwnerId": "amazon-elb",
                    },
                )
            )
        listeners = []
        for listener in lb.listeners:
            listener_arn = _elb_arn(
                scope,
                "listener",
                "app",
                lb.name,
                lb_hex,
                scope.ids.hex(16, lb_arn, str(listener.port)),
            )
            action = _action(listener, tg_arns)
            entry: dict[str, Any] = {
                "ListenerArn": listener_arn,
                "LoadBalancerArn": lb_arn,
                "Port": listener.port,
                "Protocol": listener.protocol,
                "DefaultActions": [action],
            }
            if listener.protocol == "HTTPS":
                entry["SslPolicy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
                entry["Certificates"] = [
                    {
                        "CertificateArn": scope.arn(
                            "acm", f"certificate/{scope.ids.uuid(scope.account_id, lb.name)}"
                        )
                    }
                ]
            listeners.append(entry)
            rule_arn = (
                listener_arn.replace(":listener/", ":listener-rule/")
                + "/"
                + (scope.ids.hex(16, listener_arn, "default"))
            )
            batch.detail(
                "elbv2",
                "describe_load_balancers",
                "describe_rules",
                listener_arn,
                {
                    "Rules": [
                        {
                            "RuleArn": rule_arn,
                            "Priority": "default",
                            "Conditions": [],
                            "Actions": [action],
                            "IsDefault": True,
                        }
                    ]
                },
            )
        batch.detail(
            "elbv2",
            "describe_load_balancers",
            "describe_listeners",
            lb.name,
            {"Listeners": listeners},
        )
        for tg in lb.target_groups:
            groups.append(
                {
                    "TargetGroupArn": tg_arns[tg.name],
                    "TargetGroupName": tg.name,
                    "Protocol": tg.protocol,
                    "Port": tg.port,
                    "VpcId": vpc_id(scope, vpc),
                    "HealthCheckProtocol": tg.protocol,
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckEnabled": True,
                    "HealthCheckIntervalSeconds": 30,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 5,
                    "UnhealthyThresholdCount": 2,
                    "HealthCheckPath": "/health",
                    "Matcher": {"HttpCode": "200"},
                    "LoadBalancerArns": [lb_arn],
                    "TargetType": "instance",
                    "ProtocolVersion": "HTTP1",
                    "IpAddressType": "ipv4",
                }
            )
            health = [
                {
                    "Target": {
                        "Id": instance_id(scope, t),
                        "Port": tg.port,
                        "AvailabilityZone": scope.region
                        + vpc.subnet(_instance_subnet(vpc, t)).zone,
                    },
                    "HealthCheckPort": str(tg.port),
                    "TargetHealth": {"State": "healthy"},
                }
                for t in tg.targets
                if t in addresses
            ]
            batch.detail(
                "elbv2",
                "describe_target_groups",
                "describe_target_health",
                tg.name,
                {"TargetHealthDescriptions": health},
            )


def _instance_subnet(vpc: Vpc, name: str) -> str:
    return next(i.subnet for i in vpc.instances if i.name == name)


def _action(listener: Listener, tg_arns: dict[str, str]) -> dict[str, Any]:
    if listener.redirect_port is not None:
        return {
            "Type": "redirect",
            "Order": 1,
            "RedirectConfig": {
                "Protocol": "HTTPS",
                "Port": str(listener.redirect_port),
                "Host": "#{host}",
                "Path": "/#{path}",
                "Query": "#{query}",
                "StatusCode": "HTTP_301",
            },
        }
    arn = tg_arns[str(listener.forward_to)]
    return {
        "Type": "forward",
        "Order": 1,
        "TargetGroupArn": arn,
        "ForwardConfig": {
            "TargetGroups": [{"TargetGroupArn": arn, "Weight": 1}],
            "TargetGroupStickinessConfig": {"Enabled": False},
        },
    }
