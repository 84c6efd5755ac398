"""AWS Organizations: the organization, its root and OU tree, where every account sits, each
organization policy in use with its document and targets, delegated administrators and trusted
access; plus the organization's IAM root-access features, an IAM call only the management account
(or IAM's delegated administrator) answers, so it is made here, once.

Collected once, from the account that makes the organization-wide calls; the graph is described
in kg/model/organization.py. A listing that failed leaves its facts unknown (named in the parent
node's `unknown`), never empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ingest.aws._control_state import Answer, organization_scope, read_call
from ingest.aws._documents import iam_policy_text, management_policy_text
from ingest.aws._shapes import Item
from ingest.aws.collect import RETRY_CONFIG, CallContext
from ingest.snapshot import GLOBAL_REGION, Snapshot
from kg.errors import CollectError
from kg.graph.records import GraphRecords, NodeRef

SCOPE = "organization"
CLIENT = "organizations"
SCP = "SERVICE_CONTROL_POLICY"
# Policy types written in the IAM policy grammar; the others are management policies.
CONTROL_POLICY_TYPES = (SCP, "RESOURCE_CONTROL_POLICY")
# IAM answers these when the root-access features cannot be on: they are off, not unknown.
ROOT_FEATURES_OFF = (
    "ServiceAccessNotEnabledException",
    "OrganizationNotInAllFeaturesModeException",
)
# The caller is in no organization, or may not list it: kg collects the caller's account alone.
NOT_AN_ORGANIZATION_VIEW = ("AWSOrganizationsNotInUseException", "AccessDeniedException")
TARGET_LABELS = {
    "ROOT": "OrganizationRoot",
    "ORGANIZATIONAL_UNIT": "OrganizationalUnit",
    "ACCOUNT": "Account",
}


def _policy_types(ctx: CallContext, roots: dict[str, Any] | None) -> list[str]:
    """The policy types in use: those enabled on the root, and SCPs always (AWS's FullAWSAccess
    exists in every organization). When the root could not be read, every type boto3 knows."""
    if roots is None:
        model = ctx.client(CLIENT).meta.service_model.operation_model("ListPolicies")
        return list(model.input_shape.members["Filter"].enum)
    enabled = {
        policy_type["Type"]
        for root in roots.get("Roots", [])
        for policy_type in root.get("PolicyTypes", [])
        if policy_type.get("Status") == "ENABLED"
    }
    return sorted(enabled | {SCP})


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "describe_organization")
    ctx.call(CLIENT, "list_accounts")
    roots = ctx.call(CLIENT, "list_roots")
    parents = [root["Id"] for root in (roots or {}).get("Roots", [])]
    while parents:
        parent = parents.pop()
        ctx.call(CLIENT, "list_accounts_for_parent", parent, ParentId=parent)
        units = ctx.call(CLIENT, "list_organizational_units_for_parent", parent, ParentId=parent)
        parents.extend(unit["Id"] for unit in (units or {}).get("OrganizationalUnits", []))
    for policy_type in _policy_types(ctx, roots):
        listed = ctx.call(CLIENT, "list_policies", policy_type, Filter=policy_type)
        for policy in (listed or {}).get("Policies", []):
            ctx.call(CLIENT, "describe_policy", policy["Id"], PolicyId=policy["Id"])
            ctx.call(CLIENT, "list_targets_for_policy", policy["Id"], PolicyId=policy["Id"])
    admins = ctx.call(CLIENT, "list_delegated_administrators")
    for admin in (admins or {}).get("DelegatedAdministrators", []):
        ctx.call(CLIENT, "list_delegated_services_for_account", admin["Id"], AccountId=admin["Id"])
    ctx.call(CLIENT, "list_aws_service_access_for_organization")
    ctx.call("iam", "list_organizations_features", not_configured=ROOT_FEATURES_OFF)


def account_state(account: Item) -> str | None:
    """ACTIVE, SUSPENDED, ...: `State` in current responses, the older `Status` otherwise."""
    return account.optional_string("State") or account.optional_string("Status")


def discover_accounts(session: boto3.Session) -> tuple[str | None, list[str]]:
    """The management account and the ACTIVE accounts of the caller's organization.

    A caller outside any organization, or not allowed to list its accounts, gets no accounts:
    kg then collects the caller's own account alone.
    """
    client = session.client(CLIENT, config=RETRY_CONFIG)
    management: str | None = None
    try:
        management = client.describe_organization()["Organization"].get("MasterAccountId")
        pages = client.get_paginator("list_accounts").paginate()
        accounts = [account for page in pages for account in page.get("Accounts", [])]
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "ClientError"))
        if code in NOT_AN_ORGANIZATION_VIEW:
            return management, []
        raise CollectError(f"cannot list the organization's accounts: {exc}") from None
    except BotoCoreError as exc:
        raise CollectError(f"cannot reach AWS Organizations: {exc}") from None
    active = [a["Id"] for a in accounts if account_state(Item(a, "list_accounts")) == "ACTIVE"]
    return management, sorted(active)


@dataclass
class _Placement:
    """Where an account sits: the root or OU that lists it, and that container's path."""

    container: NodeRef
    path: str


