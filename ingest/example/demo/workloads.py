"""What runs in each demo account: networks, instances, load balancers, data and controls."""

from __future__ import annotations

from ingest.example.builder.account import RegionSpec
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
    SecurityGroup,
    Subnet,
    TargetGroup,
    Vpc,
    default_vpc,
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
    Workload,
)
from ingest.example.builder.security import RegionControls
from ingest.example.demo.accounts import (
    APP_DEV,
    CONFIG_BUCKET,
    FLOW_LOG_BUCKET,
    HOME_REGION,
    LOG_ARCHIVE,
    MANAGEMENT,
    OTHER_REGION,
    PARTNER,
    PAYMENTS_PROD,
    REGIONS,
    TRAIL_BUCKET,
    TRAIL_KEY,
)
from ingest.example.demo.identity import (
    ARTIFACTS_BUCKET,
    CUSTOMER_RECORDS_BUCKET,
    PARTNER_BUCKET,
    PUBLIC_ASSETS_BUCKET,
)

CUSTOMER_RECORDS_KEY = "customer-records"
TRAILS_OF_MANAGEMENT = f"arn:aws:cloudtrail:*:{MANAGEMENT}:trail/*"
PAYMENTS_KEY = "payments-legacy"
DEV_CONTROLS = RegionControls(ebs_encryption_by_default=False, imds_v2_default=False)


