"""The organization and identity layers loaded into a real Neo4j: containment both ways, policies
in force along an account's path, who may assume which role, idempotent reloads, replacement
scoped to the accounts a snapshot covers, stale accounts, and malformed snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.aws import iam, organizations
from ingest.load import load_snapshot
from ingest.snapshot import GLOBAL_REGION, Snapshot
from kg.errors import SnapshotError
from kg.graph.driver import Graph
from kg.graph.writer import GraphWriter
from kg.model import load_schema
from tests.integration.graph_state import graph_state
from tests.unit.ingest.identity_fixtures import (
    ADMIN,
    CI,
    DEPLOY,
    PUBLIC,
    identity_snapshot,
    prod_authorization_details,
)
from tests.unit.ingest.organization_fixtures import (
    EXTERNAL,
    MANAGEMENT,
    ORG_ID,
    PROD,
    SANDBOX,
)

pytestmark = pytest.mark.integration


def _load(graph: Graph, snapshot: Snapshot) -> None:
    """The organization and IAM transforms, written as the loader writes them."""
    records = organizations.transform(snapshot)
    records.extend(iam.transform(snapshot))
    GraphWriter(graph, load_schema()).load(records, covered_accounts=snapshot.account_ids())


def _values(graph: Graph, query: Any, **params: Any) -> list[Any]:
    return sorted(row["value"] for row in graph.read(query, **params))


def test_containment_reads_up_and_down(graph: Graph, tmp_path: Path) -> None:
    _load(graph, identity_snapshot(tmp_path))
    (up,) = graph.read(
        "MATCH path = (:Account {account_id: $prod})-[:IN*]->(:OrganizationRoot)"
        "-[:IN]->(o:Organization) "
        "RETURN [n IN nodes(path) | n.name] AS names, o.id AS org",
        prod=PROD,
    )
    assert up == {"names": ["prod", "Prod", "Workloads", "Root", ORG_ID], "org": ORG_ID}
    below_workloads = _values(
        graph,
        "MATCH (:OrganizationalUnit {name: 'Workloads'})<-[:IN*]-(a:Account) "
        "RETURN a.account_id AS value",
    )
    assert below_workloads == [PROD]
    assert _values(graph, "MATCH (a:Account {is_management: true}) RETURN a.ou_path AS value") == [
        "Root"
    ]


def test_control_policies_in_force_along_an_account_path(graph: Graph, tmp_path: Path) -> None:
    _load(graph, identity_snapshot(tmp_path))
    in_force = (
        "MATCH (:Account {account_id: $account})-[:IN*0..]->(target)"
        "<-[:ATTACHED_TO]-(p:OrgPolicy {policy_type: 'SERVICE_CONTROL_POLICY'}) "
        "RETURN DISTINCT p.name AS value"
    )
    assert _values(graph, in_force, account=SANDBOX) == [
        "FullAWSAccess",
        "deny-leave",
        "sandbox-guard",
    ]
    assert _values(graph, in_force, account=PROD) == [
        "FullAWSAccess",
        "deny-leave",
        "deny-regions",
    ]


def test_who_may_assume_what(graph: Graph, tmp_path: Path) -> None:
    _load(graph, identity_snapshot(tmp_path))
    assert graph.read(
        "MATCH (r:Role)-[t:TRUSTS]->(a:Account {external: true}) "
        "RETURN r.arn AS role, a.account_id AS account, t.condition AS condition"
    ) == [
        {
            "role": DEPLOY,
            "account": EXTERNAL,
            "condition": '{"StringEquals": {"sts:ExternalId": "deploy-42"}}',
        }
    ]
    # A role of the management account may assume prod's deploy role, which is an administrator.
    assert graph.read(
        "MATCH (ci:Role)<-[:TRUSTS]-(target:Role)<-[:ATTACHED_TO]-(p:IAMPolicy) "
        "WHERE ci.account_id <> target.account_id "
        "RETURN ci.arn AS from, target.arn AS to, p.name AS policy ORDER BY policy"
    ) == [
        {"from": CI, "to": DEPLOY, "policy": "AdministratorAccess"},
        {"from": CI, "to": DEPLOY, "policy": "deploy-inline"},
    ]
    assert _values(graph, "MATCH (r:Role)-[:TRUSTS]->(:AnyPrincipal) RETURN r.arn AS value") == [
        PUBLIC
    ]
    # One AWS managed policy node, attached in both accounts, readable as an IAMPolicy.
    assert _values(
        graph,
        "MATCH (p:IAMPolicy:AwsManagedPolicy {arn: $admin})-[:ATTACHED_TO]->(r:Role) "
        "RETURN r.account_id AS value",
        admin=ADMIN,
    ) == [MANAGEMENT, PROD]
    assert _values(
        graph,
        "MATCH (:User {name: 'alice'})-[:MEMBER_OF]->(:Group)<-[:ATTACHED_TO]-(p:IAMPolicy) "
        "RETURN p.name AS value",
    ) == ["ReadOnlyAccess", "dev-inline"]
    assert _values(
        graph, "MATCH (p:Principal {account_id: $prod}) RETURN p.name AS value", prod=PROD
    ) == ["AWSServiceRoleForSupport", "alice", "bob", "deploy", "public", "root", "web-identity"]


def test_loading_the_same_snapshot_twice_changes_nothing_but_last_updated(
    graph: Graph, tmp_path: Path
) -> None:
    snapshot = identity_snapshot(tmp_path)
    _load(graph, snapshot)
    first = graph_state(graph)
    _load(graph, snapshot)
    assert graph_state(graph) == first


def test_a_newer_snapshot_replaces_only_the_accounts_it_covered(
    graph: Graph, tmp_path: Path
) -> None:
    _load(graph, identity_snapshot(tmp_path / "first"))
    roles = "MATCH (r:Role) RETURN r.arn AS value"
    before = _values(graph, roles)
    # A snapshot of the management account alone says nothing about prod's roles.
    _load(graph, identity_snapshot(tmp_path / "management", accounts=(MANAGEMENT,)))
    assert _values(graph, roles) == before
    # prod again, without its public role: that role, its trust edge and "everyone" go.
    _load(graph, identity_snapshot(tmp_path / "newer", without_roles=("public",)))
    assert _values(graph, roles) == sorted(set(before) - {PUBLIC})
    assert graph.read("MATCH (n:AnyPrincipal) RETURN n") == []
    assert _values(graph, "MATCH (r:Role {arn: $ci}) RETURN r.account_id AS value", ci=CI) == [
        MANAGEMENT
    ]


def test_an_account_that_failed_keeps_its_facts_and_is_stale(graph: Graph, tmp_path: Path) -> None:
    load_snapshot(graph, identity_snapshot(tmp_path / "first"))
    load_snapshot(
        graph, identity_snapshot(tmp_path / "failed", accounts=(MANAGEMENT,), failed=(PROD,))
    )
    assert _values(
        graph, "MATCH (u:User {account_id: $prod}) RETURN u.name AS value", prod=PROD
    ) == ["alice", "bob"]
    (prod,) = graph.read(
        "MATCH (a:Account {account_id: $prod}) RETURN a.stale AS stale, a.external AS external",
        prod=PROD,
    )
    assert prod == {"stale": True, "external": False}


def test_a_malformed_snapshot_leaves_the_graph_as_it_was(graph: Graph, tmp_path: Path) -> None:
    load_snapshot(graph, identity_snapshot(tmp_path / "good"))
    before = graph_state(graph)
    bad = identity_snapshot(tmp_path / "bad")
    details = prod_authorization_details()
    details["RoleDetailList"][0]["AssumeRolePolicyDocument"] = "%7B%22Statement"
    path = bad.path(PROD, GLOBAL_REGION, "iam", "get_account_authorization_details")
    path.write_text(json.dumps(details))
    with pytest.raises(SnapshotError, match="AssumeRolePolicyDocument"):
        load_snapshot(graph, bad)
    assert graph_state(graph) == before


def _load_lone_export(graph: Graph, tmp_path: Path) -> None:
    export = tmp_path / "gaad.json"
    export.write_text(json.dumps(prod_authorization_details()))
    folder = iam.snapshot_from_authorization_file(export, PROD, tmp_path / "snapshot")
    load_snapshot(graph, Snapshot.open(folder))


def test_a_lone_export_loads_as_its_account(graph: Graph, tmp_path: Path) -> None:
    _load_lone_export(graph, tmp_path)
    assert _values(
        graph,
        "MATCH (:Account {account_id: $prod})<-[:BELONGS_TO]-(r:Role) RETURN r.name AS value",
        prod=PROD,
    ) == ["AWSServiceRoleForSupport", "deploy", "public", "web-identity"]
    assert _values(
        graph,
        "MATCH (a:Account {account_id: $prod}) RETURN a.collection_status AS value",
        prod=PROD,
    ) == ["ok"]


def test_a_collected_account_without_organization_data_is_not_external(
    graph: Graph, tmp_path: Path
) -> None:
    _load_lone_export(graph, tmp_path)
    assert _values(
        graph, "MATCH (a:Account {account_id: $prod}) RETURN a.external AS value", prod=PROD
    ) == [False]
