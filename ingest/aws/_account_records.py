"""Graph records stated by one collected account.

Every node and relationship an account's snapshot states carries that account's id, which is how
a later load replaces exactly that account's facts. The owner of a thing is usually the same
account; when it is not (a VPC shared into the account, the far side of a peering connection), the
node still carries the collecting account's id and its BELONGS_TO points at the real owner.
"""

from __future__ import annotations

from typing import Any

from kg.graph.records import GraphRecords, NodeRef


class AccountRecords:
    """Adds account_id (and region) to what one account in one region states."""

    def __init__(self, records: GraphRecords, account_id: str, region: str) -> None:
        self.records = records
        self.account_id = account_id
        self.region = region
        self._accounts_seen: set[str] = set()

    def owned(self, label: str, arn: str, owner: str | None = None, /, **props: Any) -> NodeRef:
        """A top-level AWS object keyed by ARN, and the account it belongs to."""
        owner = owner or self.account_id
        props.setdefault("region", self.region)
        self.records.node(label, arn=arn, account_id=self.account_id, **props)
        if owner not in self._accounts_seen:
            self._accounts_seen.add(owner)
            self.records.ref("Account", account_id=owner)
        ref = (label, arn)
        self.rel("BELONGS_TO", ref, ("Account", owner))
        return ref

    def part(self, label: str, **props: Any) -> None:
        """A part of an owned object (a route, a rule): reached through its parent."""
        self.records.node(label, account_id=self.account_id, region=self.region, **props)

    def rel(self, rel_type: str, source: NodeRef, target: NodeRef, **props: Any) -> None:
        self.records.rel(rel_type, source, target, account_id=self.account_id, **props)
