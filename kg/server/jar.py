"""A real Neo4j 5.26 community server from the official jars, for machines without Docker.

Maven resolves org.neo4j:neo4j, org.neo4j.app:neo4j-server and the Browser from Maven Central
into a cache folder; the server runs with Java 17 from its own home (conf/, data/, logs/, run/),
bound to 127.0.0.1, with usage reporting off. `stop` only ends the process whose pid this module
recorded, after checking that the pid still belongs to that server.

The home is its owner's alone: directories 0700 and files 0600, from creation on (Java runs under
umask 077) and repaired on every start. The password never goes into a process's arguments, which
every local user can read: the admin tool reads it from a file of its own (see
`_set_initial_password`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kg.errors import ServerError

NEO4J_VERSION = "5.26.30"
BROWSER_VERSION = "5.24.0"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
PID_FILE = "kg-neo4j.pid"
LOCAL_HOST = "127.0.0.1"
READY_MARKER = ".complete"
HOME_FOLDERS = ("conf", "data", "logs", "run", "import", "plugins")
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
PRIVATE_UMASK = 0o077
# Inside double quotes, picocli's argument file reader (a StreamTokenizer) ends a word at a line
# break and takes a backslash as an escape.
ARGUMENT_FILE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


@dataclass(frozen=True)
class ServerConfig:
    """Where a local server lives and how big it may grow."""

    home: Path
    lib: Path
    bolt_port: int = 7687
    http_port: int = 7474
    heap: str = "1g"
    pagecache: str = "512m"
    password: str = field(default="", repr=False)

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{LOCAL_HOST}:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://{LOCAL_HOST}:{self.http_port}/browser/"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / PID_FILE

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "neo4j.log"


def require_tool(name: str, why: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ServerError(f"`{name}` is not on PATH; it is needed to {why}")
    return path


def java_major_version(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise ServerError(f"cannot tell the version of {java}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def install_jars(lib: Path) -> Path:
    """Resolve the server's jars with Maven once; later calls find them in the cache.

    The jars are Neo4j's public release from Maven Central and hold nothing of this machine's, so
    the cache keeps the user's usual modes: it stays readable, and shareable between homes.
    """
    if (lib / READY_MARKER).exists():
        return lib
    mvn = require_tool("mvn", "fetch the Neo4j server jars from Maven Central")
    lib.mkdir(parents=True, exist_ok=True)
    pom_template = resources.files("kg.server").joinpath("neo4j-pom.xml").read_text("utf-8")
    pom = lib.parent / "pom.xml"
    pom.write_text(
        pom_template.replace("@NEO4J_VERSION@", NEO4J_VERSION).replace(
            "@BROWSER_VERSION@", BROWSER_VERSION
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
         f"-DoutputDirectory={lib}", "-DincludeScope=runtime"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
        raise ServerError(f"Maven could not fetch Neo4j {NEO4J_VERSION}: {' | '.join(tail)}")
    (lib / READY_MARKER).write_text(NEO4J_VERSION, encoding="utf-8")
    return lib


def _open_private(path: Path, flags: int) -> int:
    """A file descriptor on path, which is 0600 from the moment it exists (never a symlink)."""
    return os.open(path, flags | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE)


def _write_private(path: Path, text: str) -> None:
    """Replace path by a new 0600 file holding text: an older file's mode is not inherited."""
    path.unlink(missing_ok=True)
    with os.fdopen(_open_private(path, os.O_WRONLY | os.O_EXCL), "w", encoding="utf-8") as out:
        out.write(text)


def _raise(error: OSError) -> None:
    """For os.walk: a folder that cannot be listed stops the walk instead of being skipped."""
    raise error


def _restrict_mode(path: str) -> None:
    """A directory to 0700, a regular file to 0600; a symlink is left alone, never followed."""
    mode = os.lstat(path).st_mode
    private = PRIVATE_DIR if stat.S_ISDIR(mode) else PRIVATE_FILE if stat.S_ISREG(mode) else None
    if private is not None and stat.S_IMODE(mode) != private:
        os.chmod(path, private)


def make_home_private(home: Path) -> None:
    """Create the home and its folders 0700, and make what an older kg or a user left open private.

    The home holds the password's hash, the graph's store and logs that quote its data; walking it
    on every start repairs modes that were loosened since the last one.
    """
    try:
        home.parent.mkdir(parents=True, exist_ok=True)
        home.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(home, PRIVATE_DIR)
        for sub in HOME_FOLDERS:
            (home / sub).mkdir(mode=PRIVATE_DIR, exist_ok=True)
        for folder, dirs, files in os.walk(home, onerror=_raise):
            for name in dirs + files:
                _restrict_mode(os.path.join(folder, name))
    except OSError as error:
        raise ServerError(
            f"cannot keep the server's home private ({error.filename}): {error.strerror}"
        ) from None


def server_settings(config: ServerConfig) -> dict[str, str]:
    """neo4j.conf as settings. The advertised addresses are the ones kg listens on: Neo4j
    Browser's connect form, and the discovery document it reads from the HTTP port, offer the
    advertised Bolt address, which otherwise stays at the default port 7687."""
    home = config.home
    return {
        "server.default_listen_address": LOCAL_HOST,
        "server.default_advertised_address": LOCAL_HOST,
        "server.bolt.listen_address": f"{LOCAL_HOST}:{config.bolt_port}",
        "server.bolt.advertised_address": f"{LOCAL_HOST}:{config.bolt_port}",
        "server.http.listen_address": f"{LOCAL_HOST}:{config.http_port}",
        "server.http.advertised_address": f"{LOCAL_HOST}:{config.http_port}",
        "server.https.enabled": "false",
        "dbms.usage_report.enabled": "false",
        # Browser's product analytics start off as well.
        "client.allow_telemetry": "false",
        "server.memory.heap.initial_size": config.heap,
        "server.memory.heap.max_size": config.heap,
        "server.memory.pagecache.size": config.pagecache,
        "db.tx_log.rotation.retention_policy": "1 files",
        "server.directories.data": str(home / "data"),
        "server.directories.logs": str(home / "logs"),
        "server.directories.run": str(home / "run"),
        "server.directories.import": str(home / "import"),
        "server.directories.plugins": str(home / "plugins"),
    }


