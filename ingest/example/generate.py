"""Write the demo organization's snapshot: `python -m ingest.example.generate -o DIR`.

The output is deterministic (no randomness, fixed timestamps), so the shipped copy in
ingest/example/demo_snapshot can be regenerated and compared byte for byte.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from ingest.example.builder.account import write_snapshot
from ingest.example.demo import COLLECTED_AT, demo_organization
from ingest.snapshot import Manifest

SHIPPED = Path(__file__).parent / "demo_snapshot"


def generate(out: Path) -> Manifest:
    """Write the demo snapshot into `out`, replacing what a previous run left there."""
    if out.exists():
        if not (out / "manifest.json").is_file():
            raise SystemExit(f"{out}: exists and is not a snapshot; refusing to replace it")
        shutil.rmtree(out)
    context, accounts = demo_organization()
    return write_snapshot(
        out,
        source="demo",
        ids=context.org.ids,
        context=context,
        accounts=accounts,
        collected_at=COLLECTED_AT,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=SHIPPED, help="snapshot folder")
    args = parser.parse_args(argv)
    manifest = generate(args.output)
    files = sum(1 for _ in args.output.rglob("*.json"))
    print(
        f"{args.output}: {len(manifest.accounts)} accounts, {files} files, "
        f"{len(manifest.failures)} recorded failures",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
