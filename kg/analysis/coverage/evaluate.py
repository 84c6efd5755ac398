"""Judge every catalog control for every target it applies to, one evaluator per check kind.

Targets follow the control's scope: the organization for organization controls, every OU and
account for policies inherited down the OU tree, every account (and collected region) for account
and regional controls. Regional service controls with `organization: counts` weigh the member's
own state with what the service's administrator runs for the organization (dual_scope); those
with `organization: only` (Firewall Manager, whose policies are regional) read that alone. A
control listing `satisfied_by` whose own observation is unknown is in place when one of those
controls is in place for the same account or the whole organization, in that region or
everywhere (organization auto-enable covering an uncollected member region), unless the
organization's own view of the member was already weighed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kg.analysis.coverage.dual_scope import organization_view, weigh
from kg.analysis.coverage.facts import GLOBAL, Facts, Target
from kg.analysis.coverage.identity_center import judge_identity_center
from kg.analysis.coverage.org_policies import judge_denies, judge_sets_attribute
from kg.analysis.coverage.properties import (
    judge_exists,
    judge_nodes,
    judge_open_ingress,
    judge_related,
)
from kg.analysis.coverage.root_access import judge_root_credentials
from kg.analysis.coverage.services import (
    find_setting,
    find_state,
    judge_delegated_admin,
    judge_state,
    service_admin_account,
)
from kg.analysis.coverage.trust import judge_untrusted
from kg.analysis.coverage.verdicts import (
    ACCOUNT_SCOPE,
    IN_PLACE,
    MISSING,
    ORGANIZATION_SCOPE,
    PARTIAL,
    UNKNOWN,
    Observation,
    Verdict,
    combine,
)
from kg.catalog import Catalog, Control

Evaluator = Callable[[Control, Catalog, Facts], list[Verdict]]


def organization_target(facts: Facts) -> Target | None:
    if facts.organization_arn is None:
        return None
    roots = (facts.root_arn,) if facts.root_arn else ()
    return Target("Organization", facts.organization_arn, "organization", "Root", roots)


def _verdict(target: Target, control: Control, region: str, seen: Observation) -> Verdict:
    return Verdict(
        target,
        control.id,
        region,
        seen.status,
        seen.evidence,
        seen.reason,
        seen.scope,
        seen.weighed,
    )


PolicyJudge = Callable[[Facts, Target, Mapping[str, Any]], Observation]


def _over_org_tree(judge: PolicyJudge) -> Evaluator:
    """An evaluator of organization policies: the organization alone for policies that must be
    on the root, else every OU and account from the policies on its path."""

    def evaluator(control: Control, catalog: Catalog, facts: Facts) -> list[Verdict]:
        params = control.check.params
        if facts.root_arn is None:
            return []
        if params["attached_at"] == "root":
            org = organization_target(facts)
            return [_verdict(org, control, GLOBAL, judge(facts, org, params))] if org else []
        return [
            _verdict(target, control, GLOBAL, judge(facts, target, params))
            for target in (*facts.ous, *facts.accounts)
        ]

    return evaluator


def _per_region(
    control: Control,
    facts: Facts,
    judge: Callable[[str, str], Observation],
    targets: Iterable[tuple[Target, str]],
) -> list[Verdict]:
    """One verdict per collected region of the account that speaks for each target."""
    verdicts = []
    for target, account_id in targets:
        regions = facts.regions(account_id)
        if not regions:
            unseen = Observation(UNKNOWN, "", f"no region of account {account_id} was collected")
            verdicts.append(_verdict(target, control, GLOBAL, unseen))
        for region in regions:
            verdicts.append(_verdict(target, control, region, judge(account_id, region)))
    return verdicts


def _across_regions(
    facts: Facts, account_id: str, judge: Callable[[str, str], Observation], every: bool
) -> Observation:
    """An account-wide verdict: its global state when it has one, else its regions together."""
    if facts.states.get((account_id, GLOBAL)):
        own = judge(account_id, GLOBAL)
        if own.evidence:
            return own
    regions = facts.regions(account_id)
    if not regions:
        return Observation(UNKNOWN, "", "no region of this account was collected")
    return combine((judge(account_id, region) for region in regions), every=every)


def _service_enabled(control: Control, catalog: Catalog, facts: Facts) -> list[Verdict]:
    params = control.check.params
    service = params["service"]
    every = params.get("regions", "every") == "every"

    def judge(account_id: str, region: str) -> Observation:
        where = f"account {account_id} {region}"
        return judge_state(find_state(facts, account_id, region, service), where, params)

    def judge_both(account_id: str, region: str) -> Observation:
        principal = catalog.service(service).service_principal
        own = judge(account_id, region)
        org = organization_view(facts, service, principal, account_id, region, params, own.status)
        return weigh(own, org)

    def judge_by_organization(account_id: str, region: str) -> Observation:
        """A service members do not run themselves: only its administrator's view counts."""
        principal = catalog.service(service).service_principal
        org = organization_view(facts, service, principal, account_id, region, params, MISSING)
        if org is None:
            return Observation(UNKNOWN, "", "no organization view of the service was collected")
        return org

    if control.scope == "region":
        judged = {"counts": judge_both, "only": judge_by_organization}.get(
            params["organization"], judge
        )
        return _per_region(control, facts, judged, ((a, a.key) for a in facts.accounts))
    if control.scope == "account" and params["organization"] == "only":
        return [
            _verdict(a, control, GLOBAL, judge_by_organization(a.key, GLOBAL))
            for a in facts.accounts
        ]
    if control.scope == "account":
        return [
            _verdict(a, control, GLOBAL, _across_regions(facts, a.key, judge, every))
            for a in facts.accounts
        ]
    org = organization_target(facts)
    admin = service_admin_account(facts, catalog.service(service).service_principal)
    if org is None or admin is None:
        return []
    if not every:
        return [_verdict(org, control, GLOBAL, _across_regions(facts, admin, judge, every))]
    return [
        Verdict(
            org, v.control_id, v.region, v.status, f"administrator {admin}: {v.evidence}", v.reason
        )
        for v in _per_region(control, facts, judge, [(org, admin)])
    ]


