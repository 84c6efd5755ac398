"""A thin wrapper over the official neo4j driver: connect, read, write, and clear errors.

Library queries run in read transactions (`read`); loads and derivations run their batches in
write transactions (`execute_write`) planned by kg.graph.writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, LiteralString, TypeVar, cast

import neo4j
from neo4j import GraphDatabase, ManagedTransaction, NotificationMinimumSeverity, Record
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
)

from kg.config import Neo4jSettings
from kg.errors import KgError, Neo4jUnavailableError

T = TypeVar("T")
Guard = Callable[[ManagedTransaction], None]


class QueryError(KgError):
    """Neo4j rejected a query (a bug or an incompatible server), named by its first line."""


def _first_line(query: str) -> str:
    return next((line.strip() for line in query.splitlines() if line.strip()), "")


_AS_IS = frozenset({str, int, float, bool, type(None)})


class _NotPlain(Exception):
    """A value holding something other than strings, numbers, booleans, lists and maps."""


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    raise _NotPlain


def record_data(record: Record) -> dict[str, Any]:
    """The record as `Record.data()` gives it. kg's queries return strings, numbers, lists and
    maps by the hundred thousand, which need no conversion; `data()` checks each against every
    graph and temporal type, which took a sixth of `kg paths` at 1,000 accounts. A record
    with a node, a relationship, a path or a temporal value goes through `data()`."""
    try:
        return {key: _plain(value) for key, value in record.items()}
    except _NotPlain:
        return record.data()


def query_rows(
    tx: ManagedTransaction, query: LiteralString, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every row of the query in the transaction, as `record_data` gives it."""
    return [record_data(record) for record in tx.run(query, params)]


class Graph:
    """One connection to one Neo4j database."""

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        try:
            self._driver = GraphDatabase.driver(
                settings.uri,
                auth=(settings.user, settings.password),
                notifications_min_severity=NotificationMinimumSeverity.OFF,
            )
        except (ValueError, ConfigurationError) as exc:
            raise Neo4jUnavailableError(f"invalid Neo4j URI {settings.uri!r}: {exc}") from None
        # Checks a write transaction runs before its work (the writer lock's fence, kg.graph.lock)
        # and a read transaction before and after it (that the graph did not change under a
        # question, kg.graph.pending); each raises to stop the transaction.
        self.write_guard: Guard | None = None
        self.read_guard: Guard | None = None

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._driver.close()

    @contextmanager
    def _translated_errors(self, failure: str | None = None, query: str = "") -> Iterator[None]:
        """Connection and credential failures as one clear line; with `failure` ("write
        failed", ...), also Neo4j's rejection of `query`, named by its first line."""
        try:
            yield
        except AuthError:
            raise Neo4jUnavailableError(
                f"Neo4j at {self.settings.uri} refused the credentials of user "
                f"'{self.settings.user}' (set NEO4J_USER / NEO4J_PASSWORD)"
            ) from None
        except ServiceUnavailable:
            raise Neo4jUnavailableError(
                f"Neo4j is not reachable at {self.settings.uri} "
                "(start one with `kg neo4j start`, or set NEO4J_URI)"
            ) from None
        except Neo4jError as exc:
            if failure is None:
                raise
            raise QueryError(f"{failure} ({_first_line(query)}): {exc.message}") from None

    def verify(self) -> dict[str, str]:
        """Check the server answers; return its name, version and edition."""
        with self._translated_errors():
            self._driver.verify_connectivity()
            rows = self.read(
                "CALL dbms.components() YIELD name, versions, edition "
                "RETURN name, versions[0] AS version, edition"
            )
        return {k: str(v) for k, v in rows[0].items()} if rows else {}

    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self.settings.database)

    def read(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """Run a read-only query in a read transaction and return its rows as dicts."""
        return self.execute_read(lambda tx: query_rows(tx, query, params), query)

    def execute_read(self, work: Callable[[ManagedTransaction], T], label: str = "") -> T:
        guard = self.read_guard

        def guarded(tx: ManagedTransaction) -> T:
            if guard is None:
                return work(tx)
            guard(tx)
            result = work(tx)
            guard(tx)
            return result

        with self._translated_errors("query failed", label), self._session() as session:
            return session.execute_read(guarded)

    def write(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        return self.execute_write(lambda tx: query_rows(tx, query, params), query)

    def execute_write(self, work: Callable[[ManagedTransaction], T], label: str = "") -> T:
        """Run `work` in one write transaction: it commits whole or not at all."""
        guard = self.write_guard

        def guarded(tx: ManagedTransaction) -> T:
            if guard is not None:
                guard(tx)
            return work(tx)

        with self._translated_errors("write failed", label), self._session() as session:
            return session.execute_write(guarded)

    def run_schema(self, query: LiteralString) -> None:
        """DDL (constraints, indexes) cannot share a transaction with data; run it alone."""
        with self._translated_errors("schema change failed", query), self._session() as session:
            session.run(query).consume()

    def run_in_own_transactions(self, query: str, **params: Any) -> neo4j.SummaryCounters:
        """Run schema-generated Cypher that commits its own batches (`CALL ... IN TRANSACTIONS`),
        which Neo4j allows only outside a managed transaction: the write guard runs just before,
        in a transaction of its own."""
        if self.write_guard is not None:
            self.execute_write(lambda tx: None, "write guard")
        with self._translated_errors("write failed", query), self._session() as session:
            return session.run(cast(LiteralString, query), params).consume().counters

    @contextmanager
    def held_transaction(
        self, query: LiteralString, metadata: dict[str, Any], **params: Any
    ) -> Iterator[Callable[[], bool]]:
        """Run `query` in a write transaction that stays open for the block and is rolled back at
        its end, so the locks the query took are held until then (kg.graph.lock). `metadata`
        names the transaction in `SHOW TRANSACTIONS`. The block gets a function that tells
        whether the transaction is still open (the server may have ended it)."""

        def still_open() -> bool:
            try:
                tx.run("RETURN 1").consume()
            except (DriverError, Neo4jError):
                return False
            return True

        with self._session() as session:
            with self._translated_errors("write failed", query):
                tx = session.begin_transaction(metadata=metadata)
            try:
                with self._translated_errors("write failed", query):
                    tx.run(query, params).consume()
                yield still_open
            finally:
                # A connection that is gone has taken the transaction (and its locks) with it.
                with suppress(DriverError, Neo4jError):
                    tx.close()

    def run_dynamic(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """A write whose text was generated from the declared schema (labels cannot be params)."""
        return self.write(cast(LiteralString, query), **params)
