"""The snapshot: a folder of raw AWS API responses, the contract between collecting and loading.

Layout (documented in docs/snapshot.md)::

    <snapshot>/manifest.json
    <snapshot>/<account_id>/<region|global>/<client>/<method>.json
    <snapshot>/<account_id>/<region|global>/<client>/<method>/<key>.json

Each file holds exactly what boto3 returns (pages merged, ResponseMetadata dropped). A call that
failed has no file and one entry in the manifest's `failures`, so "we could not see it" is never
confused with "it is not there".
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from kg.errors import SnapshotError, one_line

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
GLOBAL_REGION = "global"
SOURCES = ("aws", "demo", "synthetic", "file")
_ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Failure:
    """One API call that did not answer: what we asked, and what AWS said."""

    account_id: str
    region: str
    client: str
    method: str
    error_code: str
    message: str = ""
    key: str | None = None


@dataclass(frozen=True)
class AccountEntry:
    """An account the snapshot covers, and whether its collection succeeded."""

    account_id: str
    regions: tuple[str, ...]
    status: str = "ok"
    error: str | None = None


@dataclass(frozen=True)
class Manifest:
    format_version: int
    created_at: str
    source: str
    caller_arn: str | None
    organization_account_id: str | None
    accounts: tuple[AccountEntry, ...]
    failures: tuple[Failure, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["accounts"] = [{**asdict(a), "regions": list(a.regions)} for a in self.accounts]
        data["failures"] = [asdict(f) for f in self.failures]
        return data


# JSON types as messages name them; bool before int, as true is an int to Python.
_JSON_TYPES: dict[type, str] = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "true or false",
    int: "an integer",
    float: "a number",
}
# Neo4j stores 64-bit integers; a larger one would fail in the middle of a write.
_INT64 = range(-(2**63), 2**63)
MAX_DEPTH = 100  # AWS responses nest about a dozen levels; far deeper is not an AWS response
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_REQUIRED = object()


def json_type(value: Any) -> str:
    """What a JSON value is, in the words of error messages."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)  # null, true, false
    return next((name for kind, name in _JSON_TYPES.items() if isinstance(value, kind)), "?")


def expect(value: Any, kind: type, where: str) -> Any:
    """`value` when it is JSON of `kind`, else a one-line SnapshotError naming `where`.

    true and false are not integers, and an integer must fit in the 64 bits Neo4j stores.
    """
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SnapshotError(f"{where} should be {_JSON_TYPES[kind]}, found {json_type(value)}")
    if kind is int and value not in _INT64:
        raise SnapshotError(f"{where} should be a 64-bit integer, found a larger one")
    return value


@dataclass(frozen=True)
class _At:
    """A place in the manifest, named in messages as `manifest.json: accounts[2].regions[0]`."""

    file: str
    path: str = ""

    def field(self, name: str) -> _At:
        return _At(self.file, f"{self.path}.{name}" if self.path else name)

    def item(self, index: int) -> _At:
        return _At(self.file, f"{self.path}[{index}]")

    def __str__(self) -> str:
        return f"{self.file}: {self.path}" if self.path else self.file


def _field(data: dict[str, Any], name: str, kind: type, at: _At, default: Any = _REQUIRED) -> Any:
    """data[name] checked to be `kind`; without a default it must be there and not null."""
    if data.get(name) is None and default is not _REQUIRED:
        return default
    if name not in data:
        raise SnapshotError(f"{at}: missing required field '{name}'")
    return expect(data[name], kind, str(at.field(name)))


def _list_of(
    data: dict[str, Any], name: str, kind: type, at: _At, default: Any = _REQUIRED
) -> list[tuple[_At, Any]]:
    """The items of the list data[name], each with its place and checked to be `kind`."""
    place = at.field(name)
    return [
        (place.item(i), expect(item, kind, str(place.item(i))))
        for i, item in enumerate(_field(data, name, list, at, default))
    ]


def _no_repeats(values: list[tuple[_At, str]]) -> None:
    """Refuse a value listed twice, naming both places (the later one would win silently)."""
    first: dict[str, _At] = {}
    for at, value in values:
        if value in first:
            raise SnapshotError(f"{at}: '{value}' is listed twice (also {first[value].path})")
        first[value] = at


