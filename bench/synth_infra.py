"""Seeded-random infrastructure for one synthetic account: two VPCs per region with ~40
security groups and ~50 instances in all, load balancers, exposed and NACL-guarded instances,
~20 buckets, keys, secrets, queues, topics, functions, repositories and security controls."""

from __future__ import annotations

import random

from bench.synth_iam import Identities
from bench.synth_org import LOG_ARCHIVE, REGIONS, SynthOrg
from ingest.example.builder.account import AccountSpec, RegionSpec
from ingest.example.builder.buckets import Bucket
from ingest.example.builder.controls import WebAcl
from ingest.example.builder.network import (
    ANYWHERE,
    Instance,
    Listener,
    LoadBalancer,
    NaclEntry,
    NetworkAcl,
    PrefixList,
    RegionNetwork,
    Rule,
    SecurityGroup,
    Subnet,
    TargetGroup,
    Vpc,
    tcp,
)
from ingest.example.builder.policies import Document, account_root, allow, deny, document
from ingest.example.builder.resources import (
    Function,
    KmsKey,
    Queue,
    RegionResources,
    Repository,
    Secret,
    Topic,
    key_arn,
)
from ingest.example.builder.scope import Place
from ingest.example.builder.security import RegionControls

INSTANCE_TYPES = ("t3.micro", "t3.medium", "m6i.large", "c6i.xlarge", "r6i.large")
# Calls a few accounts refuse the collector (so their coverage shows unknown).
DENIABLE = (
    ("guardduty", "list_detectors"),
    ("securityhub", "describe_hub"),
    ("config", "describe_configuration_recorders"),
    ("ec2", "describe_instances"),
    ("kms", "list_keys"),
)


def _groups(rng: random.Random, vpc_cidr: str) -> list[SecurityGroup]:
    """About ten groups per VPC: tiers that reference each other, a few open to the world."""
    groups = [
        SecurityGroup("web", "Web tier", (tcp(443, cidrs=ANYWHERE), tcp(80, cidrs=ANYWHERE))),
        SecurityGroup("app", "Application tier", (tcp(8080, groups=("web",)),)),
        SecurityGroup("db", "Databases", (tcp(5432, groups=("app",)), tcp(3306, groups=("app",)))),
        SecurityGroup("internal", "Anything inside the VPC", (Rule(cidrs=(vpc_cidr,)),)),
        SecurityGroup(
            "vpn-ssh", "SSH from the corporate VPN", (tcp(22, prefix_lists=("corp-vpn",)),)
        ),
    ]
    for i in range(rng.randint(3, 7)):
        port = rng.choice((22, 22, 3389, 8443, 9200, 6379, 27017, 443))
        world = rng.random() < 0.12
        peers = ANYWHERE if world else (vpc_cidr,)
        groups.append(SecurityGroup(f"svc-{i}", "Service", (tcp(port, cidrs=peers),)))
    return groups


def _vpc(rng: random.Random, name: str, second_octet: int, instance_roles: list[str]) -> Vpc:
    cidr = f"10.{second_octet}.0.0/16"
    subnets = [
        Subnet(f"{tier}-{zone}", f"10.{second_octet}.{base + i}.0/24", zone, tier)
        for tier, base in (("public", 0), ("private", 10))
        for i, zone in enumerate("ab")
    ]
    groups = _groups(rng, cidr)
    names = [g.name for g in groups]
    instances = []
    for i in range(rng.randint(10, 15)):
        subnet = rng.choice(subnets)
        public = subnet.tier == "public" and rng.random() < 0.5
        chosen = tuple(rng.sample(names, rng.randint(1, 2)))
        instances.append(
            Instance(
                f"{name}-i{i:02d}",
                subnet.name,
                chosen,
                public_ip=public,
                role=rng.choice(instance_roles) if instance_roles and rng.random() < 0.8 else None,
                imds_v2_required=rng.random() < 0.6,
                instance_type=rng.choice(INSTANCE_TYPES),
                running=rng.random() < 0.9,
            )
        )
    vpc = Vpc(
        name,
        cidr,
        subnets,
        groups,
        instances=instances,
        nat_subnet="public-a" if rng.random() < 0.7 else None,
        s3_endpoint=rng.random() < 0.5,
    )
    if rng.random() < 0.2:  # an ACL that blocks remote administration on one public subnet
        vpc.nacls.append(
            NetworkAcl(
                "public-b-restricted",
                ("public-b",),
                (
                    NaclEntry(90, "deny", "6", (22, 22)),
                    NaclEntry(91, "deny", "6", (3389, 3389)),
                    NaclEntry(100, "allow"),
                    NaclEntry(100, "allow", egress=True),
                ),
            )
        )
    private = [i.name for i in instances if i.subnet.startswith("private")]
    if private and rng.random() < 0.4:
        vpc.load_balancers.append(
            LoadBalancer(
                f"{name}-alb",
                ("public-a", "public-b"),
                ("web",),
                (
                    Listener(443, "HTTPS", forward_to=f"{name}-tg"),
                    Listener(80, "HTTP", redirect_port=443),
                ),
                (
                    TargetGroup(
                        f"{name}-tg", 8080, "HTTP", tuple(rng.sample(private, min(3, len(private))))
                    ),
                ),
            )
        )
    return vpc


