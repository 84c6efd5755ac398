"""AWS Private CA: the certificate authorities each account runs in each region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    State,
    read_call,
    state_records,
)
from ingest.aws._shapes import account_regions
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "acm-pca"


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "list_certificate_authorities")


def private_ca_state(
    snapshot: Snapshot, account_id: str, region: str
) -> tuple[State, dict[str, Any]]:
    answer = read_call(snapshot, account_id, region, CLIENT, "list_certificate_authorities")
    if answer.item is None:
        return answer.unanswered(), {}
    authorities = answer.entries("CertificateAuthorities")
    active = [ca for ca in authorities if ca.optional_string("Status") == "ACTIVE"]
    props = {
        "ca_arns": sorted(ca.string("Arn") for ca in active),
        "ca_types": sorted({ca.string("Type") for ca in active}),
    }
    if active:
        return State(ENABLED, f"{len(active)} ACTIVE certificate authority(ies)"), props
    return State(DISABLED, "no ACTIVE certificate authority"), props


def transform(snapshot: Snapshot) -> GraphRecords:
    return state_records(
        snapshot,
        account_regions(snapshot),
        "PrivateCaStatus",
        service="private-ca",
        title="Private CA",
        read_state=private_ca_state,
    )
