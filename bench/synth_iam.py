"""Seeded-random identities for one synthetic account: ~60 roles, ~20 users, ~10 groups,
~100 customer managed policies, trusts across the organization, and a sprinkling of known
privilege escalation patterns."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.synth_org import SynthOrg
from ingest.example.builder.iam import Group, Iam, ManagedPolicy, Role, User, customer_policy_arn
from ingest.example.builder.policies import (
    Document,
    Statement,
    account_root,
    allow,
    aws_policy_arn,
    document,
    role_arn,
    service_trust,
    trust,
)

ADMIN = aws_policy_arn("AdministratorAccess")
GITHUB = "token.actions.githubusercontent.com"
# Actions application policies are made of, grouped by the resource type they act on.
ACTIONS = {
    "s3": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"],
    "dynamodb": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan"],
    "sqs": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
    "sns": ["sns:Publish", "sns:Subscribe"],
    "logs": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "kms": ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"],
    "secretsmanager": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    "ssm": ["ssm:GetParameter", "ssm:GetParametersByPath"],
    "lambda": ["lambda:InvokeFunction", "lambda:GetFunction"],
    "ecr": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    "ec2": ["ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances"],
    "states": ["states:StartExecution", "states:DescribeExecution"],
    "cloudwatch": ["cloudwatch:PutMetricData", "cloudwatch:GetMetricData"],
}
SERVICES = sorted(ACTIONS)
# Role trust kinds and their share of an account's application roles.
TRUST_KINDS = (
    ("ec2", 0.3),
    ("lambda", 0.25),
    ("ecs", 0.1),
    ("glue", 0.04),
    ("org", 0.16),
    ("vendor", 0.03),
    ("github", 0.04),
    ("saml", 0.08),
)
SERVICE_PRINCIPALS = {
    "ec2": "ec2.amazonaws.com",
    "lambda": "lambda.amazonaws.com",
    "ecs": "ecs-tasks.amazonaws.com",
    "glue": "glue.amazonaws.com",
}
GROUP_NAMES = (
    "admins",
    "developers",
    "readonly",
    "data-analysts",
    "operations",
    "billing",
    "security",
    "support",
    "qa",
    "contractors",
    "interns",
    "release",
)
FIRST = ("alex", "sam", "kim", "lee", "ana", "raj", "mia", "tom", "eva", "ola", "li", "noa")
LAST = ("smith", "garcia", "chen", "patel", "kowalski", "muller", "nguyen", "silva", "okafor")


@dataclass
class Identities:
    """The account's IAM, and which roles compute resources can use."""

    iam: Iam
    instance_roles: list[str] = field(default_factory=list)
    function_roles: list[str] = field(default_factory=list)


def _resource(rng: random.Random, account: str, service: str) -> str:
    if rng.random() < 0.35:
        return "*"
    name = f"{service}-{rng.randrange(1000):03d}"
    region = rng.choice(("us-east-1", "eu-west-1"))
    return {
        "s3": f"arn:aws:s3:::{name}-{account}/*",
        "dynamodb": f"arn:aws:dynamodb:{region}:{account}:table/{name}",
        "sqs": f"arn:aws:sqs:{region}:{account}:{name}",
        "sns": f"arn:aws:sns:{region}:{account}:{name}",
        "logs": f"arn:aws:logs:{region}:{account}:log-group:/app/{name}:*",
        "kms": f"arn:aws:kms:{region}:{account}:key/*",
        "secretsmanager": f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-*",
        "ssm": f"arn:aws:ssm:{region}:{account}:parameter/{name}/*",
        "lambda": f"arn:aws:lambda:{region}:{account}:function:{name}",
        "ecr": f"arn:aws:ecr:{region}:{account}:repository/{name}",
        "states": f"arn:aws:states:{region}:{account}:stateMachine:{name}",
    }.get(service, "*")


def _application_policy(rng: random.Random, account: str, index: int) -> ManagedPolicy:
    statements: list[Statement] = []
    for _ in range(rng.randint(1, 4)):
        service = rng.choice(SERVICES)
        actions = rng.sample(ACTIONS[service], rng.randint(1, len(ACTIONS[service])))
        statements.append(allow(actions, _resource(rng, account, service)))
    main = statements[0]["Action"][0].split(":")[0]
    return ManagedPolicy(f"app-{main}-{index:03d}", document(*statements))


