"""IAM Identity Center: the instance, permission sets, account assignments, and the roles that
Identity Center provisions in every assigned account (so IAM and sso-admin answers agree)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.aws.ssoadmin import assignment_key
from ingest.example.builder.iam import Role
from ingest.example.builder.ids import Ids
from ingest.example.builder.policies import trust
from ingest.example.builder.scope import Scope

CLIENT = "sso-admin"


@dataclass(frozen=True)
class PermissionSet:
    name: str
    description: str
    managed: tuple[str, ...]  # policy ARNs the provisioned roles carry
    assignments: dict[str, str] = field(default_factory=dict)  # account id -> group name


@dataclass
class IdentityCenter:
    owner: str  # the management account
    region: str
    name: str
    permission_sets: list[PermissionSet]
    ids: Ids

    @property
    def instance_arn(self) -> str:
        return f"arn:aws:sso:::instance/ssoins-{self.ids.hex(16, 'sso-instance')}"

    def permission_set_arn(self, ps: PermissionSet) -> str:
        instance = self.instance_arn.rsplit("/", 1)[-1]
        return f"arn:aws:sso:::permissionSet/{instance}/ps-{self.ids.hex(16, 'ps', ps.name)}"

    def group_id(self, group: str) -> str:
        return f"{self.ids.hex(10, 'idstore')}-{self.ids.uuid('group', group)}"

    def roles(self, account_id: str) -> list[Role]:
        """The AWSReservedSSO_* roles Identity Center provisions in one account."""
        provider = (
            f"arn:aws:iam::{account_id}:saml-provider/AWSSSO_"
            f"{self.ids.hex(16, 'saml', account_id)}_DO_NOT_DELETE"
        )
        path = "/aws-reserved/sso.amazonaws.com/"
        if self.region != "us-east-1":
            path += f"{self.region}/"
        return [
            Role(
                f"AWSReservedSSO_{ps.name}_{self.ids.hex(16, 'sso-role', account_id, ps.name)}",
                trust(
                    {"Federated": provider},
                    ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                    {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
                ),
                managed=ps.managed,
                path=path,
            )
            for ps in self.permission_sets
            if account_id in ps.assignments
        ]


def render_identity_center(scope: Scope, center: IdentityCenter | None) -> None:
    """list_instances everywhere; the instance's details where it lives."""
    here = center is not None and (scope.account_id, scope.region) == (center.owner, center.region)
    if center is None or not here:
        scope.answer(CLIENT, "list_instances", {"Instances": []})
        return
    instance = center.instance_arn
    if not scope.answer(
        CLIENT,
        "list_instances",
        {
            "Instances": [
                {
                    "InstanceArn": instance,
                    "IdentityStoreId": f"d-{center.ids.hex(10, 'idstore')}",
                    "OwnerAccountId": center.owner,
                    "Name": center.name,
                    "CreatedDate": scope.created("sso"),
                    "Status": "ACTIVE",
                }
            ]
        },
    ):
        return
    arns = [center.permission_set_arn(ps) for ps in center.permission_sets]
    scope.answer(CLIENT, "list_permission_sets", {"PermissionSets": arns}, instance)
    for ps, arn in zip(center.permission_sets, arns, strict=True):
        scope.answer(
            CLIENT,
            "describe_permission_set",
            {
                "PermissionSet": {
                    "Name": ps.name,
                    "PermissionSetArn": arn,
                    "Description": ps.description,
                    "CreatedDate": scope.created("ps", ps.name),
                    "SessionDuration": "PT8H",
                }
            },
            arn,
        )
        accounts = sorted(ps.assignments)
        scope.answer(
            CLIENT, "list_accounts_for_provisioned_permission_set", {"AccountIds": accounts}, arn
        )
        for account_id in accounts:
            scope.answer(
                CLIENT,
                "list_account_assignments",
                {
                    "AccountAssignments": [
                        {
                            "AccountId": account_id,
                            "PermissionSetArn": arn,
                            "PrincipalType": "GROUP",
                            "PrincipalId": center.group_id(ps.assignments[account_id]),
                        }
                    ]
                },
                assignment_key(arn, account_id),
            )
