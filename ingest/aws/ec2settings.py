"""EC2 account defaults of each account and region: EBS encryption by default, instance metadata
defaults, image and snapshot block public access, VPC block public access.

Each is one AccountSetting node. Where an EC2 declarative policy enforces a value, AWS reports
ManagedBy = declarative-policy, kept as `managed_by`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingest.aws._control_state import (
    AccountSettingCall,
    SettingValue,
    add_account_setting,
)
from ingest.aws._shapes import Item, account_regions
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "ec2"


def _ebs_encryption(answer: Item) -> SettingValue:
    enabled = answer.flag("EbsEncryptionByDefault")
    return SettingValue(enabled, "true" if enabled else "false")


def _imds_defaults(answer: Item) -> SettingValue:
    """IMDSv2 required (or the metadata endpoint off) for new instances by default."""
    level = answer.child("AccountLevel")
    managed_by = level.optional_string("ManagedBy")
    if level.optional_string("HttpEndpoint") == "disabled":
        return SettingValue(True, "endpoint disabled", managed_by)
    tokens = level.optional_string("HttpTokens") or "no-preference"
    return SettingValue(tokens == "required", f"HttpTokens {tokens}", managed_by)


def _image_block_public_access(answer: Item) -> SettingValue:
    state = answer.string("ImageBlockPublicAccessState")
    return SettingValue(state == "block-new-sharing", state, answer.optional_string("ManagedBy"))


def _snapshot_block_public_access(answer: Item) -> SettingValue:
    state = answer.string("State")
    blocking = state in ("block-all-sharing", "block-new-sharing")
    return SettingValue(blocking, state, answer.optional_string("ManagedBy"))


def _vpc_block_public_access(answer: Item) -> SettingValue:
    options = answer.child("VpcBlockPublicAccessOptions")
    mode = options.optional_string("InternetGatewayBlockMode") or "off"
    blocking = mode in ("block-bidirectional", "block-ingress")
    return SettingValue(blocking, mode, options.optional_string("ManagedBy"))


SETTINGS = (
    AccountSettingCall(
        "ebs_encryption_by_default",
        "EBS encryption by default",
        "ec2",
        CLIENT,
        "get_ebs_encryption_by_default",
        _ebs_encryption,
    ),
    AccountSettingCall(
        "imds_defaults",
        "Instance metadata defaults",
        "ec2",
        CLIENT,
        "get_instance_metadata_defaults",
        _imds_defaults,
    ),
    AccountSettingCall(
        "image_block_public_access",
        "AMI block public access",
        "ec2",
        CLIENT,
        "get_image_block_public_access_state",
        _image_block_public_access,
    ),
    AccountSettingCall(
        "snapshot_block_public_access",
        "EBS snapshot block public access",
        "ec2",
        CLIENT,
        "get_snapshot_block_public_access_state",
        _snapshot_block_public_access,
    ),
    AccountSettingCall(
        "vpc_block_public_access",
        "VPC block public access",
        "ec2",
        CLIENT,
        "describe_vpc_block_public_access_options",
        _vpc_block_public_access,
    ),
)


def collect(ctx: CallContext) -> None:
    for spec in SETTINGS:
        ctx.call(spec.client, spec.method)


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        for spec in SETTINGS:
            add_account_setting(records, snapshot, account_id, region, spec)
    return records
