"""Centralized root access: the organization removes its members' root credentials.

With RootCredentialsManagement enabled in IAM (list_organizations_features, read from the
management account) the management account can delete a member's root password, access keys,
signing certificates and MFA devices, and privileged root tasks go through it instead
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management).
A member is covered through the organization only when the feature is on and its root user has
none of them left (get_account_summary); the feature on but credentials left is partial, naming
them; the feature off is missing. Centralized root access does not apply to the management
account, which gets no verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.analysis.coverage.facts import Facts, Target
from kg.analysis.coverage.verdicts import (
    IN_PLACE,
    MISSING,
    ORGANIZATION_SCOPE,
    PARTIAL,
    UNKNOWN,
    Observation,
)

# RootUser property -> the credential it says is present, for the reason
CREDENTIALS = {
    "password_present": "password",
    "access_keys_present": "access keys",
    "signing_certificates_present": "signing certificates",
    "mfa_enabled": "MFA device",
}


def judge_root_credentials(
    facts: Facts, account: Target, params: Mapping[str, Any]
) -> Observation | None:
    """One member's root credentials against the organization's feature; None for the
    management account."""
    if account.key == facts.management_account_id:
        return None
    feature = params["feature"]
    organization = next(iter(facts.nodes.get("Organization", [])), None)
    roots = [n for n in facts.nodes.get("RootUser", []) if n.get("account_id") == account.key]
    if organization is None:
        return Observation(UNKNOWN, "", "the organization was not collected")
    features = organization.get("iam_organization_features")
    at = f"organization {organization.get('arn')}"
    if features is None:
        return Observation(UNKNOWN, at, "IAM organization features were not read")
    if feature not in features:
        return Observation(MISSING, at, f"{feature} is not enabled for the organization")
    if not roots:
        return Observation(UNKNOWN, at, f"the root user of account {account.key} was not collected")
    root = roots[0]
    evidence = f"{at}: {feature} enabled; root user {root.get('arn')}"
    unread = [name for prop, name in CREDENTIALS.items() if root.get(prop) is None]
    left = [name for prop, name in CREDENTIALS.items() if root.get(prop)]
    if left:
        reason = f"{feature} is enabled, but the root user still has: {', '.join(left)}"
        return Observation(PARTIAL, evidence, reason, scope=ORGANIZATION_SCOPE)
    if unread:
        reason = f"{feature} is enabled; not read whether the root user has: {', '.join(unread)}"
        return Observation(UNKNOWN, evidence, reason)
    reason = f"{feature} is enabled and the root user has no password, keys, certificates or MFA"
    return Observation(IN_PLACE, evidence, reason, scope=ORGANIZATION_SCOPE)