def _account_setting_enabled(control: Control, catalog: Catalog, facts: Facts) -> list[Verdict]:
    params = control.check.params
    setting = params["setting"]

    def judge(account_id: str, region: str) -> Observation:
        where = f"account {account_id} {region}"
        return judge_state(find_setting(facts, account_id, region, setting), where, params)

    if control.scope == "region":
        return _per_region(control, facts, judge, ((a, a.key) for a in facts.accounts))
    return [_verdict(a, control, GLOBAL, judge(a.key, GLOBAL)) for a in facts.accounts]


def _delegated_admin_registered(control: Control, catalog: Catalog, facts: Facts) -> list[Verdict]:
    org = organization_target(facts)
    if org is None:
        return []
    seen = judge_delegated_admin(facts, control.check.params["service_principal"])
    return [_verdict(org, control, GLOBAL, seen)]


def _root_credentials_managed(control: Control, catalog: Catalog, facts: Facts) -> list[Verdict]:
    params = control.check.params
    return [
        _verdict(account, control, GLOBAL, seen)
        for account in facts.accounts
        if (seen := judge_root_credentials(facts, account, params)) is not None
    ]


def _identity_center_assigned(control: Control, catalog: Catalog, facts: Facts) -> list[Verdict]:
    judged = judge_identity_center(facts, catalog.service(control.service).service_principal)
    return [_verdict(account, control, GLOBAL, judged[account.key]) for account in facts.accounts]


# The labels a check kind reads besides those its params name.
_KIND_LABELS = {
    "root_credentials_managed": ("Organization", "RootUser"),
    "identity_center_assigned": ("User",),
}

# The kinds judged over a label's nodes; sg_ingress_not_open reads the security group rules.
_NODE_KINDS = (
    "node_property",
    "resource_exists",
    "sg_ingress_not_open",
    "resource_policy_no_untrusted_principals",
)


def _label_of(control: Control) -> str:
    if control.check.kind == "sg_ingress_not_open":
        return "SecurityGroupRule"
    return str(control.check.params["label"])


NodeJudge = Callable[[list[dict[str, Any]], str, Mapping[str, Any]], Observation]


def _by_label(control: Control, facts: Facts) -> list[dict[str, Any]]:
    return facts.nodes.get(_label_of(control), [])


def _by_control(control: Control, facts: Facts) -> list[dict[str, Any]]:
    return facts.related.get(control.id, [])


def _over_nodes(
    judge: NodeJudge,
    source: Callable[[Control, Facts], list[dict[str, Any]]] = _by_label,
) -> Evaluator:
    """An evaluator judging the label's nodes: all of them for the organization, each account's
    own for account (and resource) controls, each collected region's for regional ones."""

    def evaluator(control: Control, catalog: Catalog, facts: Facts) -> list[Verdict]:
        params = control.check.params
        label = _label_of(control)
        nodes = source(control, facts)
        if control.scope == "organization":
            org = organization_target(facts)
            return [_verdict(org, control, GLOBAL, judge(nodes, label, params))] if org else []
        owned: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for node in nodes:
            account_id, region = node.get("account_id") or "", node.get("region") or GLOBAL
            owned.setdefault((account_id, GLOBAL), []).append(node)
            if region != GLOBAL:
                owned.setdefault((account_id, region), []).append(node)
        if control.scope == "region":
            return _per_region(
                control,
                facts,
                lambda account_id, region: judge(
                    owned.get((account_id, region), []), label, params
                ),
                ((a, a.key) for a in facts.accounts),
            )
        return [
            _verdict(a, control, GLOBAL, judge(owned.get((a.key, GLOBAL), []), label, params))
            for a in facts.accounts
        ]

    return evaluator


