"""Edits to a loaded graph that add a policy layer, shared by the access and paths tests."""

from __future__ import annotations

import json

from kg.graph.driver import Graph


def policy_document(effect: str, action: str) -> str:
    """A one-statement policy: `effect` on `action` for every resource."""
    statement = {"Effect": effect, "Action": action, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def attach_boundary(graph: Graph, role_arn: str, document: str) -> None:
    """Give a role a permissions boundary with this document."""
    graph.write(
        "MATCH (r:Role {arn: $role}) "
        "CREATE (:IAMPolicy {arn: $arn, account_id: r.account_id, document: $document})"
        "-[:BOUNDS]->(r)",
        role=role_arn,
        arn=f"{role_arn}-boundary",
        document=document,
    )


def attach_scp_to_account_of(graph: Graph, role_arn: str, scp_arn: str, document: str) -> None:
    """Attach an SCP with this document to the account the role belongs to."""
    graph.write(
        "MATCH (:Role {arn: $role})-[:BELONGS_TO]->(a:Account) "
        "CREATE (:OrgPolicy {arn: $arn, policy_type: 'SERVICE_CONTROL_POLICY', "
        "document: $document})-[:ATTACHED_TO]->(a)",
        role=role_arn,
        arn=scp_arn,
        document=document,
    )
