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
    Answer,
    State,
    add_resource,
    add_state,
    read_call,
)
from ingest.aws._shapes import Item, account_regions
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


def _assign(
    records: GraphRecords, permission_set: NodeRef, assignments: Answer, account_id: str
) -> None:
    """(PermissionSet)-[:ASSIGNED_TO]->(Account), one per user or group assigned."""
    for assignment in assignments.entries("AccountAssignments"):
        target = assignment.string("AccountId")
        records.ref("Account", account_id=target)
        records.rel(
            "ASSIGNED_TO",
            permission_set,
            ("Account", target),
            account_id=account_id,
            principal_type=assignment.optional_string("PrincipalType"),
            principal_id=assignment.string("PrincipalId"),
        )


def _permission_sets(
    records: GraphRecords,
    snapshot: Snapshot,
    account_id: str,
    region: str,
    instance_arn: str,
    state_ref: NodeRef,
) -> None:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    listed = call("list_permission_sets", instance_arn)
    for ps_arn in listed.item.strings("PermissionSets") if listed.item is not None else []:
        described = call("describe_permission_set", ps_arn)
        details = (described.item or Item({}, described.call)).child("PermissionSet")
        ps_ref = add_resource(
            records,
            "PermissionSet",
            state_ref,
            arn=ps_arn,
            account_id=account_id,
            region=region,
            name=details.optional_string("Name") or ps_arn.rsplit("/", 1)[-1],
            instance_arn=instance_arn,
            description=details.optional_string("Description"),
            session_duration=details.optional_string("SessionDuration"),
            relay_state=details.optional_string("RelayState"),
        )
        provisioned = call("list_accounts_for_provisioned_permission_set", ps_arn)
        targets = provisioned.item.strings("AccountIds") if provisioned.item is not None else []
        for target in targets:
            assignments = call("list_account_assignments", assignment_key(ps_arn, target))
            _assign(records, ps_ref, assignments, account_id)


def region_state(listed: Answer) -> tuple[State, dict[str, Any]]:
    if listed.item is None:
        return listed.unanswered(), {}
    active = _active(listed)
    props = {
        "instance_arns": sorted(i.string("InstanceArn") for i in active),
        "identity_store_ids": sorted(i.string("IdentityStoreId") for i in active),
    }
    if active:
        return State(ENABLED, f"instance {active[0].string('InstanceArn')} ACTIVE"), props
    return State(DISABLED, "no Identity Center instance"), props


def _active(listed: Answer) -> list[Item]:
    """Instances that are ACTIVE (older answers carry no Status: they predate the field)."""
    return [
        i
        for i in listed.entries("Instances")
        if (i.optional_string("Status") or "ACTIVE") == "ACTIVE"
    ]


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        listed = read_call(snapshot, account_id, region, CLIENT, "list_instances")
        state, props = region_state(listed)
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
        for instance in _active(listed):
            _permission_sets(
                records, snapshot, account_id, region, instance.string("InstanceArn"), state_ref
            )
    return records
