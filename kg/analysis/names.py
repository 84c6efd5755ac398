"""Names typed on the command line, resolved against the graph before a question is asked.

An unknown name must not answer "nothing", which reads as "safe". Every command that takes a
name resolves it here, in one read transaction, to the key its query takes (a keyword, an
account id or an ARN), or fails with exit code 2: a name that is not in the graph, naming the
closest names of the same kind; a short name that several nodes share, listing their ARNs.

A name is, in this order:
- a keyword of the option (internet, crown-jewels, everyone, ...);
- an account: its 12-digit id or its root ARN (arn:aws:iam::<id>:root, as policies name an
  account), also its Organizations ARN or its name. An account outside the organization is in
  the graph only where a loaded policy names it;
- a node by ARN, among the labels the option takes; where the option allows, the ARN of a
  sub-resource names the node that holds its policy: an object ARN (arn:aws:s3:::bucket/key,
  bucket/*) its bucket, a KMS alias ARN the key it points at, a secret's ARN without the random
  suffix Secrets Manager adds (secret:name for secret:name-AbCdEf) the secret;
- a node by its name (a user, role or group name, a resource's name).

Suggestions read only keys of the kind typed, and of those only the ones that begin alike
(index range seeks), so that they stay quick on a graph of a thousand accounts: account ids for
an id; for a name, the names that share its first three characters, else its first; for an ARN,
those of its account (or the accounts closest to a mistyped id) and resource type whose rest
begins alike.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, LiteralString, cast

from neo4j import ManagedTransaction

from kg.errors import AmbiguousNameError, ConfigError, UnknownNameError
from kg.graph.driver import Graph, query_rows
from kg.model import load_schema
from kg.model.access import RESOURCE_LABELS

USERS_AND_ROLES = ("User", "Role")
# Nodes people call by name; everything else (interfaces, subnets, policies, ...) by ARN.
NAMED_LABELS = (*USERS_AND_ROLES, "Group", *RESOURCE_LABELS)
# Nodes keyed by an ARN; a federated identity provider's key is its ARN (or, for a web identity
# provider, its domain).
ARN_LABELS = (
    *sorted(label for label, node in load_schema().nodes.items() if node.key == "arn"),
    "FederatedProvider",
)
CLOSEST = 3  # names offered for an unknown one
LISTED = 10  # ARNs listed for an ambiguous one

ACCOUNT_ID = re.compile(r"\d{12}")
_ROOT_ARN = re.compile(r"arn:([^:]+):iam::(\d{12}):root")
_S3_OBJECT = re.compile(r"(arn:[^:]+:s3:::[^/]+)/.*")
_KMS_ALIAS = re.compile(r"(arn:[^:]+:kms:[^:]+:\d{12}:)(alias/.+)")
_SECRET_NAME = re.compile(r"arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:[^:]+")
_SECRET_SUFFIX = 7  # "-" and six random characters
_RESOURCE_TYPE = re.compile(r"[^/:]*[/:]")  # role/, key/, function: (none for a bucket)

_ACCOUNTS = """
MATCH (a:Account)
WHERE a.account_id = $text OR a.arn = $text OR a.name = $text
RETURN a.account_id AS key, a.name AS name, coalesce(a.external, false) AS external
ORDER BY key
"""
_ACCOUNT_KEYS = "MATCH (a:Account) RETURN a.account_id AS account_id, a.name AS name"


@dataclass(frozen=True)
class Accepts:
    """What one option takes. `noun` says it in words, for a name of another kind."""

    noun: str
    keywords: tuple[str, ...] = ()
    accounts: Literal["", "any", "external"] = ""
    by_arn: tuple[str, ...] = ()
    by_name: tuple[str, ...] = ()
    sub_resources: bool = False

    def __post_init__(self) -> None:
        # The labels are written into the lookup queries: only the schema's own.
        unknown = set(self.by_arn + self.by_name) - set(load_schema().nodes)
        if unknown:
            raise ValueError(f"not labels of the schema: {sorted(unknown)}")


PRINCIPALS = Accepts("a user or role", by_arn=USERS_AND_ROLES, by_name=USERS_AND_ROLES)
ACCOUNTS = Accepts("an account", accounts="any")
REQUESTERS = Accepts(
    "a user or role, an account outside the organization, or everyone",
    keywords=("everyone",),
    accounts="external",
    by_arn=USERS_AND_ROLES,
    by_name=USERS_AND_ROLES,
)


@dataclass(frozen=True)
class Named:
    """What a name resolved to: the key its queries take (a keyword, an account id or an ARN)."""

    key: str
    kind: Literal["keyword", "account", "node"]
    name: str | None = None  # an account's name
    external: bool = False  # an account outside the organization

    def __str__(self) -> str:
        if self.kind != "account":
            return self.key
        return f"account {self.key}" + (f" ({self.name})" if self.name else "")


def closest(
    text: str,
    candidates: Iterable[str],
    n: int = CLOSEST,
    part: Callable[[str], str] = lambda name: name,
) -> list[str]:
    """Up to n candidates most like `text`, best first, comparing `part` of each (an ARN's
    resource, not the prefix they all share); case does not count against them."""
    by_part: dict[str, list[str]] = {}
    for candidate in dict.fromkeys(candidates):
        by_part.setdefault(part(candidate).casefold(), []).append(candidate)
    matches = difflib.get_close_matches(part(text).casefold(), list(by_part), n=n)
    return [candidate for match in matches for candidate in by_part[match]][:n]


def resolve(graph: Graph, option: str, text: str, accepts: Accepts) -> Named:
    """The one thing `text` names among what `option` accepts, or UnknownNameError (not in the
    graph), AmbiguousNameError (several nodes have that name) or ConfigError (a name of
    another kind)."""
    if text in accepts.keywords:
        return Named(text, "keyword")
    return graph.execute_read(lambda tx: _Lookup(tx, option, text, accepts).named(), option)


def resolve_key(graph: Graph, option: str, text: str | None, accepts: Accepts) -> str | None:
    """`resolve`'s key for an optional name (None: the option was not given)."""
    return None if text is None else resolve(graph, option, text, accepts).key


