"""One writer at a time, and one organization per graph: a second load waits or refuses with one
line naming the first; a lock a dead process left is cleared; a snapshot of another organization
is refused unless --replace says to replace the graph."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest.load import load_and_derive
from ingest.snapshot import Snapshot
from kg.config import Neo4jSettings
from kg.graph.driver import Graph
from kg.graph.lock import LOCK_NAME, METADATA_KEY, holders, process_start, this_machine
from kg.graph.pending import IncompleteGraphError, hold_steady, require_complete
from tests.e2e.conftest import KgRunner, KgStarter
from tests.e2e.demo_variants import (
    DATA_PROD,
    ORGANIZATION_ID,
    TIMES,
    Variants,
    another_organization,
    clean_checksum,
    copy_demo,
    one_account,
    refuses,
)
from tests.integration.graph_state import graph_checksum

pytestmark = pytest.mark.e2e


def _wait_for_lock(graph: Graph, process: subprocess.Popen[str]) -> None:
    while not holders(graph):
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)


def _one_line(result: subprocess.CompletedProcess[str] | tuple[str, str]) -> str:
    stderr = result.stderr if isinstance(result, subprocess.CompletedProcess) else result[1]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_second_load_refuses_while_the_first_writes_naming_it(
    kg: KgRunner, kg_start: KgStarter, graph: Graph, variants: Variants
) -> None:
    first = kg_start("load", str(variants.b))
    _wait_for_lock(graph, first)
    second = kg("load", str(variants.a))
    assert first.wait(timeout=600) == 0, first.communicate()
    assert second.returncode == 5
    line = _one_line(second)
    assert "another kg process is writing to this graph" in line
    assert f"`kg load {variants.b}`" in line and f"process {first.pid}" in line
    assert "--wait" in line
    assert graph_checksum(graph, ignore=TIMES) == variants.clean_b


def test_with_wait_a_second_load_waits_for_the_first_then_loads(
    kg: KgRunner, kg_start: KgStarter, graph: Graph, variants: Variants
) -> None:
    first = kg_start("load", str(variants.a))
    _wait_for_lock(graph, first)
    second = kg("load", str(variants.b), "--wait", "600")
    assert first.wait(timeout=600) == 0, first.communicate()
    assert second.returncode == 0, second.stderr
    assert graph_checksum(graph, ignore=TIMES) == variants.clean_b


def test_two_loads_started_together_give_one_of_them_whole(
    kg_start: KgStarter, graph: Graph, variants: Variants
) -> None:
    """Two different snapshots at once: whichever ends last, the graph is exactly one of them."""
    loads = [kg_start("load", str(snapshot)) for snapshot in (variants.a, variants.b)]
    outcomes = [(process.wait(timeout=600), process.communicate()) for process in loads]
    codes = sorted(code for code, _ in outcomes)
    assert codes in ([0, 0], [0, 5]), outcomes
    for code, output in outcomes:
        if code == 5:
            assert "another kg process is writing" in _one_line(output)
    assert graph_checksum(graph, ignore=TIMES) in (variants.clean_a, variants.clean_b)
    assert not refuses(graph)


def test_a_writer_whose_lock_was_ended_writes_nothing_after_the_next_writer_took_it(
    kg: KgRunner, kg_start: KgStarter, graph: Graph, variants: Variants
) -> None:
    """An administrator terminates the lock's transaction (as docs/operations.md suggests for a
    holder whose host is gone) while its load derives, and another load starts at once: the
    first stops (its writes are fenced off), the second ends with exactly its own graph."""
    first = kg_start("load", str(variants.b))
    while not graph.read("MATCH (w:KgPendingWrite {name: 'derive after load'}) RETURN w"):
        assert first.poll() is None, first.communicate()
        time.sleep(0.01)
    graph.write("TERMINATE TRANSACTIONS $ids", ids=[h.transaction_id for h in holders(graph)])
    second = kg("load", str(variants.a), "--wait", "600")
    code = first.wait(timeout=600)
    _, stderr = first.communicate()
    assert second.returncode == 0, second.stderr
    assert code == 5
    assert "writer lock was lost part-way" in _one_line(("", stderr))
    assert not refuses(graph)
    assert graph_checksum(graph, ignore=TIMES) == variants.clean_a


def test_a_writer_whose_lock_was_ended_leaves_the_graph_refusing(
    kg: KgRunner, kg_start: KgStarter, graph: Graph, variants: Variants
) -> None:
    load = kg_start("load", str(variants.b))
    while not graph.read("MATCH (w:KgPendingWrite {name: 'derive after load'}) RETURN w"):
        assert load.poll() is None, load.communicate()
        time.sleep(0.01)
    graph.write("TERMINATE TRANSACTIONS $ids", ids=[h.transaction_id for h in holders(graph)])
    assert load.wait(timeout=600) == 5
    assert kg("paths").returncode == 4
    assert kg("load", str(variants.b)).returncode == 0
    assert graph_checksum(graph, ignore=TIMES) == variants.clean_b


def test_an_interrupted_replace_is_finished_only_by_another_replace(
    kg: KgRunner, kg_start: KgStarter, graph: Graph, tmp_path: Path
) -> None:
    """A replace killed part-way has deleted some of the old organization: a plain load (of
    either organization) would keep the rest beside the new one, so it is refused."""
    demo = copy_demo(tmp_path / "demo")
    other = another_organization(tmp_path / "other")
    clean_other = clean_checksum(graph, other)
    graph.write("MATCH (n) DETACH DELETE n")
    assert kg("load", str(demo)).returncode == 0
    replace = kg_start("load", str(other), "--replace", env={"KG_TRANSACTION_ROWS": "300"})
    while not graph.read("MATCH (w:KgPendingWrite {name: 'replace'}) RETURN w"):
        assert replace.poll() is None, replace.communicate()
        time.sleep(0.01)
    time.sleep(0.5)  # let it delete some of the old graph
    os.killpg(replace.pid, signal.SIGKILL)
    replace.wait()
    assert refuses(graph)
    for snapshot in (other, demo):
        refused = kg("load", str(snapshot))
        assert refused.returncode == 1
        assert "part-way through a `kg load --replace`" in _one_line(refused)
    assert kg("load", str(other), "--replace").returncode == 0
    assert graph_checksum(graph, ignore=TIMES) == clean_other


def test_a_question_a_load_overtakes_is_refused_not_answered(
    graph: Graph, neo4j_settings: Neo4jSettings, variants: Variants
) -> None:
    """A command checks the graph is complete when it connects; a load that commits while it
    still reads must not give it an answer made of both graphs."""
    with Graph(neo4j_settings) as asking:
        require_complete(asking)
        hold_steady(asking)
        assert asking.read("MATCH (r:Role) RETURN count(r) AS roles")[0]["roles"] > 0
        load_and_derive(graph, Snapshot.open(variants.b))
        with pytest.raises(IncompleteGraphError, match="changed while this command read it"):
            asking.read("MATCH (r:Role) RETURN count(r) AS roles")


@contextmanager
def _lock_held_by(
    graph: Graph, host: str, machine: str, pid: int, process_started: str
) -> Iterator[None]:
    """A writer lock held, as far as the graph can tell, by the process `pid` on `host` (boot
    and process namespace `machine`)."""
    metadata = {
        METADATA_KEY: LOCK_NAME,
        "command": "kg load ./elsewhere",
        "host": host,
        "machine": machine,
        "pid": pid,
        "process_started": process_started,
        "started": "2026-01-01T00:00:00+00:00",
    }
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with graph.held_transaction(
            "MERGE (l:KgWriterLock {name: $name})", metadata, name=LOCK_NAME
        ):
            taken.set()
            release.wait(timeout=600)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(timeout=60)
    try:
        yield
    finally:
        release.set()
        holder.join()


def test_a_lock_whose_process_died_on_this_host_is_cleared(
    kg: KgRunner, graph: Graph, tmp_path: Path
) -> None:
    """The connection outlived the process (a forked child still held it): kg load sees the
    process is gone, ends its transaction and loads."""
    import socket

    gone = subprocess.Popen(["sleep", "0.2"])
    started = process_start(gone.pid)
    gone.wait()
    with _lock_held_by(graph, socket.gethostname(), this_machine(), gone.pid, started or ""):
        result = kg("load", str(copy_demo(tmp_path / "demo")))
        assert result.returncode == 0, result.stderr
    assert not holders(graph)


def test_a_lock_held_from_another_host_is_respected(
    kg: KgRunner, graph: Graph, tmp_path: Path
) -> None:
    """kg cannot see another host's processes: a lock held from there is taken as held."""
    with _lock_held_by(graph, "another-host", "another-boot/1", 4242, "1234"):
        result = kg("load", str(copy_demo(tmp_path / "demo")))
    assert result.returncode == 5
    assert "process 4242 on another-host" in _one_line(result)
    assert graph.read("MATCH (n) RETURN count(n) AS nodes")[0]["nodes"] == 0


