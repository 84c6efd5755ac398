"""Reading AWS response shapes out of a snapshot, with errors that name the file and the field.

Transforms read the JSON that boto3 returned. A field that must be there and is not, or has the
wrong type, is a malformed snapshot: it raises a one-line SnapshotError naming the file and the
path inside it, never a KeyError traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ingest.snapshot import Snapshot, expect, parse_json
from kg.errors import SnapshotError


class Item:
    """One JSON object of a response, and where it came from (for error messages)."""

    __slots__ = ("data", "where")

    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        self.data = data
        self.where = where  # e.g. ".../describe_vpcs.json.Vpcs[0].Tags[1]"

    def _typed(self, name: str, kind: type) -> Any:
        value = self.data.get(name)
        if value is None:
            return None
        return expect(value, kind, f"{self.where}: field '{name}'")

    def string(self, name: str) -> str:
        value: str | None = self._typed(name, str)
        if not value:
            raise SnapshotError(f"{self.where}: missing required field '{name}'")
        return value

    def optional_string(self, name: str) -> str | None:
        value: str | None = self._typed(name, str)
        return value

    def integer(self, name: str) -> int:
        value: int | None = self._typed(name, int)
        if value is None:
            raise SnapshotError(f"{self.where}: missing required field '{name}'")
        return value

    def optional_int(self, name: str) -> int | None:
        value: int | None = self._typed(name, int)
        return value

    def optional_bool(self, name: str) -> bool | None:
        value: bool | None = self._typed(name, bool)
        return value

    def flag(self, name: str) -> bool:
        """A boolean that AWS omits when false."""
        return bool(self.optional_bool(name))

    def strings(self, name: str) -> list[str]:
        values: list[Any] = self._typed(name, list) or []
        return [expect(v, str, f"{self.where}.{name}[{i}]") for i, v in enumerate(values)]

    def child(self, name: str) -> Item:
        """A nested object (empty when AWS left it out)."""
        value: Mapping[str, Any] = self._typed(name, dict) or {}
        return Item(value, f"{self.where}.{name}")

    def children(self, name: str) -> list[Item]:
        values: list[Any] = self._typed(name, list) or []
        out = []
        for i, value in enumerate(values):
            where = f"{self.where}.{name}[{i}]"
            out.append(Item(expect(value, dict, where), where))
        return out

    def policy(self, name: str) -> str | None:
        """A policy document held as JSON text in a field, normalized (None when absent)."""
        raw = self.optional_string(name)
        return policy_document(raw, f"{self.where}.{name}") if raw else None


def response(
    snapshot: Snapshot,
    account_id: str,
    region: str,
    client: str,
    method: str,
    key: str | None = None,
) -> Item | None:
    """One stored response, or None when the snapshot has no file for the call."""
    data = snapshot.read_object(account_id, region, client, method, key)
    if data is None:
        return None
    return Item(data, str(snapshot.path(account_id, region, client, method, key)))


def listed(
    snapshot: Snapshot, account_id: str, region: str, client: str, method: str, list_key: str
) -> list[Item]:
    """The objects of a list call (none when the call failed or was not made)."""
    answer = response(snapshot, account_id, region, client, method)
    return answer.children(list_key) if answer is not None else []


class ResourceCalls:
    """The per-resource calls about one resource, noting which could not be read.

    No file and no recorded failure means AWS said "not configured" (the snapshot contract), so
    `get` returns None for both "not set" and "failed"; `unknown` names the facts that failed.
    """

    def __init__(
        self, snapshot: Snapshot, account_id: str, region: str, client: str, key: str
    ) -> None:
        self.snapshot = snapshot
        self.account_id = account_id
        self.region = region
        self.client = client
        self.key = key
        self.unknown: list[str] = []

    def get(self, method: str, *facts: str) -> Item | None:
        """The call's response; when the call failed, the facts it tells are noted unknown."""
        answer = response(
            self.snapshot, self.account_id, self.region, self.client, method, self.key
        )
        failed = answer is None and self.snapshot.failure(
            self.account_id, self.region, self.client, method, self.key
        )
        if failed:
            self.unknown.extend(facts)
        return answer

    def policy(self, method: str, field: str) -> str | None:
        """The resource policy a call returns as JSON text, normalized (None when not set)."""
        answer = self.get(method, "policy")
        return answer.policy(field) if answer else None

    def tags(
        self, method: str, list_field: str, key_field: str = "Key", value_field: str = "Value"
    ) -> list[str] | None:
        """Tags as "key=value" strings: [] when the resource has none, None when unknown."""
        answer = self.get(method, "tags")
        if answer is None:
            return None if "tags" in self.unknown else []
        return tag_list(answer.children(list_field), key_field, value_field)


def account_regions(snapshot: Snapshot) -> Iterator[tuple[str, str]]:
    """Every collected account and region, for services collected per region."""
    for account_id in snapshot.account_ids():
        for region in snapshot.regions(account_id):
            yield account_id, region


def tag_list(tags: list[Item], key_field: str = "Key", value_field: str = "Value") -> list[str]:
    """AWS tags as sorted "key=value" strings (Neo4j stores no maps)."""
    return sorted(f"{t.string(key_field)}={t.optional_string(value_field) or ''}" for t in tags)


def name_tag(tags: list[Item]) -> str | None:
    for tag in tags:
        if tag.optional_string("Key") == "Name":
            return tag.optional_string("Value")
    return None


def policy_document(raw: Any, where: str) -> str:
    """A policy as stored on every policy-bearing node: JSON text of the normalized document.

    Normalized means a JSON object whose "Statement" is a list (AWS allows a single statement
    object), so one evaluator reads identity, resource, SCP and RCP policies alike.
    """
    document = parse_json(raw, where) if isinstance(raw, str) else raw
    if not isinstance(document, dict):
        raise SnapshotError(f"{where}: policy should be a JSON object")
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise SnapshotError(f"{where}: policy Statement should be an object or a list of objects")
    return json.dumps({**document, "Statement": statements}, sort_keys=True)


def partition(region: str) -> str:
    """The ARN partition of a region."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
