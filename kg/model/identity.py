"""The principals layer: IAM users, groups, roles and the root user, their identity policies,
permissions boundaries, role trust policies and instance profiles; plus the account's password
policy.

Policy documents are stored as `document` (and a role's trust policy as `trust_policy`): JSON
text of the normalized document (an object whose Statement is a list), the shape every policy
node shares, so one evaluator reads identity, resource, SCP and RCP policies alike. `unknown`
names facts whose calls failed or were not collected: a value missing and listed there means
"could not see", one missing and not listed means "not set".

Trust policies are also spelled out as (Role)-[:TRUSTS]->(who) for every principal an Allow
statement names: an account (its id or root ARN), a user or role, a service, a federated
identity provider, or everyone ("*"). Principals named by unique id (deleted principals) or by
a role-session ARN are kept in `trust_policy` only.
"""

from kg.model.schema import NodeSchema, RelSchema

LAYER = "principals"
OWNER = {"account_id": "the account it belongs to"}
IAM_COMMON = {
    "arn": "ARN (the key)",
    "name": "its name",
    "path": "IAM path",
    "create_date": "when it was created",
    **OWNER,
}
UNKNOWN = {"unknown": "facts that could not be read (see the module description)"}
NAME_INDEX = ("name",)  # commands take a user, group or role by its name (kg.analysis.names)
_POLICY_PROPS = {
    "arn": "ARN (the key); inline policies '<owner ARN>/inline/<name>'",
    "name": "the policy name",
    "path": "IAM path (managed policies)",
    "aws_managed": "true for policies AWS provides and maintains",
    "inline": "true for a policy embedded in one user, group or role",
    "document": "the default version's document (managed) or the document (inline), JSON text",
    "policy_id": "ANPA... (managed policies)",
    "default_version_id": "v1, v2, ... (managed policies)",
    "version_count": "how many versions it has, the default included (managed; at most 5)",
    "other_version_documents": "the documents of its other versions, JSON text each (managed)",
    "attachment_count": "how many users, groups and roles it is attached to (managed)",
    "is_attachable": "whether it can be attached (managed)",
    "create_date": "when it was created (managed)",
    "update_date": "when its default version last changed (managed)",
    **UNKNOWN,
}

NODES = (
    NodeSchema(
        label="User",
        key="arn",
        layer=LAYER,
        description="An IAM user: long-term credentials (console password, access keys).",
        extra_labels=("Principal",),
        properties={
            **IAM_COMMON,
            "user_id": "AIDA...",
            "tags": "tags as 'key=value' strings",
            "group_names": "the groups it is a member of, by name",
            "password_enabled": "it has a console password (login profile)",
            "mfa_enabled": "it has at least one MFA device",
            "mfa_devices": "how many MFA devices it has",
            "access_keys_active": "how many of its access keys are active",
            "access_keys": "how many access keys it has, active or not (AWS allows two)",
            **UNKNOWN,
        },
        indexes=NAME_INDEX,
    ),
    NodeSchema(
        label="Group",
        key="arn",
        layer=LAYER,
        description="An IAM group: users who are members get its policies.",
        properties={**IAM_COMMON, "group_id": "AGPA..."},
        indexes=NAME_INDEX,
    ),
    NodeSchema(
        label="Role",
        key="arn",
        layer=LAYER,
        description="An IAM role: assumed by the principals its trust policy allows.",
        extra_labels=("Principal",),
        properties={
            **IAM_COMMON,
            "role_id": "AROA...",
            "trust_policy": "the trust (assume role) policy, JSON text, normalized",
            "service_linked": "true for roles AWS services create and manage",
            "last_used_date": "when it was last assumed (AWS tracks about 400 days)",
            "last_used_region": "the region it was last used in",
            "tags": "tags as 'key=value' strings",
            **UNKNOWN,
        },
        indexes=NAME_INDEX,
    ),
    NodeSchema(
        label="RootUser",
        key="arn",
        layer=LAYER,
        description="The account's root user (arn:aws:iam::ACCOUNT:root), one per account.",
        extra_labels=("Principal",),
        properties={
            "arn": "arn:<partition>:iam::<account>:root",
            "name": "always 'root'",
            **OWNER,
            "mfa_enabled": "the root user has MFA (absent when unknown)",
            "access_keys_present": "the root user has access keys (absent when unknown)",
            "password_present": "the root user has a console password (absent when unknown)",
            "signing_certificates_present": "the root user has signing certificates (absent when "
            "unknown)",
            **UNKNOWN,
        },
    ),
    NodeSchema(
        label="IAMPolicy",
        key="arn",
        layer=LAYER,
        description="An identity policy of the account: customer managed, or inline in one "
        "user, group or role. AWS managed policies carry this label too (AwsManagedPolicy).",
        properties={**_POLICY_PROPS, **OWNER},
    ),
    NodeSchema(
        label="AwsManagedPolicy",
        key="arn",
        layer=LAYER,
        scope="global",
        description="An AWS managed policy (arn:aws:iam::aws:policy/...), shared by every "
        "account that attaches it; also labelled IAMPolicy.",
        extra_labels=("IAMPolicy",),
        properties={
            k: v
            for k, v in _POLICY_PROPS.items()
            if k not in ("inline", "path", "attachment_count")
        },
    ),
    NodeSchema(
        label="InstanceProfile",
        key="arn",
        layer=LAYER,
        description="An instance profile: how an EC2 instance gets a role's credentials.",
        properties={**IAM_COMMON, "instance_profile_id": "AIPA..."},
    ),
    NodeSchema(
        label="FederatedProvider",
        key="name",
        layer=LAYER,
        scope="global",
        description="A federated identity provider a trust policy names: a SAML or OIDC "
        "provider of an account, or a web identity provider (Cognito, Google, ...).",
        properties={
            "name": "the provider's ARN, or its domain for web identity providers",
            "kind": "saml, oidc or web_identity",
            "account_id": "the account that registered it (SAML and OIDC providers)",
        },
    ),
    NodeSchema(
        label="AnyPrincipal",
        key="name",
        layer=LAYER,
        scope="global",
        description='Everyone ("*" in a policy): any AWS principal of any account, unless a '
        "condition narrows it.",
        properties={"name": "always 'everyone'"},
    ),
    NodeSchema(
        label="PasswordPolicy",
        key="account_id",
        layer="account",
        description="The account's IAM password policy for users' console passwords.",
        caption="account_id",
        properties={
            "account_id": "the account (the key)",
            "set": "the account has a password policy (absent when unknown)",
            "unknown_reason": "why it is unknown: the error code, or not collected",
            "minimum_password_length": "minimum length",
            "require_symbols": "requires a symbol",
            "require_numbers": "requires a digit",
            "require_uppercase_characters": "requires an upper-case letter",
            "require_lowercase_characters": "requires a lower-case letter",
            "allow_users_to_change_password": "users may change their own password",
            "expire_passwords": "passwords expire",
            "max_password_age": "days until a password expires",
            "password_reuse_prevention": "how many previous passwords cannot be reused",
            "hard_expiry": "an expired password cannot be changed by its user",
        },
    ),
)

