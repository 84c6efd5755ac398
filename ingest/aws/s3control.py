"""S3 Block Public Access at the account level (account-wide, all four settings).

get_public_access_block answers NoSuchPublicAccessBlockConfiguration when nothing is set: that is
"not set" (disabled), not a failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingest.aws._control_state import (
    DISABLED,
    AccountSettingCall,
    SettingValue,
    State,
    account_scopes,
    add_account_setting,
)
from ingest.aws._shapes import Item
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "account"
CLIENT = "s3control"
NOT_SET = ("NoSuchPublicAccessBlockConfiguration",)
# AWS flag -> node property
FLAGS = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}


def collect(ctx: CallContext) -> None:
    ctx.call(CLIENT, "get_public_access_block", not_configured=NOT_SET, AccountId=ctx.account_id)


def _public_access_block(answer: Item) -> SettingValue:
    config = answer.child("PublicAccessBlockConfiguration")
    on = [flag for flag in FLAGS if config.flag(flag)]
    flags = {prop: config.flag(flag) for flag, prop in FLAGS.items()}
    value = "all four on" if len(on) == len(FLAGS) else "on: " + (", ".join(on) or "none")
    return SettingValue(len(on) == len(FLAGS), value, props=flags)


ACCOUNT_PUBLIC_ACCESS_BLOCK = AccountSettingCall(
    "s3_account_public_access_block",
    "S3 account public access block",
    "s3",
    CLIENT,
    "get_public_access_block",
    _public_access_block,
    not_set=State(DISABLED, "no account-level public access block"),
)


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_scopes(snapshot):
        add_account_setting(records, snapshot, account_id, region, ACCOUNT_PUBLIC_ACCESS_BLOCK)
    return records
