"""Which holders of the writer lock kg takes for dead: only those it can be sure of."""

from __future__ import annotations

import os
import subprocess

import pytest

from kg.graph import lock
from kg.graph.lock import Holder, process_start, this_machine


def _holder(pid: int, started: str | None, machine: str | None = None) -> Holder:
    return Holder(
        transaction_id="neo4j-transaction-1",
        command="kg load ./snapshot",
        host="any",
        machine=this_machine() if machine is None else machine,
        pid=pid,
        process_started=started or "",
        started="2026-01-01T00:00:00Z",
    )


def _gone_process() -> tuple[int, str | None]:
    child = subprocess.Popen(["sleep", "0"])
    started = process_start(child.pid)
    child.wait()
    return child.pid, started


needs_proc = pytest.mark.skipif(not this_machine(), reason="no /proc to tell processes apart")


@needs_proc
def test_a_holder_whose_process_ended_here_is_dead() -> None:
    pid, started = _gone_process()
    assert _holder(pid, started).is_dead_here()


@needs_proc
def test_a_living_holder_here_is_alive() -> None:
    assert not _holder(os.getpid(), process_start(os.getpid())).is_dead_here()


@needs_proc
def test_a_reused_process_id_is_not_the_holder() -> None:
    """The id is taken now, but by a process that started later than the holder's."""
    assert _holder(os.getpid(), "1").is_dead_here()


def test_a_holder_of_another_machine_or_namespace_is_alive() -> None:
    """Same host name is not enough: a container or another pid namespace reuses process ids."""
    pid, started = _gone_process()
    assert not _holder(pid, started, machine="another-boot/4026531836").is_dead_here()


def test_a_process_that_cannot_be_seen_is_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc mounted with hidepid hides other users' processes: unknown is not dead."""
    monkeypatch.setattr(lock, "process_start", lambda pid: None)
    assert not _holder(12345, "999").is_dead_here()


def test_without_proc_no_holder_is_dead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock, "this_machine", lambda: "")
    assert not _holder(12345, "999", machine="").is_dead_here()
