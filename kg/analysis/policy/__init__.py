"""IAM policy evaluation: parse policies once, then decide requests the way AWS does.

Typical use by the derive stage::

    ops_policy = Policy.parse(document, policy_id=policy_arn, kind=PolicyKind.IDENTITY)
    full_access = Policy.parse(scp_document, policy_id=scp_arn, kind=PolicyKind.SCP)
    principal = Principal(PrincipalKind.ROLE, "arn:aws:iam::111122223333:role/Ops")
    policies = PolicySet(
        identity=(ops_policy,),
        scps=(OrgLevel("r-ab12", (full_access,)), OrgLevel("111122223333", (full_access,))),
        management_account_id="999988887777",
    )
    decision = evaluate(principal, Request("s3:GetObject", Resource(object_arn)), policies)
    on_bucket = evaluate_actions(
        principal, action_catalog().actions_on(bucket_arn), Resource(bucket_arn), policies
    )

Every decision is ALLOWED, DENIED, IMPLICIT_DENY or CONDITIONAL; a CONDITIONAL one lists the
conditions it depends on, which the caller could not decide from what it knows.
"""

from kg.analysis.policy.catalog import (
    AccessLevel,
    ActionCatalog,
    ActionInfo,
    ActionResource,
    ResourceType,
    action_catalog,
)
from kg.analysis.policy.conditions import ConditionClause, ConditionContext
from kg.analysis.policy.decision import Decision, Outcome, UndecidedCondition
from kg.analysis.policy.document import Effect, load_document, normalize_document
from kg.analysis.policy.errors import PolicyError
from kg.analysis.policy.evaluation import (
    AlikeRequests,
    evaluate,
    evaluate_actions,
    identity_may_allow,
    identity_may_allow_somewhere,
    mentions_action,
)
from kg.analysis.policy.policy import Policy, PolicyKind, Statement, StatementRef
from kg.analysis.policy.principals import Principal, PrincipalKind, iam_principal_kind
from kg.analysis.policy.request import (
    RCP_SERVICES,
    OrgLevel,
    PolicySet,
    Request,
    Resource,
    request_context,
    service_and_region,
)
from kg.analysis.policy.truth import Truth
from kg.analysis.policy.wildcards import Extent, Pattern, Style

__all__ = [
    "RCP_SERVICES",
    "AccessLevel",
    "ActionCatalog",
    "ActionInfo",
    "ActionResource",
    "AlikeRequests",
    "ConditionClause",
    "ConditionContext",
    "Decision",
    "Effect",
    "Extent",
    "OrgLevel",
    "Outcome",
    "Pattern",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "Principal",
    "PrincipalKind",
    "Request",
    "Resource",
    "ResourceType",
    "Statement",
    "StatementRef",
    "Style",
    "Truth",
    "UndecidedCondition",
    "action_catalog",
    "evaluate",
    "evaluate_actions",
    "iam_principal_kind",
    "identity_may_allow",
    "identity_may_allow_somewhere",
    "load_document",
    "mentions_action",
    "normalize_document",
    "request_context",
    "service_and_region",
]
