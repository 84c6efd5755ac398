"""Who exists in each demo account: users, groups, roles and their policies."""

from __future__ import annotations

from ingest.example.builder.iam import Group, Iam, ManagedPolicy, Role, User, customer_policy_arn
from ingest.example.builder.policies import (
    account_root,
    allow,
    aws_policy_arn,
    document,
    role_arn,
    service_trust,
    trust,
)
from ingest.example.demo.accounts import (
    APP_DEV,
    DATA_PROD,
    MANAGEMENT,
    PAYMENTS_PROD,
    SANDBOX,
    SECURITY_TOOLING,
)

ADMIN = aws_policy_arn("AdministratorAccess")
SSM_CORE = aws_policy_arn("AmazonSSMManagedInstanceCore")

CUSTOMER_RECORDS_BUCKET = "data-prod-customer-records"
PARTNER_BUCKET = "data-prod-partner-exchange"
ARTIFACTS_BUCKET = f"payments-prod-artifacts-{PAYMENTS_PROD}"
PUBLIC_ASSETS_BUCKET = f"app-dev-public-assets-{APP_DEV}"
GITHUB_OIDC = "token.actions.githubusercontent.com"


def baseline_roles(account_id: str) -> list[Role]:
    """The role AWS Organizations creates in every account it creates (or that was added)."""
    if account_id == MANAGEMENT:
        return []
    return [
        Role(
            "OrganizationAccountAccessRole",
            trust({"AWS": account_root(MANAGEMENT)}),
            managed=(ADMIN,),
        )
    ]


def management() -> Iam:
    billing = ManagedPolicy(
        "BillingReadOnly",
        document(
            allow(
                [
                    "aws-portal:View*",
                    "budgets:View*",
                    "ce:Get*",
                    "ce:Describe*",
                    "cur:Describe*",
                    "account:GetAccountInformation",
                ]
            )
        ),
        description="Read billing and cost data",
    )
    return Iam(
        users=[
            User("breakglass-admin", managed=(ADMIN,), console=True, mfa=True),
            # Console password and no MFA device.
            User("jane.ops", groups=("BillingOperators",), console=True, access_keys=1),
        ],
        groups=[
            Group("BillingOperators", managed=(customer_policy_arn(MANAGEMENT, billing.name),))
        ],
        policies=[billing],
        organization_id=None,  # set by the caller, which knows the organization id
        organization_features=("RootCredentialsManagement", "RootSessions"),
    )


def security_tooling() -> Iam:
    return Iam(
        roles=[
            Role(
                "security-automation",
                service_trust("lambda.amazonaws.com"),
                managed=(aws_policy_arn("AWSLambdaBasicExecutionRole"),),
                inline={
                    "triage-findings": document(
                        allow(
                            [
                                "securityhub:GetFindings",
                                "securityhub:BatchUpdateFindings",
                                "guardduty:GetFindings",
                                "guardduty:ListFindings",
                            ]
                        )
                    )
                },
            )
        ]
    )