def test_a_snapshot_of_another_organization_is_refused_and_replace_loads_it(
    kg: KgRunner, graph: Graph, tmp_path: Path
) -> None:
    demo = copy_demo(tmp_path / "demo")
    other = another_organization(tmp_path / "other")
    clean_other = clean_checksum(graph, other)
    graph.write("MATCH (n) DETACH DELETE n")
    assert kg("load", str(demo)).returncode == 0
    before = graph_checksum(graph)
    refused = kg("load", str(other))
    assert refused.returncode == 1
    line = _one_line(refused)
    assert f"organization o-0th3r0rg0 but the graph holds organization {ORGANIZATION_ID}" in line
    assert "--replace" in line
    assert graph_checksum(graph) == before
    replaced = kg("load", str(other), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert graph_checksum(graph, ignore=TIMES) == clean_other


def test_one_member_account_alone_loads_onto_its_organization(
    kg: KgRunner, graph: Graph, tmp_path: Path
) -> None:
    """A member's own snapshot (no organization data) is a part of the loaded organization:
    it loads, and the organization around it stays."""
    assert kg("load", str(copy_demo(tmp_path / "demo"))).returncode == 0
    estate = "MATCH (o:Organization)<-[:IN*]-(a:Account) RETURN o.id AS org, count(a) AS accounts"
    before = graph.read(estate)
    member = one_account(tmp_path / "member", DATA_PROD)
    result = kg("load", str(member))
    assert result.returncode == 0, result.stderr
    assert graph.read(estate) == before == [{"org": ORGANIZATION_ID, "accounts": 7}]


def test_an_unrelated_account_is_refused(kg: KgRunner, graph: Graph, tmp_path: Path) -> None:
    assert kg("load", str(copy_demo(tmp_path / "demo"))).returncode == 0
    before = graph_checksum(graph)
    stranger = one_account(tmp_path / "stranger", DATA_PROD, rename_to="999988887777")
    result = kg("load", str(stranger))
    assert result.returncode == 1
    line = _one_line(result)
    assert "account(s) 999988887777 (no organization data)" in line and "--replace" in line
    assert graph_checksum(graph) == before
