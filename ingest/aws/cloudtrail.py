"""AWS CloudTrail: the trails that log each account and region, and each trail's settings.

describe_trails(includeShadowTrails=True) in a region lists every trail that logs it: the
account's own trails homed there, its multi-region trails homed elsewhere, and organization
trails of the management account. A trail is one node (keyed by ARN) however many regions list
it. Its logging status and event selectors are read once, in its owner account and home region;
the owner's view is the authority on the trail node, other views only make sure it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    UNKNOWN,
    Answer,
    State,
    add_state,
    arn_account,
    as_json,
    read_call,
    regional_scopes,
)
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "cloudtrail"
_READ_WRITE = {"All": {"read", "write"}, "ReadOnly": {"read"}, "WriteOnly": {"write"}}
# values of an advanced selector's readOnly field (no readOnly field: both kinds)
_ADVANCED_READ_ONLY = {"true": "read", "false": "write"}


def _is_home(trail: dict[str, Any], account_id: str, region: str) -> bool:
    return trail.get("HomeRegion") == region and arn_account(trail["TrailARN"]) == account_id


def collect(ctx: CallContext) -> None:
    listed = ctx.call(CLIENT, "describe_trails", includeShadowTrails=True)
    for trail in (listed or {}).get("trailList", []):
        if _is_home(trail, ctx.account_id, ctx.region):
            ctx.call(CLIENT, "get_trail_status", trail["Name"], Name=trail["TrailARN"])
            ctx.call(CLIENT, "get_event_selectors", trail["Name"], TrailName=trail["TrailARN"])


def management_events(selectors: dict[str, Any]) -> str:
    """Which management events the selectors log: all, read_only, write_only or none."""
    logged: set[str] = set()
    for selector in selectors.get("EventSelectors") or []:
        if selector.get("IncludeManagementEvents", True):
            logged |= _READ_WRITE.get(selector.get("ReadWriteType", "All"), set())
    for selector in selectors.get("AdvancedEventSelectors") or []:
        fields = {f["Field"]: f for f in selector.get("FieldSelectors") or []}
        if "Management" not in (fields.get("eventCategory") or {}).get("Equals", []):
            continue
        read_only = (fields.get("readOnly") or {}).get("Equals") or []
        kinds = {_ADVANCED_READ_ONLY[v] for v in read_only if v in _ADVANCED_READ_ONLY}
        logged |= kinds or {"read", "write"}
    if logged == {"read", "write"}:
        return "all"
    return {"read": "read_only", "write": "write_only"}.get(next(iter(logged), ""), "none")


@dataclass(frozen=True)
class Trail:
    """One trail as its owner's home region reports it (or as another region lists it)."""

    arn: str
    owner: str
    authoritative: bool
    is_logging: bool | None
    props: dict[str, Any]


def _trail(snapshot: Snapshot, description: dict[str, Any], authoritative: bool) -> Trail:
    arn = str(description["TrailARN"])
    owner, home, name = arn_account(arn), str(description["HomeRegion"]), description["Name"]
    status = read_call(snapshot, owner, home, CLIENT, "get_trail_status", name)
    selectors = read_call(snapshot, owner, home, CLIENT, "get_event_selectors", name)
    is_logging = None if status.data is None else bool(status.data.get("IsLogging"))
    props = {
        "arn": arn,
        "name": name,
        "account_id": owner,
        "region": home,
        "home_region": home,
        "is_organization_trail": bool(description.get("IsOrganizationTrail")),
        "is_multi_region": bool(description.get("IsMultiRegionTrail")),
        "log_file_validation": bool(description.get("LogFileValidationEnabled")),
        "kms_key_id": description.get("KmsKeyId"),
        "s3_bucket_name": description.get("S3BucketName"),
        "cloud_watch_logs_log_group_arn": description.get("CloudWatchLogsLogGroupArn"),
        "include_global_service_events": description.get("IncludeGlobalServiceEvents"),
        "is_logging": is_logging,
        "logging_reason": None if status.data is not None else status.unanswered().reason,
        "management_events": None if selectors.data is None else management_events(selectors.data),
        "event_selectors": as_json(selectors.data),
    }
    return Trail(arn, owner, authoritative, is_logging, props)


def trails(snapshot: Snapshot) -> dict[str, Trail]:
    """Every trail any collected region lists, once, preferring its owner's home-region view."""
    collected = set(snapshot.account_ids())
    found: dict[str, Trail] = {}
    for account_id, region in regional_scopes(snapshot):
        listed = read_call(snapshot, account_id, region, CLIENT, "describe_trails")
        for description in listed.entries("trailList"):
            arn = str(description["TrailARN"])
            authoritative = account_id in collected and _is_home(description, account_id, region)
            if arn not in found or (authoritative and not found[arn].authoritative):
                found[arn] = _trail(snapshot, description, authoritative)
    return found


def region_state(listed: Answer, applying: list[Trail]) -> State:
    if listed.data is None:
        return listed.unanswered()
    logging = [t.props["name"] for t in applying if t.is_logging]
    if logging:
        return State(ENABLED, f"trail {', '.join(logging)} logging")
    unobserved = [t for t in applying if t.is_logging is None]
    if unobserved:
        trail = unobserved[0].props
        return State(
            UNKNOWN, f"logging status of trail {trail['name']} unknown: {trail['logging_reason']}"
        )
    if applying:
        names = ", ".join(t.props["name"] for t in applying)
        return State(DISABLED, f"trail {names} not logging")
    return State(DISABLED, "no trail logs this region")


def _region_props(applying: list[Trail]) -> dict[str, Any]:
    logging = [t for t in applying if t.is_logging]
    return {
        "trail_arns": [t.arn for t in applying],
        "logging_trail_arns": [t.arn for t in logging],
        "has_organization_trail": any(t.props["is_organization_trail"] for t in logging),
        "has_multi_region_trail": any(t.props["is_multi_region"] for t in logging),
    }


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    known = trails(snapshot)
    for trail in known.values():
        (records.node if trail.authoritative else records.ref)("CloudTrailTrail", **trail.props)
        records.ref("Account", account_id=trail.owner)
        records.rel(
            "BELONGS_TO",
            ("CloudTrailTrail", trail.arn),
            ("Account", trail.owner),
            account_id=trail.owner,
        )
    for account_id, region in regional_scopes(snapshot):
        listed = read_call(snapshot, account_id, region, CLIENT, "describe_trails")
        arns = sorted({str(t["TrailARN"]) for t in listed.entries("trailList")})
        applying = [known[arn] for arn in arns]
        state_ref = add_state(
            records,
            "CloudTrailStatus",
            service="cloudtrail",
            title="CloudTrail",
            account_id=account_id,
            region=region,
            state=region_state(listed, applying),
            **(_region_props(applying) if listed.data is not None else {}),
        )
        for arn in arns:
            records.rel("INCLUDES", state_ref, ("CloudTrailTrail", arn), account_id=account_id)
    return records