def payments_prod() -> Iam:
    account = PAYMENTS_PROD
    deploy = ManagedPolicy(
        "ci-deploy-lambda",
        document(
            # Any role in the account may be passed: this is the escalation.
            allow("iam:PassRole", f"arn:aws:iam::{account}:role/*", sid="PassDeploymentRoles"),
            allow(
                [
                    "lambda:CreateFunction",
                    "lambda:InvokeFunction",
                    "lambda:UpdateFunctionCode",
                    "lambda:GetFunction",
                ],
                "*",
                sid="ManageFunctions",
            ),
            allow("s3:PutObject", f"arn:aws:s3:::{ARTIFACTS_BUCKET}/*", sid="UploadArtifacts"),
        ),
        description="Lets the CI pipeline deploy Lambda functions",
    )
    app = ManagedPolicy(
        "payments-app-access",
        document(
            allow("s3:GetObject", f"arn:aws:s3:::{ARTIFACTS_BUCKET}/*"),
            allow(
                "secretsmanager:GetSecretValue",
                f"arn:aws:secretsmanager:us-east-1:{account}:secret:payments/*",
            ),
        ),
    )
    github = f"arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC}"
    return Iam(
        policies=[deploy, app],
        roles=[
            Role(
                "ci-deployer",
                trust(
                    {"Federated": github},
                    "sts:AssumeRoleWithWebIdentity",
                    {
                        "StringEquals": {f"{GITHUB_OIDC}:aud": "sts.amazonaws.com"},
                        "StringLike": {f"{GITHUB_OIDC}:sub": "repo:example-corp/payments:*"},
                    },
                ),
                managed=(customer_policy_arn(account, deploy.name),),
                description="Assumed by the payments repository's GitHub Actions workflows",
            ),
            Role(
                "deploy-automation",
                service_trust("lambda.amazonaws.com"),
                managed=(ADMIN,),
                description="Execution role of the deployment helper function",
            ),
            Role(
                "payments-app",
                service_trust("ec2.amazonaws.com"),
                managed=(customer_policy_arn(account, app.name), SSM_CORE),
                instance_profile=True,
            ),
            Role(
                "payments-webhook",
                service_trust("lambda.amazonaws.com"),
                managed=(aws_policy_arn("AWSLambdaBasicExecutionRole"),),
                inline={
                    "publish-events": document(
                        allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{account}:payments-events")
                    )
                },
            ),
        ],
    )


def data_prod(customer_records_key_arn: str) -> Iam:
    reader = Role(
        "analytics-reader",
        # Trusts a development instance role in another account: the cross-account hop.
        trust({"AWS": role_arn(APP_DEV, "dev-bastion")}),
        inline={
            "read-customer-records": document(
                allow(
                    ["s3:GetObject", "s3:ListBucket"],
                    [
                        f"arn:aws:s3:::{CUSTOMER_RECORDS_BUCKET}",
                        f"arn:aws:s3:::{CUSTOMER_RECORDS_BUCKET}/*",
                    ],
                ),
                allow("kms:Decrypt", customer_records_key_arn),
            )
        },
        description="Read-only access for analytics notebooks",
    )
    pipeline = Role(
        "data-pipeline",
        service_trust("glue.amazonaws.com"),
        inline={
            "write-customer-records": document(
                allow(
                    ["s3:PutObject", "s3:GetObject"], f"arn:aws:s3:::{CUSTOMER_RECORDS_BUCKET}/*"
                ),
                allow(["kms:GenerateDataKey", "kms:Decrypt"], customer_records_key_arn),
            )
        },
    )
    return Iam(roles=[reader, pipeline])


def app_dev() -> Iam:
    return Iam(
        roles=[
            Role(
                "dev-bastion",
                service_trust("ec2.amazonaws.com"),
                managed=(SSM_CORE,),
                inline={
                    "assume-analytics-reader": document(
                        allow("sts:AssumeRole", role_arn(DATA_PROD, "analytics-reader"))
                    )
                },
                instance_profile=True,
            ),
            Role(
                "build-runner",
                service_trust("ec2.amazonaws.com"),
                managed=(aws_policy_arn("AmazonS3ReadOnlyAccess"),),
                inline={
                    "pull-images": document(
                        allow(
                            [
                                "ecr:GetAuthorizationToken",
                                "ecr:BatchGetImage",
                                "ecr:GetDownloadUrlForLayer",
                            ]
                        )
                    )
                },
                instance_profile=True,
            ),
        ]
    )


def sandbox() -> Iam:
    return Iam(password_policy=None)  # nobody set one


def identities(customer_records_key_arn: str) -> dict[str, Iam]:
    """Each account's IAM, before the baseline and Identity Center roles are added."""
    return {
        MANAGEMENT: management(),
        SECURITY_TOOLING: security_tooling(),
        PAYMENTS_PROD: payments_prod(),
        DATA_PROD: data_prod(customer_records_key_arn),
        APP_DEV: app_dev(),
        SANDBOX: sandbox(),
    }
