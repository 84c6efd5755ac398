"""Errors that the CLI turns into one clear line and a non-zero exit.

Every error a user can cause (bad input, a server that is down, access denied) is a `KgError`
whose message names what went wrong and where; anything else is a bug and keeps its traceback
under `--debug`.
"""

from collections.abc import Sequence


def one_line(text: str) -> str:
    """`text` with its line breaks shown as \\n: it may quote names from the input (a file, a
    field, a value), and a line break in one of those must not split a one-line message."""
    return "\\n".join(text.splitlines())


def about(subject: str, name: str, error: Exception) -> str:
    """`error`'s message, said of `subject` `name` (once: a message that begins with the name
    already says which one)."""
    message = str(error)
    if message.startswith(name):
        return f"{subject} {message}"
    return f"{subject} {name}: {message}"


class KgError(Exception):
    """An expected failure with a one-line, user-facing message."""

    exit_code = 1

    def __str__(self) -> str:
        return one_line(super().__str__())


class ConfigError(KgError):
    """Bad flags, environment or configuration files."""

    exit_code = 2


class UnknownNameError(KgError):
    """A name that is not where it was looked for (the graph, the query library, IAM's actions).

    An unknown name must fail rather than answer "nothing", which reads as "safe"; the message
    offers the closest names of the same kind.
    """

    exit_code = 2

    def __init__(self, message: str, closest: Sequence[str] = ()) -> None:
        offer = f"; closest: {', '.join(closest)}" if closest else ""
        super().__init__(f"{message}{offer}")
        self.closest = tuple(closest)


class AmbiguousNameError(KgError):
    """A short name that several nodes share (a role name in several accounts): say which."""

    exit_code = 2


class OutputError(KgError):
    """A file a command was asked to write cannot be written (a bad --output: a usage error)."""

    exit_code = 2


class SnapshotError(KgError):
    """A snapshot folder or file that cannot be read or does not have the documented shape."""


class SchemaError(KgError):
    """Graph records that do not match the declared schema."""


class Neo4jUnavailableError(KgError):
    """The Neo4j server cannot be reached or refused the credentials."""

    exit_code = 3


class ServerError(KgError):
    """The local Neo4j server could not be installed, started or stopped."""

    exit_code = 3


class CollectError(KgError):
    """Collection from AWS could not start or collected nothing."""


class ReportAssetError(KgError):
    """The HTML report's graph-drawing library is not in the package (it is built by
    `make setup`, not committed)."""
