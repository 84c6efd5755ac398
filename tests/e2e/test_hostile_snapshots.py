"""`kg load` of a hostile snapshot: one line naming the file and field, and the graph untouched.

The demo is loaded once; every hostile snapshot is a copy of it with one thing wrong. Each load
must fail with one line on stderr that names the file (and the field, where there is one), no
traceback, and leave the graph byte for byte as the demo left it. Names that look like Cypher
are not wrong: they load, and are stored as written.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.snapshot import SnapshotWriter
from kg.config import Neo4jSettings
from kg.graph.driver import Graph
from tests.e2e.conftest import KgRunner
from tests.integration.graph_state import DEMO, graph_checksum

pytestmark = pytest.mark.e2e

ACCOUNT = "444455556666"
IAM = f"{ACCOUNT}/global/iam/get_account_authorization_details.json"
GROUPS = f"{ACCOUNT}/us-east-1/ec2/describe_security_groups.json"
CYPHER_NAME = "x'}) DETACH DELETE n //"

Change = Callable[[Path], Any]


def _edit(relative: str, change: Callable[[Any], None]) -> Change:
    """Change one JSON file of the snapshot in place."""

    def edit(root: Path) -> None:
        path = root / relative
        document = json.loads(path.read_text())
        change(document)
        path.write_text(json.dumps(document))

    return edit


def _write(relative: str, content: str | bytes = "{}") -> Change:
    def write(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)

    return write


def _manifest(change: Callable[[dict[str, Any]], None]) -> Change:
    return _edit("manifest.json", change)


def _account_twice(manifest: dict[str, Any]) -> None:
    manifest["accounts"].append({**manifest["accounts"][0], "status": "failed"})


def _failed_with_an_object(manifest: dict[str, Any]) -> None:
    manifest["accounts"][1].update(status="failed", error={"Code": "AccessDenied"})


def _role(change: Callable[[dict[str, Any]], None]) -> Change:
    return _edit(IAM, lambda details: change(details["RoleDetailList"][4]))


def _response_folder(root: Path) -> None:
    (root / GROUPS).unlink()
    (root / GROUPS).mkdir()


def _link_outside(root: Path) -> None:
    outside = root.parent / "outside.json"
    shutil.move(root / GROUPS, outside)
    (root / GROUPS).symlink_to(outside)


def _unreadable(root: Path) -> None:
    (root / GROUPS).chmod(0)


def _empty(root: Path) -> None:
    shutil.rmtree(root)
    root.mkdir()


def _a_file(root: Path) -> None:
    shutil.rmtree(root)
    root.write_text("{}")


STRICT = ("--strict",)
# pytest.param(change to a copy of the demo, extra arguments, what the one line names, id=...)
CASES = [
    pytest.param(
        _manifest(lambda m: m.update(failures=3)),
        (),
        ("manifest.json: failures should be a list",),
        id="failures-a-number",
    ),
    pytest.param(
        _manifest(lambda m: m["accounts"][2]["regions"].__setitem__(0, 1)),
        (),
        ("manifest.json: accounts[2].regions[0] should be a string",),
        id="regions-hold-numbers",
    ),
    pytest.param(
        _manifest(_failed_with_an_object),
        (),
        ("manifest.json: accounts[1].error should be a string, found an object",),
        id="error-an-object",
    ),
    pytest.param(
        _manifest(_account_twice),
        (),
        ("manifest.json: accounts[7].account_id", "listed twice (also accounts[0].account_id)"),
        id="account-twice",
    ),
    pytest.param(
        _write("manifest.json", "{not json"),
        (),
        ("manifest.json: invalid JSON",),
        id="manifest-not-json",
    ),
    pytest.param(
        lambda root: (root / "manifest.json").unlink(),
        (),
        ("manifest.json: missing required file",),
        id="manifest-missing",
    ),
    pytest.param(_empty, (), ("manifest.json: missing required file",), id="empty-folder"),
    pytest.param(_a_file, (), ("snapshot is a file: pass --account-id",), id="a-file"),
    pytest.param(
        _write(GROUPS, '{"SecurityGroups": ' + "[" * 50_000 + "]" * 50_000 + "}"),
        (),
        (GROUPS, "nested more than 100 levels deep"),
        id="deep-nesting",
    ),
    pytest.param(
        _write(GROUPS, b'{"SecurityGroups": ["\xff"]}'),
        (),
        (GROUPS, "not UTF-8 text"),
        id="not-utf8",
    ),
    pytest.param(
        _response_folder, (), (GROUPS, "a folder where a JSON file belongs"), id="file-a-folder"
    ),
    pytest.param(_link_outside, (), (GROUPS, "a symbolic link"), id="symlink-outside"),
    pytest.param(
        _role(lambda role: role.update(RoleName=7)),
        (),
        (f"{IAM}.RoleDetailList[4]: field 'RoleName' should be a string, found an integer",),
        id="role-name-a-number",
    ),
    pytest.param(
        _edit(GROUPS, lambda d: d["SecurityGroups"][0]["IpPermissions"][0].update(FromPort=2**64)),
        (),
        (f"{GROUPS}.SecurityGroups[0].IpPermissions[0]: field 'FromPort' should be a 64-bit",),
        id="port-beyond-64-bits",
    ),
    pytest.param(
        _write(GROUPS, '{"SecurityGroups": [{"GroupId": "sg-\\ud800"}]}'),
        (),
        (GROUPS, "lone UTF-16 surrogate"),
        id="lone-surrogate",
    ),
    pytest.param(
        _write(f"{ACCOUNT}/us-east-1/ec2/describe_security_group.json"),
        STRICT,
        (f"{ACCOUNT}/us-east-1/ec2/describe_security_group.json (no such AWS call is collected)",),
        id="misnamed-response-file",
    ),
    pytest.param(
        _write(f"{ACCOUNT}/us-east-1/ec3/describe_vpcs.json"),
        STRICT,
        (f"{ACCOUNT}/us-east-1/ec3/describe_vpcs.json (no such AWS call is collected)",),
        id="unknown-client-folder",
    ),
    pytest.param(
        _write("123456789012/us-east-1/ec2/describe_vpcs.json"),
        STRICT,
        ("123456789012/us-east-1/ec2/describe_vpcs.json (account not in manifest.json)",),
        id="account-not-in-manifest",
    ),
    pytest.param(
        _write(f"{ACCOUNT}/ap-south-1/ec2/describe_vpcs.json"),
        STRICT,
        (f"{ACCOUNT}/ap-south-1/ec2/describe_vpcs.json (region not in the account's regions",),
        id="region-not-in-manifest",
    ),
    pytest.param(
        _unreadable,
        (),
        (GROUPS, "cannot read (Permission denied)"),
        id="unreadable",
        marks=pytest.mark.skipif(
            os.geteuid() == 0, reason="running as root, which reads a file whatever its mode says"
        ),
    ),
]


@pytest.fixture(scope="module")
def demo_graph(neo4j_settings: Neo4jSettings, kg: KgRunner) -> Iterator[tuple[Graph, str]]:
    """The demo loaded by `kg load` into an emptied graph, and that graph's checksum."""
    graph = Graph(neo4j_settings)
    graph.write("MATCH (n) DETACH DELETE n")
    result = kg("load", str(DEMO))
    assert result.returncode == 0, result.stderr
    yield graph, graph_checksum(graph)
    graph.close()


