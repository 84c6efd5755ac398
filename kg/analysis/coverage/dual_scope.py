"""Two scopes: what a service's administrator runs for the organization counts for its members.

In the reference architecture a delegated administrator (the management account when there is
none) turns a dual-scope service on for the whole organization, and each member is covered
through it. The service's ingest module writes what that administrator runs onto its state node
in each region (`org_status`, `org_resource`, `org_zone`) and links the state to every member it
enrolls, (state)-[:ENROLLS]->(Account). A member's verdict weighs that organization view with
the member's own state:

- in place when either scope covers the member (the evidence names which), except that a member
  the administrator enrolls in a service the member then runs itself (zone members) but whose
  own state was read as off is partial: the scopes disagree, and a guess either way could lie;
  and a member enrolled in what evaluates recorded resources (Config rules, zone recorded) is
  partial where it records nothing, unknown where its recorder could not be read;
- partial when the organization configuration exists but does not enroll the member, or only
  some of the control's features are on;
- missing when neither scope has it;
- unknown when a scope that could have covered it could not be read: an administrator whose view
  failed never makes a member missing, nor in place.

A service whose policies cover members that run nothing of their own (Firewall Manager, zone
policies) is judged from the organization view alone, region by region (its policies are
regional): in place when the region's policies cover the member and report it compliant, partial
when one reports it non-compliant, missing when none covers it, unknown when its compliance was
not read or the administrator's region was not. Where the state names the service's own
administrator (`admin_account_id`) and it is another account, that account's state is the view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.analysis.coverage.facts import Facts
from kg.analysis.coverage.services import find_state, judge_features, service_admin_account
from kg.analysis.coverage.verdicts import (
    ACCOUNT_SCOPE,
    BOTH_SCOPES,
    IN_PLACE,
    MISSING,
    ORGANIZATION_SCOPE,
    PARTIAL,
    UNKNOWN,
    Observation,
)
from kg.model.security_services import (
    COMPLIANT,
    NON_COMPLIANT,
    ORG_CONFIGURED,
    ZONE_MEMBERS,
    ZONE_ORGANIZATION,
    ZONE_POLICIES,
    ZONE_RECORDED,
)


def organization_view(
    facts: Facts,
    service: str,
    service_principal: str | None,
    account_id: str,
    region: str,
    params: Mapping[str, Any],
    own: str,
) -> Observation | None:
    """What the service's administrator (or the management account, as the control's
    `administrator` says) runs for the organization says about one member and region; None
    when there is no organization scope to weigh (no organization in the graph, the member is
    the administrator itself, or the state carries no organization view). `own` is the status
    of the member's own observation."""
    principal = params.get("administrator_principal") or service_principal
    if params["administrator"] == "management":
        admin = facts.management_account_id
    else:
        admin = service_admin_account(facts, principal)
    if facts.organization_arn is None or admin is None:
        return None
    state = find_state(facts, admin, region, service)
    named = (state or {}).get("admin_account_id")
    if named and named != admin:
        # The service names its own administrator (Firewall Manager's get_admin_account) and
        # only that account sees the policies: its state in the region is the view.
        admin, state = named, find_state(facts, named, region, service)
    if state is None:
        reason = f"administrator {admin}'s view of {region} was not collected"
        if not facts.regions(admin):
            reason = f"administrator {admin} was not collected"
        return Observation(UNKNOWN, "", reason, weighed=True)
    status = state.get("org_status")
    if status is None:
        return None
    at = f"{state['label']} {state['id']}"
    if status == UNKNOWN:
        why = state.get("org_status_reason") or "not observed"
        return Observation(UNKNOWN, at, f"administrator {admin} could not be read: {why}", True)
    if status != ORG_CONFIGURED:
        reason = f"administrator {admin} runs no organization configuration in {region}"
        return Observation(MISSING, at, reason, weighed=True)
    evidence = f"organization: {state.get('org_resource') or state['id']} in administrator {admin}"
    features = params.get("features")
    if state.get("org_zone") == ZONE_ORGANIZATION:
        if features:
            on = state.get(params["features_property"]) or ()
            return _weighed(judge_features(evidence, features, on))
        return Observation(IN_PLACE, evidence, "covers every member account", weighed=True)
    if state.get("org_zone") == ZONE_POLICIES:
        others = sorted(
            set(facts.delegated_admins.get(principal or "", []))
            - {admin, facts.management_account_id}
        )
        seen = _policies(facts, state["id"], account_id, region, evidence)
        if others and seen.status != PARTIAL:
            # Further administrators keep policies of their own, which kg does not read: one of
            # them could cover the member, or find it non-compliant.
            reason = (
                f"{seen.reason}; but administrators {', '.join(others)} may have policies of "
                f"their own, not read"
            )
            return Observation(UNKNOWN, seen.evidence, reason, weighed=True)
        return seen
    if account_id == admin and state.get("org_zone") != ZONE_RECORDED:
        return None  # organization rules and packs report the administrator's own account too
    enrolled = facts.enrollments.get(state["id"], {}).get(account_id)
    if enrolled is None or not enrolled.get("enabled"):
        how = f" ({enrolled.get('relationship')})" if enrolled else ""
        reason = f"configured for the organization, but account {account_id} is not enrolled{how}"
        return Observation(PARTIAL, evidence, reason, weighed=True)
    if features:
        on = enrolled.get("features_on")
        if on is None:
            reason = f"administrator {admin} did not report account {account_id}'s features"
            return Observation(UNKNOWN, evidence, reason, weighed=True)
        seen = judge_features(f"{evidence}, enrolled", features, on)
    else:
        seen = Observation(IN_PLACE, f"{evidence}, enrolled", "enrolled by the administrator")
    if seen.status == IN_PLACE and own == MISSING and state.get("org_zone") == ZONE_MEMBERS:
        reason = f"{seen.reason}, but the account's own state is off: the two scopes disagree"
        return Observation(PARTIAL, seen.evidence, reason, weighed=True)
    if seen.status == IN_PLACE and state.get("org_zone") == ZONE_RECORDED:
        return _recorded(facts, service, account_id, region, seen)
    return _weighed(seen)


