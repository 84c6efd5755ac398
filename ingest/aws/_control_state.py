"""How the security-service modules read a control's state and write it to the graph.

Every service says "enabled", "disabled" or "unknown" by the same rules, so coverage can read all
of them alike:

- a call that failed (a `failures` entry in the manifest) makes the state unknown, with the error
  code and the call in `status_reason`;
- a call whose "off" answer AWS gives as an error code (Security Hub's InvalidAccessException,
  NoSuchPublicAccessBlockConfiguration, ...) is collected with that code as `not_configured`, so
  the snapshot has no file and no failure. kg's collector (source "aws") and generators ("demo",
  "synthetic") make every call in every account and region they list, so there that means off;
  a hand-made snapshot (source "file") may simply lack the call, so there it means unknown;
- any other call with neither file nor failure was not collected: unknown, never guessed.

State nodes are one per account, region (or "global") and service (or account setting), keyed
"<account>|<region>|<service or setting>", and hang off their account:
(Account)-[:HAS_CONTROL_STATE]->(state).

Dual-scope services also say, on the same node, what the account runs for the organization there
(`org_status` configured, not_configured or unknown, by the same rules; `org_resource`; `org_zone`:
organization when it covers every member, members when it covers those it enrolls, policies
when its policies cover those it enrolls, each by its compliance) and link the
state to each member it enrolls: (state)-[:ENROLLS]->(Account). Coverage weighs that view with
each member's own state (kg.analysis.coverage.dual_scope).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ingest.aws._shapes import Item, partition, response
from ingest.snapshot import GLOBAL_REGION, Failure, Snapshot
from kg.graph.records import GraphRecords, NodeRef
from kg.model.security_services import ORG_NOT_CONFIGURED

HAND_MADE = "file"  # the snapshot source of hand-made snapshots and wrapped IAM exports
Status = Literal["enabled", "disabled", "unknown"]
ENABLED: Status = "enabled"
DISABLED: Status = "disabled"
UNKNOWN: Status = "unknown"


@dataclass(frozen=True)
class State:
    """A control's status and the one-line reason a reader can check it against."""

    status: Status
    reason: str


@dataclass(frozen=True)
class OrgView:
    """What an account runs for the whole organization in one region, as its state says it."""

    status: str  # ORG_CONFIGURED, ORG_NOT_CONFIGURED or unknown
    reason: str
    resource: str | None = None  # the organization-level resource, for evidence
    zone: str | None = None  # a ZONE_* of kg.model.security_services when configured

    def props(self) -> dict[str, Any]:
        return {
            "org_status": self.status,
            "org_status_reason": self.reason,
            "org_resource": self.resource,
            "org_zone": self.zone,
        }


def unread_view(state: State) -> OrgView:
    """The organization view of an account whose own state could not be read."""
    return OrgView(UNKNOWN, state.reason)


def unanswered_view(answer: Answer, absent: State) -> OrgView:
    """The organization view when the call that decides it has no response: unknown when it
    failed or was not made, not configured when AWS's answer was `absent`'s error code."""
    state = answer.unanswered(absent)
    return (
        unread_view(state) if state.status == UNKNOWN else OrgView(ORG_NOT_CONFIGURED, state.reason)
    )


@dataclass(frozen=True)
class Enrollment:
    """A member as the service's administrator lists it."""

    account_id: str
    enabled: bool
    relationship: str  # AWS's relationship status, as it says it (or each covering policy's)
    features_on: list[str] | None = None  # None: the administrator did not report features
    compliance: str | None = None  # the member's compliance, where the administrator judges it


@dataclass(frozen=True)
class Answer:
    """What the snapshot holds for one call: AWS's response, the recorded failure, or neither."""

    call: str
    item: Item | None
    failure: Failure | None
    every_call_made: bool  # the snapshot's maker made every call (see the module docstring)

    def unanswered(self, absent: State | None = None) -> State:
        """The state when there is no response: unknown when the call failed; `absent` when the
        call's "off" answer is an error code (not recorded); otherwise unknown (not collected)."""
        if self.failure is not None:
            return State(UNKNOWN, failure_reason(self.failure))
        if absent is not None and self.every_call_made:
            return absent
        return State(UNKNOWN, f"{self.call} is not in the snapshot")

    def entries(self, field: str) -> list[Item]:
        """The objects of a list field of the response (none when there is no response)."""
        return self.item.children(field) if self.item is not None else []


def failure_reason(failure: Failure) -> str:
    where = f"{failure.client}.{failure.method}"
    if failure.key is not None:
        where += f" ({failure.key})"
    return f"{failure.error_code} on {where}"


def read_call(
    snapshot: Snapshot,
    account_id: str,
    region: str,
    client: str,
    method: str,
    key: str | None = None,
) -> Answer:
    item = response(snapshot, account_id, region, client, method, key)
    failure = (
        None if item is not None else snapshot.failure(account_id, region, client, method, key)
    )
    every_call_made = snapshot.manifest.source != HAND_MADE
    return Answer(f"{client}.{method}", item, failure, every_call_made)


def account_scopes(snapshot: Snapshot) -> Iterator[tuple[str, str]]:
    """Every collected account, with the region name account-wide calls are stored under."""
    for account_id in snapshot.account_ids():
        yield account_id, GLOBAL_REGION