def _untrusted_principals(control: Control, catalog: Catalog, facts: Facts) -> list[Verdict]:
    members = set(facts.account_ids())

    def judge(nodes: list[dict[str, Any]], label: str, params: Mapping[str, Any]) -> Observation:
        return judge_untrusted(nodes, label, params, members)

    return _over_nodes(judge)(control, catalog, facts)


EVALUATORS: Mapping[str, Evaluator] = {
    "org_policy_denies_actions": _over_org_tree(judge_denies),
    "org_policy_sets_attribute": _over_org_tree(judge_sets_attribute),
    "service_enabled": _service_enabled,
    "account_setting_enabled": _account_setting_enabled,
    "delegated_admin_registered": _delegated_admin_registered,
    "node_property": _over_nodes(judge_nodes),
    "resource_exists": _over_nodes(judge_exists),
    "sg_ingress_not_open": _over_nodes(judge_open_ingress),
    "resource_relationship": _over_nodes(judge_related, _by_control),
    "resource_policy_no_untrusted_principals": _untrusted_principals,
    "root_credentials_managed": _root_credentials_managed,
    "identity_center_assigned": _identity_center_assigned,
}


def labels_needed(catalog: Catalog) -> set[str]:
    """The node labels the controls judged over nodes read."""
    controls = evaluated_controls(catalog)
    kind_labels = {label for c in controls for label in _KIND_LABELS.get(c.check.kind, ())}
    return kind_labels | {_label_of(c) for c in controls if c.check.kind in _NODE_KINDS}


def relationships_needed(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Per resource_relationship control, the params naming the relationship it reads."""
    return {
        c.id: c.check.plain_params()
        for c in evaluated_controls(catalog)
        if c.check.kind == "resource_relationship"
    }


def evaluated_controls(catalog: Catalog) -> list[Control]:
    """The catalog controls whose check kind this engine judges."""
    return [control for control in catalog.controls if control.check.kind in EVALUATORS]


def _satisfied(verdicts: list[Verdict], catalog: Catalog, org_key: str | None) -> list[Verdict]:
    in_place: dict[tuple[str, str, str], Verdict] = {
        (v.control_id, v.target.key, v.region): v for v in verdicts if v.status == IN_PLACE
    }
    result = []
    for verdict in verdicts:
        covering = None
        if verdict.status == UNKNOWN and not verdict.weighed:
            for other in catalog.control(verdict.control_id).satisfied_by:
                for key in (verdict.target.key, org_key):
                    for region in (verdict.region, GLOBAL):
                        covering = covering or in_place.get((other, key or "", region))
        if covering is None:
            result.append(verdict)
            continue
        result.append(
            Verdict(
                verdict.target,
                verdict.control_id,
                verdict.region,
                IN_PLACE,
                f"{covering.control_id} in place: {covering.evidence}",
                f"covered by {covering.control_id} ({verdict.reason})",
                covering.scope,
            )
        )
    return result


_ORG_POLICY_KINDS = ("org_policy_denies_actions", "org_policy_sets_attribute")


def _with_scope(verdict: Verdict, catalog: Catalog) -> Verdict:
    """The scope that put in force what the verdict found, where its evaluator did not weigh
    two: the organization for organization and OU targets and organization policies, else the
    account itself."""
    if verdict.scope is not None or verdict.status not in (IN_PLACE, PARTIAL):
        return verdict
    control = catalog.control(verdict.control_id)
    by_org = verdict.target.kind != "Account" or control.check.kind in _ORG_POLICY_KINDS
    return dataclasses.replace(verdict, scope=ORGANIZATION_SCOPE if by_org else ACCOUNT_SCOPE)


def evaluate(catalog: Catalog, facts: Facts) -> list[Verdict]:
    """Every evaluated control's verdicts, satisfied_by applied."""
    verdicts: list[Verdict] = []
    for control in evaluated_controls(catalog):
        verdicts.extend(EVALUATORS[control.check.kind](control, catalog, facts))
    verdicts = [_with_scope(v, catalog) for v in verdicts]
    org = organization_target(facts)
    return _satisfied(verdicts, catalog, org.key if org else None)