@dataclass
class _OrganizationTransform:
    """The organization-wide facts that one account's part of the snapshot states."""

    snapshot: Snapshot
    account_id: str
    records: GraphRecords = field(default_factory=GraphRecords)
    unknown: list[str] = field(default_factory=list)  # the Organization node's unknown facts
    placements: dict[str, _Placement] = field(default_factory=dict)
    accounts: dict[str, Item] = field(default_factory=dict)

    def call(self, method: str, key: str | None = None, fact: str | None = None) -> Answer:
        """One stored response; when it is missing, `fact` joins the organization's unknowns."""
        answer = read_call(self.snapshot, self.account_id, GLOBAL_REGION, CLIENT, method, key)
        if answer.item is None and fact is not None:
            self.unknown.append(fact)
        return answer

    def node(self, label: str, **props: Any) -> NodeRef:
        self.records.node(label, account_id=self.account_id, **props)
        return (label, props["arn"])

    def rel(self, rel_type: str, source: NodeRef, target: NodeRef, **props: Any) -> None:
        self.records.rel(rel_type, source, target, account_id=self.account_id, **props)

    def run(self) -> GraphRecords:
        described = self.call("describe_organization").item
        org = described.child("Organization") if described is not None else None
        org_ref = ("Organization", org.string("Arn")) if org is not None else None
        for root in self.call("list_roots", fact="roots").entries("Roots"):
            self.tree(root, org_ref)
        for account in self.call("list_accounts", fact="accounts").entries("Accounts"):
            self.accounts[account.string("Id")] = account
        self.member_accounts(org.optional_string("MasterAccountId") if org else None)
        for policy_type in self.snapshot.keys(
            self.account_id, GLOBAL_REGION, CLIENT, "list_policies"
        ):
            for policy in self.call("list_policies", policy_type).entries("Policies"):
                self.policy(policy, policy_type)
        self.unknown += [
            f"policies:{failure.key}"
            for failure in self.snapshot.failures_for(self.account_id)
            if failure.client == CLIENT and failure.method == "list_policies"
        ]
        self.delegated_administrators()
        if org is not None and org_ref is not None:
            self.trusted_services(org_ref)
            self.organization(org)
        return self.records

    def organization(self, org: Item) -> None:
        features = read_call(
            self.snapshot, self.account_id, GLOBAL_REGION, "iam", "list_organizations_features"
        )
        enabled: list[str] | None = None
        if features.item is not None:
            enabled = features.item.strings("EnabledFeatures")
        elif features.failure is None and features.every_call_made:
            enabled = []  # IAM answered that trusted access or all features are off
        else:
            self.unknown.append("iam_organization_features")
        self.node(
            "Organization",
            arn=org.string("Arn"),
            id=org.string("Id"),
            name=org.string("Id"),
            feature_set=org.optional_string("FeatureSet"),
            management_account_id=org.optional_string("MasterAccountId"),
            management_account_email=org.optional_string("MasterAccountEmail"),
            iam_organization_features=None if enabled is None else sorted(enabled),
            unknown=sorted(self.unknown),
        )

    def tree(self, root: Item, organization: NodeRef | None) -> None:
        """The root, every OU below it, and which account sits where."""
        enabled_types = sorted(
            policy_type.string("Type")
            for policy_type in root.children("PolicyTypes")
            if policy_type.optional_string("Status") == "ENABLED"
        )
        stack = [(root, root.string("Name"), organization, True)]
        while stack:
            container, path, parent, is_root = stack.pop()
            container_id = container.string("Id")
            units = self.call("list_organizational_units_for_parent", container_id)
            accounts = self.call("list_accounts_for_parent", container_id)
            extra = {"enabled_policy_types": enabled_types} if is_root else {"path": path}
            ref = self.node(
                "OrganizationRoot" if is_root else "OrganizationalUnit",
                arn=container.string("Arn"),
                id=container_id,
                name=container.string("Name"),
                unknown=[
                    fact
                    for fact, answer in (("child_units", units), ("accounts", accounts))
                    if answer.item is None
                ],
                **extra,
            )
            if parent is not None:
                self.rel("IN", ref, parent)
            for account in accounts.entries("Accounts"):
                self.accounts.setdefault(account.string("Id"), account)
                self.placements[account.string("Id")] = _Placement(ref, path)
            for unit in units.entries("OrganizationalUnits"):
                stack.append((unit, f"{path}/{unit.string('Name')}", ref, False))

    def member_accounts(self, management: str | None) -> None:
        """Full Account nodes: the organization is the authority on its members."""
        for account_id, account in sorted(self.accounts.items()):
            placement = self.placements.get(account_id)
            self.records.node(
                "Account",
                account_id=account_id,
                name=account.optional_string("Name"),
                arn=account.optional_string("Arn"),
                email=account.optional_string("Email"),
                status=account_state(account),
                joined_timestamp=account.optional_string("JoinedTimestamp"),
                is_management=None if management is None else account_id == management,
                external=False,
                ou_path=placement.path if placement else None,
            )
            if placement is not None:
                self.rel("IN", ("Account", account_id), placement.container)

    def policy(self, policy: Item, policy_type: str) -> None:
        policy_id = policy.string("Id")
        described = self.call("describe_policy", policy_id)
        targets = self.call("list_targets_for_policy", policy_id)
        document = None
        if described.item is not None:
            body = described.item.child("Policy")
            read = (
                iam_policy_text if policy_type in CONTROL_POLICY_TYPES else management_policy_text
            )
            document = read(body.data.get("Content"), f"{body.where}.Content")
        unknown = [] if document is not None else ["document"]
        ref = self.node(
            "OrgPolicy",
            arn=policy.string("Arn"),
            id=policy_id,
            name=policy.optional_string("Name"),
            description=policy.optional_string("Description"),
            policy_type=policy.optional_string("Type") or policy_type,
            aws_managed=policy.flag("AwsManaged"),
            document=document,
            unknown=unknown + ([] if targets.item is not None else ["targets"]),
        )
        for target in targets.entries("Targets"):
            kind = target.string("Type")
            key = target.string("TargetId") if kind == "ACCOUNT" else target.string("Arn")
            if kind in TARGET_LABELS:
                self.rel("ATTACHED_TO", ref, (TARGET_LABELS[kind], key))

    def delegated_administrators(self) -> None:
        admins = self.call("list_delegated_administrators", fact="delegated_administrators")
        for admin in admins.entries("DelegatedAdministrators"):
            admin_id = admin.string("Id")
            services = self.call(
                "list_delegated_services_for_account", admin_id, f"delegated_services:{admin_id}"
            )
            self.records.ref("Account", account_id=admin_id, external=False)
            for service in services.entries("DelegatedServices"):
                name = service.string("ServicePrincipal")
                self.records.ref("ServicePrincipal", name=name)
                self.rel(
                    "DELEGATED_ADMIN_FOR",
                    ("Account", admin_id),
                    ("ServicePrincipal", name),
                    delegation_enabled_date=service.optional_string("DelegationEnabledDate"),
                )

    def trusted_services(self, organization: NodeRef) -> None:
        access = self.call("list_aws_service_access_for_organization", fact="trusted_services")
        for service in access.entries("EnabledServicePrincipals"):
            name = service.string("ServicePrincipal")
            self.records.ref("ServicePrincipal", name=name)
            self.rel(
                "TRUSTS_SERVICE",
                organization,
                ("ServicePrincipal", name),
                date_enabled=service.optional_string("DateEnabled"),
            )


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, _ in organization_scope(snapshot):
        records.extend(_OrganizationTransform(snapshot, account_id).run())
    return records