def _policies(
    facts: Facts, state_id: str, account_id: str, region: str, evidence: str
) -> Observation:
    """A member by the region's policies that cover it: it runs nothing itself, so no other
    scope counts. The administrator's own and the management account are judged like any
    member: a policy's scope is every account of the organization unless it names fewer."""
    enrolled = facts.enrollments.get(state_id, {}).get(account_id)
    if enrolled is None:
        reason = f"no policy in {region} covers account {account_id}"
        return Observation(MISSING, evidence, reason, weighed=True)
    detail = enrolled.get("relationship") or ""
    status = {COMPLIANT: IN_PLACE, NON_COMPLIANT: PARTIAL}.get(enrolled["compliance"], UNKNOWN)
    scope = None if status == UNKNOWN else ORGANIZATION_SCOPE
    return Observation(status, f"{evidence}, covering", detail, True, scope)


def _recorded(
    facts: Facts, service: str, account_id: str, region: str, seen: Observation
) -> Observation:
    """Deployed rules judge only what the member records: without a recorder they judge
    nothing."""
    member = find_state(facts, account_id, region, service)
    status = member["status"] if member else UNKNOWN
    if status == "enabled":
        return _weighed(seen)
    if status == UNKNOWN:
        why = (member or {}).get("status_reason") or "not collected"
        reason = f"{seen.reason}, but whether account {account_id} records in {region} is unknown"
        return Observation(UNKNOWN, seen.evidence, f"{reason} ({why})", weighed=True)
    reason = (
        f"{seen.reason}, but account {account_id} records nothing in {region}: "
        "rules evaluate only the resources a recorder records"
    )
    return Observation(PARTIAL, seen.evidence, reason, weighed=True)


def _weighed(seen: Observation) -> Observation:
    return Observation(seen.status, seen.evidence, seen.reason, weighed=True)


def weigh(own: Observation, org: Observation | None) -> Observation:
    """A member's verdict from its own observation and the organization's view of it."""
    if org is None:
        return own
    evidence = "; ".join(e for e in (own.evidence, org.evidence) if e)
    reason = f"account: {own.reason}; organization: {org.reason}"
    statuses = {own.status, org.status}
    if own.status == IN_PLACE and org.status == IN_PLACE:
        return Observation(IN_PLACE, evidence, reason, True, BOTH_SCOPES)
    if org.status == IN_PLACE:
        return Observation(IN_PLACE, org.evidence, reason, True, ORGANIZATION_SCOPE)
    if own.status == IN_PLACE:
        return Observation(IN_PLACE, own.evidence, reason, True, ACCOUNT_SCOPE)
    if UNKNOWN in statuses:
        return Observation(UNKNOWN, evidence, reason, weighed=True)
    if PARTIAL in statuses:
        scope = {
            (True, True): BOTH_SCOPES,
            (True, False): ACCOUNT_SCOPE,
            (False, True): ORGANIZATION_SCOPE,
        }[(own.status == PARTIAL, org.status == PARTIAL)]
        return Observation(PARTIAL, evidence, reason, True, scope)
    return Observation(MISSING, evidence, reason, weighed=True)
