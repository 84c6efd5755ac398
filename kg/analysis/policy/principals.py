"""Who makes a request, and how a resource policy's Principal / NotPrincipal element names them.

How a resource policy names the requester changes the decision (AWS "Policy evaluation logic"):
- naming the requester itself (an IAM user ARN, a role session ARN, a service, an identity
  provider, or everyone) grants on its own, whatever the requester's identity policies say;
- naming the IAM role whose session makes the request grants too, but the role's permissions
  boundary and session policies still limit it;
- naming the account (its id or ``arn:aws:iam::ACCOUNT:root``) delegates to that account: the
  requester's own identity policies must allow the request as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum

from kg.analysis.policy.errors import PolicyError
from kg.analysis.policy.truth import Truth

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROOT_ARN = re.compile(r"^arn:[a-z0-9-]+:iam::(\d{12}):root$")
_IAM_PRINCIPAL_ARN = re.compile(
    r"^arn:(?P<partition>[a-z0-9-]+):iam::(?P<account>\d{12}):(?P<resource>root|user/.+|role/.+)$"
)


class PrincipalKind(StrEnum):
    USER = "user"
    ROLE = "role"  # a session of the role (the graph knows roles, not their sessions)
    ROOT = "root"  # the account's root user
    SERVICE = "service"  # an AWS service principal such as ec2.amazonaws.com
    FEDERATED = "federated"  # a web identity or SAML user, named by its identity provider
    ANONYMOUS = "anonymous"  # an unauthenticated caller


def iam_principal_kind(arn: str) -> PrincipalKind | None:
    """USER or ROLE for the ARN of an IAM user or role; None for anything else."""
    match = _IAM_PRINCIPAL_ARN.match(arn)
    kind = match["resource"].partition("/")[0] if match else None
    return PrincipalKind(kind) if kind in (PrincipalKind.USER, PrincipalKind.ROLE) else None


@dataclass(frozen=True)
class Principal:
    """The requester, with what the graph knows about it for certain.

    `arn` is the user, role or root ARN; for a service its name (``lambda.amazonaws.com``), for a
    federated user its identity provider (ARN, or ``cognito-identity.amazonaws.com``). Fields
    left None are unknown to the caller; conditions that depend on them stay undecided.
    `tags` are the principal's tags; for a role, session tags may add or override them, so pass
    None unless the caller knows the sessions carry none. `session_name` is the role session's
    name when known: a policy naming one specific session cannot be decided without it.
    `outside_orgs` are organizations it is known not to belong to (an account outside the
    loaded organization, whose own organization is unknown). `user_id` is an IAM user's unique
    id (AIDA...), the value of aws:userid for its requests.
    """

    kind: PrincipalKind
    arn: str
    account_id: str | None = None
    org_id: str | None = None
    org_paths: tuple[str, ...] | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    session_name: str | None = None
    service_linked: bool = False
    outside_orgs: frozenset[str] = frozenset()
    user_id: str | None = None

    def __post_init__(self) -> None:
        if not self.has_account:
            return
        match = _IAM_PRINCIPAL_ARN.match(self.arn)
        if match is None or match["resource"].partition("/")[0] != self.kind:
            raise PolicyError(f"principal {self.arn!r}: not an IAM {self.kind} ARN")
        if self.account_id is None:
            object.__setattr__(self, "account_id", match["account"])
        elif self.account_id != match["account"]:
            raise PolicyError(
                f"principal {self.arn!r}: account_id {self.account_id} differs from the ARN"
            )

    @property
    def partition(self) -> str:
        match = _IAM_PRINCIPAL_ARN.match(self.arn)
        return match["partition"] if match else "aws"

    @property
    def has_account(self) -> bool:
        """Users, role sessions and root users belong to an account; the others do not."""
        return self.kind in (PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ROOT)

    @property
    def session_arn_prefix(self) -> str | None:
        """``arn:aws:sts::ACCOUNT:assumed-role/NAME/`` for a role (the path is not part of it)."""
        if self.kind is not PrincipalKind.ROLE:
            return None
        role_name = self.arn.rsplit("/", 1)[-1]
        return f"arn:{self.partition}:sts::{self.account_id}:assumed-role/{role_name}/"


class Naming(Enum):
    """How a resource policy statement names the requester (see the module docstring)."""

    DIRECT = "direct"
    ROLE = "role"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Named:
    naming: Naming
    truth: Truth  # UNKNOWN when the statement names one role session and the name is unknown


@dataclass(frozen=True)
class PrincipalSpec:
    """A parsed Principal or NotPrincipal element."""

    everyone: bool = False
    accounts: frozenset[str] = frozenset()
    arns: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    federated: frozenset[str] = frozenset()
    canonical_users: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, element: object, where: str) -> PrincipalSpec:
        if element == "*":
            return cls(everyone=True)
        if not isinstance(element, Mapping) or not element:
            raise PolicyError(f'{where}: expected "*" or an object such as {{"AWS": [...]}}')
        values: dict[str, tuple[str, ...]] = {}
        for name, raw in element.items():
            if name not in ("AWS", "Service", "Federated", "CanonicalUser"):
                raise PolicyError(f"{where}: unknown principal type {name!r}")
            values[name] = _strings(raw, f"{where}.{name}")
        aws = values.get("AWS", ())
        return cls(
            everyone="*" in aws,
            accounts=frozenset(account for account in map(_account_of, aws) if account),
            arns=frozenset(value for value in aws if value != "*" and _account_of(value) is None),
            services=frozenset(
                value.lower() for value in values.get("Service", ()) if value != "*"
            ),
            federated=frozenset(values.get("Federated", ())),
            canonical_users=frozenset(values.get("CanonicalUser", ())),
        )

    def names(self, principal: Principal) -> Named | None:
        """The strongest way this element names the requester, or None when it does not."""
        if self.everyone:
            return Named(Naming.DIRECT, Truth.TRUE)
        kind = principal.kind
        if kind is PrincipalKind.SERVICE:
            return _direct(principal.arn.lower() in self.services)
        if kind is PrincipalKind.FEDERATED:
            return _direct(principal.arn in self.federated)
        if kind is PrincipalKind.ANONYMOUS:
            return None
        in_account = principal.account_id in self.accounts
        if kind is PrincipalKind.ROOT:
            return _direct(in_account)
        if kind is PrincipalKind.USER and principal.arn in self.arns:
            return Named(Naming.DIRECT, Truth.TRUE)
        if kind is PrincipalKind.ROLE:
            session = self._names_session(principal)
            if session is Truth.TRUE:
                return Named(Naming.DIRECT, session)
            if principal.arn in self.arns:
                return Named(Naming.ROLE, Truth.TRUE)
            if session is Truth.UNKNOWN and not in_account:
                return Named(Naming.DIRECT, session)
        return Named(Naming.ACCOUNT, Truth.TRUE) if in_account else None

    def excludes(self, principal: Principal, *, deny: bool, has_boundary: bool) -> Truth:
        """For NotPrincipal: whether the requester is among the principals it leaves out.

        AWS evaluates a Deny with NotPrincipal against the requester and its account, so both
        must be listed to exclude it; and such a Deny always applies to users and roles that
        have a permissions boundary (documented with permissions boundaries).
        """
        if self.everyone:
            return Truth.TRUE
        kind = principal.kind
        if kind is PrincipalKind.SERVICE:
            return Truth.of(principal.arn.lower() in self.services)
        if kind is PrincipalKind.FEDERATED:
            return Truth.of(principal.arn in self.federated)
        if kind is PrincipalKind.ANONYMOUS:
            return Truth.FALSE
        account_listed = principal.account_id in self.accounts
        if kind is PrincipalKind.ROOT:
            return Truth.of(account_listed)
        if deny and has_boundary:
            return Truth.FALSE
        own = (
            self._names_session(principal)
            if kind is PrincipalKind.ROLE
            else Truth.of(principal.arn in self.arns)
        )
        if deny:
            return own if account_listed else Truth.FALSE
        return Truth.TRUE if account_listed else own

    def _names_session(self, principal: Principal) -> Truth:
        prefix = principal.session_arn_prefix
        sessions = [arn for arn in self.arns if prefix is not None and arn.startswith(prefix)]
        if not sessions:
            return Truth.FALSE
        if principal.session_name is None:
            return Truth.UNKNOWN
        return Truth.of(f"{prefix}{principal.session_name}" in sessions)


def _direct(named: bool) -> Named | None:
    return Named(Naming.DIRECT, Truth.TRUE) if named else None


def _account_of(value: str) -> str | None:
    """The account an AWS principal value names as a whole (its id or its root ARN)."""
    if _ACCOUNT_ID.match(value):
        return value
    match = _ROOT_ARN.match(value)
    return match.group(1) if match else None


def _strings(raw: object, where: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list) and raw and all(isinstance(value, str) for value in raw):
        return tuple(raw)
    raise PolicyError(f"{where}: expected a string or a non-empty list of strings, got {raw!r}")
