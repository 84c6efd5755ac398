"""Copies of the demo snapshot with one thing changed, for tests of what a load does with them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.load import load_and_derive
from ingest.snapshot import Snapshot
from kg.graph.driver import Graph
from kg.graph.pending import IncompleteGraphError, require_complete
from tests.integration.graph_state import DEMO, graph_checksum

ORGANIZATION_ID = "o-kdbwo3f2kg"
DATA_PROD = "444455557777"
ANALYTICS_READER = "analytics-reader"
CUSTOMER_RECORDS = "data-prod-customer-records"
# What differs between two loads of the same snapshot: when they ran.
TIMES = ("first_seen", "last_updated")


def clean_checksum(graph: Graph, snapshot: Path) -> str:
    """The graph a load of `snapshot` into an empty graph gives, as a checksum (times aside)."""
    graph.write("MATCH (n) DETACH DELETE n")
    load_and_derive(graph, Snapshot.open(snapshot))
    return graph_checksum(graph, ignore=TIMES)


@dataclass(frozen=True)
class Variants:
    """The demo (A), and the demo where analytics-reader lost its policy (B), with the
    checksums of their clean loads."""

    a: Path
    b: Path
    clean_a: str
    clean_b: str


def copy_demo(dest: Path) -> Path:
    shutil.copytree(DEMO, dest)
    return dest


def edit_json(path: Path, change: Callable[[Any], Any]) -> None:
    """Rewrite one JSON file with `change` applied (it edits in place or returns the new value)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    changed = change(data)
    path.write_text(json.dumps(data if changed is None else changed, indent=1), encoding="utf-8")


def iam_details(root: Path, account_id: str) -> Path:
    return root / account_id / "global" / "iam" / "get_account_authorization_details.json"


def role_detail(data: dict[str, Any], role_name: str) -> dict[str, Any]:
    return next(r for r in data["RoleDetailList"] if r["RoleName"] == role_name)


def without_analytics_readers_policy(dest: Path) -> Path:
    """The demo where data-prod's analytics-reader lost its only policy (and so its reads)."""
    root = copy_demo(dest)
    edit_json(
        iam_details(root, DATA_PROD),
        lambda data: role_detail(data, ANALYTICS_READER).update(RolePolicyList=[]),
    )
    return root


def replace_text(root: Path, old: str, new: str) -> None:
    for path in list(root.rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")
        if old in path.name:
            path.rename(path.with_name(path.name.replace(old, new)))


def another_organization(dest: Path) -> Path:
    """The demo as if it were a different organization (another organization id)."""
    root = copy_demo(dest)
    replace_text(root, ORGANIZATION_ID, "o-0th3r0rg0")
    return root


def one_account(dest: Path, account_id: str, rename_to: str | None = None) -> Path:
    """A snapshot of one demo account alone, without organization data (as a member account's
    own credentials would collect it); `rename_to` makes it an unrelated account instead."""
    dest.mkdir()
    shutil.copytree(DEMO / account_id, dest / account_id)
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    manifest["accounts"] = [a for a in manifest["accounts"] if a["account_id"] == account_id]
    manifest["failures"] = [f for f in manifest["failures"] if f["account_id"] == account_id]
    manifest["organization_account_id"] = None
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    if rename_to is not None:
        replace_text(dest, account_id, rename_to)
        (dest / account_id).rename(dest / rename_to)
    return dest


def refuses(graph: Graph) -> bool:
    """Whether the query commands refuse the graph (a write left it part-way)."""
    try:
        require_complete(graph)
    except IncompleteGraphError:
        return True
    return False
