"""Access down to the object prefix over a loaded snapshot: a small account whose users share
AWS's home-directory policy (each reaches only its own folder, a role none), a role reading one
year of logs, a bucket policy denying one folder, and `kg who-can` on an object ARN, a pattern
of objects, a KMS alias ARN and a secret's ARN without its random suffix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.example.builder.buckets import Bucket, render_buckets
from ingest.example.builder.iam import Group, Iam, ManagedPolicy, Role, User, render_iam
from ingest.example.builder.ids import Ids
from ingest.example.builder.policies import account_root, allow, deny, document, trust
from ingest.example.builder.resources import KmsKey, RegionResources, Secret, render_resources
from ingest.example.builder.scope import Scope
from ingest.load import load_snapshot
from ingest.snapshot import GLOBAL_REGION, Snapshot, SnapshotWriter
from kg import queries
from kg.analysis import access
from kg.analysis.who_can import asked_resource, who_can
from kg.graph.driver import Graph
from tests.unit.policy.builders import home_directory

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET_NAME = "amzn-s3-demo-bucket"
BUCKET = f"arn:aws:s3:::{BUCKET_NAME}"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
LOGS_READER = f"arn:aws:iam::{ACCOUNT}:role/logs-reader"
KEY_USER = f"arn:aws:iam::{ACCOUNT}:user/key-user"
ALIAS_USER = f"arn:aws:iam::{ACCOUNT}:user/alias-user"
ALIAS = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/finance"
SECRET_NAME = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/db"

HOME_DIRECTORY = document(*home_directory(BUCKET))
PRIVATE = "home/alice/private/*"


def _write(path: Path) -> None:
    writer = SnapshotWriter(path, source="synthetic")
    ids = Ids("access-scopes")
    top = Scope(writer, ids, ACCOUNT, GLOBAL_REGION)
    home = f"arn:aws:iam::{ACCOUNT}:policy/home-directory"
    in_account = trust({"AWS": account_root(ACCOUNT)})
    render_iam(
        top,
        Iam(
            users=[
                User("alice", groups=("staff",)),
                User("bob", groups=("staff",)),
                User("key-user", inline={"keys": document(allow("kms:Decrypt", "*"))}),
                User("alias-user", inline={"alias": document(allow("kms:Decrypt", ALIAS))}),
            ],
            groups=[Group("staff", managed=(home,))],
            roles=[
                Role("app", in_account, managed=(home,)),
                Role(
                    "logs-reader",
                    in_account,
                    inline={"logs": document(allow("s3:GetObject", f"{BUCKET}/logs/2026/*"))},
                ),
            ],
            policies=[ManagedPolicy("home-directory", HOME_DIRECTORY)],
        ),
    )
    private = deny("s3:GetObject", f"{BUCKET}/{PRIVATE}", sid="Private", principal="*")
    render_buckets(top, [Bucket(BUCKET_NAME, REGION, policy=document(private))])
    render_resources(
        Scope(writer, ids, ACCOUNT, REGION),
        RegionResources(kms_keys=[KmsKey("finance")], secrets=[Secret("prod/db")]),
    )
    writer.set_account(ACCOUNT, [REGION])
    writer.finish(created_at="2026-01-01T00:00:00Z")


@pytest.fixture
def scoped(graph: Graph, tmp_path: Path) -> Graph:
    _write(tmp_path / "snapshot")
    load_snapshot(graph, Snapshot.open(tmp_path / "snapshot"))
    access.derive(graph)
    return graph


def _edge(graph: Graph, principal: str) -> dict[str, Any] | None:
    rows = graph.read(
        "MATCH (:Principal {arn: $principal})-[e:CAN_ACCESS]->(:S3Bucket {arn: $bucket}) "
        "RETURN e.scope AS scope, e.scope_detail AS detail, e.actions AS actions",
        principal=principal,
        bucket=BUCKET,
    )
    return rows[0] if rows else None


def test_each_user_reaches_its_own_home_folder(scoped: Graph) -> None:
    for user, name in ((ALICE, "alice"), (BOB, "bob")):
        edge = _edge(scoped, user)
        assert edge is not None
        assert edge["scope"] == [f"home/{name}", f"home/{name}/*"]
        assert "s3:DeleteObject" in edge["actions"]


def test_the_denied_folder_is_excluded_from_alices_reads_only(scoped: Graph) -> None:
    edge = _edge(scoped, ALICE)
    assert edge is not None
    detail = json.loads(edge["detail"])
    folder = [entry for entry in detail if entry["scope"] == "home/alice/*"]
    excluded = [entry for entry in folder if entry["excluding"]]
    assert [(e["actions"], e["excluding"]) for e in excluded] == [(["s3:GetObject"], [PRIVATE])]
    assert all("s3:GetObject" not in entry["actions"] for entry in folder if not entry["excluding"])
    # Bob's folder is not under the Deny.
    bob = _edge(scoped, BOB)
    assert bob is not None
    assert all(not entry["excluding"] for entry in json.loads(bob["detail"]))


def test_a_role_with_the_home_directory_policy_gets_the_bucket_but_no_objects(
    scoped: Graph,
) -> None:
    edge = _edge(scoped, APP)
    assert edge is not None
    assert edge["scope"] is None
    assert not any(action.endswith("Object") for action in edge["actions"])


def test_a_grant_on_one_year_of_logs_is_that_scope(scoped: Graph) -> None:
    edge = _edge(scoped, LOGS_READER)
    assert edge is not None
    assert edge["scope"] == ["logs/2026/*"]
    assert edge["actions"] == ["s3:GetObject"]


def test_kg_access_rows_carry_the_scope(scoped: Graph) -> None:
    rows = queries.run(scoped, "principal-access", principal=ALICE)
    [row] = [row for row in rows if row["resource"] == BUCKET]
    assert row["scope"] == ["home/alice", "home/alice/*"]
    assert json.loads(row["scope_detail"])


def _who(graph: Graph, action: str, resource: str) -> dict[str, dict[str, Any]]:
    rows = who_can(graph, action, asked_resource(graph, resource))
    return {row["principal"]: row for row in rows}


def test_who_can_read_an_object_asks_the_bucket_about_its_key(scoped: Graph) -> None:
    readers = _who(scoped, "s3:GetObject", f"{BUCKET}/home/alice/notes.txt")
    assert set(readers) == {ALICE}
    assert readers[ALICE]["resource"] == f"{BUCKET}/home/alice/notes.txt"
    assert _who(scoped, "s3:GetObject", f"{BUCKET}/home/alice/private/keys.txt") == {}
    assert set(_who(scoped, "s3:PutObject", f"{BUCKET}/home/alice/private/keys.txt")) == {ALICE}
    assert set(_who(scoped, "s3:GetObject", f"{BUCKET}/logs/2026/01/app.log")) == {LOGS_READER}


def test_who_can_on_a_pattern_of_objects_lists_what_a_deny_takes_out(scoped: Graph) -> None:
    readers = _who(scoped, "s3:GetObject", f"{BUCKET}/home/alice/*")
    assert set(readers) == {ALICE}
    assert readers[ALICE]["excluding"] == [PRIVATE]
    assert _who(scoped, "s3:GetObject", f"{BUCKET}/home/*") == {}


def test_who_can_on_a_kms_alias_arn_is_asked_of_the_key_it_points_at(scoped: Graph) -> None:
    decrypters = _who(scoped, "kms:Decrypt", ALIAS)
    assert KEY_USER in decrypters
    # A grant on the alias ARN governs the alias, not the key.
    assert ALIAS_USER not in decrypters
    [key] = {row["resource"] for row in decrypters.values()}
    assert ":key/" in key


def test_who_can_on_a_secret_arn_without_its_suffix_finds_the_secret(scoped: Graph) -> None:
    asked = asked_resource(scoped, SECRET_NAME)
    assert asked.node is not None
    assert asked.node.startswith(f"{SECRET_NAME}-")
    assert len(asked.node) == len(SECRET_NAME) + 7