def write_config(config: ServerConfig) -> None:
    text = "".join(f"{k}={v}\n" for k, v in server_settings(config).items())
    _write_private(config.home / "conf" / "neo4j.conf", text)


def _java_command(java: str, config: ServerConfig, main: str, *args: str) -> list[str]:
    return [
        java,
        f"-Xms{config.heap}",
        f"-Xmx{config.heap}",
        "-XX:+UseG1GC",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-Dfile.encoding=UTF-8",
        "-cp",
        f"{config.lib}/*",
        main,
        *args,
    ]


def _env(config: ServerConfig) -> dict[str, str]:
    return {**os.environ, "NEO4J_HOME": str(config.home), "NEO4J_CONF": str(config.home / "conf")}


def _argument_file_word(text: str) -> str:
    """text as one quoted word of a picocli argument file; a leading @ is doubled, not a file."""
    escaped = text.translate(ARGUMENT_FILE_ESCAPES)
    return f'"@{escaped}"' if text.startswith("@") else f'"{escaped}"'


def _set_initial_password(java: str, config: ServerConfig) -> None:
    """Set the password for the server's first start, which creates the system database with it.

    The admin tool (picocli) expands `@file` into arguments, so the password travels in a 0600
    file inside the private home, removed as soon as the tool is done, and never in the command
    line that every local user can read in /proc. The server's first start finds it in place,
    so at no moment does the server accept a default password another local user could change.
    """
    if (config.home / "data" / "databases" / "system").exists():
        return
    arguments = config.home / "run" / "initial-password.args"
    # After `--`, a password that starts with a dash is not read as an option.
    words = ["dbms", "set-initial-password", "--", _argument_file_word(config.password)]
    _write_private(arguments, "\n".join(words) + "\n")
    try:
        result = subprocess.run(
            _java_command(java, config, ADMIN_TOOL, f"@{arguments}"),
            capture_output=True, text=True, env=_env(config), umask=PRIVATE_UMASK, check=False,
        )  # fmt: skip
    finally:
        arguments.unlink(missing_ok=True)
    if result.returncode != 0:
        reason = result.stderr.strip()
        if config.password:  # the tool does not echo it; an error message must never hold it
            reason = reason.replace(config.password, "***")
        raise ServerError(f"could not set the initial Neo4j password: {reason}")


def read_pid(config: ServerConfig) -> int | None:
    try:
        return int(config.pid_file.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None


def _is_our_server(pid: int, config: ServerConfig) -> bool:
    """True only when pid is alive and is the server started from this home."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return False
    return ENTRY_POINT in cmdline and str(config.home) in cmdline


def running_pid(config: ServerConfig) -> int | None:
    pid = read_pid(config)
    if pid is not None and _is_our_server(pid, config):
        return pid
    return None


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _log_tail(config: ServerConfig, lines: int = 3) -> str:
    for candidate in (config.log_file, config.home / "logs" / "console.log"):
        if candidate.exists():
            text = candidate.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            if text:
                return " | ".join(text[-lines:])
    return "no log written"


def start(config: ServerConfig, timeout: float = 120.0) -> int:
    """Start the server (idempotent) and wait until Bolt answers; return its pid."""
    pid = running_pid(config)
    if pid is not None:
        return pid
    if port_open(config.bolt_port):
        raise ServerError(
            f"port {config.bolt_port} is already in use by another process; "
            "set NEO4J_URI to use that server, or choose another port"
        )
    java = require_tool("java", "run the Neo4j server (Java 17 or 21)")
    major = java_major_version(java)
    if major not in (17, 21):
        raise ServerError(f"Neo4j {NEO4J_VERSION} needs Java 17 or 21; `java` is version {major}")
    install_jars(config.lib)
    make_home_private(config.home)
    write_config(config)
    _set_initial_password(java, config)
    console = _open_private(config.home / "logs" / "console.log", os.O_WRONLY | os.O_APPEND)
    process = subprocess.Popen(
        _java_command(
            java, config, ENTRY_POINT,
            f"--home-dir={config.home}", f"--config-dir={config.home / 'conf'}",
        ),
        stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env=_env(config), umask=PRIVATE_UMASK, start_new_session=True,
    )  # fmt: skip
    os.close(console)
    _write_private(config.pid_file, str(process.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            config.pid_file.unlink(missing_ok=True)
            raise ServerError(
                f"Neo4j exited with code {process.returncode} during start "
                f"(see {config.log_file}): {_log_tail(config)}"
            )
        if port_open(config.bolt_port):
            return process.pid
        time.sleep(0.5)
    raise ServerError(
        f"Neo4j did not open Bolt on port {config.bolt_port} within {timeout:.0f}s "
        f"(see {config.log_file})"
    )


def stop(config: ServerConfig, timeout: float = 60.0) -> bool:
    """Stop the server this home started; False when it was not running."""
    pid = running_pid(config)
    if pid is None:
        config.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _is_our_server(pid, config):
        time.sleep(0.3)
    if _is_our_server(pid, config):
        os.kill(pid, signal.SIGKILL)
    config.pid_file.unlink(missing_ok=True)
    return True
