"""Lambda functions: execution role, resource policy, function URL, and network placement.

The module is not named "lambda" (a Python keyword); its snapshot client name is.
"""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._ec2_common import ec2_arn
from ingest.aws._shapes import Item, ResourceCalls, account_regions, listed
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

SCOPE = "region"
CLIENT = "lambda"
NOT_FOUND = ("ResourceNotFoundException",)


def collect(ctx: CallContext) -> None:
    functions = ctx.call(CLIENT, "list_functions")
    for function in (functions or {}).get("Functions", []):
        name = function["FunctionName"]
        ctx.call(CLIENT, "get_policy", name, not_configured=NOT_FOUND, FunctionName=name)
        ctx.call(
            CLIENT, "get_function_url_config", name, not_configured=NOT_FOUND, FunctionName=name
        )


def _function(snapshot: Snapshot, out: AccountRecords, function: Item) -> None:
    name = function.string("FunctionName")
    calls = ResourceCalls(snapshot, out.account_id, out.region, CLIENT, name)
    url = calls.get("get_function_url_config", "function_url")
    vpc = function.child("VpcConfig")
    role_arn = function.optional_string("Role")
    ref = out.owned(
        "LambdaFunction",
        function.string("FunctionArn"),
        name=name,
        runtime=function.optional_string("Runtime"),
        package_type=function.optional_string("PackageType"),
        role_arn=role_arn,
        vpc_id=vpc.optional_string("VpcId") or None,
        function_url=url.optional_string("FunctionUrl") if url else None,
        function_url_auth_type=url.optional_string("AuthType") if url else None,
        policy=calls.policy("get_policy", "Policy"),
        unknown=calls.unknown,
    )
    if role_arn:
        out.rel("HAS_EXECUTION_ROLE", ref, ("Role", role_arn))
    for subnet_id in vpc.strings("SubnetIds"):
        subnet = ec2_arn("Subnet", subnet_id, out.account_id, out.region)
        out.rel("IN", ref, ("Subnet", subnet))
    for group_id in vpc.strings("SecurityGroupIds"):
        group = ec2_arn("SecurityGroup", group_id, out.account_id, out.region)
        out.rel("PROTECTED_BY", ref, ("SecurityGroup", group))


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        for function in listed(snapshot, account_id, region, CLIENT, "list_functions", "Functions"):
            _function(snapshot, out, function)
    return records