def _account(data: dict[str, Any], at: _At) -> AccountEntry:
    account_id = _field(data, "account_id", str, at)
    if not _ACCOUNT_ID.match(account_id):
        raise SnapshotError(
            f"{at.field('account_id')}: '{account_id}' is not a 12-digit account id"
        )
    regions = _list_of(data, "regions", str, at)
    for place, region in regions:
        if not _REGION.match(region):
            raise SnapshotError(f"{place}: '{region}' is not an AWS region name")
    _no_repeats(regions)
    status = _field(data, "status", str, at, default="ok")
    if status not in ("ok", "failed"):
        raise SnapshotError(f"{at.field('status')}: '{status}' is not 'ok' or 'failed'")
    error = _field(data, "error", str, at, default=None)
    return AccountEntry(account_id, tuple(region for _, region in regions), status, error)


def _failure(data: dict[str, Any], at: _At, regions: dict[str, tuple[str, ...]]) -> Failure:
    account_id = _field(data, "account_id", str, at)
    if account_id not in regions:
        raise SnapshotError(f"{at.field('account_id')}: '{account_id}' is not one of accounts")
    region = _field(data, "region", str, at)
    if region != GLOBAL_REGION and region not in regions[account_id]:
        raise SnapshotError(
            f"{at.field('region')}: '{region}' is not 'global' or one of the account's regions"
        )
    return Failure(
        account_id=account_id,
        region=region,
        client=_field(data, "client", str, at),
        method=_field(data, "method", str, at),
        error_code=_field(data, "error_code", str, at),
        message=_field(data, "message", str, at, default=""),
        key=_field(data, "key", str, at, default=None),
    )


def parse_manifest(data: Any, where: str) -> Manifest:
    """Validate a manifest document, naming the first field that is wrong and where it is."""
    root = _At(where)
    manifest = expect(data, dict, where)
    version = _field(manifest, "format_version", int, root)
    if version != FORMAT_VERSION:
        raise SnapshotError(f"{where}: format_version {version} is not supported (expected 1)")
    created_at = _field(manifest, "created_at", str, root)
    try:
        datetime.fromisoformat(created_at)
    except ValueError:
        raise SnapshotError(
            f"{where}: created_at '{created_at}' is not an ISO-8601 timestamp"
        ) from None
    source = _field(manifest, "source", str, root)
    if source not in SOURCES:
        raise SnapshotError(f"{where}: source '{source}' is not one of {', '.join(SOURCES)}")
    accounts = {at: _account(raw, at) for at, raw in _list_of(manifest, "accounts", dict, root)}
    _no_repeats([(at.field("account_id"), a.account_id) for at, a in accounts.items()])
    regions = {a.account_id: a.regions for a in accounts.values()}
    organization_account_id = _field(manifest, "organization_account_id", str, root, default=None)
    if organization_account_id is not None and organization_account_id not in regions:
        raise SnapshotError(
            f"{where}: organization_account_id '{organization_account_id}' is not one of accounts"
        )
    return Manifest(
        format_version=version,
        created_at=created_at,
        source=source,
        caller_arn=_field(manifest, "caller_arn", str, root, default=None),
        organization_account_id=organization_account_id,
        accounts=tuple(accounts.values()),
        failures=tuple(
            _failure(raw, at, regions)
            for at, raw in _list_of(manifest, "failures", dict, root, default=[])
        ),
    )


def encode_key(key: str) -> str:
    """A resource name or id as a safe file name (reversible)."""
    return quote(key, safe="")


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests lists and objects more than `limit` levels deep."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_json(text: str, where: str) -> Any:
    """JSON text as Python values, every way it can be wrong a one-line SnapshotError.

    Stricter than json.loads where the value would fail later with no file named: NaN and
    Infinity are not JSON, nesting has a limit, and strings must be text Neo4j can store.
    """

    def refuse_constant(name: str) -> None:
        raise SnapshotError(f"{where}: invalid JSON: {name} is not a JSON number")

    too_deep = f"{where}: JSON nested more than {MAX_DEPTH} levels deep"
    try:
        value = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{where}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError:  # Python refuses to read integers of thousands of digits
        raise SnapshotError(f"{where}: invalid JSON: a number with too many digits") from None
    except RecursionError:
        raise SnapshotError(too_deep) from None
    if _nested_deeper_than(value, MAX_DEPTH):
        raise SnapshotError(too_deep)
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise SnapshotError(
                f"{where}: a string holds a lone UTF-16 surrogate (\\uD800-\\uDFFF), not text"
            ) from None
    return value


