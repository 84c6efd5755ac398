"""Synthetic organizations for benchmarks: `python -m bench.synth --accounts N --seed S -o DIR`.

Writes a snapshot in the documented layout (source "synthetic") with N accounts: the
management, security tooling and log archive accounts, then workload accounts spread over nested
OUs (Workloads/<environment>/<business unit>, Sandbox/<unit>), each with seeded-random but
realistic identities and infrastructure (see synth_iam.py and synth_infra.py). Every account's
content depends only on the seed and the account's position, so the same seed gives a
byte-identical snapshot whatever the number of worker processes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench.synth_iam import build_identities
from bench.synth_infra import build_infrastructure
from bench.synth_org import REGIONS, SynthOrg, build_org
from ingest.example.builder.account import AccountSpec, caller_arn, write_account
from ingest.snapshot import Failure, Manifest, SnapshotWriter

COLLECTED_AT = "2025-06-30T12:00:00Z"
_CHUNK = 8  # accounts per task: small enough to balance, large enough to amortize


def account_spec(org: SynthOrg, index: int) -> AccountSpec:
    account = org.account_ids[index]
    rng = random.Random(f"{org.seed}:account:{index}")
    people = build_identities(rng, org, account)
    return build_infrastructure(rng, org, account, people)


_worker_org: SynthOrg | None = None


def _init_worker(accounts: int, seed: int) -> None:
    global _worker_org
    _worker_org = build_org(accounts, seed)


def _write_accounts(out: str, indexes: list[int]) -> list[Failure]:
    """Write some accounts' files (in a worker); the failures go to the parent's manifest."""
    assert _worker_org is not None, "worker not initialized"
    writer = SnapshotWriter(out, source="synthetic")
    for index in indexes:
        spec = account_spec(_worker_org, index)
        write_account(writer, _worker_org.ids, spec, _worker_org.context, COLLECTED_AT)
    return writer.failures


def generate(out: Path, accounts: int, seed: int, workers: int = 1) -> Manifest:
    """Write the synthetic snapshot for `accounts` accounts into the empty or new folder `out`."""
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out}: exists and is not empty; choose a new folder")
    org = build_org(accounts, seed)
    writer = SnapshotWriter(out, source="synthetic", caller_arn=caller_arn(org.context))
    chunks = [list(range(i, min(i + _CHUNK, accounts))) for i in range(0, accounts, _CHUNK)]
    if workers > 1:
        with ProcessPoolExecutor(
            workers, initializer=_init_worker, initargs=(accounts, seed)
        ) as pool:
            results = list(pool.map(_write_accounts, [str(out)] * len(chunks), chunks))
    else:
        _init_worker(accounts, seed)
        results = [_write_accounts(str(out), chunk) for chunk in chunks]
    for failure in (f for found in results for f in found):
        writer.record_failure(
            failure.account_id,
            failure.region,
            failure.client,
            failure.method,
            failure.error_code,
            failure.message,
            failure.key,
        )
    for account in org.account_ids:
        writer.set_account(account, list(REGIONS))
    return writer.finish(organization_account_id=org.management, created_at=COLLECTED_AT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, required=True, help="accounts (at least 3)")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same snapshot")
    parser.add_argument("-o", "--output", type=Path, required=True, help="new snapshot folder")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes writing accounts (does not change the output)",
    )
    args = parser.parse_args(argv)
    if args.accounts < 3:
        parser.error("--accounts must be at least 3 (management, security, log archive)")
    start = time.perf_counter()
    manifest = generate(args.output, args.accounts, args.seed, args.workers)
    files = sum(1 for _ in args.output.rglob("*.json")) - 1
    print(
        f"{args.output}: {len(manifest.accounts)} accounts, {files} responses, "
        f"{len(manifest.failures)} recorded failures, "
        f"{time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