_STATED = {"account_id": "the account whose snapshot stated this"}
_TRUST_PROPS = {
    **_STATED,
    "statement": "index of the trust policy's Allow statement that names the principal",
    "actions": "the statement's actions (sts:AssumeRole, sts:AssumeRoleWithSAML, ...)",
    "not_actions": "the statement's NotAction, when it uses one",
    "condition": "the statement's Condition as JSON text; absent when unconditional",
    "not_principal": "for NotPrincipal statements: the principals excluded, as JSON text",
}


def _rel(
    rel_type: str, source: str, target: str, description: str, layer: str = LAYER
) -> RelSchema:
    return RelSchema(rel_type, source, target, layer, description, properties=_STATED)


RELS = (
    _rel("MEMBER_OF", "User", "Group", "The user is a member of the group."),
    *(
        _rel("ATTACHED_TO", "IAMPolicy", target, f"The policy grants to the {target.lower()}.")
        for target in ("User", "Group", "Role")
    ),
    *(
        _rel(
            "BOUNDS",
            "IAMPolicy",
            target,
            f"The policy is the {target.lower()}'s permissions boundary: it caps what the "
            "identity policies can grant.",
        )
        for target in ("User", "Role")
    ),
    *(
        RelSchema(
            "TRUSTS",
            "Role",
            target,
            LAYER,
            f"The role's trust policy lets {who} assume it (the statement's actions and "
            "condition are on the relationship).",
            properties=_TRUST_PROPS,
            merge_on=("statement",),
        )
        for target, who in (
            ("Account", "principals of the account (whose own policies must allow it too)"),
            ("User", "the user"),
            ("Role", "sessions of the role"),
            ("ServicePrincipal", "the AWS service"),
            ("FederatedProvider", "users of the identity provider"),
            ("AnyPrincipal", "anyone"),
        )
    ),
    _rel("FOR_ROLE", "InstanceProfile", "Role", "The instance profile hands out the role."),
    *(
        _rel("BELONGS_TO", label, "Account", "The account it belongs to.")
        for label in ("User", "Group", "Role", "RootUser", "IAMPolicy", "InstanceProfile")
    ),
    _rel(
        "APPLIES_TO",
        "PasswordPolicy",
        "Account",
        "The password policy governs the account's IAM users.",
        layer="account",
    ),
)