def _trust(rng: random.Random, org: SynthOrg, account: str, kind: str) -> Document:
    if kind in SERVICE_PRINCIPALS:
        return service_trust(SERVICE_PRINCIPALS[kind])
    if kind == "org":
        other = rng.choice(org.account_ids)
        return trust({"AWS": account_root(other)})
    if kind == "vendor":
        vendor = str(rng.randrange(10**11, 10**12))
        return trust(
            {"AWS": account_root(vendor)},
            condition={"StringEquals": {"sts:ExternalId": f"ext-{rng.randrange(10**8)}"}},
        )
    if kind == "github":
        provider = f"arn:aws:iam::{account}:oidc-provider/{GITHUB}"
        return trust(
            {"Federated": provider},
            "sts:AssumeRoleWithWebIdentity",
            {"StringLike": {f"{GITHUB}:sub": f"repo:example-corp/service-{rng.randrange(100)}:*"}},
        )
    provider = f"arn:aws:iam::{account}:saml-provider/corp-idp"
    return trust(
        {"Federated": provider},
        "sts:AssumeRoleWithSAML",
        {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    )


def _escalation(rng: random.Random, account: str, out: Identities, index: int) -> None:
    """One known privilege escalation pattern, with the admin role or user it reaches."""
    pattern = rng.choice(
        (
            "passrole-lambda",
            "passrole-ec2",
            "policy-version",
            "attach-policy",
            "put-inline",
            "access-key",
            "passrole-cloudformation",
        )
    )
    iam = out.iam
    target = f"escalation-target-{index}"
    own = f"escalation-{pattern}-{index}"
    statements: list[Statement]
    if pattern.startswith("passrole"):
        service, actions = {
            "passrole-lambda": ("lambda", ["lambda:CreateFunction", "lambda:InvokeFunction"]),
            "passrole-ec2": ("ec2", ["ec2:RunInstances", "ec2:AssociateIamInstanceProfile"]),
            "passrole-cloudformation": ("cloudformation", ["cloudformation:CreateStack"]),
        }[pattern]
        iam.roles.append(
            Role(
                target,
                service_trust(f"{service}.amazonaws.com"),
                (ADMIN,),
                instance_profile=service == "ec2",
            )
        )
        statements = [allow("iam:PassRole", f"arn:aws:iam::{account}:role/*"), allow(actions)]
    elif pattern == "policy-version":
        statements = [
            allow(
                ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"],
                customer_policy_arn(account, own),
            )
        ]
    elif pattern == "attach-policy":
        statements = [allow("iam:AttachRolePolicy", role_arn(account, own))]
    elif pattern == "put-inline":
        statements = [allow("iam:PutRolePolicy", role_arn(account, own))]
    else:
        iam.users.append(User(target, managed=(ADMIN,), access_keys=1))
        statements = [allow("iam:CreateAccessKey", f"arn:aws:iam::{account}:user/{target}")]
    iam.policies.append(ManagedPolicy(own, document(*statements)))
    iam.roles.append(
        Role(
            own,
            service_trust("ec2.amazonaws.com"),
            (customer_policy_arn(account, own),),
            instance_profile=True,
        )
    )
    out.instance_roles.append(own)


def build_identities(rng: random.Random, org: SynthOrg, account: str) -> Identities:
    policies = [_application_policy(rng, account, i) for i in range(rng.randint(80, 120))]
    arns = [customer_policy_arn(account, p.name) for p in policies]
    center = org.context.identity_center
    roles = (
        []
        if account == org.management
        else [
            Role(
                "OrganizationAccountAccessRole",
                trust({"AWS": account_root(org.management)}),
                (ADMIN,),
            )
        ]
    )
    roles += center.roles(account) if center else []
    out = Identities(Iam(policies=policies, roles=roles))
    kinds = [kind for kind, _ in TRUST_KINDS]
    weights = [share for _, share in TRUST_KINDS]
    for i in range(rng.randint(45, 60)):
        kind = rng.choices(kinds, weights)[0]
        name = f"{kind}-role-{i:03d}"
        managed = tuple(rng.sample(arns, rng.randint(1, 3)))
        if kind == "lambda":
            managed += (aws_policy_arn("AWSLambdaBasicExecutionRole"),)
            out.function_roles.append(name)
        inline = {}
        if rng.random() < 0.3:
            inline["inline"] = _application_policy(rng, account, 900 + i).document
        roles.append(
            Role(
                name,
                _trust(rng, org, account, kind),
                managed,
                inline,
                instance_profile=kind == "ec2",
            )
        )
        if kind == "ec2":
            out.instance_roles.append(name)
    groups = [
        Group(g, (ADMIN,) if g == "admins" else tuple(rng.sample(arns, rng.randint(1, 3))))
        for g in rng.sample(GROUP_NAMES, rng.randint(8, 12))
    ]
    out.iam.groups = groups
    for i in range(rng.randint(15, 25)):
        console = rng.random() < 0.6
        out.iam.users.append(
            User(
                f"{rng.choice(FIRST)}.{rng.choice(LAST)}{i}",
                groups=tuple(g.name for g in rng.sample(groups, rng.randint(1, 2))),
                managed=tuple(rng.sample(arns, 1)) if rng.random() < 0.2 else (),
                console=console,
                mfa=console and rng.random() < 0.8,
                access_keys=rng.choice((0, 0, 1, 1, 2)),
            )
        )
    for index in range(rng.choices((0, 1, 2), (0.7, 0.25, 0.05))[0]):  # a sprinkling
        _escalation(rng, account, out, index)
    out.iam.password_policy = out.iam.password_policy if rng.random() < 0.85 else None
    out.iam.root_mfa = rng.random() < 0.95
    out.iam.root_access_keys = rng.random() < 0.03
    if account == org.management:
        out.iam.organization_id = org.context.org.org_id
        out.iam.organization_features = ("RootCredentialsManagement",)
    return out
