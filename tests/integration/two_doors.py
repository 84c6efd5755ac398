"""A small organization of its own for attack path tests: two public web servers lead to one
confidential bucket, and an operations box alone leads to another.

    internet -> web-a (tcp/443) -\\
                                  > app-web role -> records-reader role -> shop-customer-records
    internet -> web-b (tcp/443) -/
    internet -> ops-box (tcp/22) -> ops role -> shop-ops-secrets

Both web servers run as app-web: each web server's own hops lie on one route only and cut
nothing; app-web's assumption of records-reader and the reader's access lie on both and cut the
bucket off. The operations box's security group rule is the one way to its bucket.
"""

from __future__ import annotations

from pathlib import Path

from ingest.example.builder.account import AccountSpec, RegionSpec, write_snapshot
from ingest.example.builder.buckets import Bucket
from ingest.example.builder.iam import Iam, Role
from ingest.example.builder.ids import Ids
from ingest.example.builder.network import (
    ANYWHERE,
    Instance,
    RegionNetwork,
    SecurityGroup,
    Subnet,
    Vpc,
    group_id,
    instance_id,
    tcp,
)
from ingest.example.builder.organizations import OrgAccount, Organization, OrgUnit
from ingest.example.builder.policies import allow, document, role_arn, service_trust, trust
from ingest.example.builder.scope import Place
from ingest.example.builder.security import OrgServices

IDS = Ids("kg-two-doors")
REGION = "us-east-1"
MANAGEMENT = "100000000001"
SHOP = "100000000002"
COLLECTED_AT = "2026-01-15T12:00:00Z"

RECORDS_BUCKET = "shop-customer-records"
OPS_BUCKET = "shop-ops-secrets"
RECORDS_ARN = f"arn:aws:s3:::{RECORDS_BUCKET}"
OPS_ARN = f"arn:aws:s3:::{OPS_BUCKET}"
APP_WEB_ROLE = role_arn(SHOP, "app-web")
READER_ROLE = role_arn(SHOP, "records-reader")
OPS_ROLE = role_arn(SHOP, "ops")
_PLACE = Place(IDS, SHOP, REGION)
_VPC = Vpc("shop", "10.1.0.0/16", [])
WEB_GROUP = group_id(_PLACE, _VPC, "web-open")
OPS_GROUP = group_id(_PLACE, _VPC, "ops-ssh-open")


def instance_arn(name: str) -> str:
    return f"arn:aws:ec2:{REGION}:{SHOP}:instance/{instance_id(_PLACE, name)}"


WEB_A, WEB_B, OPS_BOX = (instance_arn(name) for name in ("web-a", "web-b", "ops-box"))
CONFIDENTIAL = {"data-classification": "confidential"}


def _shop() -> AccountSpec:
    ec2 = service_trust("ec2.amazonaws.com")
    reader_trust = trust({"AWS": APP_WEB_ROLE})
    reader_trust["Statement"][0]["Sid"] = "WebTier"
    iam = Iam(
        roles=[
            Role(
                "app-web",
                ec2,
                instance_profile=True,
                inline={
                    "assume-reader": document(allow("sts:AssumeRole", READER_ROLE, sid="Reader"))
                },
            ),
            Role(
                "records-reader",
                reader_trust,
                inline={
                    "read-records": document(
                        allow("s3:GetObject", f"{RECORDS_ARN}/*", sid="ReadRecords")
                    )
                },
            ),
            Role(
                "ops",
                ec2,
                instance_profile=True,
                inline={
                    "ops-secrets": document(allow("s3:GetObject", f"{OPS_ARN}/*", sid="OpsRead"))
                },
            ),
        ]
    )
    vpc = Vpc(
        _VPC.name,
        _VPC.cidr,
        [Subnet("public-a", "10.1.0.0/24", "a", "public")],
        security_groups=[
            SecurityGroup("web-open", "HTTPS", ingress=(tcp(443, cidrs=ANYWHERE),)),
            SecurityGroup("ops-ssh-open", "SSH", ingress=(tcp(22, cidrs=ANYWHERE),)),
        ],
        instances=[
            Instance("web-a", "public-a", ("web-open",), public_ip=True, role="app-web"),
            Instance("web-b", "public-a", ("web-open",), public_ip=True, role="app-web"),
            Instance("ops-box", "public-a", ("ops-ssh-open",), public_ip=True, role="ops"),
        ],
    )
    return AccountSpec(
        SHOP,
        iam,
        {REGION: RegionSpec(network=RegionNetwork([vpc]))},
        buckets=[
            Bucket(RECORDS_BUCKET, REGION, tags=CONFIDENTIAL),
            Bucket(OPS_BUCKET, REGION, tags=CONFIDENTIAL),
        ],
    )


def write_two_doors(out: Path) -> Path:
    """Write the organization's snapshot into the new folder `out`."""
    org = Organization(
        ids=IDS,
        management=MANAGEMENT,
        accounts=[
            OrgAccount(MANAGEMENT, "management", "management@example.com"),
            OrgAccount(SHOP, "shop", "shop@example.com"),
        ],
        root=OrgUnit("Root", accounts=[MANAGEMENT], children=[OrgUnit("Shop", [SHOP])]),
        policies=[],
        delegated_admins={},
        trusted_services=(),
    )
    management = AccountSpec(MANAGEMENT, Iam(), {REGION: RegionSpec()})
    write_snapshot(
        out,
        source="synthetic",
        ids=IDS,
        context=OrgServices(org),
        accounts=[management, _shop()],
        collected_at=COLLECTED_AT,
    )
    return out