def organization_scope(snapshot: Snapshot) -> Iterator[tuple[str, str]]:
    """The account that made the organization-wide calls, when it was collected."""
    org_account = snapshot.manifest.organization_account_id
    if org_account is not None and org_account in snapshot.account_ids():
        yield org_account, GLOBAL_REGION


def state_id(account_id: str, region: str, control: str) -> str:
    return f"{account_id}|{region}|{control}"


def add_state(
    records: GraphRecords,
    label: str,
    *,
    service: str,
    title: str,
    account_id: str,
    region: str,
    state: State,
    control: str | None = None,
    **props: Any,
) -> NodeRef:
    """One control state node, linked from its account; returns its reference for further rels.

    `control` names the setting when one service has several (AccountSetting); by default the
    service id is the last part of the key.
    """
    node_id = state_id(account_id, region, control or service)
    records.node(
        label,
        id=node_id,
        name=f"{title} {region}",
        service=service,
        account_id=account_id,
        region=region,
        status=state.status,
        status_reason=state.reason,
        **props,
    )
    records.ref("Account", account_id=account_id)
    records.rel(
        "HAS_CONTROL_STATE", ("Account", account_id), (label, node_id), account_id=account_id
    )
    return label, node_id


def add_resource(
    records: GraphRecords,
    label: str,
    state: NodeRef,
    *,
    arn: str,
    account_id: str,
    **props: Any,
) -> NodeRef:
    """A resource a control is made of: included in its region's state, owned by its account."""
    records.node(label, arn=arn, account_id=account_id, **props)
    records.rel("INCLUDES", state, (label, arn), account_id=account_id)
    records.ref("Account", account_id=account_id)
    records.rel("BELONGS_TO", (label, arn), ("Account", account_id), account_id=account_id)
    return label, arn


StateReader = Callable[[Snapshot, str, str], tuple[State, dict[str, Any]]]
EnrollmentReader = Callable[[Snapshot, str, str], list[Enrollment]]


def add_enrollments(
    records: GraphRecords,
    state: NodeRef,
    account_id: str,
    region: str,
    enrollments: Iterable[Enrollment],
    members: Collection[str],
) -> None:
    """(state)-[:ENROLLS]->(Account) for each member the administrator lists; one outside
    `members` (the organization's accounts) is an external account, never a member."""
    for member in enrollments:
        external = member.account_id not in members
        records.ref("Account", account_id=member.account_id, external=external)
        records.rel(
            "ENROLLS",
            state,
            ("Account", member.account_id),
            account_id=account_id,
            region=region,
            enabled=member.enabled,
            relationship=member.relationship,
            features_on=member.features_on,
            compliance=member.compliance,
        )


def state_records(
    snapshot: Snapshot,
    scopes: Iterable[tuple[str, str]],
    label: str,
    *,
    service: str,
    title: str,
    read_state: StateReader,
    read_enrollments: EnrollmentReader | None = None,
    members: Collection[str] = (),
) -> GraphRecords:
    """The transform of a service with one state per scope and no resources of its own (and,
    for dual-scope services, the members each administrator enrolls)."""
    records = GraphRecords()
    for account_id, region in scopes:
        state, props = read_state(snapshot, account_id, region)
        ref = add_state(
            records,
            label,
            service=service,
            title=title,
            account_id=account_id,
            region=region,
            state=state,
            **props,
        )
        if read_enrollments is not None:
            enrolled = read_enrollments(snapshot, account_id, region)
            add_enrollments(records, ref, account_id, region, enrolled, members)
    return records


@dataclass(frozen=True)
class SettingValue:
    """An account setting as AWS reports it, and whether it is the protective value."""

    enabled: bool
    value: str
    managed_by: str | None = None
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountSettingCall:
    """Where one account setting is read from and how its answer is judged."""

    setting: str
    title: str
    service: str
    client: str
    method: str
    read_value: Callable[[Item], SettingValue]
    not_set: State | None = None  # the state when AWS answers "not set" with an error code


def add_account_setting(
    records: GraphRecords,
    snapshot: Snapshot,
    account_id: str,
    region: str,
    spec: AccountSettingCall,
) -> None:
    """One AccountSetting node: enabled when the value protects, keyed by the setting's name."""
    answer = read_call(snapshot, account_id, region, spec.client, spec.method)
    props: dict[str, Any] = {"setting": spec.setting}
    if answer.item is None:
        state = answer.unanswered(spec.not_set)
        if spec.not_set is not None and state == spec.not_set:
            props["value"] = "not set"
    else:
        value = spec.read_value(answer.item)
        props.update(value=value.value, managed_by=value.managed_by, **value.props)
        managed = f" (managed by {value.managed_by})" if value.managed_by else ""
        state = State(ENABLED if value.enabled else DISABLED, f"{value.value}{managed}")
    add_state(
        records,
        "AccountSetting",
        service=spec.service,
        title=spec.title,
        account_id=account_id,
        region=region,
        state=state,
        control=spec.setting,
        **props,
    )


def arn_account(arn: str) -> str:
    """The account id field of an ARN ("" when the ARN has none)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def vpc_arn(account_id: str, region: str, vpc_id: str) -> str:
    """The network graph's key for a VPC: its EC2 ARN."""
    return f"arn:{partition(region)}:ec2:{region}:{account_id}:vpc/{vpc_id}"


def as_json(value: Any) -> str | None:
    """A nested AWS structure as JSON text (Neo4j properties cannot hold maps)."""
    return None if value is None else json.dumps(value, sort_keys=True)
