"""Derived access facts: what the IAM analysis concludes after every layer of policy has had its
say (identity policies, groups, permissions boundaries, SCPs, RCPs, resource and trust policies).

These relationships are rewritten as a whole by each analysis run (scope "derived"); they are
conclusions, not observations. A `conditional` edge holds only if the listed conditions go the
right way: the analysis could not decide them from what the graph knows.
"""

from kg.model.schema import NodeSchema, RelSchema

LAYER = "principals"
RESOURCE_LABELS = (
    "S3Bucket",
    "KmsKey",
    "Secret",
    "SqsQueue",
    "SnsTopic",
    "LambdaFunction",
    "EcrRepository",
)
# Resources whose ARN has sub-resources below it, and what joins them to it: an S3 bucket's
# objects (bucket/key). Access to those is decided per scope, a pattern of sub-resources
# (docs/access.md).
SUB_RESOURCES = {"S3Bucket": "/"}
ASSUMER_LABELS = (
    "User",
    "Role",
    "RootUser",
    "Account",
    "ServicePrincipal",
    "AnyPrincipal",
    "FederatedProvider",
)
_CONDITIONAL = {
    "conditional": "true when it holds only if the conditions listed go the right way",
    "conditions": "the undecided conditions as JSON text (policy, statement, condition)",
}
_ACCESS_PROPS = {
    "access_levels": "the access levels granted (List, Read, Write, Permissions management, "
    "Tagging)",
    "actions": "the actions granted (the first 50, sorted)",
    "action_count": "how many actions are granted in all",
    "allowed_by": "the identity and resource policy statements that grant it ('policy#Sid', the "
    "first 10)",
    **_CONDITIONAL,
    "scope": "of a bucket's objects, the key patterns some action is granted on (['*']: every "
    "object, ['home/alice/*']: that prefix); absent when none is",
    "scope_detail": "JSON text: per scope, the actions granted there and the patterns a Deny takes "
    "out of it ('excluding'), which the grant does not claim",
}
_ESCALATION_PROPS = {
    "technique": "the privilege escalation technique (see kg.analysis.privesc)",
    "permissions": "the permissions the technique uses",
    "explanation": "how the technique turns the permissions into the target's power",
    "via": "the resource the technique acts on (policy, group, function, instance, role); "
    "'A -> B' when a change to its own policies through A comes first",
    "grants_admin": "the target is admin-equivalent (false: the target escalates further)",
}
_LATENT_PROPS = {
    **_ESCALATION_PROPS,
    "status": "latent (one more change to the estate makes it work), unknown (a fact it "
    "depends on was not collected) or conditional (its permissions hold only if conditions kg "
    "cannot decide do)",
    "reason": "what stops it as deployed, what was not collected, or the condition keys",
}

# No nodes of its own: the analysis writes relationships, and sets `is_admin` (its permissions
# are admin's) and `makes_itself_admin` (it can make them so on its own) on principals.
NODES: tuple[NodeSchema, ...] = ()

RELS = (
    *(
        RelSchema(
            "RUNS_AS",
            source,
            "Role",
            LAYER,
            f"Code on the {noun} runs with the role's credentials.",
            scope="derived",
        )
        for source, noun in (
            ("Ec2Instance", "instance"),
            ("LambdaFunction", "function"),
            ("SageMakerNotebook", "notebook"),
            ("GlueJob", "Glue job"),
            ("EcsTask", "ECS task"),
            ("CloudFormationStack", "stack (its changes)"),
            ("CodeBuildProject", "project (its builds)"),
        )
    ),
    *(
        RelSchema(
            "CAN_ASSUME",
            source,
            "Role",
            LAYER,
            "The source can obtain credentials of the role: the trust policy and the source's "
            "own permissions (with SCPs and boundary) allow sts:AssumeRole or a variant.",
            scope="derived",
            properties={"via": "the action that works (sts:AssumeRole, ...)", **_CONDITIONAL},
        )
        for source in ASSUMER_LABELS
    ),
    *(
        RelSchema(
            "CAN_ACCESS",
            source,
            target,
            "resources",
            "The principal is allowed these actions on the resource (or its objects). From an "
            "external account: what its administrator can do that the resource's policy grants "
            "to that account; from a user or role of an external account: what the policy "
            "grants to it by ARN; from AnyPrincipal: what the policy grants to everyone. A user, "
            "role or account has one only where it is allowed more than everyone is without a "
            "condition.",
            scope="derived",
            properties=_ACCESS_PROPS,
        )
        for source in ("User", "Role", "Account", "AnyPrincipal")
        for target in RESOURCE_LABELS
    ),
    *(
        RelSchema(
            rel_type,
            source,
            target,
            LAYER,
            description,
            scope="derived",
            properties=properties,
            merge_on=("technique", "via"),
        )
        for rel_type, description, properties in (
            (
                "CAN_ESCALATE_TO",
                "The principal can gain the target's permissions with the technique.",
                _ESCALATION_PROPS,
            ),
            (
                "COULD_ESCALATE_TO",
                "The principal has the technique's permissions, but the technique does not "
                "work as deployed (latent), kg could not tell (unknown), or the permissions "
                "hold only under conditions kg cannot decide (conditional); never part of a "
                "chain.",
                _LATENT_PROPS,
            ),
        )
        for source in ("User", "Role")
        for target in ("User", "Role")
    ),
)
