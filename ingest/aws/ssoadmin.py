"""IAM Identity Center: the instance of each account and region, its permission sets, and which
users and groups get them in which accounts.

The organization instance's state carries the organization view: every account a permission
set is assigned in is enrolled (ENROLLS), its workforce signing in through Identity Center;
unknown when a call that says whom a permission set is assigned to went unanswered. An account
instance cannot assign permission sets in accounts, so it enrolls none.

Collection stays bounded by what is provisioned: assignments are listed only for the accounts
each permission set is provisioned to (one call per permission set and account).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    UNKNOWN,
    Answer,
    Enrollment,
    OrgView,
    State,
    add_enrollments,
    add_resource,
    add_state,
    read_call,
    unread_view,
)
from ingest.aws._shapes import Item, account_regions
from ingest.aws.organizations import organization_members
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords, NodeRef
from kg.model.security_services import ORG_CONFIGURED, ORG_NOT_CONFIGURED, ZONE_ADMINISTERED

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


@dataclass(frozen=True)
class PermissionSetRead:
    """One permission set as the snapshot holds it, with its assignments per account."""

    arn: str
    details: Item
    provisioned: Answer
    assignments: dict[str, Answer]  # account id -> list_account_assignments

    @property
    def complete(self) -> bool:
        """Whether every call that says whom it is assigned to was answered."""
        return self.provisioned.item is not None and all(
            answer.item is not None for answer in self.assignments.values()
        )

    def assigned_accounts(self) -> set[str]:
        return {
            assignment.string("AccountId")
            for answer in self.assignments.values()
            for assignment in answer.entries("AccountAssignments")
        }


def _read_permission_sets(
    snapshot: Snapshot, account_id: str, region: str, instance_arn: str
) -> tuple[Answer, list[PermissionSetRead]]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    listed = call("list_permission_sets", instance_arn)
    read = []
    for ps_arn in listed.item.strings("PermissionSets") if listed.item is not None else []:
        described = call("describe_permission_set", ps_arn)
        provisioned = call("list_accounts_for_provisioned_permission_set", ps_arn)
        targets = provisioned.item.strings("AccountIds") if provisioned.item is not None else []
        read.append(
            PermissionSetRead(
                ps_arn,
                (described.item or Item({}, described.call)).child("PermissionSet"),
                provisioned,
                {t: call("list_account_assignments", assignment_key(ps_arn, t)) for t in targets},
            )
        )
    return listed, read


def _add_permission_sets(
    records: GraphRecords,
    read: list[PermissionSetRead],
    account_id: str,
    region: str,
    instance_arn: str,
    state_ref: NodeRef,
) -> None:
    for permission_set in read:
        details = permission_set.details
        ps_ref = add_resource(
            records,
            "PermissionSet",
            state_ref,
            arn=permission_set.arn,
            account_id=account_id,
            region=region,
            name=_name(permission_set),
            instance_arn=instance_arn,
            description=details.optional_string("Description"),
            session_duration=details.optional_string("SessionDuration"),
            relay_state=details.optional_string("RelayState"),
        )
        for assignments in permission_set.assignments.values():
            _assign(records, ps_ref, assignments, account_id)


def _name(permission_set: PermissionSetRead) -> str:
    return permission_set.details.optional_string("Name") or permission_set.arn.rsplit("/", 1)[-1]


def organization_view(
    instance_arn: str, listed: Answer, read: list[PermissionSetRead]
) -> tuple[OrgView, list[Enrollment]]:
    """The instance's organization scope: every account a permission set is assigned in, whose
    workforce signs in through Identity Center. Unknown when any call that says whom a
    permission set is assigned to went unanswered: a member it leaves out could be assigned."""
    if listed.item is None:
        return unread_view(listed.unanswered()), []
    unread = [ps.arn for ps in read if not ps.complete]
    if unread:
        reason = f"the assignments of {len(unread)} permission sets were not read ({unread[0]})"
        return OrgView(UNKNOWN, reason), []
    by_account: dict[str, list[str]] = {}
    for permission_set in read:
        for account in permission_set.assigned_accounts():
            by_account.setdefault(account, []).append(_name(permission_set))
    enrollments = [
        Enrollment(account, True, "permission sets: " + ", ".join(sorted(names)))
        for account, names in sorted(by_account.items())
    ]
    reason = f"{len(by_account)} accounts have permission sets assigned"
    return OrgView(ORG_CONFIGURED, reason, f"instance {instance_arn}", ZONE_ADMINISTERED), (
        enrollments
    )


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
    members = organization_members(snapshot)
    for account_id, region in account_regions(snapshot):
        listed = read_call(snapshot, account_id, region, CLIENT, "list_instances")
        state, props = region_state(listed)
        active = _active(listed)
        instance_arn = active[0].string("InstanceArn") if active else None
        read: list[PermissionSetRead] = []
        if instance_arn is not None:
            listed_sets, read = _read_permission_sets(snapshot, account_id, region, instance_arn)
            view, enrollments = organization_view(instance_arn, listed_sets, read)
        elif listed.item is None:
            view, enrollments = unread_view(state), []
        else:
            view, enrollments = OrgView(ORG_NOT_CONFIGURED, "no Identity Center instance"), []
        state_ref = add_state(
            records,
            "IdentityCenterInstance",
            service="identity-center",
            title="IAM Identity Center",
            account_id=account_id,
            region=region,
            state=state,
            **props,
            **view.props(),
        )
        add_enrollments(records, state_ref, account_id, region, enrollments, members)
        if instance_arn is not None:
            _add_permission_sets(records, read, account_id, region, instance_arn, state_ref)
    return records
