"""Nodes every area refers to: accounts (member or external), service principals, the internet."""

from kg.model.schema import NodeSchema, RelSchema

NODES = (
    NodeSchema(
        label="Account",
        key="account_id",
        layer="account",
        scope="global",
        caption_detail="account_id",
        description="An AWS account: a member of the organization, or an external account that a "
        "policy names (external=true).",
        properties={
            "name": "account name from Organizations",
            "arn": "the account's Organizations ARN",
            "email": "root email address",
            "status": "ACTIVE, SUSPENDED, PENDING_CLOSURE",
            "joined_timestamp": "when it joined the organization",
            "is_management": "true for the organization's management account",
            "external": "true when the account is not a member of the loaded organization",
            "collection_status": "ok, failed (facts kept from an earlier load), or not_collected",
            "stale": "true when the last load could not collect this account",
            "ou_path": "where it sits: OU names from the root, e.g. 'Root/Workloads/Prod'",
            "collected_at": "when the snapshot that last collected it was made",
            "collection_error": "why the last collection of this account failed",
        },
        indexes=("name",),
    ),
    NodeSchema(
        label="ServicePrincipal",
        key="name",
        layer="principals",
        scope="global",
        description="An AWS service acting as a principal (ec2.amazonaws.com, ...).",
        properties={"name": "the service principal name"},
    ),
    NodeSchema(
        label="Internet",
        key="name",
        layer="network",
        scope="global",
        description="Anyone on the internet: the start of network attack paths.",
        properties={"name": "always 'internet'"},
    ),
)

RELS: tuple[RelSchema, ...] = ()