def _controls(rng: random.Random, environment: str) -> RegionControls:
    core = environment in ("management", "security", LOG_ARCHIVE)
    return RegionControls(
        guardduty=core or rng.random() < 0.95,
        security_hub=core or rng.random() < 0.9,
        config_recorder=core or rng.random() < 0.93,
        inspector=rng.random() < (0.7 if environment == "Prod" else 0.3),
        macie=rng.random() < 0.15,
        detective=rng.random() < 0.05,
        account_analyzer=rng.random() < 0.1,
        ebs_encryption_by_default=rng.random() < 0.6,
        imds_v2_default=rng.random() < 0.5,
        image_block_public_access=rng.random() < 0.85,
        snapshot_block_public_access=rng.random() < 0.8,
    )


def _resources(rng: random.Random, account: str, functions: list[str]) -> RegionResources:
    keys = [KmsKey(f"key-{i}", rotation=rng.random() < 0.7) for i in range(rng.randint(2, 4))]
    peer = {"AWS": account_root(account)}
    return RegionResources(
        kms_keys=keys,
        secrets=[
            Secret(
                f"app/secret-{i}",
                rotation=rng.random() < 0.4,
                kms_key=rng.choice(keys).name if rng.random() < 0.5 else None,
            )
            for i in range(rng.randint(1, 4))
        ],
        queues=[
            Queue(
                f"queue-{i}",
                document(allow("sqs:SendMessage", "*", principal=peer))
                if rng.random() < 0.3
                else None,
            )
            for i in range(rng.randint(0, 3))
        ],
        topics=[Topic(f"topic-{i}") for i in range(rng.randint(0, 3))],
        functions=[
            Function(
                f"function-{i}",
                rng.choice(functions),
                url_auth="NONE" if rng.random() < 0.05 else None,
            )
            for i in range(rng.randint(1, 5))
        ]
        if functions
        else [],
        repositories=[Repository(f"repo-{i}") for i in range(rng.randint(0, 3))],
    )


def _bucket_policy(rng: random.Random, org: SynthOrg, name: str) -> tuple[Document | None, bool]:
    """A bucket policy, and whether the bucket keeps its public access block."""
    arns = [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]
    draw = rng.random()
    if draw < 0.02:
        return document(allow("s3:GetObject", arns[1], principal="*")), False
    if draw < 0.05:
        outsider = str(rng.randrange(10**11, 10**12))
        return document(
            allow("s3:GetObject", arns, principal={"AWS": account_root(outsider)})
        ), True
    if draw < 0.13:
        other = rng.choice(org.account_ids)
        return document(
            allow(["s3:GetObject", "s3:PutObject"], arns, principal={"AWS": account_root(other)})
        ), True
    if draw < 0.6:
        return document(
            deny("s3:*", arns, principal="*", condition={"Bool": {"aws:SecureTransport": "false"}})
        ), True
    return None, True


def _buckets(rng: random.Random, org: SynthOrg, account: str) -> list[Bucket]:
    ids = org.ids
    buckets = []
    for i in range(rng.randint(15, 25)):
        name = f"data-{i:02d}-{account}"
        region = rng.choice(REGIONS)
        policy, blocked = _bucket_policy(rng, org, name)
        classification = rng.choices(
            ("confidential", "internal", "public", ""), (0.15, 0.5, 0.05, 0.3)
        )[0]
        key = key_arn(Place(ids, account, region), "key-0") if rng.random() < 0.3 else None
        tags = {"data-classification": classification} if classification else {}
        buckets.append(Bucket(name, region, policy, blocked, key, tags))
    if account == org.log_archive:
        buckets += [Bucket(org.log_bucket(p), REGIONS[0]) for p in ("trail", "config", "flow")]
    return buckets


def build_infrastructure(
    rng: random.Random, org: SynthOrg, account: str, people: Identities
) -> AccountSpec:
    environment = org.environment[account]
    regions: dict[str, RegionSpec] = {}
    for r, region in enumerate(REGIONS):
        vpcs = [
            _vpc(rng, f"vpc{r}{v}", 16 * r + 4 * v + rng.randint(0, 3), people.instance_roles)
            for v in range(2)
        ]
        for vpc in vpcs:
            if rng.random() < 0.6:
                vpc.flow_log_bucket = org.log_bucket("flow")
        balancers = [lb.name for vpc in vpcs for lb in vpc.load_balancers]
        regions[region] = RegionSpec(
            network=RegionNetwork(vpcs, [PrefixList("corp-vpn", ("203.0.113.0/24",))]),
            resources=_resources(rng, account, people.function_roles),
            controls=_controls(rng, environment),
            web_acls=[WebAcl("edge", tuple(balancers))] if balancers and rng.random() < 0.5 else [],
        )
    denied = set()
    if rng.random() < 0.02:
        denied.add((rng.choice(REGIONS), *rng.choice(DENIABLE)))
    return AccountSpec(
        account,
        people.iam,
        regions,
        _buckets(rng, org, account),
        account_public_access_block=rng.random() < 0.85,
        denied=denied,
    )
