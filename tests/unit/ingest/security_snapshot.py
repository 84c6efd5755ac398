"""Test support for the security-service modules: AWS-shaped snapshots, and collectors run
against moto or against botocore's Stubber (for APIs moto does not implement)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.stub import Stubber

from ingest.aws.collect import CallContext
from ingest.snapshot import GLOBAL_REGION, Snapshot, SnapshotWriter
from kg.graph.records import GraphRecords

MANAGEMENT = "111111111111"
MEMBER = "222222222222"
MOTO_ACCOUNT = "123456789012"  # the account moto answers as
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"


class SnapshotBuilder:
    """Writes AWS responses and failures into a snapshot folder, then opens it."""

    def __init__(
        self,
        root: Path,
        accounts: dict[str, list[str]] | None = None,
        organization_account_id: str | None = MANAGEMENT,
        source: str = "synthetic",
    ) -> None:
        self.writer = SnapshotWriter(root, source=source)
        self.root = root
        self.organization_account_id = organization_account_id
        for account_id, regions in (accounts or {MANAGEMENT: [REGION]}).items():
            self.writer.set_account(account_id, regions)

    def answer(
        self,
        client: str,
        method: str,
        data: dict[str, Any],
        *,
        key: str | None = None,
        account_id: str = MANAGEMENT,
        region: str = REGION,
    ) -> SnapshotBuilder:
        self.writer.write(account_id, region, client, method, data, key)
        return self

    def fail(
        self,
        client: str,
        method: str,
        *,
        code: str = "AccessDeniedException",
        message: str = "not authorized",
        key: str | None = None,
        account_id: str = MANAGEMENT,
        region: str = REGION,
    ) -> SnapshotBuilder:
        self.writer.record_failure(account_id, region, client, method, code, message, key)
        return self

    def open(self) -> Snapshot:
        self.writer.finish(self.organization_account_id, created_at="2026-11-28T12:00:00Z")
        return Snapshot.open(self.root)


def node(records: GraphRecords, label: str, key: str) -> dict[str, Any]:
    """The one full node of `label` whose key property (id or arn) is `key`."""
    found = [row for row in records.nodes[label] if key in (row.get("id"), row.get("arn"))]
    assert len(found) == 1, f"expected one {label} {key}, found {len(found)}"
    return found[0]


def state(
    records: GraphRecords,
    label: str,
    account_id: str = MANAGEMENT,
    region: str = REGION,
    control: str | None = None,
) -> dict[str, Any]:
    """The control state node of one account and region (control: service id or setting)."""
    rows = [
        row
        for row in records.nodes[label]
        if row["account_id"] == account_id
        and row["region"] == region
        and (control is None or row["id"].endswith(f"|{control}"))
    ]
    assert len(rows) == 1, f"expected one {label} for {account_id} {region}, found {len(rows)}"
    return rows[0]


def rel_ends(
    records: GraphRecords, rel_type: str, source: str, target: str
) -> set[tuple[Any, Any]]:
    return {(row["source"], row["target"]) for row in records.rels[(rel_type, source, target)]}


# Collectors ------------------------------------------------------------------------------------


def moto_context(root: Path, region: str = REGION) -> tuple[CallContext, SnapshotWriter]:
    """A CallContext over a moto-backed session (call inside `mock_aws`)."""
    writer = SnapshotWriter(root, source="aws")
    session = boto3.Session(region_name=region)
    return CallContext(session, MOTO_ACCOUNT, region, writer), writer


class StubbedSession:
    """Hands CallContext botocore clients whose answers a test scripts with Stubber."""

    def __init__(self, region: str) -> None:
        self.region_name = region
        self._session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )
        self.clients: dict[str, Any] = {}
        self.stubbers: dict[str, Stubber] = {}

    def stub(self, client: str) -> Stubber:
        if client not in self.stubbers:
            self.clients[client] = self._session.client(client)
            self.stubbers[client] = Stubber(self.clients[client])
            self.stubbers[client].activate()
        return self.stubbers[client]

    def client(self, name: str, **kwargs: Any) -> Any:
        if name not in self.clients:
            raise AssertionError(f"the collector called {name}, which the test did not stub")
        return self.clients[name]

    def assert_all_answered(self) -> None:
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


def stubbed_context(
    root: Path, account_id: str = MANAGEMENT, region: str = REGION
) -> tuple[CallContext, StubbedSession, SnapshotWriter]:
    writer = SnapshotWriter(root, source="aws")
    session = StubbedSession(region if region != GLOBAL_REGION else REGION)
    ctx = CallContext(session, account_id, region, writer)  # type: ignore[arg-type]
    return ctx, session, writer


def collected(writer: SnapshotWriter, account_id: str, region: str) -> dict[str, Any]:
    """What a collector wrote, as {"client/method" or "client/method/key": response}, plus the
    recorded failures as "client.method:code" under "!failed"."""
    found: dict[str, Any] = {}
    base = writer.root / account_id / region
    for path in sorted(base.rglob("*.json")):
        parts = [unquote(p) for p in path.relative_to(base).with_suffix("").parts]
        found["/".join(parts)] = json.loads(path.read_text())
    found["!failed"] = sorted(f"{f.client}.{f.method}:{f.error_code}" for f in writer.failures)
    return found
