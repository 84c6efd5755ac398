"""The demo's deliberate findings, by ARN: what kg must report, and the one thing it must not.

Computed with the same builder functions that wrote the snapshot, so they cannot disagree with
it. ingest/example/README.md lists the same values for people (a test keeps the two in step).
"""

from __future__ import annotations

from ingest.example.builder.load_balancers import load_balancer_arn
from ingest.example.builder.network import group_id, instance_id, nacl_id, subnet_id
from ingest.example.builder.organizations import Organization
from ingest.example.builder.policies import role_arn
from ingest.example.builder.resources import key_arn, secret_arn
from ingest.example.builder.scope import Place
from ingest.example.demo import workloads
from ingest.example.demo.accounts import (
    APP_DEV,
    DATA_PROD,
    HOME_REGION,
    IDS,
    MANAGEMENT,
    OTHER_REGION,
    PARTNER,
    PAYMENTS_PROD,
    PROTECT_SECURITY_SERVICES,
    SANDBOX,
    SANDBOX_OU,
    SECURITY_OU,
    WORKLOADS_OU,
    organization,
)
from ingest.example.demo.identity import (
    CUSTOMER_RECORDS_BUCKET,
    PARTNER_BUCKET,
    PUBLIC_ASSETS_BUCKET,
)

_ORG: Organization = organization()
_DEV = Place(IDS, APP_DEV, HOME_REGION)
_PAYMENTS = Place(IDS, PAYMENTS_PROD, HOME_REGION)
_DEV_VPC = workloads.app_dev()[0][HOME_REGION].network.vpcs[0]


def _instance_arn(place: Place, name: str) -> str:
    return place.arn("ec2", f"instance/{instance_id(place, name)}")


# A dev account with GuardDuty off in one region (list_detectors answers no detector).
GUARDDUTY_OFF = (APP_DEV, OTHER_REGION)
# The same call was refused in the sandbox account: GuardDuty there is unknown, not off.
GUARDDUTY_UNKNOWN = (SANDBOX, OTHER_REGION)

# The SCP protecting security services reaches every OU but Sandbox.
PROTECT_SECURITY_SERVICES_ARN = _ORG.policy_arn(PROTECT_SECURITY_SERVICES)
PROTECTED_OU_ARNS = (_ORG.ou_arn(SECURITY_OU), _ORG.ou_arn(WORKLOADS_OU))
UNPROTECTED_OU_ARN = _ORG.ou_arn(SANDBOX_OU)

# Internet -> SSH to a public dev instance -> its role -> a production role in another account
# -> a confidential production bucket (and the key that decrypts it).
BASTION_INSTANCE_ARN = _instance_arn(_DEV, "dev-bastion")
BASTION_SECURITY_GROUP_ID = group_id(_DEV, _DEV_VPC, "dev-ssh-open")
BASTION_ROLE_ARN = role_arn(APP_DEV, "dev-bastion")
ANALYTICS_READER_ROLE_ARN = role_arn(DATA_PROD, "analytics-reader")
CUSTOMER_RECORDS_BUCKET_ARN = f"arn:aws:s3:::{CUSTOMER_RECORDS_BUCKET}"
CUSTOMER_RECORDS_KEY_ARN = key_arn(
    Place(IDS, DATA_PROD, OTHER_REGION), workloads.CUSTOMER_RECORDS_KEY
)

# A CI role that can pass any role to a new Lambda function and invoke it: admin by proxy.
CI_ROLE_ARN = role_arn(PAYMENTS_PROD, "ci-deployer")
ESCALATION_TARGET_ROLE_ARN = role_arn(PAYMENTS_PROD, "deploy-automation")

# A bucket policy granting reads to an account outside the organization.
PARTNER_BUCKET_ARN = f"arn:aws:s3:::{PARTNER_BUCKET}"
EXTERNAL_ACCOUNT_ID = PARTNER

# Looks exposed (public address, SSH open to the world) but its subnet's ACL denies port 22.
NACL_BLOCKED_INSTANCE_ARN = _instance_arn(_DEV, "dev-build-runner")
NACL_BLOCKED_SUBNET_ID = subnet_id(_DEV, _DEV_VPC, "dev-build-b")
BLOCKING_NACL_ID = nacl_id(_DEV, _DEV_VPC, "dev-build-nacl")

# A console user without MFA.
CONSOLE_USER_WITHOUT_MFA_ARN = f"arn:aws:iam::{MANAGEMENT}:user/jane.ops"

# A customer managed key without rotation, and a secret without rotation.
KEY_WITHOUT_ROTATION_ARN = key_arn(_PAYMENTS, workloads.PAYMENTS_KEY)
SECRET_WITHOUT_ROTATION_ARN = secret_arn(_PAYMENTS, "payments/db-password")

# An internet-facing load balancer forwarding 443 to private instances on 8443.
INTERNET_FACING_ALB_ARN = load_balancer_arn(_PAYMENTS, "payments-web")
ALB_TARGET_INSTANCE_ARNS = (
    _instance_arn(_PAYMENTS, "payments-app-1"),
    _instance_arn(_PAYMENTS, "payments-app-2"),
)

# A bucket with its public access block off (and a public-read policy), in an account without
# the account-level block.
PUBLIC_BUCKET_ARN = f"arn:aws:s3:::{PUBLIC_ASSETS_BUCKET}"
