"""AWS CloudTrail: the trails that log each account and region, and each trail's settings.

describe_trails(includeShadowTrails=True) in a region lists every trail that logs it: the
account's own trails homed there, its multi-region trails homed elsewhere, and organization
trails of the management account. A trail is one node (keyed by ARN) however many regions list
it. Its logging status and event selectors are read once, in its owner account and home region;
the owner's view is the authority on the trail node, other views only make sure it exists.

The management account owns every organization trail, even one a delegated administrator
created; its state in a region carries the organization view: configured (zone organization,
every member) when one of its logging organization trails applies to the region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import (
    DISABLED,
    ENABLED,
    UNKNOWN,
    Answer,
    OrgView,
    State,
    add_state,
    arn_account,
    as_json,
    read_call,
    unread_view,
)
from ingest.aws._shapes import Item, account_regions
from ingest.snapshot import Snapshot
from kg.graph.records import GraphRecords
from kg.model.security_services import ORG_CONFIGURED, ORG_NOT_CONFIGURED, ZONE_ORGANIZATION

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "region"
CLIENT = "cloudtrail"
_READ_WRITE = {"All": {"read", "write"}, "ReadOnly": {"read"}, "WriteOnly": {"write"}}
# values of an advanced selector's readOnly field (no readOnly field: both kinds)
_ADVANCED_READ_ONLY = {"true": "read", "false": "write"}


def _is_home(arn: str, home_region: str | None, account_id: str, region: str) -> bool:
    """Whether this account and region are where the trail lives (and its status is read)."""
    return home_region == region and arn_account(arn) == account_id


def collect(ctx: CallContext) -> None:
    listed = ctx.call(CLIENT, "describe_trails", includeShadowTrails=True)
    for trail in (listed or {}).get("trailList", []):
        arn = trail["TrailARN"]
        if _is_home(arn, trail.get("HomeRegion"), ctx.account_id, ctx.region):
            ctx.call(CLIENT, "get_trail_status", trail["Name"], Name=arn)
            ctx.call(CLIENT, "get_event_selectors", trail["Name"], TrailName=arn)


def management_events(selectors: Item) -> str:
    """Which management events the selectors log: all, read_only, write_only or none."""
    logged: set[str] = set()
    for selector in selectors.children("EventSelectors"):
        if selector.optional_bool("IncludeManagementEvents") is not False:
            read_write = selector.optional_string("ReadWriteType") or "All"
            logged |= _READ_WRITE.get(read_write, set())
    for selector in selectors.children("AdvancedEventSelectors"):
        fields = {f.string("Field"): f for f in selector.children("FieldSelectors")}
        category = fields.get("eventCategory")
        if category is None or "Management" not in category.strings("Equals"):
            continue
        read_only = fields["readOnly"].strings("Equals") if "readOnly" in fields else []
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


def _trail(snapshot: Snapshot, description: Item, authoritative: bool) -> Trail:
    arn, home = description.string("TrailARN"), description.string("HomeRegion")
    owner, name = arn_account(arn), description.string("Name")
    status = read_call(snapshot, owner, home, CLIENT, "get_trail_status", name)
    selectors = read_call(snapshot, owner, home, CLIENT, "get_event_selectors", name)
    is_logging = None if status.item is None else status.item.flag("IsLogging")
    props = {
        "arn": arn,
        "name": name,
        "account_id": owner,
        "region": home,
        "home_region": home,
        "is_organization_trail": description.flag("IsOrganizationTrail"),
        "is_multi_region": description.flag("IsMultiRegionTrail"),
        "log_file_validation": description.flag("LogFileValidationEnabled"),
        "kms_key_id": description.optional_string("KmsKeyId"),
        "s3_bucket_name": description.optional_string("S3BucketName"),
        "cloud_watch_logs_log_group_arn": description.optional_string("CloudWatchLogsLogGroupArn"),
        "include_global_service_events": description.optional_bool("IncludeGlobalServiceEvents"),
        "is_logging": is_logging,
        "logging_reason": None if status.item is not None else status.unanswered().reason,
        "management_events": None if selectors.item is None else management_events(selectors.item),
        "event_selectors": None if selectors.item is None else as_json(selectors.item.data),
    }
    return Trail(arn, owner, authoritative, is_logging, props)


def trails(snapshot: Snapshot) -> dict[str, Trail]:
    """Every trail any collected region lists, once, preferring its owner's home-region view."""
    collected = set(snapshot.account_ids())
    found: dict[str, Trail] = {}
    for account_id, region in account_regions(snapshot):
        listed = read_call(snapshot, account_id, region, CLIENT, "describe_trails")
        for description in listed.entries("trailList"):
            arn = description.string("TrailARN")
            home = description.optional_string("HomeRegion")
            authoritative = account_id in collected and _is_home(arn, home, account_id, region)
            if arn not in found or (authoritative and not found[arn].authoritative):
                found[arn] = _trail(snapshot, description, authoritative)
    return found


def region_state(listed: Answer, applying: list[Trail]) -> State:
    if listed.item is None:
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


def organization_view(listed: Answer, applying: list[Trail], account_id: str) -> OrgView:
    """The account's own organization trails that apply to the region: logging ones cover every
    member there; one whose logging status was not read leaves the view unknown."""
    if listed.item is None:
        return unread_view(listed.unanswered())
    owned = [t for t in applying if t.owner == account_id and t.props["is_organization_trail"]]
    logging = [t for t in owned if t.is_logging]
    if logging:
        trail = logging[0]
        reason = f"organization trail {trail.props['name']} logging"
        return OrgView(ORG_CONFIGURED, reason, f"organization trail {trail.arn}", ZONE_ORGANIZATION)
    unread = [t for t in owned if t.is_logging is None]
    if unread:
        return OrgView(
            UNKNOWN,
            f"organization trail {unread[0].props['name']}: {unread[0].props['logging_reason']}",
        )
    if owned:
        return OrgView(
            ORG_NOT_CONFIGURED, f"organization trail {owned[0].props['name']} not logging"
        )
    return OrgView(ORG_NOT_CONFIGURED, "no organization trail of this account applies")


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
    for account_id, region in account_regions(snapshot):
        listed = read_call(snapshot, account_id, region, CLIENT, "describe_trails")
        arns = sorted({t.string("TrailARN") for t in listed.entries("trailList")})
        applying = [known[arn] for arn in arns]
        state_ref = add_state(
            records,
            "CloudTrailStatus",
            service="cloudtrail",
            title="CloudTrail",
            account_id=account_id,
            region=region,
            state=region_state(listed, applying),
            **(_region_props(applying) if listed.item is not None else {}),
            **organization_view(listed, applying, account_id).props(),
        )
        for arn in arns:
            records.rel("INCLUDES", state_ref, ("CloudTrailTrail", arn), account_id=account_id)
    return records
