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
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from kg.errors import SnapshotError

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


def _require(data: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in data:
        raise SnapshotError(f"{where}: missing required field '{name}'")
    value = data[name]
    if not isinstance(value, kind):
        raise SnapshotError(f"{where}: field '{name}' has the wrong type ({type(value).__name__})")
    return value


def parse_manifest(data: Any, where: str) -> Manifest:
    """Validate a manifest document, naming the first field that is wrong."""
    if not isinstance(data, dict):
        raise SnapshotError(f"{where}: expected a JSON object")
    version = _require(data, "format_version", int, where)
    if version != FORMAT_VERSION:
        raise SnapshotError(f"{where}: format_version {version} is not supported (expected 1)")
    source = _require(data, "source", str, where)
    if source not in SOURCES:
        raise SnapshotError(f"{where}: source '{source}' is not one of {', '.join(SOURCES)}")
    accounts = []
    for i, raw in enumerate(_require(data, "accounts", list, where)):
        at = f"{where}: accounts[{i}]"
        if not isinstance(raw, dict):
            raise SnapshotError(f"{at}: expected an object")
        account_id = _require(raw, "account_id", str, at)
        if not _ACCOUNT_ID.match(account_id):
            raise SnapshotError(f"{at}: account_id '{account_id}' is not a 12-digit account id")
        regions = _require(raw, "regions", list, at)
        status = raw.get("status", "ok")
        if status not in ("ok", "failed"):
            raise SnapshotError(f"{at}: status '{status}' is not 'ok' or 'failed'")
        accounts.append(AccountEntry(account_id, tuple(regions), status, raw.get("error")))
    failures = []
    for i, raw in enumerate(data.get("failures", [])):
        at = f"{where}: failures[{i}]"
        if not isinstance(raw, dict):
            raise SnapshotError(f"{at}: expected an object")
        failures.append(
            Failure(
                account_id=_require(raw, "account_id", str, at),
                region=_require(raw, "region", str, at),
                client=_require(raw, "client", str, at),
                method=_require(raw, "method", str, at),
                error_code=_require(raw, "error_code", str, at),
                message=str(raw.get("message") or ""),
                key=raw.get("key"),
            )
        )
    return Manifest(
        format_version=version,
        created_at=_require(data, "created_at", str, where),
        source=source,
        caller_arn=data.get("caller_arn"),
        organization_account_id=data.get("organization_account_id"),
        accounts=tuple(accounts),
        failures=tuple(failures),
    )


def encode_key(key: str) -> str:
    """A resource name or id as a safe file name (reversible)."""
    return quote(key, safe="")


def read_json(path: Path) -> Any:
    """Read one JSON file, turning every way it can be wrong into a one-line SnapshotError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(f"{path}: file not found") from None
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SnapshotError(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


class Snapshot:
    """Read access to a snapshot folder. Nothing downstream of this calls AWS."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = root
        self.manifest = manifest
        self._failures = {
            (f.account_id, f.region, f.client, f.method, f.key): f for f in manifest.failures
        }

    @classmethod
    def open(cls, path: str | Path) -> Snapshot:
        root = Path(path)
        if not root.is_dir():
            raise SnapshotError(f"{root}: not a snapshot folder (no such directory)")
        manifest_path = root / MANIFEST
        if not manifest_path.is_file():
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
        path = self.path(account_id, region, client, method, key)
        if not path.is_file():
            return None
        return read_json(path)

    def read_object(
        self, account_id: str, region: str, client: str, method: str, key: str | None = None
    ) -> dict[str, Any] | None:
        """Like `read`, but insists on a JSON object (every AWS response is one)."""
        data = self.read(account_id, region, client, method, key)
        if data is not None and not isinstance(data, dict):
            path = self.path(account_id, region, client, method, key)
            raise SnapshotError(f"{path}: expected a JSON object, found {type(data).__name__}")
        return data

    def keys(self, account_id: str, region: str, client: str, method: str) -> list[str]:
        """The resource keys of a per-resource call, sorted."""
        folder = self.root / account_id / region / client / method
        if not folder.is_dir():
            return []
        return sorted(unquote(p.name[: -len(".json")]) for p in folder.glob("*.json"))

    def failure(
        self, account_id: str, region: str, client: str, method: str, key: str | None = None
    ) -> Failure | None:
        return self._failures.get((account_id, region, client, method, key))

    def failures_for(self, account_id: str) -> Iterator[Failure]:
        return (f for f in self.manifest.failures if f.account_id == account_id)


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
