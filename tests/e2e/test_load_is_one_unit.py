"""A load is one unit with its derive: whatever happens to it (a policy kg cannot read, a derive
that fails, kill -9 at any moment), either the previous graph answers, whole, or queries refuse
until a load completes; and the next load gives exactly what a clean load gives."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.load import load_and_derive
from ingest.snapshot import Snapshot
from kg.analysis import exposure
from kg.errors import KgError
from kg.graph.driver import Graph
from kg.graph.lock import holders
from kg.graph.pending import DERIVE_AFTER_LOAD
from tests.e2e.conftest import KgRunner, KgStarter
from tests.e2e.demo_variants import (
    ANALYTICS_READER,
    CUSTOMER_RECORDS,
    DATA_PROD,
    TIMES,
    Variants,
    copy_demo,
    edit_json,
    iam_details,
    refuses,
    role_detail,
)
from tests.integration.graph_state import graph_checksum

pytestmark = pytest.mark.e2e


# --- a value the analyses cannot read is refused before the first write ---------------------

HOSTILE = {"Effect": "Allow", "Action": 42, "Resource": "*"}


def _inline_policy(root: Path) -> None:
    edit_json(
        iam_details(root, DATA_PROD),
        lambda data: role_detail(data, ANALYTICS_READER)["RolePolicyList"][0].update(
            PolicyDocument={"Version": "2012-10-17", "Statement": [HOSTILE]}
        ),
    )


def _trust_policy(root: Path) -> None:
    statement = {**HOSTILE, "Principal": {"Service": "ec2.amazonaws.com"}}
    edit_json(
        iam_details(root, DATA_PROD),
        lambda data: role_detail(data, ANALYTICS_READER).update(
            AssumeRolePolicyDocument={"Version": "2012-10-17", "Statement": [statement]}
        ),
    )


def _bucket_policy(root: Path) -> None:
    path = root / DATA_PROD / "global" / "s3" / "get_bucket_policy" / f"{CUSTOMER_RECORDS}.json"
    statement = {**HOSTILE, "Effect": "Maybe", "Action": "s3:GetObject", "Principal": "*"}
    edit_json(path, lambda data: {"Policy": f'{{"Statement": [{json.dumps(statement)}]}}'})


def _scp(root: Path) -> None:
    folder = root / "111122223333" / "global" / "organizations" / "describe_policy"
    path = next(p for p in sorted(folder.glob("*.json")) if "FullAWSAccess" not in p.name)
    condition = {"StringEqualsMaybe": {"aws:PrincipalOrgID": "o-x"}}
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}
    edit_json(
        path,
        lambda data: data["Policy"].update(Content=f'{{"Statement": [{json.dumps(statement)}]}}'),
    )


def _security_group_cidr(root: Path) -> None:
    path = root / "555566667777" / "us-east-1" / "ec2" / "describe_security_groups.json"

    def change(data: Any) -> None:
        permission = data["SecurityGroups"][0]["IpPermissions"][0]
        permission["IpRanges"] = [{"CidrIp": "10.0.0.0/33"}]

    edit_json(path, change)


@pytest.mark.parametrize(
    ("break_snapshot", "named"),
    [
        (_inline_policy, "Statement[0]"),
        (_trust_policy, "Statement[0]"),
        (_bucket_policy, "Statement[0]"),
        (_scp, "Statement[0]"),
        (_security_group_cidr, "'10.0.0.0/33' is not a CIDR block"),
    ],
    ids=["identity", "trust", "bucket", "scp", "security-group"],
)
def test_a_value_the_analyses_cannot_read_fails_the_load_before_it_writes(
    kg: KgRunner,
    graph: Graph,
    tmp_path: Path,
    break_snapshot: Callable[[Path], None],
    named: str,
) -> None:
    snapshot = copy_demo(tmp_path / "snapshot")
    assert kg("load", str(snapshot)).returncode == 0
    before = graph_checksum(graph)
    break_snapshot(snapshot)
    result = kg("load", str(snapshot))
    assert result.returncode == 1
    # The transform checks some values itself (naming the file and field), the checks of what
    # the analyses read the rest (naming the policy or network fact): one line either way.
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), result.stderr
    assert named in lines[0]
    assert graph_checksum(graph) == before
    assert not refuses(graph)


# --- a derive that fails ----------------------------------------------------------------------


def test_a_failed_derive_leaves_a_graph_that_refuses_until_a_load_repairs_it(
    kg: KgRunner, graph: Graph, variants: Variants, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(graph: Graph) -> int:
        raise KgError("the network analysis failed")

    monkeypatch.setattr(exposure, "derive", broken)
    with pytest.raises(KgError, match="network analysis failed"):
        load_and_derive(graph, Snapshot.open(variants.b))
    monkeypatch.undo()
    # B's facts and access are in, A's network and coverage facts still stand: nothing may
    # answer from that mixture.
    assert refuses(graph)
    status = kg("status", "--format", "json")
    assert [w["name"] for w in _json_of(status)["pending_writes"]] == [DERIVE_AFTER_LOAD]
    for command in (["paths"], ["access", "everyone"], ["coverage"], ["privesc"]):
        result = kg(*command)
        assert result.returncode == 4, (command, result.stderr)
        assert "part-way through" in result.stderr and DERIVE_AFTER_LOAD in result.stderr
    assert kg("load", str(variants.b)).returncode == 0
    assert graph_checksum(graph, ignore=TIMES) == variants.clean_b


def _json_of(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- kill -9 at any moment --------------------------------------------------------------------


def _phase(graph: Graph) -> str:
    """Where a running load is, as the graph shows it."""
    markers = {
        row["name"]: row["done"]
        for row in graph.read(
            "MATCH (w:KgPendingWrite) RETURN w.name AS name, w.committed_rows AS done"
        )
    }
    if DERIVE_AFTER_LOAD in markers and "load" not in markers:
        return f"derive step {markers[DERIVE_AFTER_LOAD] + 1}"
    if "load" in markers:
        return "writing facts"
    return "holding the lock" if holders(graph) else "reading the snapshot"


def _kill_when(
    process: subprocess.Popen[str], graph: Graph, ready: Callable[[str], bool], group: bool
) -> str:
    """Kill the load with SIGKILL once `ready(phase)` (with its worker processes, or, not
    `group`, alone: its workers then hold its connections a while); the phase it died in, or
    "finished" when it ended first."""
    while process.poll() is None:
        phase = _phase(graph)
        if ready(phase):
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
            process.wait()
            return phase
        time.sleep(0.01)
    return "finished"


def _lock_released(graph: Graph, seconds: float = 10.0) -> bool:
    """Neo4j ends a dead client's transaction when it sees the connection close: soon, not at
    once."""
    deadline = time.monotonic() + seconds
    while holders(graph):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _kill_points(seed: int) -> Iterator[tuple[str, Callable[[str], bool], bool]]:
    """(what, when, whether the worker processes die too)."""
    yield "while holding the lock", lambda phase: phase == "holding the lock", True
    yield "while writing facts", lambda phase: phase == "writing facts", True
    for step in range(1, 6):
        yield (
            f"in derive step {step}",
            lambda phase, step=step: phase == f"derive step {step}",
            True,
        )
    yield "in derive step 1, workers left", lambda phase: phase == "derive step 1", False
    chance = random.Random(seed)
    for _ in range(3):
        deadline = time.monotonic() + chance.uniform(0.5, 8.0)
        yield (
            "at a random moment",
            lambda phase, deadline=deadline: time.monotonic() >= deadline,
            True,
        )


def test_kill_9_at_any_moment_never_leaves_a_graph_that_answers_wrongly(
    kg_start: KgStarter, graph: Graph, variants: Variants
) -> None:
    """Load B over A and kill it at each phase: the graph then refuses, or is exactly A or
    exactly B; a load of A after it gives exactly a clean A (the repair)."""
    seed = int(os.environ.get("KG_TEST_SEED", time.time()))
    staged = {"KG_TRANSACTION_ROWS": "300"}  # commit the facts in many transactions
    died_in = []
    for name, ready, group in _kill_points(seed):
        process = kg_start("load", str(variants.b), env=staged)
        phase = _kill_when(process, graph, ready, group)
        died_in.append(phase)
        state = "refuses" if refuses(graph) else graph_checksum(graph, ignore=TIMES)
        assert state in ("refuses", variants.clean_a, variants.clean_b), (name, phase, seed)
        assert _lock_released(graph), "a killed load left the writer lock held"
        load_and_derive(graph, Snapshot.open(variants.a))
        assert graph_checksum(graph, ignore=TIMES) == variants.clean_a, (name, phase, seed)
    # The derive is the window where stale derived facts used to answer: it must have been hit.
    assert any(phase.startswith("derive step") for phase in died_in), died_in
