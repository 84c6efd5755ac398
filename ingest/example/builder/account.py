"""An account described as specs, and the function that writes all of its answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.example.builder.buckets import Bucket, render_buckets
from ingest.example.builder.controls import WebAcl, render_account_controls, render_region_controls
from ingest.example.builder.iam import Iam, render_iam
from ingest.example.builder.identity_center import render_identity_center
from ingest.example.builder.ids import Ids
from ingest.example.builder.network import RegionNetwork
from ingest.example.builder.organizations import render_organization
from ingest.example.builder.resources import RegionResources, render_resources
from ingest.example.builder.scope import Scope
from ingest.example.builder.security import OrgServices, RegionControls, render_security_services
from ingest.example.builder.topology import render_network
from ingest.snapshot import GLOBAL_REGION, Manifest, SnapshotWriter


@dataclass
class RegionSpec:
    network: RegionNetwork = field(default_factory=RegionNetwork)
    resources: RegionResources = field(default_factory=RegionResources)
    controls: RegionControls = field(default_factory=RegionControls)
    web_acls: list[WebAcl] = field(default_factory=list)


@dataclass
class AccountSpec:
    account_id: str
    iam: Iam
    regions: dict[str, RegionSpec]
    buckets: list[Bucket] = field(default_factory=list)
    account_public_access_block: bool = True
    # Calls answered AccessDenied: (region or "global", client, method).
    denied: set[tuple[str, str, str]] = field(default_factory=set)


def write_account(
    writer: SnapshotWriter,
    ids: Ids,
    account: AccountSpec,
    context: OrgServices,
    collected_at: str,
) -> None:
    """Every answer the collector would store for one account, in every region."""

    def scope(region: str) -> Scope:
        denied = {(client, method) for r, client, method in account.denied if r == region}
        return Scope(writer, ids, account.account_id, region, denied)

    top = scope(GLOBAL_REGION)
    if account.account_id == context.org.management:
        render_organization(top, context.org)
    render_iam(top, account.iam)
    render_buckets(top, account.buckets)
    render_account_controls(top, account.account_public_access_block, context)
    for region, spec in account.regions.items():
        here = scope(region)
        render_network(here, spec.network)
        render_resources(here, spec.resources)
        render_security_services(here, spec.controls, context)
        render_region_controls(here, spec.controls, spec.web_acls, context, collected_at)
        render_identity_center(here, context.identity_center)


def caller_arn(context: OrgServices) -> str:
    return f"arn:aws:sts::{context.org.management}:assumed-role/SecurityAudit/kg-collect"


def write_snapshot(
    path: str | Path,
    *,
    source: str,
    ids: Ids,
    context: OrgServices,
    accounts: list[AccountSpec],
    collected_at: str,
) -> Manifest:
    """Write a whole generated snapshot (accounts in order) and its manifest."""
    writer = SnapshotWriter(path, source=source, caller_arn=caller_arn(context))
    for account in accounts:
        write_account(writer, ids, account, context, collected_at)
        writer.set_account(account.account_id, list(account.regions))
    return writer.finish(organization_account_id=context.org.management, created_at=collected_at)
