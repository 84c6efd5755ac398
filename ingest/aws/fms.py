"""AWS Firewall Manager: the organization's administrator and, seen from it, its policies.

Collected in every account and region, like the other regional services. Each account asks who
the administrator is (get_admin_account); ResourceNotFoundException, no administrator set, is
"off", not a failure. Only the administrator sees the policies, so only the account the answer
names lists them, with each policy's scope (get_policy) and per-member compliance
(list_compliance_status). A delegated administrator is one of the member accounts kg assumes a
role in, so its own session reads them; when it was not collected, nothing holds its policies
and coverage says so (unknown), never "no policy". A member refused the question records the
failure like any other (its own state reads unknown); coverage reads the administrator's state.

Firewall Manager policies are regional: a policy protects the resources of the region it lives in
(CloudFront and global WAF policies live in us-east-1). Each region's policies are read in that
region and make that region's state.

That is the organization scope of a member account: members run nothing of their own, the
administrator's policies reach them. The administrator's state in a region carries the
organization view (configured when it has policies there, zone policies) and ENROLLS each account
in scope of at least one of them, with that account's compliance across those policies.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
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
    read_call,
    state_records,
    unanswered_view,
    unread_view,
)
from ingest.aws._shapes import Item, account_regions
from ingest.aws.organizations import member_account_ids, organization_members, unit_accounts
from ingest.snapshot import GLOBAL_REGION, Snapshot
from kg.graph.records import GraphRecords
from kg.model.security_services import (
    COMPLIANT,
    NON_COMPLIANT,
    ORG_CONFIGURED,
    ORG_NOT_CONFIGURED,
    ZONE_POLICIES,
)

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "fms"
NO_ADMINISTRATOR = ("ResourceNotFoundException",)


def collect(ctx: CallContext) -> None:
    admin = ctx.call(CLIENT, "get_admin_account", not_configured=NO_ADMINISTRATOR)
    if (admin or {}).get("AdminAccount") != ctx.account_id:
        return
    policies = ctx.call(CLIENT, "list_policies")
    for policy in (policies or {}).get("PolicyList", []):
        policy_id = policy["PolicyId"]
        ctx.call(CLIENT, "get_policy", policy_id, PolicyId=policy_id)
        ctx.call(CLIENT, "list_compliance_status", policy_id, PolicyId=policy_id)


class ScopeUnknown(Exception):
    """A policy's accounts cannot be told from what was collected."""


def accounts_in_scope(
    include: Mapping[str, list[str]] | None,
    exclude: Mapping[str, list[str]] | None,
    members: Collection[str],
    units: Mapping[str, frozenset[str] | None],
) -> frozenset[str]:
    """The accounts a policy applies to, as Firewall Manager decides: an IncludeMap names them
    (and its ExcludeMap is then not evaluated); without one, every member but those the
    ExcludeMap names. An OU stands for the accounts in it and in every OU below it."""

    def named(scope_map: Mapping[str, list[str]]) -> frozenset[str]:
        accounts = set(scope_map.get("ACCOUNT") or ())
        for unit in scope_map.get("ORG_UNIT") or ():
            below = units.get(unit)
            if below is None:
                raise ScopeUnknown(f"the accounts of organizational unit {unit} were not read")
            accounts |= below
        return frozenset(accounts)

    if include:
        return named(include)
    if not members:
        raise ScopeUnknown("the organization's accounts were not read")
    return frozenset(members) - named(exclude or {})


@dataclass(frozen=True)
class _Covered:
    """One policy's word on one account it covers."""

    policy: str
    compliance: str  # COMPLIANT, NON_COMPLIANT or unknown
    detail: str


def _member_compliance(policy: str, answer: Answer, account_id: str) -> _Covered:
    """The account's compliance with the policy: non-compliant when any evaluation is."""
    if answer.item is None:
        return _Covered(policy, UNKNOWN, f"compliance not read: {answer.unanswered().reason}")
    listed = [
        s
        for s in answer.entries("PolicyComplianceStatusList")
        if s.string("MemberAccount") == account_id
    ]
    results = [r for s in listed for r in s.children("EvaluationResults")]
    if not results:
        return _Covered(policy, UNKNOWN, "no compliance reported for the account")
    violating = [r for r in results if r.optional_string("ComplianceStatus") == NON_COMPLIANT]
    if violating:
        count = sum(r.optional_int("ViolatorCount") or 0 for r in violating)
        return _Covered(policy, NON_COMPLIANT, f"{NON_COMPLIANT} ({count} violators)")
    if all(r.optional_string("ComplianceStatus") == COMPLIANT for r in results):
        return _Covered(policy, COMPLIANT, COMPLIANT)
    return _Covered(policy, UNKNOWN, "compliance status not reported")


@dataclass(frozen=True)
class _Policies:
    """What the administrator's policies say: the organization view and who they cover."""

    view: OrgView
    covered: dict[str, list[_Covered]]  # account id -> each covering policy's word
    props: dict[str, Any]