def _secure_transport_only(bucket: str) -> Document:
    return document(
        deny(
            "s3:*",
            [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            sid="DenyInsecureTransport",
            principal="*",
            condition={"Bool": {"aws:SecureTransport": "false"}},
        )
    )


def _log_delivery(bucket: str, service: str, source_arn: str | None = None) -> Document:
    """A log bucket policy letting an AWS service check the bucket and write objects."""
    who = {"Service": service}
    equals = {"s3:x-amz-acl": "bucket-owner-full-control"}
    if source_arn:
        equals["aws:SourceArn"] = source_arn
    return document(
        allow("s3:GetBucketAcl", f"arn:aws:s3:::{bucket}", sid="AclCheck", principal=who),
        allow(
            "s3:PutObject",
            f"arn:aws:s3:::{bucket}/AWSLogs/*",
            sid="Write",
            principal=who,
            condition={"StringEquals": equals},
        ),
    )


def payments_prod() -> tuple[dict[str, RegionSpec], list[Bucket]]:
    alb = "payments-alb"
    vpc = Vpc(
        "payments",
        "10.10.0.0/16",
        [
            Subnet("public-a", "10.10.0.0/24", "a", "public"),
            Subnet("public-b", "10.10.1.0/24", "b", "public"),
            Subnet("app-a", "10.10.10.0/24", "a", "private"),
            Subnet("app-b", "10.10.11.0/24", "b", "private"),
        ],
        security_groups=[
            SecurityGroup(
                alb,
                "Internet-facing load balancer",
                ingress=(tcp(443, cidrs=ANYWHERE), tcp(80, cidrs=ANYWHERE)),
            ),
            SecurityGroup(
                "payments-app",
                "Payments application servers",
                ingress=(
                    tcp(8443, groups=(alb,), description="from the load balancer"),
                    tcp(22, prefix_lists=("corp-vpn",), description="operators over the VPN"),
                ),
            ),
        ],
        instances=[
            Instance(
                "payments-app-1",
                "app-a",
                ("payments-app",),
                role="payments-app",
                instance_type="m6i.large",
            ),
            Instance(
                "payments-app-2",
                "app-b",
                ("payments-app",),
                role="payments-app",
                instance_type="m6i.large",
            ),
        ],
        load_balancers=[
            LoadBalancer(
                "payments-web",
                ("public-a", "public-b"),
                (alb,),
                listeners=(
                    Listener(443, "HTTPS", forward_to="payments-app"),
                    Listener(80, "HTTP", redirect_port=443),
                ),
                target_groups=(
                    TargetGroup(
                        "payments-app", 8443, "HTTPS", ("payments-app-1", "payments-app-2")
                    ),
                ),
            )
        ],
        nat_subnet="public-a",
        s3_endpoint=True,
        flow_log_bucket=FLOW_LOG_BUCKET,
    )
    topic_arn = f"arn:aws:sns:{HOME_REGION}:{PAYMENTS_PROD}:payments-notifications"
    queue_arn = f"arn:aws:sqs:{HOME_REGION}:{PAYMENTS_PROD}:payments-events"
    home = RegionSpec(
        network=RegionNetwork(
            [vpc], [PrefixList("corp-vpn", ("203.0.113.0/24", "198.51.100.0/24"))]
        ),
        resources=RegionResources(
            kms_keys=[
                KmsKey(
                    PAYMENTS_KEY,
                    "Payments secrets (created before rotation was required)",
                    rotation=False,
                )
            ],
            secrets=[
                Secret(
                    "payments/db-password",
                    rotation=False,
                    kms_key=PAYMENTS_KEY,
                    description="Payments database master password",
                )
            ],
            queues=[
                Queue(
                    "payments-events",
                    document(
                        allow(
                            "sqs:SendMessage",
                            queue_arn,
                            principal={"Service": "sns.amazonaws.com"},
                            condition={"ArnEquals": {"aws:SourceArn": topic_arn}},
                        )
                    ),
                )
            ],
            topics=[Topic("payments-notifications")],
            # Deployment runs as the admin role: whoever may update the stack or start a build
            # acts as it. The bootstrap stack has no service role (it runs as its caller).
            stacks=[
                Workload("payments-infra", "deploy-automation"),
                Workload("payments-bootstrap", None),
            ],
            projects=[Workload("payments-release", "deploy-automation")],
            functions=[
                Function(
                    "payments-webhook",
                    "payments-webhook",
                    document(
                        allow(
                            "lambda:InvokeFunction",
                            f"arn:aws:lambda:{HOME_REGION}:{PAYMENTS_PROD}:function:payments-webhook",
                            principal={"Service": "apigateway.amazonaws.com"},
                            condition={
                                "ArnLike": {
                                    "AWS:SourceArn": f"arn:aws:execute-api:{HOME_REGION}:"
                                    f"{PAYMENTS_PROD}:*/*/POST/webhook"
                                }
                            },
                        )
                    ),
                )
            ],
            repositories=[
                Repository(
                    "payments-api",
                    document(
                        allow(
                            ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                            None,
                            sid="DevPull",
                            principal={"AWS": account_root(APP_DEV)},
                        )
                    ),
                )
            ],
        ),
        controls=RegionControls(inspector=True),
        web_acls=[WebAcl("payments-web-acl", ("payments-web",))],
    )
    other = RegionSpec(controls=RegionControls(inspector=True))
    buckets = [Bucket(ARTIFACTS_BUCKET, HOME_REGION, _secure_transport_only(ARTIFACTS_BUCKET))]
    return {HOME_REGION: home, OTHER_REGION: other}, buckets


def data_prod(customer_records_key_arn: str) -> tuple[dict[str, RegionSpec], list[Bucket]]:
    buckets = [
        Bucket(
            CUSTOMER_RECORDS_BUCKET,
            OTHER_REGION,
            _secure_transport_only(CUSTOMER_RECORDS_BUCKET),
            kms_key_arn=customer_records_key_arn,
            tags={"data-classification": "confidential", "owner": "data-platform"},
        ),
        # A partner account outside the organization may read every object: customer data
        # shared for processing, as confidential as the records it comes from.
        Bucket(
            PARTNER_BUCKET,
            HOME_REGION,
            document(
                allow(
                    ["s3:GetObject", "s3:ListBucket"],
                    [f"arn:aws:s3:::{PARTNER_BUCKET}", f"arn:aws:s3:::{PARTNER_BUCKET}/*"],
                    sid="PartnerRead",
                    principal={"AWS": account_root(PARTNER)},
                )
            ),
            tags={"data-classification": "confidential", "owner": "partnerships"},
        ),
    ]
    regions = {
        HOME_REGION: RegionSpec(
            # A notebook running as the reader role: opening it is acting as the role.
            resources=RegionResources(notebooks=[Workload("analytics-lab", "analytics-reader")]),
            controls=RegionControls(inspector=True),
        ),
        OTHER_REGION: RegionSpec(
            resources=RegionResources(
                kms_keys=[
                    KmsKey(
                        CUSTOMER_RECORDS_KEY,
                        "Customer records bucket",
                        tags={"data-classification": "confidential"},
                    )
                ]
            ),
            # Inspector scans the region's instances but not its container images: partial
            controls=RegionControls(
                inspector=True,
                inspector_ecr=False,
                macie=True,
                macie_bucket_scores=((CUSTOMER_RECORDS_BUCKET, 92),),
            ),
        ),
    }
    return regions, buckets


def log_archive(trail_arn: str, trail_key_arn: str) -> tuple[dict[str, RegionSpec], list[Bucket]]:
    trail_policy = _log_delivery(TRAIL_BUCKET, "cloudtrail.amazonaws.com", trail_arn)
    key_policy = document(
        allow(
            "kms:*",
            "*",
            sid="Enable IAM User Permissions",
            principal={"AWS": account_root(LOG_ARCHIVE)},
        ),
        allow(
            ["kms:GenerateDataKey*", "kms:DescribeKey"],
            "*",
            sid="CloudTrailEncrypt",
            principal={"Service": "cloudtrail.amazonaws.com"},
            condition={
                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": TRAILS_OF_MANAGEMENT}
            },
        ),
    )
    home = RegionSpec(
        resources=RegionResources(
            kms_keys=[KmsKey(TRAIL_KEY, "Organization trail log files", policy=key_policy)]
        )
    )
    buckets = [
        Bucket(TRAIL_BUCKET, HOME_REGION, trail_policy, kms_key_arn=trail_key_arn),
        Bucket(CONFIG_BUCKET, HOME_REGION, _log_delivery(CONFIG_BUCKET, "config.amazonaws.com")),
        Bucket(
            FLOW_LOG_BUCKET,
            HOME_REGION,
            _log_delivery(FLOW_LOG_BUCKET, "delivery.logs.amazonaws.com"),
        ),
    ]
    return {HOME_REGION: home, OTHER_REGION: RegionSpec()}, buckets


def app_dev() -> tuple[dict[str, RegionSpec], list[Bucket]]:
    vpc = Vpc(
        "dev",
        "10.20.0.0/16",
        [
            Subnet("dev-public-a", "10.20.0.0/24", "a", "public"),
            Subnet("dev-build-b", "10.20.1.0/24", "b", "public"),
            Subnet("dev-private-a", "10.20.10.0/24", "a", "private"),
        ],
        security_groups=[
            SecurityGroup(
                "dev-ssh-open",
                "SSH for debugging",
                ingress=(tcp(22, cidrs=ANYWHERE, description="temporary"),),
            ),
            SecurityGroup("dev-build", "Build runners", ingress=(tcp(22, cidrs=ANYWHERE),)),
        ],
        # The build subnet's ACL drops SSH before the allow-all rule: the runner looks exposed
        # (public address, security group open to the world) but cannot be reached on port 22.
        nacls=[
            NetworkAcl(
                "dev-build-nacl",
                ("dev-build-b",),
                (
                    NaclEntry(90, "deny", "6", (22, 22)),
                    NaclEntry(100, "allow"),
                    NaclEntry(100, "allow", egress=True),
                ),
            )
        ],
        instances=[
            Instance(
                "dev-bastion",
                "dev-public-a",
                ("dev-ssh-open",),
                public_ip=True,
                role="dev-bastion",
                imds_v2_required=False,
                instance_type="t3.micro",
            ),
            Instance(
                "dev-build-runner",
                "dev-build-b",
                ("dev-build",),
                public_ip=True,
                role="build-runner",
                instance_type="c6i.xlarge",
            ),
        ],
    )
    public_read = document(
        allow(
            "s3:GetObject",
            f"arn:aws:s3:::{PUBLIC_ASSETS_BUCKET}/*",
            sid="PublicRead",
            principal="*",
        )
    )
    regions = {
        HOME_REGION: RegionSpec(network=RegionNetwork([vpc]), controls=DEV_CONTROLS),
        OTHER_REGION: RegionSpec(
            network=RegionNetwork([default_vpc()]),
            controls=RegionControls(
                guardduty=False, ebs_encryption_by_default=False, imds_v2_default=False
            ),
        ),
    }
    buckets = [Bucket(PUBLIC_ASSETS_BUCKET, HOME_REGION, public_read, public_access_block=False)]
    return regions, buckets


def sandbox() -> dict[str, RegionSpec]:
    controls = RegionControls(snapshot_block_public_access=False)
    return {
        region: RegionSpec(network=RegionNetwork([default_vpc()]), controls=controls)
        for region in REGIONS
    }


def plain(controls: RegionControls | None = None) -> dict[str, RegionSpec]:
    """Regions with nothing deployed, for the management and security accounts."""
    return {region: RegionSpec(controls=controls or RegionControls()) for region in REGIONS}
