"""Reading AWS JSON answers with errors that say where: `describe_vpcs: Vpcs[2].VpcId: missing`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from kg.analysis.reachability.errors import ReachabilityInputError


class Node:
    """One JSON object of an answer, with the path to it for error messages."""

    def __init__(self, value: Any, where: str, *, answer: bool = False) -> None:
        if not isinstance(value, Mapping):
            raise ReachabilityInputError(f"{where}: expected an object, got {value!r}")
        self.value = value
        self.where = where
        self._answer = answer  # the whole answer of a call: "call: Key", not "call.Key"

    def _at(self, key: str) -> str:
        return f"{self.where}: {key}" if self._answer else f"{self.where}.{key}"

    def _get(self, key: str, kind: type, required: bool) -> Any:
        value = self.value.get(key)
        if value is None:
            if required:
                raise ReachabilityInputError(f"{self._at(key)}: missing")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = {str: "a string", int: "an integer", bool: "true or false"}[kind]
            raise ReachabilityInputError(f"{self._at(key)}: expected {expected}, got {value!r}")
        return value

    def text(self, key: str) -> str:
        value: str = self._get(key, str, required=True)
        return value

    def optional_text(self, key: str) -> str | None:
        value: str | None = self._get(key, str, required=False)
        return value

    def integer(self, key: str) -> int:
        value: int = self._get(key, int, required=True)
        return value

    def optional_int(self, key: str) -> int | None:
        value: int | None = self._get(key, int, required=False)
        return value

    def flag(self, key: str) -> bool:
        return bool(self._get(key, bool, required=False))

    def child(self, key: str) -> Node:
        """The object under `key` (an empty one when absent)."""
        return Node(self.value.get(key) or {}, self._at(key))

    def children(self, key: str) -> list[Node]:
        items = self.value.get(key) or []
        if not isinstance(items, list):
            raise ReachabilityInputError(f"{self._at(key)}: expected a list, got {items!r}")
        return [Node(item, f"{self._at(key)}[{i}]") for i, item in enumerate(items)]

    def texts(self, key: str) -> tuple[str, ...]:
        items = self.value.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ReachabilityInputError(f"{self._at(key)}: expected a list of strings")
        return tuple(items)


def listed(answer: Mapping[str, Any] | None, call: str, key: str) -> list[Node]:
    """The items under `key` of one call's answer (none when the answer is absent)."""
    return Node(answer, call, answer=True).children(key) if answer is not None else []


@contextmanager
def located(where: str) -> Iterator[None]:
    """Prefix errors raised while building the object found at `where` with that path."""
    try:
        yield
    except ReachabilityInputError as error:
        if str(error).startswith(where):
            raise
        raise ReachabilityInputError(f"{where}: {error}") from None