def _each_label(labels: Sequence[str], where: str, returns: str) -> LiteralString:
    """One query over several labels, a branch each so that each can use its label's index;
    `{key}` in `where` and `returns` stands for the label's key property."""
    nodes = load_schema().nodes
    branches = [
        f"MATCH (n:{label}) WHERE {where} RETURN {returns}".format(key=nodes[label].key)
        for label in labels
    ]
    return cast(LiteralString, "\nUNION\n".join(branches))


class _Lookup:
    """The reads that resolve one name, all in one read transaction."""

    def __init__(self, tx: ManagedTransaction, option: str, text: str, accepts: Accepts) -> None:
        self.tx = tx
        self.option = option
        self.text = text
        self.accepts = accepts

    def named(self) -> Named:
        account_id = _account_id(self.text)
        if account_id is not None:
            return self._account(account_id)
        found = self._accounts(self.text) if self.accepts.accounts else []
        if self.text.startswith("arn:"):
            nodes = self._by_arn()
        else:
            nodes = self._keys(self.accepts.by_name, "n.name = $text", text=self.text)
        found += [Named(key, "node") for key in nodes]
        if len(found) == 1:
            return self._allowed(found[0])
        if found:
            raise self._ambiguous(found)
        self._refuse_other_kinds()
        raise UnknownNameError(f"{self.option} {self.text!r} is not in the graph", self._closest())

    def _rows(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        return query_rows(self.tx, query, params)

    def _keys(self, labels: Sequence[str], where: str, **params: Any) -> list[str]:
        """The keys of the nodes of these labels that match."""
        if not labels:
            return []
        rows = self._rows(_each_label(labels, where, "n.{key} AS key"), **params)
        return sorted({row["key"] for row in rows})

    def _accounts(self, text: str) -> list[Named]:
        rows = self._rows(_ACCOUNTS, text=text)
        return [Named(row["key"], "account", row["name"], row["external"]) for row in rows]

    def _account_ids(self) -> list[str]:
        return [row["account_id"] for row in self._rows(_ACCOUNT_KEYS)]

    def _account(self, account_id: str) -> Named:
        """An account named by its id or root ARN: it is in the graph, or nothing is."""
        if not self.accepts.accounts:
            raise ConfigError(
                f"{self.option} {self.text!r} names an account, but {self.option} takes "
                f"{self.accepts.noun}"
            )
        found = self._accounts(account_id)
        if found:
            return self._allowed(found[0])
        offered = closest(account_id, self._account_ids())
        root = _ROOT_ARN.fullmatch(self.text)
        raise UnknownNameError(
            f"{self.option} {self.text!r} is not in the graph (an account outside the "
            "organization is, only where a loaded policy names it)",
            [f"arn:{root.group(1)}:iam::{i}:root" for i in offered] if root else offered,
        )

    def _allowed(self, named: Named) -> Named:
        if named.kind == "account" and self.accepts.accounts == "external" and not named.external:
            raise ConfigError(
                f"{self.option} {self.text!r} is {named}, a member of the organization, but "
                f"{self.option} takes {self.accepts.noun}"
            )
        return named

    def _by_arn(self) -> list[str]:
        found = self._keys(self.accepts.by_arn, "n.{key} = $text", text=self.text)
        if found or not self.accepts.sub_resources:
            return found
        bucket = self._bucket_of_object()
        if bucket is not None:
            return self._keys(["S3Bucket"], "n.arn = $text", text=bucket)
        alias = _KMS_ALIAS.fullmatch(self.text)
        if alias is not None:
            where = "n.arn STARTS WITH $prefix AND $alias IN n.aliases"
            return self._keys(["KmsKey"], where, prefix=f"{alias[1]}key/", alias=alias[2])
        if _SECRET_NAME.fullmatch(self.text):
            where = "n.arn STARTS WITH $prefix AND size(n.arn) = $size"
            size = len(self.text) + _SECRET_SUFFIX
            return self._keys(["Secret"], where, prefix=f"{self.text}-", size=size)
        return []

    def _bucket_of_object(self) -> str | None:
        """The bucket an object ARN names, where the option takes sub-resources."""
        found = _S3_OBJECT.fullmatch(self.text) if self.accepts.sub_resources else None
        return found.group(1) if found else None

    def _ambiguous(self, found: list[Named]) -> AmbiguousNameError:
        listed = ", ".join(str(named) for named in found[:LISTED])
        more = f" and {len(found) - LISTED} more" if len(found) > LISTED else ""
        return AmbiguousNameError(
            f"{self.option} {self.text!r} is the name of {len(found)} nodes; "
            f"give one of them: {listed}{more}"
        )

    def _refuse_other_kinds(self) -> None:
        """A name the graph holds as a kind the option does not take is not 'not in the graph'."""
        if self.text.startswith("arn:"):
            labels = [label for label in ARN_LABELS if label not in self.accepts.by_arn]
            where = "n.{key} = $text"
        else:
            labels = [label for label in NAMED_LABELS if label not in self.accepts.by_name]
            where = "n.name = $text"
        if not labels:
            return
        rows = self._rows(_each_label(labels, where, "labels(n)[0] AS label"), text=self.text)
        if rows:
            kinds = ", ".join(sorted({row["label"] for row in rows}))
            raise ConfigError(
                f"{self.option} {self.text!r} is in the graph as {kinds}, but {self.option} "
                f"takes {self.accepts.noun}"
            )

    def _closest(self) -> list[str]:
        if self.text.startswith("arn:"):
            return self._closest_arns()
        others = list(self.accepts.keywords)
        if self.accepts.accounts:
            others += [row["name"] for row in self._rows(_ACCOUNT_KEYS) if row["name"]]
        for prefixes in _narrowing("", self.text):
            names = self._starting(self.accepts.by_name, "name", prefixes)
            found = closest(self.text, [*others, *names])
            if found:
                return found
        return []

    def _closest_arns(self) -> list[str]:
        """ARNs like the one typed, among those of its account and resource type (role/, key/)
        whose rest begins alike; a mistyped account id looks in the accounts closest to it."""
        arn = self._bucket_of_object() or self.text
        parts = arn.split(":", 5)
        if len(parts) < 6:
            return []
        accounts = [parts[4]]
        if parts[4] and parts[4] not in (known := self._account_ids()):
            accounts = closest(parts[4], known)
        kind = _RESOURCE_TYPE.match(parts[5])
        resource_type = kind.group() if kind else ""
        rest = parts[5][len(resource_type) :]
        head = ":".join(parts[:4])
        for level in zip(
            *(_narrowing(f"{head}:{account}:{resource_type}", rest) for account in accounts),
            strict=True,
        ):
            candidates = self._starting(self.accepts.by_arn, "{key}", set().union(*level))
            found = closest(arn, candidates, part=_resource)
            if found:
                return found
        return []

    def _starting(self, labels: Sequence[str], prop: str, prefixes: Iterable[str]) -> list[str]:
        """The values of `prop` that begin with one of the prefixes (index range seeks)."""
        if not labels:
            return []
        query = _each_label(labels, f"n.{prop} STARTS WITH $prefix", f"n.{prop} AS value")
        return [row["value"] for prefix in prefixes for row in self._rows(query, prefix=prefix)]


def _narrowing(fixed: str, free: str) -> list[set[str]]:
    """The prefixes a mistyped name's real one is looked for under, narrowest first: `fixed`
    and the first three characters of `free`, then its first one (as typed or in lower case).
    A typo in the first character finds nothing: reading every name of a large graph takes
    seconds."""
    return [{fixed + free[:size], fixed + free[:size].lower()} for size in (3, 1)]


def _resource(arn: str) -> str:
    """What tells apart ARNs of one account: the part after it (role/x, bucket names, ...)."""
    return arn.split(":", 5)[-1]


def _account_id(text: str) -> str | None:
    """The account a 12-digit id or a root ARN names."""
    if ACCOUNT_ID.fullmatch(text):
        return text
    root = _ROOT_ARN.fullmatch(text)
    return root.group(2) if root else None
