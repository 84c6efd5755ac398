"""KMS keys: key policies, who manages them, rotation; and naming the key a resource points at."""

from __future__ import annotations

from ingest.aws._account_records import AccountRecords
from ingest.aws._shapes import Item, ResourceCalls, account_regions, listed, partition
from ingest.aws.collect import CallContext
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords, NodeRef

SCOPE = "region"
CLIENT = "kms"


def collect(ctx: CallContext) -> None:
    keys = ctx.call(CLIENT, "list_keys")
    ctx.call(CLIENT, "list_aliases")
    for key in (keys or {}).get("Keys", []):
        key_id = key["KeyId"]
        described = ctx.call(CLIENT, "describe_key", key_id, KeyId=key_id)
        ctx.call(CLIENT, "get_key_policy", key_id, KeyId=key_id, PolicyName="default")
        if (described or {}).get("KeyMetadata", {}).get("KeyManager") != "CUSTOMER":
            continue
        # Asymmetric, HMAC and imported-material keys cannot rotate automatically: not rotated.
        ctx.call(
            CLIENT,
            "get_key_rotation_status",
            key_id,
            not_configured=("UnsupportedOperationException",),
            KeyId=key_id,
        )
        ctx.call(CLIENT, "list_resource_tags", key_id, KeyId=key_id)


def alias_targets(snapshot: Snapshot, account_id: str, region: str) -> dict[str, str]:
    """Alias name -> key id (aliases of AWS managed keys not yet created have no target)."""
    return {
        alias.string("AliasName"): target
        for alias in listed(snapshot, account_id, region, CLIENT, "list_aliases", "Aliases")
        if (target := alias.optional_string("TargetKeyId"))
    }


class KeyResolver:
    """Names the KMS key that an encryption setting points at: key ARN, key id, or alias."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._aliases: dict[tuple[str, str], dict[str, str]] = {}

    def _alias_targets(self, account_id: str, region: str) -> dict[str, str]:
        if (account_id, region) not in self._aliases:
            self._aliases[(account_id, region)] = alias_targets(self.snapshot, account_id, region)
        return self._aliases[(account_id, region)]

    def key(self, account_id: str, region: str, reference: str | None) -> NodeRef | None:
        """The key's node, or None when the reference names an alias the snapshot cannot resolve."""
        if not reference:
            return None
        if reference.startswith("arn:"):
            parts = reference.split(":", 5)
            if len(parts) < 6 or parts[2] != "kms":
                return None
            region, account_id, reference = parts[3], parts[4], parts[5]
            if reference.startswith("key/"):
                reference = reference[len("key/") :]
        if reference.startswith("alias/"):
            target = self._alias_targets(account_id, region).get(reference)
            if target is None:
                return None
            reference = target
        arn = f"arn:{partition(region)}:kms:{region}:{account_id}:key/{reference}"
        return ("KmsKey", arn)

    def link(
        self, out: AccountRecords, resource: NodeRef, region: str, reference: str | None
    ) -> None:
        """(resource)-[:ENCRYPTED_BY]->(key) when the reference names a key we can resolve."""
        if key := self.key(out.account_id, region, reference):
            out.rel("ENCRYPTED_BY", resource, key)


def _rotation(calls: ResourceCalls, metadata: Item | None) -> bool | None:
    """Customer keys: what AWS says; AWS managed keys rotate every year by design."""
    if metadata is None:  # the key manager is unknown, so its rotation and tags were not asked
        calls.unknown += ["rotation_enabled", "tags"]
        return None
    if metadata.optional_string("KeyManager") == "AWS":
        return True
    status = calls.get("get_key_rotation_status", "rotation_enabled")
    if status is None:
        return None if "rotation_enabled" in calls.unknown else False
    return status.flag("KeyRotationEnabled")


def _key(snapshot: Snapshot, out: AccountRecords, key: Item, aliases: list[str]) -> None:
    key_id = key.string("KeyId")
    calls = ResourceCalls(snapshot, out.account_id, out.region, CLIENT, key_id)
    described = calls.get("describe_key", "key_metadata")
    metadata = described.child("KeyMetadata") if described else None
    rotation = _rotation(calls, metadata)
    meta = metadata or Item({}, key.where)
    out.owned(
        "KmsKey",
        key.optional_string("KeyArn") or meta.string("Arn"),
        key_id=key_id,
        name=sorted(aliases)[0] if aliases else key_id,
        aliases=sorted(aliases),
        key_manager=meta.optional_string("KeyManager"),
        key_state=meta.optional_string("KeyState"),
        key_usage=meta.optional_string("KeyUsage"),
        key_spec=meta.optional_string("KeySpec"),
        origin=meta.optional_string("Origin"),
        multi_region=meta.optional_bool("MultiRegion"),
        enabled=meta.optional_bool("Enabled"),
        description=meta.optional_string("Description"),
        rotation_enabled=rotation,
        policy=calls.policy("get_key_policy", "Policy"),
        tags=calls.tags("list_resource_tags", "Tags", "TagKey", "TagValue"),
        unknown=calls.unknown,
    )


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    for account_id, region in account_regions(snapshot):
        out = AccountRecords(records, account_id, region)
        aliases: dict[str, list[str]] = {}
        for alias, key_id in alias_targets(snapshot, account_id, region).items():
            aliases.setdefault(key_id, []).append(alias)
        for key in listed(snapshot, account_id, region, CLIENT, "list_keys", "Keys"):
            _key(snapshot, out, key, aliases.get(key.string("KeyId"), []))
    return records