def read_json(path: Path) -> Any:
    """Read one JSON file, turning every way it can be wrong into a one-line SnapshotError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise SnapshotError(f"{path}: a folder where a JSON file belongs") from None
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SnapshotError(f"{path}: not UTF-8 text") from None
    return parse_json(text, str(path))


_Call = tuple[str, str, bool]  # client, method, and whether it is asked per resource


def _files_by_folder(root: Path) -> dict[Path, frozenset[str]]:
    """The names of the regular files in each folder of a snapshot.

    A snapshot is plain files: a symbolic link is refused rather than followed, so that loading
    reads nothing from outside the folder, and so is anything that cannot be read as a file where
    one belongs. An unreadable folder is an error, never an empty one.
    """
    listing: dict[Path, frozenset[str]] = {}
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as exc:
            raise SnapshotError(f"{folder}: cannot read folder ({exc.strerror})") from None
        for entry in entries:
            path = folder / entry.name
            if entry.is_symlink():
                raise SnapshotError(
                    f"{path}: a symbolic link (snapshots are read from their own files only)"
                )
            if entry.is_dir(follow_symlinks=False):
                if entry.name.endswith(".json"):
                    raise SnapshotError(f"{path}: a folder where a JSON file belongs")
                folders.append(path)
            elif not entry.is_file(follow_symlinks=False):
                raise SnapshotError(f"{path}: not a regular file")
        listing[folder] = frozenset(e.name for e in entries if not e.is_dir(follow_symlinks=False))
    return listing


class Snapshot:
    """Read access to a snapshot folder. Nothing downstream of this calls AWS.

    It notes every call asked of it and every file it read, so that after a transform the files
    nothing read can be named (`unread_files`) instead of silently meaning "not configured".
    """

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = root
        self.manifest = manifest
        self._failures = {
            (f.account_id, f.region, f.client, f.method, f.key): f for f in manifest.failures
        }
        self._files = _files_by_folder(root)
        self._asked: set[tuple[str, str, _Call]] = set()  # account, region, call
        self._read: set[Path] = {root / MANIFEST}

    @classmethod
    def open(cls, path: str | Path) -> Snapshot:
        root = Path(path)
        if not root.is_dir():
            raise SnapshotError(f"{root}: not a snapshot folder (no such directory)")
        manifest_path = root / MANIFEST
        if not manifest_path.exists():
            raise SnapshotError(f"{manifest_path}: missing required file")
        return cls(root, parse_manifest(read_json(manifest_path), str(manifest_path)))

    def account_ids(self) -> list[str]:
        """Accounts whose collection succeeded (their facts replace older ones on load)."""
        return [a.account_id for a in self.manifest.accounts if a.status == "ok"]

    def failed_account_ids(self) -> list[str]:
        return [a.account_id for a in self.manifest.accounts if a.status != "ok"]

    def regions(self, account_id: str) -> list[str]:
        for entry in self.manifest.accounts:
            if entry.account_id == account_id:
                return list(entry.regions)
        return []

    def path(
        self, account_id: str, region: str, client: str, method: str, key: str | None = None
    ) -> Path:
        base = self.root / account_id / region / client
        if key is None:
            return base / f"{method}.json"
        return base / method / f"{encode_key(key)}.json"

    def read(
        self, account_id: str, region: str, client: str, method: str, key: str | None = None
    ) -> Any:
        """The response of one call, or None when the snapshot has no file for it."""
        self._asked.add((account_id, region, (client, method, key is not None)))
        path = self.path(account_id, region, client, method, key)
        if path.name not in self._files.get(path.parent, ()):
            return None
        self._read.add(path)
        return read_json(path)

    def read_object(
        self, account_id: str, region: str, client: str, method: str, key: str | None = None
    ) -> dict[str, Any] | None:
        """Like `read`, but insists on a JSON object (every AWS response is one)."""
        data = self.read(account_id, region, client, method, key)
        if data is None:
            return None
        return expect(data, dict, str(self.path(account_id, region, client, method, key)))

    def keys(self, account_id: str, region: str, client: str, method: str) -> list[str]:
        """The resource keys of a per-resource call, sorted."""
        self._asked.add((account_id, region, (client, method, True)))
        names = self._files.get(self.root / account_id / region / client / method, ())
        return sorted(
            unquote(name.removesuffix(".json")) for name in names if name.endswith(".json")
        )

    def failure(
        self, account_id: str, region: str, client: str, method: str, key: str | None = None
    ) -> Failure | None:
        return self._failures.get((account_id, region, client, method, key))

    def failures_for(self, account_id: str) -> Iterator[Failure]:
        return (f for f in self.manifest.failures if f.account_id == account_id)

    def unread_files(self) -> list[str]:
        """Each file nothing has read yet: its path in the snapshot and the likely reason."""
        unread = []
        for folder, names in sorted(self._files.items()):
            for name in sorted(names):
                if folder / name not in self._read:
                    relative = (folder / name).relative_to(self.root)
                    reason = self._why_unread(relative.parts)
                    unread.append(one_line(f"{relative.as_posix()} ({reason})"))
        return unread

    def _why_unread(self, parts: tuple[str, ...]) -> str:
        if len(parts) not in (4, 5) or not parts[-1].endswith(".json"):
            return "not a response file of the snapshot layout"
        account_id, region, client, method = parts[:4]
        call = (client, method.removesuffix(".json"), len(parts) == 5)
        entry = next((a for a in self.manifest.accounts if a.account_id == account_id), None)
        if entry is None:
            return "account not in manifest.json"
        if entry.status != "ok":
            return "the account's collection failed, per manifest.json"
        if region != GLOBAL_REGION and region not in entry.regions:
            return "region not in the account's regions in manifest.json"
        asked_here = (account_id, region, call) in self._asked
        if not asked_here and any(asked == call for _, _, asked in self._asked):
            return "the call is read in other accounts or regions only"
        if call[2]:  # a per-resource call is read for the resources a list call names
            return "no listed resource has this key"
        return "no such AWS call is collected"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    raise TypeError(f"cannot store {type(value).__name__} in a snapshot")


class SnapshotWriter:
    """Writes a snapshot folder; the manifest is written last, by `finish`."""

    def __init__(self, path: str | Path, *, source: str, caller_arn: str | None = None) -> None:
        if source not in SOURCES:
            raise ValueError(f"unknown snapshot source {source!r}")
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        self.source = source
        self.caller_arn = caller_arn
        self._accounts: dict[str, AccountEntry] = {}
        self._failures: list[Failure] = []
        self.calls_written = 0

    def write(
        self,
        account_id: str,
        region: str,
        client: str,
        method: str,
        data: dict[str, Any],
        key: str | None = None,
    ) -> Path:
        body = {k: v for k, v in data.items() if k != "ResponseMetadata"}
        base = self.root / account_id / region / client
        path = base / f"{method}.json" if key is None else base / method / f"{encode_key(key)}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(body, indent=1, sort_keys=True, default=_json_default) + "\n",
            encoding="utf-8",
        )
        self.calls_written += 1
        return path

    def record_failure(
        self,
        account_id: str,
        region: str,
        client: str,
        method: str,
        error_code: str,
        message: str = "",
        key: str | None = None,
    ) -> None:
        self._failures.append(Failure(account_id, region, client, method, error_code, message, key))

    @property
    def failures(self) -> list[Failure]:
        return list(self._failures)

    def set_account(
        self,
        account_id: str,
        regions: list[str] | tuple[str, ...],
        status: str = "ok",
        error: str | None = None,
    ) -> None:
        self._accounts[account_id] = AccountEntry(account_id, tuple(regions), status, error)

    def finish(
        self, organization_account_id: str | None = None, created_at: str | None = None
    ) -> Manifest:
        """Write manifest.json; `created_at` may be fixed so generated snapshots are stable."""
        stamp = created_at or datetime.now(UTC).replace(microsecond=0).isoformat()
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            created_at=stamp.replace("+00:00", "Z"),
            source=self.source,
            caller_arn=self.caller_arn,
            organization_account_id=organization_account_id,
            accounts=tuple(sorted(self._accounts.values(), key=lambda a: a.account_id)),
            failures=tuple(
                sorted(
                    self._failures,
                    key=lambda f: (f.account_id, f.region, f.client, f.method, f.key or ""),
                )
            ),
        )
        (self.root / MANIFEST).write_text(
            json.dumps(manifest.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        return manifest