def member_account_ids(snapshot: Snapshot) -> set[str]:
    """Accounts the snapshot's organization lists as members (none without organization data)."""
    members: set[str] = set()
    for account_id, _ in organization_scope(snapshot):
        read = partial(read_call, snapshot, account_id, GLOBAL_REGION, CLIENT)
        listings = [read("list_accounts")]
        listings += [
            read("list_accounts_for_parent", parent)
            for parent in snapshot.keys(
                account_id, GLOBAL_REGION, CLIENT, "list_accounts_for_parent"
            )
        ]
        members.update(a.string("Id") for answer in listings for a in answer.entries("Accounts"))
    return members


def organization_members(snapshot: Snapshot) -> set[str]:
    """The organization's accounts and the snapshot's: any other account is external."""
    return member_account_ids(snapshot) | {a.account_id for a in snapshot.manifest.accounts}


def unit_accounts(snapshot: Snapshot) -> dict[str, frozenset[str] | None]:
    """Each root and OU id, with the accounts in it and in every OU below it (None where part
    of that subtree was not read): what a policy that names an OU applies to."""
    units: dict[str, frozenset[str] | None] = {}
    for account_id, _ in organization_scope(snapshot):
        read = partial(read_call, snapshot, account_id, GLOBAL_REGION, CLIENT)
        for root in read("list_roots").entries("Roots"):
            _below(read, root.string("Id"), units)
    return units


def _below(
    read: Callable[[str, str], Answer], container_id: str, units: dict[str, frozenset[str] | None]
) -> frozenset[str] | None:
    """The accounts under one root or OU, recorded in `units` for it and each OU below it."""
    children = read("list_organizational_units_for_parent", container_id)
    accounts = read("list_accounts_for_parent", container_id)
    inner = [_below(read, u.string("Id"), units) for u in children.entries("OrganizationalUnits")]
    found: frozenset[str] | None = None
    if children.item is not None and accounts.item is not None and None not in inner:
        here = {a.string("Id") for a in accounts.entries("Accounts")}
        found = frozenset(here.union(*(i for i in inner if i is not None)))
    units[container_id] = found
    return found
