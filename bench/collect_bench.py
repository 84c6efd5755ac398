"""Collection benchmark: kg's collector against a local moto server holding an organization.

    python -m bench.collect_bench [--accounts 20] [--workers 1,4,16] [--out bench/results]

moto runs in server mode in a child process bound to 127.0.0.1 (its own interpreter, so its
request handling does not share the collector's GIL), and every AWS client of this process is
pointed at it with fake credentials; host names resolve only to 127.0.0.1 (boto prefixes some
endpoints with the account id) and any other name fails without a DNS query, so no request
leaves the machine. Calls moto does not implement come back as
a non-retryable error instead of moto's HTTP 500, which boto would retry with backoff and so
measure sleeping rather than collecting; they count as failed calls. The management account
creates an organization and N member accounts; each member gets a few resources. The collector
then reaches members by assuming OrganizationAccountAccessRole, as it does in AWS, once per
worker count. Reports calls per second and wall time; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import socket
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from bench.run import REPO, free_port, parse_sizes
from ingest.aws.collect import CollectPlan, collect_accounts, session_factory
from ingest.snapshot import SnapshotWriter
from kg.errors import KgError
from kg.server.jar import port_open

REGIONS = ["us-east-1", "eu-west-1"]
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN")
START_TIMEOUT_S = 30.0


NOT_IMPLEMENTED = (
    b"<ErrorResponse><Error><Code>NotImplemented</Code>"
    b"<Message>not implemented by the local moto server</Message></Error></ErrorResponse>"
)


class UnimplementedAsError:
    """WSGI wrapper: an API moto lacks becomes a 501 error, which boto does not retry.

    moto raises NotImplementedError (or fails in some other way) for those, which werkzeug
    turns into an HTML 500. The XML body here parses under every AWS protocol (JSON parsers
    read the error type header).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        try:
            response = Response.from_app(self.app, environ)
        except Exception:  # whatever moto raised, the caller sees one non-retryable error
            response = Response(status=500)
        if response.status_code == 500:
            response = Response(
                NOT_IMPLEMENTED, status=501, content_type="text/xml",
                headers={"x-amzn-ErrorType": "NotImplemented"},
            )  # fmt: skip
        return response(environ, start_response)


def serve_moto(port: int) -> None:
    """The child process: moto's server app, wrapped, on 127.0.0.1 only, without its logs."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    logging.disable(logging.CRITICAL)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)
    app = UnimplementedAsError(DomainDispatcherApplication(create_backend_app))
    make_server(
        "127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler
    ).serve_forever()


@contextmanager
def loopback_only() -> Iterator[None]:
    """Resolve '127.0.0.1' and '<prefix>.127.0.0.1' to 127.0.0.1; refuse every other name."""
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name == "127.0.0.1" or name.endswith(".127.0.0.1"):
            return real("127.0.0.1", port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"{name}: the benchmark resolves loopback only")

    socket.getaddrinfo = resolve
    try:
        yield
    finally:
        socket.getaddrinfo = real


@contextmanager
def moto_endpoint() -> Iterator[str]:
    """A moto server on a free loopback port, and this process's AWS clients pointed at it."""
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve_moto, args=(port,))
    server.start()
    saved = {name: os.environ.get(name) for name in (*LOCAL_AWS_ENV, *CLEARED)}
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_for_port(server, port)
        os.environ.update({**LOCAL_AWS_ENV, "AWS_ENDPOINT_URL": endpoint})
        for name in CLEARED:
            os.environ.pop(name, None)
        yield endpoint
    finally:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.terminate()
        server.join(timeout=10)


def _wait_for_port(server: multiprocessing.process.BaseProcess, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not server.is_alive():
            raise KgError(f"the moto server exited with code {server.exitcode} during start")
        if port_open(port):
            return
        time.sleep(0.2)
    raise KgError(f"the moto server did not listen on port {port} within {START_TIMEOUT_S:.0f}s")


def create_organization(base: boto3.Session, members: int) -> list[str]:
    """An organization with `members` new accounts; returns the member account ids."""
    org = base.client("organizations")
    org.create_organization(FeatureSet="ALL")
    account_ids = []
    for index in range(members):
        status = org.create_account(
            Email=f"member{index}@example.com", AccountName=f"member-{index}"
        )["CreateAccountStatus"]
        account_ids.append(status["AccountId"])
    return account_ids


def seed_account(session: boto3.Session, account_id: str) -> None:
    """A handful of resources per member so collectors have lists, policies and keys to read."""
    s3 = session.client("s3", region_name="us-east-1")
    for name in ("logs", "data"):
        s3.create_bucket(Bucket=f"{name}-{account_id}")
    for region in REGIONS:
        ec2 = session.client("ec2", region_name=region)
        vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        for tier in ("web", "app", "db"):
            ec2.create_security_group(GroupName=tier, Description=tier, VpcId=vpc_id)
        session.client("kms", region_name=region).create_key(Description="data")
        session.client("sqs", region_name=region).create_queue(QueueName="jobs")
        session.client("sns", region_name=region).create_topic(Name="alerts")
        session.client("secretsmanager", region_name=region).create_secret(
            Name="db-password", SecretString="not-a-secret"
        )


def time_collection(
    base: boto3.Session, management: str, accounts: list[str], workers: int
) -> dict[str, Any]:
    """One full collection of every account with `workers` threads, into a throwaway folder."""
    plan = CollectPlan(regions=list(REGIONS), accounts=list(accounts), workers=workers)
    with tempfile.TemporaryDirectory(prefix="kg-collect-bench-") as folder:
        writer = SnapshotWriter(Path(folder), source="aws")
        start = time.perf_counter()
        summary = collect_accounts(
            session_factory(base, management, plan), management, plan, writer
        )
        seconds = round(time.perf_counter() - start, 3)
    return {
        "workers": workers,
        "accounts": summary.accounts,
        "calls": summary.calls,
        "failed_calls": summary.failures,
        "seconds": seconds,
        "calls_per_s": round(summary.calls / seconds, 1) if seconds > 0 else 0.0,
    }


def markdown_table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| workers | accounts | calls | failed calls | wall time (s) | calls/s |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run['workers']} | {run['accounts']} | {run['calls']:,} | {run['failed_calls']:,}"
            f" | {run['seconds']:.1f} | {run['calls_per_s']:,.1f} |"
        )
    return "\n".join(lines) + "\n"


def benchmark(members: int, worker_counts: list[int]) -> list[dict[str, Any]]:
    with moto_endpoint(), loopback_only():
        base = boto3.Session(region_name="us-east-1")
        management = str(base.client("sts").get_caller_identity()["Account"])
        member_ids = create_organization(base, members)
        factory = session_factory(base, management, CollectPlan(regions=REGIONS))
        for account_id in member_ids:
            seed_account(factory(account_id), account_id)
        accounts = [management, *member_ids]
        return [time_collection(base, management, accounts, w) for w in worker_counts]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.collect_bench", description=__doc__)
    parser.add_argument("--accounts", type=int, default=20, help="member accounts to create")
    parser.add_argument("--workers", type=parse_sizes, default=parse_sizes("1,4,16"))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args(argv)
    try:
        runs = benchmark(args.accounts, args.workers)
    except KgError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    table = markdown_table(runs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "collect-latest.json").write_text(json.dumps(runs, indent=1) + "\n", "utf-8")
    (args.out / "collect-latest.md").write_text(table, encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
