"""Where generated responses go: one account and region of a snapshot being written.

`Scope.answer` is the one place a generated response becomes a snapshot file, so every service
builder goes through the same rules: a call listed as denied is recorded as an access-denied
failure (and written nowhere), exactly as the collector records AWS's answer.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ingest.example.builder.ids import Ids
from ingest.snapshot import SnapshotWriter

COLLECTOR_ROLE = "OrganizationAccountAccessRole"

# The error code each service uses for a permission denial.
_DENIAL_CODES = {"ec2": "UnauthorizedOperation", "iam": "AccessDenied", "s3": "AccessDenied"}
# IAM action prefixes that differ from the boto3 client name.
_ACTION_PREFIXES = {
    "accessanalyzer": "access-analyzer",
    "elbv2": "elasticloadbalancing",
    "sso-admin": "sso",
    "s3control": "s3",
}


def iam_action(client: str, method: str) -> str:
    """The IAM action of a boto3 call: guardduty list_detectors -> guardduty:ListDetectors."""
    operation = "".join(part.capitalize() for part in method.split("_"))
    return f"{_ACTION_PREFIXES.get(client, client)}:{operation}"


class Place:
    """One account and region (or "global"): where identifiers and timestamps are derived."""

    def __init__(self, ids: Ids, account_id: str, region: str) -> None:
        self.ids = ids
        self.account_id = account_id
        self.region = region

    def ec2_id(self, prefix: str, *names: str) -> str:
        return self.ids.ec2(prefix, self.account_id, self.region, *names)

    def created(self, *names: str) -> str:
        return self.ids.timestamp(self.account_id, self.region, *names)

    def arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        where = self.region if region is None else region
        return f"arn:aws:{service}:{where}:{self.account_id}:{resource}"


class Scope(Place):
    """A place of a snapshot being written: answers go to the writer."""

    def __init__(
        self,
        writer: SnapshotWriter,
        ids: Ids,
        account_id: str,
        region: str,
        denied: Collection[tuple[str, str]] = (),
    ) -> None:
        super().__init__(ids, account_id, region)
        self.writer = writer
        self.denied = frozenset(denied)

    def answer(
        self, client: str, method: str, data: dict[str, Any], key: str | None = None
    ) -> bool:
        """Store AWS's answer to one call; False when the call is denied in this scope."""
        if (client, method) in self.denied:
            action = iam_action(client, method)
            self.fail(
                client,
                method,
                _DENIAL_CODES.get(client, "AccessDeniedException"),
                f"User: arn:aws:sts::{self.account_id}:assumed-role/{COLLECTOR_ROLE}/kg-collect "
                f"is not authorized to perform: {action} because no identity-based policy "
                f"allows the {action} action",
                key,
            )
            return False
        self.writer.write(self.account_id, self.region, client, method, data, key)
        return True

    def fail(
        self, client: str, method: str, error_code: str, message: str, key: str | None = None
    ) -> None:
        """Record a call that AWS answered with an error the collector keeps as a failure."""
        self.writer.record_failure(
            self.account_id, self.region, client, method, error_code, message, key
        )


class Batch:
    """Answers gathered across a region's resources, written together by `write`.

    List calls are written first; the per-resource calls that hang off a list call are written
    only when that list call was answered (a denied list call leaves nothing to ask about).
    """

    def __init__(self) -> None:
        self._lists: dict[tuple[str, str], dict[str, Any]] = {}
        self._details: list[tuple[str, str, str, str, dict[str, Any]]] = []

    def items(self, client: str, method: str, list_key: str) -> list[Any]:
        """The growing item list of a list call (declaring the call answers it, even empty)."""
        body = self._lists.setdefault((client, method), {list_key: []})
        items: list[Any] = body[list_key]
        return items

    def detail(self, client: str, parent: str, method: str, key: str, data: dict[str, Any]) -> None:
        self._details.append((client, parent, method, key, data))

    def write(self, scope: Scope) -> None:
        answered = {call: scope.answer(*call, body) for call, body in self._lists.items()}
        for client, parent, method, key, data in self._details:
            if answered.get((client, parent)):
                scope.answer(client, method, data, key)
