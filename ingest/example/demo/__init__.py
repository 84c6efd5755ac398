"""The demo organization: seven accounts in two regions with deliberate gaps and attack paths.

`demo_organization()` returns the specs; `ingest.example.generate` writes them as a snapshot.
The deliberate findings are listed, with their ARNs, in ingest/example/README.md and in
`ingest.example.demo.facts`.
"""

from __future__ import annotations

from ingest.example.builder.account import AccountSpec, RegionSpec
from ingest.example.builder.buckets import Bucket
from ingest.example.builder.iam import Iam
from ingest.example.builder.resources import key_arn
from ingest.example.builder.scope import Place
from ingest.example.builder.security import OrgServices, RegionControls
from ingest.example.demo import workloads
from ingest.example.demo.accounts import (
    ACCOUNTS,
    APP_DEV,
    DATA_PROD,
    IDENTITY_CENTER,
    LOG_ARCHIVE,
    MANAGEMENT,
    OTHER_REGION,
    PAYMENTS_PROD,
    SANDBOX,
    SECURITY_TOOLING,
    TRAIL,
    org_services,
    organization,
)
from ingest.example.demo.identity import baseline_roles, identities

IDS_NAMESPACE = "kg-demo"
COLLECTED_AT = "2025-06-30T12:00:00Z"
# Calls the collector was refused (so coverage shows "unknown" there, not "off").
DENIED = {SANDBOX: {(OTHER_REGION, "guardduty", "list_detectors")}}


def demo_organization() -> tuple[OrgServices, list[AccountSpec]]:
    org = organization()
    records_key = key_arn(Place(org.ids, DATA_PROD, OTHER_REGION), workloads.CUSTOMER_RECORDS_KEY)
    context = org_services(org)
    layouts: dict[str, tuple[dict[str, RegionSpec], list[Bucket]]] = {
        MANAGEMENT: (workloads.plain(), []),
        SECURITY_TOOLING: (workloads.plain(RegionControls(inspector=True)), []),
        LOG_ARCHIVE: workloads.log_archive(TRAIL.arn, str(TRAIL.kms_key_arn)),
        PAYMENTS_PROD: workloads.payments_prod(),
        DATA_PROD: workloads.data_prod(records_key),
        APP_DEV: workloads.app_dev(),
        SANDBOX: (workloads.sandbox(), []),
    }
    context.inspector_scans = {
        (account_id, region): spec.controls.inspector_scans()
        for account_id, (regions, _) in layouts.items()
        for region, spec in regions.items()
    }
    people = identities(records_key)
    people[MANAGEMENT].organization_id = org.org_id
    accounts = []
    for account in ACCOUNTS:
        account_id = account.account_id
        iam = people.get(account_id, Iam())
        provisioned = IDENTITY_CENTER.roles(account_id)
        iam.roles = [*baseline_roles(account_id), *provisioned, *iam.roles]
        regions, buckets = layouts[account_id]
        accounts.append(
            AccountSpec(
                account_id,
                iam,
                regions,
                buckets,
                account_public_access_block=account_id != APP_DEV,
                denied=DENIED.get(account_id, set()),
            )
        )
    return context, accounts
