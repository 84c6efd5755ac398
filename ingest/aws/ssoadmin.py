"""IAM Identity Center: the instance of each account and region, its permission sets, and which
users and groups get them in which accounts.

Collection stays bounded by what is provisioned: assignments are listed only for the accounts
each permission set is provisioned to (one call per permission set and account).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    State,
    add_resource,
    add_state,
    read_call,
    regional_scopes,
)
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords, NodeRef

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "sso-admin"


def assignment_key(permission_set_arn: str, account_id: str) -> str:
    return f"{permission_set_arn}|{account_id}"


def collect(ctx: CallContext) -> None:
    instances = ctx.call(CLIENT, "list_instances")
    for instance in (instances or {}).get("Instances", []):
        instance_arn = instance["InstanceArn"]
        sets = ctx.call(CLIENT, "list_permission_sets", instance_arn, InstanceArn=instance_arn)
        for ps_arn in (sets or {}).get("PermissionSets", []):
            ids = {"InstanceArn": instance_arn, "PermissionSetArn": ps_arn}
            ctx.call(CLIENT, "describe_permission_set", ps_arn, **ids)
            accounts = ctx.call(
                CLIENT, "list_accounts_for_provisioned_permission_set", ps_arn, **ids
            )
            for account_id in (accounts or {}).get("AccountIds", []):
                key = assignment_key(ps_arn, account_id)
                ctx.call(CLIENT, "list_account_assignments", key, AccountId=account_id, **ids)


def _permission_sets(
    records: GraphRecords,
    snapshot: Snapshot,
    account_id: str,
    region: str,
    instance_arn: str,
    state_ref: NodeRef,
) -> None:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    for ps_arn in (call("list_permission_sets", instance_arn).data or {}).get("PermissionSets", []):
        described = (call("describe_permission_set", ps_arn).data or {}).get("PermissionSet") or {}
        ps_ref = add_resource(
            records,
            "PermissionSet",
            state_ref,
            arn=ps_arn,
            account_id=account_id,
            region=region,
            name=described.get("Name") or ps_arn.rsplit("/", 1)[-1],
            instance_arn=instance_arn,
            description=described.get("Description"),
            session_duration=described.get("SessionDuration"),
            relay_state=described.get("RelayState"),
        )
        provisioned = call("list_accounts_for_provisioned_permission_set", ps_arn).data or {}
        for target in provisioned.get("AccountIds", []):
            assignments = call("list_account_assignments", assignment_key(ps_arn, target))
            for assignment in assignments.entries("AccountAssignments"):
                records.ref("Account", account_id=str(assignment["AccountId"]))
                records.rel(
                    "ASSIGNED_TO",
                    ps_ref,
                    ("Account", str(assignment["AccountId"])),
                    account_id=account_id,
                    principal_type=assignment.get("PrincipalType"),
                    principal_id=assignment.get("PrincipalId"),
                )


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in regional_scopes(snapshot):
        listed = read_call(snapshot, account_id, region, CLIENT, "list_instances")
        active = [i for i in listed.entries("Instances") if i.get("Status", "ACTIVE") == "ACTIVE"]
        props: dict[str, Any] = {}
        if listed.data is None:
            state = listed.unanswered()
        else:
            props = {
                "instance_arns": sorted(str(i["InstanceArn"]) for i in active),
                "identity_store_ids": sorted(str(i["IdentityStoreId"]) for i in active),
            }
            state = (
                State(ENABLED, f"instance {active[0]['InstanceArn']} ACTIVE")
                if active
                else State(DISABLED, "no Identity Center instance")
            )
        state_ref = add_state(
            records,
            "IdentityCenterInstance",
            service="identity-center",
            title="IAM Identity Center",
            account_id=account_id,
            region=region,
            state=state,
            **props,
        )
        for instance in active:
            _permission_sets(
                records, snapshot, account_id, region, str(instance["InstanceArn"]), state_ref
            )
    return records
