"""Network controls: Network Firewall, WAF, DNS Firewall, Shield Advanced and Firewall Manager,
and the network objects they protect.

Network Firewall collects against moto; WAF, DNS Firewall, Shield and Firewall Manager against
botocore's Stubber (moto lacks list_resources_for_web_acl, list_firewall_rule_group_associations,
get_subscription_state, and all of Firewall Manager).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from ingest.aws import fms, networkfirewall, route53resolver, shield, wafv2
from ingest.snapshot import GLOBAL_REGION
from tests.unit.ingest.security_snapshot import (
    MANAGEMENT,
    MEMBER,
    MOTO_ACCOUNT,
    OTHER_REGION,
    REGION,
    SnapshotBuilder,
    collected,
    moto_context,
    node,
    rel_ends,
    state,
    stubbed_context,
)

FIREWALL = f"arn:aws:network-firewall:{REGION}:{MANAGEMENT}:firewall/edge"
VPC = f"arn:aws:ec2:{REGION}:{MANAGEMENT}:vpc/vpc-0abc"
ALB = f"arn:aws:elasticloadbalancing:{REGION}:{MANAGEMENT}:loadbalancer/app/web/0123456789abcdef"
ACL = f"arn:aws:wafv2:{REGION}:{MANAGEMENT}:regional/webacl/edge/1111-2222"


# Network Firewall --------------------------------------------------------------------------------


def test_network_firewall_per_vpc_and_its_region_state(tmp_path: Path) -> None:
    detail = {
        "Firewall": {
            "FirewallName": "edge",
            "FirewallArn": FIREWALL,
            "FirewallPolicyArn": "arn:aws:network-firewall:us-east-1:1:firewall-policy/p",
            "VpcId": "vpc-0abc",
            "SubnetMappings": [{"SubnetId": "subnet-b"}, {"SubnetId": "subnet-a"}],
            "DeleteProtection": True,
        },
        "FirewallStatus": {"Status": "READY", "ConfigurationSyncStateSummary": "IN_SYNC"},
    }
    listed = {"Firewalls": [{"FirewallName": "edge", "FirewallArn": FIREWALL}]}
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION, OTHER_REGION]})
        .answer("network-firewall", "list_firewalls", listed)
        .answer("network-firewall", "describe_firewall", detail, key="edge")
        .answer("network-firewall", "list_firewalls", {"Firewalls": []}, region=OTHER_REGION)
        .open()
    )
    records = networkfirewall.transform(snap)
    on = state(records, "NetworkFirewallStatus")
    assert (on["status"], on["vpc_ids"]) == ("enabled", ["vpc-0abc"])
    firewall = node(records, "NetworkFirewall", FIREWALL)
    assert (firewall["subnet_ids"], firewall["firewall_status"]) == (
        ["subnet-a", "subnet-b"],
        "READY",
    )
    assert rel_ends(records, "PROTECTS", "NetworkFirewall", "Vpc") == {(FIREWALL, VPC)}
    off = state(records, "NetworkFirewallStatus", region=OTHER_REGION)
    assert (off["status"], off["status_reason"]) == ("disabled", "no firewall")


def test_network_firewall_collector_against_moto(tmp_path: Path) -> None:
    with mock_aws():
        boto3.client("network-firewall", region_name=REGION).create_firewall(
            FirewallName="edge",
            FirewallPolicyArn=f"arn:aws:network-firewall:{REGION}:{MOTO_ACCOUNT}:firewall-policy/p",
            VpcId="vpc-0abc",
            SubnetMappings=[{"SubnetId": "subnet-1"}],
        )
        ctx, writer = moto_context(tmp_path)
        networkfirewall.collect(ctx)
    files = collected(writer, MOTO_ACCOUNT, REGION)
    assert files["network-firewall/describe_firewall/edge"]["Firewall"]["VpcId"] == "vpc-0abc"
    assert files["!failed"] == []


# WAF ---------------------------------------------------------------------------------------------


def _acls(*names: str) -> dict[str, Any]:
    return {
        "WebACLs": [
            {"Name": n, "Id": f"id-{n}", "ARN": ACL.replace("edge", n), "LockToken": "t"}
            for n in names
        ]
    }


def test_waf_web_acl_protecting_a_load_balancer(tmp_path: Path) -> None:
    regions = [REGION, OTHER_REGION, "ap-south-1"]
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: regions})
        .answer("wafv2", "list_web_acls", _acls("edge", "spare"))
        .answer("wafv2", "list_resources_for_web_acl", {"ResourceArns": [ALB]}, key="edge")
        .answer("wafv2", "list_resources_for_web_acl", {"ResourceArns": []}, key="spare")
        .answer("wafv2", "list_web_acls", _acls("idle"), region=OTHER_REGION)
        .answer(
            "wafv2",
            "list_resources_for_web_acl",
            {"ResourceArns": []},
            key="idle",
            region=OTHER_REGION,
        )
        .answer("wafv2", "list_web_acls", _acls("unseen"), region="ap-south-1")
        .fail("wafv2", "list_resources_for_web_acl", key="unseen", region="ap-south-1")
        .open()
    )
    records = wafv2.transform(snap)
    on = state(records, "WafStatus")
    assert (on["status"], on["status_reason"]) == (
        "enabled",
        "web ACL edge protects 1 load balancer(s)",
    )
    assert on["protected_resource_arns"] == [ALB]
    assert rel_ends(records, "PROTECTS", "WebAcl", "LoadBalancer") == {(ACL, ALB)}
    assert state(records, "WafStatus", region=OTHER_REGION)["status_reason"] == (
        "no web ACL is associated with a load balancer"
    )
    unseen = state(records, "WafStatus", region="ap-south-1")
    assert unseen["status"] == "unknown"
    assert node(records, "WebAcl", ACL.replace("edge", "unseen"))["protected_resource_arns"] is None


def test_waf_collector_asks_each_web_acl_for_its_load_balancers(tmp_path: Path) -> None:
    """Stubber: moto lacks list_resources_for_web_acl."""
    ctx, session, writer = stubbed_context(tmp_path)
    stub = session.stub("wafv2")
    stub.add_response("list_web_acls", _acls("edge"), {"Scope": "REGIONAL", "Limit": 100})
    stub.add_response(
        "list_resources_for_web_acl",
        {"ResourceArns": [ALB]},
        {"WebACLArn": ACL, "ResourceType": "APPLICATION_LOAD_BALANCER"},
    )
    wafv2.collect(ctx)
    session.assert_all_answered()
    assert collected(writer, MANAGEMENT, REGION)["wafv2/list_resources_for_web_acl/edge"] == {
        "ResourceArns": [ALB]
    }


# DNS Firewall ------------------------------------------------------------------------------------


def _association(vpc_id: str, status: str) -> dict[str, Any]:
    return {
        "Id": f"rslvr-frgassoc-{vpc_id}",
        "Arn": f"arn:aws:route53resolver:{REGION}:{MANAGEMENT}:firewall-rule-group-association/"
        f"rslvr-frgassoc-{vpc_id}",
        "FirewallRuleGroupId": "rslvr-frg-1",
        "VpcId": vpc_id,
        "Name": f"dns-{vpc_id}",
        "Priority": 101,
        "MutationProtection": "ENABLED",
        "Status": status,
    }


def test_dns_firewall_protects_vpcs_with_complete_associations(tmp_path: Path) -> None:
    listed = {
        "FirewallRuleGroupAssociations": [
            _association("vpc-0abc", "COMPLETE"),
            _association("vpc-0def", "UPDATING"),
        ]
    }
    snap = (
        SnapshotBuilder(tmp_path)
        .answer("route53resolver", "list_firewall_rule_group_associations", listed)
        .open()
    )
    records = route53resolver.transform(snap)
    dns = state(records, "DnsFirewallStatus")
    assert (dns["status"], dns["vpc_ids"]) == ("enabled", ["vpc-0abc"])
    assert len(records.nodes["DnsFirewallAssociation"]) == 2
    assert rel_ends(records, "PROTECTS", "DnsFirewallAssociation", "Vpc") == {
        (_association("vpc-0abc", "COMPLETE")["Arn"], VPC)
    }


def test_dns_firewall_collector(tmp_path: Path) -> None:
    """Stubber: moto lacks list_firewall_rule_group_associations."""
    ctx, session, writer = stubbed_context(tmp_path)
    session.stub("route53resolver").add_response(
        "list_firewall_rule_group_associations", {"FirewallRuleGroupAssociations": []}
    )
    route53resolver.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, REGION)
    assert files["route53resolver/list_firewall_rule_group_associations"] == {
        "FirewallRuleGroupAssociations": []
    }


# Shield Advanced ---------------------------------------------------------------------------------


def test_shield_subscription_is_account_wide(tmp_path: Path) -> None:
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION], "333333333333": []})
        .answer(
            "shield",
            "get_subscription_state",
            {"SubscriptionState": "ACTIVE"},
            region=GLOBAL_REGION,
        )
        .answer(
            "shield",
            "get_subscription_state",
            {"SubscriptionState": "INACTIVE"},
            account_id=MEMBER,
            region=GLOBAL_REGION,
        )
        .fail("shield", "get_subscription_state", account_id="333333333333", region=GLOBAL_REGION)
        .open()
    )
    records = shield.transform(snap)
    statuses = {
        account: state(records, "ShieldSubscription", account, GLOBAL_REGION)["status"]
        for account in (MANAGEMENT, MEMBER, "333333333333")
    }
    assert statuses == {MANAGEMENT: "enabled", MEMBER: "disabled", "333333333333": "unknown"}


def test_shield_collector(tmp_path: Path) -> None:
    """Stubber: moto lacks get_subscription_state."""
    ctx, session, writer = stubbed_context(tmp_path, region=GLOBAL_REGION)
    session.stub("shield").add_response("get_subscription_state", {"SubscriptionState": "INACTIVE"})
    shield.collect(ctx)
    session.assert_all_answered()
    files = collected(writer, MANAGEMENT, GLOBAL_REGION)
    assert files["shield/get_subscription_state"] == {"SubscriptionState": "INACTIVE"}


# Firewall Manager --------------------------------------------------------------------------------


def test_firewall_manager_administrator_and_policies_in_each_region(tmp_path: Path) -> None:
    policies = {
        "PolicyList": [
            {"PolicyName": "waf-all", "PolicyId": "p1", "SecurityServiceType": "WAFV2"},
            {"PolicyName": "dns", "PolicyId": "p2", "SecurityServiceType": "DNS_FIREWALL"},
        ]
    }
    admin = {"AdminAccount": MANAGEMENT, "RoleStatus": "READY"}
    snap = (
        SnapshotBuilder(tmp_path, {MANAGEMENT: [REGION], MEMBER: [REGION]})
        .answer("fms", "get_admin_account", admin)
        .answer("fms", "list_policies", policies)
        .answer("fms", "get_admin_account", admin, account_id=MEMBER)
        .open()
    )
    records = fms.transform(snap)
    assert len(records.nodes["FirewallManagerAdmin"]) == 2  # per account and region
    manager = state(records, "FirewallManagerAdmin")
    assert (manager["status"], manager["admin_account_id"]) == ("enabled", MANAGEMENT)
    assert manager["policy_types"] == ["DNS_FIREWALL", "WAFV2"]
    member = state(records, "FirewallManagerAdmin", account_id=MEMBER)
    assert (member["status"], member["org_status"]) == ("enabled", "unknown")


def test_firewall_manager_without_administrator_is_disabled(tmp_path: Path) -> None:
    records = fms.transform(SnapshotBuilder(tmp_path).open())
    manager = state(records, "FirewallManagerAdmin")
    assert (manager["status"], manager["status_reason"]) == (
        "disabled",
        "no Firewall Manager administrator",
    )
    hand_made = fms.transform(SnapshotBuilder(tmp_path / "file", source="file").open())
    assert state(hand_made, "FirewallManagerAdmin")["status"] == "unknown"


def test_firewall_manager_collector_lists_policies_only_as_administrator(tmp_path: Path) -> None:
    """Stubber: moto does not implement Firewall Manager."""
    ctx, session, writer = stubbed_context(tmp_path / "admin")
    stub = session.stub("fms")
    stub.add_response("get_admin_account", {"AdminAccount": MANAGEMENT, "RoleStatus": "READY"})
    stub.add_response("list_policies", {"PolicyList": []})
    fms.collect(ctx)
    session.assert_all_answered()
    assert collected(writer, MANAGEMENT, REGION)["fms/list_policies"] == {"PolicyList": []}
    other_ctx, other_session, other_writer = stubbed_context(tmp_path / "other")
    other_session.stub("fms").add_client_error(
        "get_admin_account", "ResourceNotFoundException", "no administrator", 400
    )
    fms.collect(other_ctx)
    other_session.assert_all_answered()
    assert collected(other_writer, MANAGEMENT, REGION) == {"!failed": []}