def _read_policies(
    snapshot: Snapshot, region: str, listed: list[Item], call: Callable[[str, str], Answer]
) -> _Policies:
    # The organization's accounts, the management account included: the Firewall Manager docs
    # scope a policy to all accounts of the organization unless it names fewer, and exclude none.
    members = member_account_ids(snapshot)
    units = unit_accounts(snapshot)
    covered: dict[str, list[_Covered]] = {}
    names = sorted(p.string("PolicyName") for p in listed)
    props = {
        "policy_names": names,
        "policy_types": sorted({p.string("SecurityServiceType") for p in listed}),
    }
    if not listed:
        return _Policies(
            OrgView(ORG_NOT_CONFIGURED, f"the administrator has no policies in {region}"), {}, props
        )
    for summary in listed:
        policy_id, name = summary.string("PolicyId"), summary.string("PolicyName")
        got = call("get_policy", policy_id)
        if got.item is None:
            reason = f"scope of policy {name} not read: {got.unanswered().reason}"
            return _Policies(OrgView(UNKNOWN, reason), {}, props)
        policy = got.item.child("Policy")
        try:
            scope = accounts_in_scope(
                policy.data.get("IncludeMap"), policy.data.get("ExcludeMap"), members, units
            )
        except ScopeUnknown as exc:
            return _Policies(OrgView(UNKNOWN, f"scope of policy {name} unknown: {exc}"), {}, props)
        kind = policy.child("SecurityServicePolicyData").string("Type")
        remediation = "auto remediation" if policy.flag("RemediationEnabled") else "audit only"
        label = f"{name} ({kind}, {remediation})"
        compliance = call("list_compliance_status", policy_id)
        for account_id in sorted(scope):
            covered.setdefault(account_id, []).append(
                _member_compliance(label, compliance, account_id)
            )
    reason = f"{len(listed)} policies in {region} cover {len(covered)} accounts"
    # Policies are regional: the evidence names the region they protect.
    resource = f"Firewall Manager policies {', '.join(names)} ({region})"
    view = OrgView(ORG_CONFIGURED, reason, resource, ZONE_POLICIES)
    return _Policies(view, covered, props)


LEGACY = (
    "Firewall Manager was read through one region's endpoint only, under global (an earlier "
    "collector): each region's policies are unknown until the organization is collected again"
)


def _read_under_global(snapshot: Snapshot) -> bool:
    """The snapshot holds the organization account's Firewall Manager calls under global, as
    the collector wrote them before it read each region: its regions hold no answer, which must
    not read as "no administrator"."""
    org_account = snapshot.manifest.organization_account_id
    if org_account is None:
        return False
    answer = read_call(snapshot, org_account, GLOBAL_REGION, CLIENT, "get_admin_account")
    return answer.item is not None or answer.failure is not None


def _read(snapshot: Snapshot, account_id: str, region: str) -> tuple[State, _Policies]:
    call = partial(read_call, snapshot, account_id, region, CLIENT)
    admin = call("get_admin_account")
    if admin.item is None and admin.failure is None and _read_under_global(snapshot):
        return State(UNKNOWN, LEGACY), _Policies(OrgView(UNKNOWN, LEGACY), {}, {})
    if admin.item is None:
        absent = State(DISABLED, "no Firewall Manager administrator")
        return admin.unanswered(absent), _Policies(unanswered_view(admin, absent), {}, {})
    admin_account = admin.item.optional_string("AdminAccount")
    role_status = admin.item.optional_string("RoleStatus")
    reason = f"administrator {admin_account} role status {role_status}"
    state = State(ENABLED if role_status == "READY" else DISABLED, reason)
    props: dict[str, Any] = {"admin_account_id": admin_account, "role_status": role_status}
    if admin_account != account_id:
        collected = admin_account in snapshot.account_ids()
        where = "read in its own state" if collected else "which was not collected"
        why = f"policies are visible only from administrator {admin_account}, {where}"
        return state, _Policies(OrgView(UNKNOWN, why), {}, props)
    policies = call("list_policies")
    if policies.item is None:
        return state, _Policies(unread_view(policies.unanswered()), {}, props)
    found = _read_policies(snapshot, region, policies.entries("PolicyList"), call)
    return state, _Policies(found.view, found.covered, {**props, **found.props})


def admin_state(snapshot: Snapshot, account_id: str, region: str) -> tuple[State, dict[str, Any]]:
    state, policies = _read(snapshot, account_id, region)
    return state, {**policies.props, **policies.view.props()}


def covered_members(snapshot: Snapshot, account_id: str, region: str) -> list[Enrollment]:
    """Every account in scope of at least one policy, with its compliance across them:
    non-compliant when any covering policy says so, else unknown when any is unread."""
    covered = _read(snapshot, account_id, region)[1].covered
    enrolled = []
    for member, words in sorted(covered.items()):
        statuses = {w.compliance for w in words}
        compliance = next(s for s in (NON_COMPLIANT, UNKNOWN, COMPLIANT) if s in statuses)
        detail = "; ".join(f"policy {w.policy}: {w.detail}" for w in words)
        enrolled.append(Enrollment(member, True, detail, compliance=compliance))
    return enrolled


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "FirewallManagerAdmin",
        service="firewall-manager",
        title="Firewall Manager",
        read_state=admin_state,
        read_enrollments=covered_members,
        members=organization_members(snapshot),
    )
