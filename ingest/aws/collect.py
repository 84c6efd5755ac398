"""Collect a snapshot from live AWS, read-only, across accounts and regions concurrently.

Service modules in this package say what to call (`collect(ctx)`); this module owns how: boto3
sessions (assuming a role into member accounts), botocore's adaptive retry mode so throttling
slows collection down instead of failing it, pagination, and recording every failed call in the
manifest so that "could not see" is never read as "not there".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ingest.aws import service_modules
from ingest.snapshot import GLOBAL_REGION, SnapshotWriter
from kg.errors import CollectError

RETRY_CONFIG = Config(retries={"max_attempts": 10, "mode": "adaptive"}, connect_timeout=10)
READ_ONLY_PREFIXES = ("list_", "get_", "describe_", "batch_get_")


def _merge_pages(pages: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One response from many pages: list values are concatenated, the rest kept from page 1."""
    merged: dict[str, Any] = {}
    for page in pages:
        for key, value in page.items():
            if key == "ResponseMetadata" or key in ("NextToken", "Marker", "nextToken"):
                continue
            if isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key].extend(value)
            elif key not in merged:
                merged[key] = value
    return merged


def _error_code(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return str(error.get("Code", "ClientError")), str(error.get("Message", ""))
    return type(exc).__name__, str(exc).splitlines()[0] if str(exc) else ""


class CallContext:
    """What a service collector sees: one account, one region, and a safe way to call AWS."""

    def __init__(
        self, session: boto3.Session, account_id: str, region: str, writer: SnapshotWriter
    ) -> None:
        self.session = session
        self.account_id = account_id
        self.region = region
        self.writer = writer
        self._clients: dict[str, Any] = {}
        self.calls = 0

    def client(self, name: str) -> Any:
        if name not in self._clients:
            region = None if self.region == GLOBAL_REGION else self.region
            self._clients[name] = self.session.client(
                name, region_name=region or self.session.region_name or "us-east-1",
                config=RETRY_CONFIG,
            )  # fmt: skip
        return self._clients[name]

    def call(
        self,
        client: str,
        method: str,
        key: str | None = None,
        *,
        not_configured: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """Call one read-only AWS API, store its response, and return it (None on error)."""
        if not method.startswith(READ_ONLY_PREFIXES):
            raise ValueError(f"{client}.{method} is not a read-only call")
        api = self.client(client)
        self.calls += 1
        try:
            if api.can_paginate(method):
                response = _merge_pages(api.get_paginator(method).paginate(**kwargs))
            else:
                response = getattr(api, method)(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            code, message = _error_code(exc)
            if code not in not_configured:
                self.writer.record_failure(
                    self.account_id, self.region, client, method, code, message, key
                )
            return None
        self.writer.write(self.account_id, self.region, client, method, response, key)
        return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@dataclass
class CollectPlan:
    """Which accounts and regions to collect, and how to reach each account."""

    regions: list[str]
    accounts: list[str] = field(default_factory=list)
    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    workers: int = 8


@dataclass
class CollectSummary:
    accounts: int
    failed_accounts: list[str]
    calls: int
    failures: int


SessionFactory = Callable[[str], boto3.Session]


def _run_account(
    session_for: SessionFactory,
    account_id: str,
    org_account: str | None,
    plan: CollectPlan,
    writer: SnapshotWriter,
) -> int:
    session = session_for(account_id)
    calls = 0
    for module in service_modules():
        scope = module.SCOPE
        if scope == "organization" and account_id != org_account:
            continue
        regions = plan.regions if scope == "region" else [GLOBAL_REGION]
        for region in regions:
            ctx = CallContext(session, account_id, region, writer)
            module.collect(ctx)
            calls += ctx.calls
    return calls


def collect_accounts(
    session_for: SessionFactory,
    org_account: str | None,
    plan: CollectPlan,
    writer: SnapshotWriter,
    on_account_done: Callable[[str], None] = lambda account_id: None,
) -> CollectSummary:
    """Collect every planned account concurrently; a failing account does not stop the rest."""
    lock = threading.Lock()
    calls = 0
    failed: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, plan.workers)) as pool:
        futures = {
            pool.submit(
                _run_account, session_for, account_id, org_account, plan, writer
            ): account_id
            for account_id in plan.accounts
        }
        for future in as_completed(futures):
            account_id = futures[future]
            try:
                count = future.result()
            except (ClientError, BotoCoreError) as exc:
                code, message = _error_code(exc)
                writer.set_account(account_id, plan.regions, "failed", f"{code}: {message}")
                with lock:
                    failed.append(account_id)
            else:
                writer.set_account(account_id, plan.regions)
                with lock:
                    calls += count
            on_account_done(account_id)
    collected = len(plan.accounts) - len(failed)
    if collected == 0:
        raise CollectError(
            f"nothing was collected: all {len(plan.accounts)} account(s) failed "
            f"({', '.join(sorted(failed)[:3])}...)"
        )
    return CollectSummary(collected, sorted(failed), calls, len(writer.failures))