@pytest.mark.parametrize(("change", "args", "names"), CASES)
def test_a_hostile_snapshot_fails_in_one_line_and_changes_nothing(
    demo_graph: tuple[Graph, str],
    kg: KgRunner,
    tmp_path: Path,
    change: Change,
    args: tuple[str, ...],
    names: tuple[str, ...],
) -> None:
    graph, checksum = demo_graph
    snapshot = tmp_path / "snapshot"
    shutil.copytree(DEMO, snapshot)
    change(snapshot)
    result = kg("load", str(snapshot), *args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("kg: error: ")
    for name in names:
        assert name in line
    assert graph_checksum(graph) == checksum


def _one_role(root: Path, role_name: str) -> Path:
    """A small snapshot: one account whose IAM holds one role (the demo takes minutes to load)."""
    arn = f"arn:aws:iam::{ACCOUNT}:role/app"
    role = {
        "RoleName": role_name,
        "Arn": arn,
        "Path": "/",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
        "Tags": [{"Key": role_name, "Value": role_name}],
    }
    writer = SnapshotWriter(root, source="synthetic")
    writer.write(ACCOUNT, "global", "iam", "get_account_authorization_details", {
        "RoleDetailList": [role], "UserDetailList": [], "GroupDetailList": [], "Policies": [],
    })  # fmt: skip
    writer.set_account(ACCOUNT, [])
    writer.finish(created_at="2026-01-01T00:00:00Z")
    return root


def test_names_that_look_like_cypher_load_and_are_stored_as_written(
    kg: KgRunner, graph: Graph, tmp_path: Path
) -> None:
    snapshot = _one_role(tmp_path / "snapshot", CYPHER_NAME)
    result = kg("load", str(snapshot), "--strict", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["warnings"] == []
    [role] = graph.read("MATCH (r:Role) RETURN r.name AS name, r.tags AS tags")
    assert role == {"name": CYPHER_NAME, "tags": [f"{CYPHER_NAME}={CYPHER_NAME}"]}


def test_files_nothing_reads_are_warnings_without_strict(kg: KgRunner, tmp_path: Path) -> None:
    snapshot = _one_role(tmp_path / "snapshot", "app")
    stray = f"{ACCOUNT}/global/iam/get_account_authorisation_details.json"
    _write(stray)(snapshot)
    result = kg("load", str(snapshot))
    assert result.returncode == 0, result.stderr
    assert (
        f"warning: snapshot file not read: {stray} (no such AWS call is collected)"
        in result.stderr.splitlines()
    )
