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
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ingest.aws import service_modules
from ingest.snapshot import GLOBAL_REGION, SnapshotWriter
from kg.errors import CollectError

RETRY_CONFIG = Config(retries={"max_attempts": 10, "mode": "adaptive"}, connect_timeout=10)
READ_ONLY_PREFIXES = ("list_", "get_", "describe_", "batch_get_")
# Services whose account-wide ("global") calls are only answered by one region's endpoint.
GLOBAL_ENDPOINT = {"shield": "us-east-1"}
TOKEN_KEYS = ("NextToken", "nextToken", "NextMarker")
MAX_PAGES = 1000


def _merge_pages(pages: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One response from many pages: list values are concatenated, the rest kept from page 1."""
    merged: dict[str, Any] = {}
    for page in pages:
        for key, value in page.items():
            if key == "ResponseMetadata" or key in (*TOKEN_KEYS, "Marker"):
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
            region = GLOBAL_ENDPOINT.get(name) if self.region == GLOBAL_REGION else self.region
            self._clients[name] = self.session.client(
                name, region_name=region or self.session.region_name or "us-east-1",
                config=RETRY_CONFIG,
            )  # fmt: skip
        return self._clients[name]

    @staticmethod
    def _token_pages(api: Any, method: str, kwargs: dict[str, Any]) -> Iterable[dict[str, Any]]:
        """Follow NextToken-style pagination for APIs boto3 has no paginator for."""
        params = dict(kwargs)
        for _ in range(MAX_PAGES):
            page = getattr(api, method)(**params)
            yield page
            token_key = next((k for k in TOKEN_KEYS if page.get(k)), None)
            if token_key is None:
                return
            request_key = "Marker" if token_key == "NextMarker" else token_key
            params[request_key] = page[token_key]

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
                response = _merge_pages(self._token_pages(api, method, kwargs))
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


def assume_role_session(
    base: boto3.Session, account_id: str, role_name: str, external_id: str | None
) -> boto3.Session:
    """A session in a member account through the role the organization provisions there."""
    sts = base.client("sts", config=RETRY_CONFIG)
    params: dict[str, Any] = {
        "RoleArn": f"arn:aws:iam::{account_id}:role/{role_name}",
        "RoleSessionName": "kg-collect",
        "DurationSeconds": 3600,
    }
    if external_id:
        params["ExternalId"] = external_id
    creds = sts.assume_role(**params)["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=base.region_name,
    )


def session_factory(base: boto3.Session, caller_account: str, plan: CollectPlan) -> SessionFactory:
    """The caller's own session for its account, an assumed-role session for every other."""
    cache: dict[str, boto3.Session] = {caller_account: base}
    lock = threading.Lock()

    def session_for(account_id: str) -> boto3.Session:
        with lock:
            if account_id not in cache:
                cache[account_id] = assume_role_session(
                    base, account_id, plan.role_name, plan.external_id
                )
            return cache[account_id]

    return session_for


def enabled_regions(session: boto3.Session) -> list[str]:
    ec2 = session.client("ec2", region_name=session.region_name or "us-east-1", config=RETRY_CONFIG)
    return sorted(r["RegionName"] for r in ec2.describe_regions(AllRegions=False)["Regions"])


def collect_snapshot(
    out: Path,
    plan: CollectPlan,
    profile: str | None = None,
    on_plan: Callable[[int], None] = lambda total: None,
    on_account_done: Callable[[str], None] = lambda account_id: None,
) -> CollectSummary:
    """Discover the organization from the caller's account and collect it into `out`."""
    from ingest.aws.organizations import discover_accounts

    try:
        base = boto3.Session(profile_name=profile)
        identity = base.client("sts", config=RETRY_CONFIG).get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        code, message = _error_code(exc)
        raise CollectError(f"cannot use the AWS credentials ({code}): {message}") from None
    caller_account = str(identity["Account"])
    _, members = discover_accounts(base)
    # Organization-wide calls are made from the caller's account (management or delegated admin).
    org_account = caller_account if members else None
    accounts = members or [caller_account]
    if plan.accounts:
        unknown = sorted(set(plan.accounts) - set(accounts))
        if unknown and members:
            raise CollectError(f"--accounts names accounts not in the organization: {unknown}")
        accounts = list(dict.fromkeys([*([org_account] if org_account else []), *plan.accounts]))
    plan.accounts = accounts
    if not plan.regions:
        plan.regions = enabled_regions(base)
    on_plan(len(accounts))
    writer = SnapshotWriter(out, source="aws", caller_arn=str(identity["Arn"]))
    factory = session_factory(base, caller_account, plan)
    summary = collect_accounts(factory, org_account, plan, writer, on_account_done)
    writer.finish(organization_account_id=org_account)
    return summary
