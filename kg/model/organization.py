"""The organization and organizational-unit layers: the AWS Organization, its root, the OU tree,
where each account sits, the organization policies attached along the way, delegated
administrators and the services the organization trusts.

These facts come from the organization-wide calls, made once from one account (the management
account or a delegated administrator). Their nodes and relationships carry that account's id, so
a reload that collected the organization again replaces them as a whole. Member accounts are the
core `Account` nodes, written in full here (name, status, where they sit).

Containment reads both ways: (Account)-[:IN]->(OrganizationalUnit)-[:IN*0..]->(OrganizationRoot)
-[:IN]->(Organization) walks up; the same pattern with the arrows reversed walks down.
"""

from kg.model.schema import NodeSchema, RelSchema

ORG_ACCOUNT = {"account_id": "the account that made the organization-wide calls"}
UNKNOWN = {"unknown": "facts whose calls failed (could not see), as short names"}

NODES = (
    NodeSchema(
        label="Organization",
        key="arn",
        layer="organization",
        description="The AWS Organization: its feature set, management account and the IAM "
        "centralized root access features it has switched on.",
        properties={
            "arn": "the organization's ARN",
            "id": "o-...",
            "name": "the organization id (organizations have no name)",
            **ORG_ACCOUNT,
            "feature_set": "ALL or CONSOLIDATED_BILLING (no policies without ALL)",
            "management_account_id": "the management account",
            "management_account_email": "the management account's root email",
            "iam_organization_features": "IAM centralized root access features switched on "
            "(RootCredentialsManagement, RootSessions); absent when unknown",
            **UNKNOWN,
        },
    ),
    NodeSchema(
        label="OrganizationRoot",
        key="arn",
        layer="organization",
        description="The root of the organization: the top of the OU tree, where policies "
        "attached apply to every account.",
        properties={
            "arn": "the root's ARN",
            "id": "r-...",
            "name": "usually 'Root'",
            **ORG_ACCOUNT,
            "enabled_policy_types": "policy types enabled on the root (SERVICE_CONTROL_POLICY, "
            "RESOURCE_CONTROL_POLICY, ...)",
            **UNKNOWN,
        },
    ),
    NodeSchema(
        label="OrganizationalUnit",
        key="arn",
        layer="organizational_unit",
        description="An organizational unit; OUs nest, and policies attached to one apply to "
        "every OU and account below it.",
        properties={
            "arn": "the OU's ARN",
            "id": "ou-...",
            "name": "the OU's name",
            "path": "names from the root down to this OU, e.g. 'Root/Workloads/Prod'",
            **ORG_ACCOUNT,
            **UNKNOWN,
        },
        indexes=("path",),
    ),
    NodeSchema(
        label="OrgPolicy",
        key="arn",
        layer="organization",
        description="An organization policy of any type: service and resource control policies "
        "(IAM policy grammar, bounding what principals and resources in member accounts allow) "
        "and management policies (declarative, S3, tag, backup, ...: @@assign grammar).",
        properties={
            "arn": "the policy's ARN",
            "id": "p-...",
            "name": "the policy's name",
            "description": "its description",
            "policy_type": "SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, "
            "DECLARATIVE_POLICY_EC2, S3_POLICY, TAG_POLICY, BACKUP_POLICY, ...",
            "aws_managed": "true for policies AWS provides (FullAWSAccess, RCPFullAWSAccess)",
            "document": "the policy content as JSON text; control policies normalized "
            "(Statement always a list), management policies as written",
            **ORG_ACCOUNT,
            **UNKNOWN,
        },
        indexes=("policy_type",),
    ),
)


def _rel(
    rel_type: str,
    source: str,
    target: str,
    layer: str,
    description: str,
    **properties: str,
) -> RelSchema:
    return RelSchema(
        rel_type, source, target, layer, description, properties={**ORG_ACCOUNT, **properties}
    )


RELS = (
    _rel("IN", "Account", "OrganizationalUnit", "account", "The account sits in the OU."),
    _rel("IN", "Account", "OrganizationRoot", "account", "The account sits directly in the root."),
    _rel(
        "IN",
        "OrganizationalUnit",
        "OrganizationalUnit",
        "organizational_unit",
        "The OU is nested in its parent OU.",
    ),
    _rel(
        "IN",
        "OrganizationalUnit",
        "OrganizationRoot",
        "organizational_unit",
        "The OU is a top-level OU of the root.",
    ),
    _rel("IN", "OrganizationRoot", "Organization", "organization", "The root of the organization."),
    *(
        _rel(
            "ATTACHED_TO",
            "OrgPolicy",
            target,
            layer,
            f"The policy is attached to the {noun}, so it applies to {scope}.",
        )
        for target, layer, noun, scope in (
            ("OrganizationRoot", "organization", "root", "every account in the organization"),
            ("OrganizationalUnit", "organizational_unit", "OU", "every OU and account below it"),
            ("Account", "account", "account", "that account"),
        )
    ),
    _rel(
        "DELEGATED_ADMIN_FOR",
        "Account",
        "ServicePrincipal",
        "organization",
        "The account is a delegated administrator for the service: it runs the service for "
        "the whole organization.",
        delegation_enabled_date="when the delegation was made",
    ),
    _rel(
        "TRUSTS_SERVICE",
        "Organization",
        "ServicePrincipal",
        "organization",
        "Trusted access: the service may act in every account of the organization.",
        date_enabled="when trusted access was enabled",
    ),
)
