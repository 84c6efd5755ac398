"""AWS WAF: the regional web ACLs of each account and region and the load balancers they protect.

Associations are read for Application Load Balancers (the resources the network graph holds);
CloudFront web ACLs and API Gateway, AppSync or Cognito associations are not collected.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    Answer,
    State,
    add_resource,
    add_state,
    read_call,
)
from ingest.aws._shapes import Item, account_regions
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "wafv2"
MAX_WEB_ACLS = 100  # list_web_acls has no paginator; ask for the largest page


def collect(ctx: CallContext) -> None:
    listed = ctx.call(CLIENT, "list_web_acls", Scope="REGIONAL", Limit=MAX_WEB_ACLS)
    for acl in (listed or {}).get("WebACLs", []):
        ctx.call(
            CLIENT,
            "list_resources_for_web_acl",
            acl["Name"],
            WebACLArn=acl["ARN"],
            ResourceType="APPLICATION_LOAD_BALANCER",
        )


WebAclView = tuple[Item, Answer]  # a listed web ACL and its association answer


def _protected(resources: Answer) -> list[str]:
    return resources.item.strings("ResourceArns") if resources.item is not None else []


def region_state(listed: Answer, acls: list[WebAclView]) -> tuple[State, dict[str, Any]]:
    if listed.item is None:
        return listed.unanswered(), {}
    props = {
        "web_acl_names": sorted(acl.string("Name") for acl, _ in acls),
        "protected_resource_arns": sorted(arn for _, res in acls for arn in _protected(res)),
    }
    for acl, resources in acls:
        if protected := _protected(resources):
            reason = f"web ACL {acl.string('Name')} protects {len(protected)} load balancer(s)"
            return State(ENABLED, reason), props
    for _, resources in acls:
        if resources.item is None:
            return resources.unanswered(), props
    if acls:
        return State(DISABLED, "no web ACL is associated with a load balancer"), props
    return State(DISABLED, "no regional web ACL"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        call = partial(read_call, snapshot, account_id, region, CLIENT)
        listed = call("list_web_acls")
        acls = [
            (acl, call("list_resources_for_web_acl", acl.string("Name")))
            for acl in listed.entries("WebACLs")
        ]
        state, props = region_state(listed, acls)
        state_ref = add_state(
            records,
            "WafStatus",
            service="waf",
            title="WAF",
            account_id=account_id,
            region=region,
            state=state,
            **props,
        )
        for acl, resources in acls:
            acl_ref = add_resource(
                records,
                "WebAcl",
                state_ref,
                arn=acl.string("ARN"),
                account_id=account_id,
                region=region,
                name=acl.string("Name"),
                web_acl_id=acl.optional_string("Id"),
                scope="REGIONAL",
                protected_resource_arns=None if resources.item is None else _protected(resources),
            )
            for load_balancer in _protected(resources):
                records.rel(
                    "PROTECTS", acl_ref, ("LoadBalancer", load_balancer), account_id=account_id
                )
    return records
