"""The jar-launched server keeps its secret: no password in any process's arguments, and a home
that only its owner can read, repaired on every start.

One fresh server in a temporary home serves the whole module; the last test restarts it.
"""

from __future__ import annotations

import os
import secrets
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.config import Neo4jSettings
from kg.graph.driver import Graph
from kg.server import jar
from tests.conftest import jar_server_config

pytestmark = pytest.mark.integration

# Unique to this run, so finding it anywhere means it leaked. The quotes, spaces, backslash, `#`
# and leading `@` are what an argument file would mangle if the password were not quoted in it.
TOKEN = secrets.token_hex(12)
PASSWORD = f'@kg "secret" {TOKEN} \\ # end'


@dataclass
class CommandLineWatch:
    """Reads every process's command line every few milliseconds, on a background thread."""

    needle: bytes
    seen: set[bytes] = field(default_factory=set, repr=False)
    leaking_pids: set[int] = field(default_factory=set)
    sweeps: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.is_set():
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue  # the process ended between the listing and the read
                self.seen.add(cmdline)
                if self.needle in cmdline:
                    self.leaking_pids.add(int(pid))
            self.sweeps += 1
            time.sleep(0.003)

    def stop(self) -> None:
        self._stop.set()

    def saw(self, main_class: str) -> bool:
        return any(main_class.encode() in cmdline for cmdline in self.seen)


@dataclass(frozen=True)
class FreshServer:
    config: jar.ServerConfig
    watch: CommandLineWatch


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshServer]:
    # A home kg creates itself, so its own mode on creation is checked too.
    home = tmp_path_factory.mktemp("private-server") / "home"
    config = jar_server_config(home, PASSWORD, heap="512m")
    watch = CommandLineWatch(TOKEN.encode())
    watcher = threading.Thread(target=watch.run, daemon=True)
    watcher.start()
    try:
        jar.start(config, timeout=180)
    finally:
        watch.stop()
        watcher.join()
    try:
        yield FreshServer(config, watch)
    finally:
        jar.stop(config)


def _accepts_password(config: jar.ServerConfig) -> None:
    with Graph(Neo4jSettings(uri=config.bolt_uri, password=config.password)) as graph:
        assert graph.verify()["version"].startswith("5.26")


def _open_modes(home: Path) -> list[str]:
    """Every directory that is not 0700 and every regular file that is not 0600, with its mode."""
    wrong = []
    for path in [home, *home.rglob("*")]:
        mode = path.lstat().st_mode
        wanted = 0o700 if stat.S_ISDIR(mode) else 0o600 if stat.S_ISREG(mode) else None
        if wanted is not None and stat.S_IMODE(mode) != wanted:
            wrong.append(f"{oct(stat.S_IMODE(mode))} {path.relative_to(home)}")
    return wrong


def test_no_process_ever_has_the_password_in_its_arguments(fresh_server: FreshServer) -> None:
    watch = fresh_server.watch
    # The watch was fast enough to see the short-lived admin tool that sets the password.
    assert watch.saw(jar.ADMIN_TOOL), f"admin tool never seen in {watch.sweeps} sweeps"
    assert watch.saw(jar.ENTRY_POINT)
    assert watch.leaking_pids == set()
    _accepts_password(fresh_server.config)


def test_the_home_is_readable_by_its_owner_only(fresh_server: FreshServer) -> None:
    home = fresh_server.config.home
    assert (home / "data" / "dbms" / "auth.ini").is_file()
    assert _open_modes(home) == []


def test_a_restart_repairs_modes_left_open(fresh_server: FreshServer) -> None:
    config = fresh_server.config
    jar.stop(config)
    config.log_file.chmod(0o644)
    config.home.chmod(0o755)
    (config.home / "data").chmod(0o755)
    (config.home / "logs").chmod(0o777)
    jar.start(config, timeout=180)
    assert _open_modes(config.home) == []
    _accepts_password(config)
