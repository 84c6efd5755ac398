"""One account's get_account_authorization_details as graph records: users, groups, roles,
managed and inline policies, permissions boundaries, trust policies and instance profiles.

AWS managed policies are one shared node (AwsManagedPolicy) for every account that attaches
them; customer managed and inline policies belong to their account. An attachment or boundary
naming a policy the response does not describe (a hand-made, filtered export) still gets its
edge, to a policy node whose document is marked unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.aws._documents import iam_policy_text
from ingest.aws._iam_trust import TrustContext, add_trusts
from ingest.aws._shapes import Item, tag_list
from kg.graph.records import GraphRecords, NodeRef

UserCredentials = Callable[[str], dict[str, Any]]  # user name -> credential properties
SERVICE_LINKED_PATH = "/aws-service-role/"


def is_aws_managed(policy_arn: str) -> bool:
    return ":iam::aws:policy/" in policy_arn


def _name_of(policy_arn: str) -> str:
    """A managed policy's name: the last part of its ARN (after the path)."""
    return policy_arn.rsplit("/", 1)[-1]


@dataclass
class AuthorizationDetails:
    """Turns one account's authorization details into records stamped with the account id."""

    records: GraphRecords
    account_id: str
    trust: TrustContext
    credentials: UserCredentials
    policies: set[str] = field(default_factory=set)  # ARNs of managed policies with a node

    def owned(self, label: str, arn: str, **props: Any) -> NodeRef:
        """A node of the account, and its BELONGS_TO edge."""
        self.records.node(label, arn=arn, account_id=self.account_id, **props)
        self.rel("BELONGS_TO", (label, arn), ("Account", self.account_id))
        return (label, arn)

    def rel(self, rel_type: str, source: NodeRef, target: NodeRef, **props: Any) -> None:
        self.records.rel(rel_type, source, target, account_id=self.account_id, **props)

    def add(self, details: Item) -> None:
        for policy in details.children("Policies"):
            self.managed_policy(policy)
        groups = {g.string("GroupName"): self.group(g) for g in details.children("GroupDetailList")}
        for user in details.children("UserDetailList"):
            self.user(user, groups)
        for role in details.children("RoleDetailList"):
            self.role(role)

    def managed_policy(self, policy: Item) -> None:
        arn = policy.string("Arn")
        versions = policy.children("PolicyVersionList")
        default = [v for v in versions if v.flag("IsDefaultVersion")]
        document = (
            iam_policy_text(default[0].data.get("Document"), f"{default[0].where}.Document")
            if default
            else None
        )
        # The versions it could be set back to (iam:SetDefaultPolicyVersion), as deployed.
        other_versions = [
            iam_policy_text(v.data.get("Document"), f"{v.where}.Document")
            for v in versions
            if not v.flag("IsDefaultVersion")
        ]
        props: dict[str, Any] = {
            "name": policy.optional_string("PolicyName") or _name_of(arn),
            "aws_managed": is_aws_managed(arn),
            "document": document,
            "policy_id": policy.optional_string("PolicyId"),
            "default_version_id": policy.optional_string("DefaultVersionId"),
            "version_count": len(versions) if default else None,
            "other_version_documents": other_versions if default else None,
            "is_attachable": policy.optional_bool("IsAttachable"),
            "create_date": policy.optional_string("CreateDate"),
            "update_date": policy.optional_string("UpdateDate"),
            "unknown": [] if document is not None else ["document"],
        }
        if is_aws_managed(arn):  # one node for every account: no per-account counts on it
            self.records.node("AwsManagedPolicy", arn=arn, **props)
        else:
            self.owned(
                "IAMPolicy",
                arn,
                path=policy.optional_string("Path"),
                inline=False,
                attachment_count=policy.optional_int("AttachmentCount"),
                **props,
            )
        self.policies.add(arn)

    def managed_ref(self, arn: str, name: str | None) -> NodeRef:
        """A managed policy an attachment names; described elsewhere or marked unknown."""
        if arn not in self.policies:
            props = {"name": name or _name_of(arn), "unknown": ["document"]}
            if is_aws_managed(arn):
                self.records.ref("AwsManagedPolicy", arn=arn, aws_managed=True, **props)
            else:  # a customer managed policy can only be attached in its own account
                self.records.ref(
                    "IAMPolicy",
                    arn=arn,
                    account_id=self.account_id,
                    aws_managed=False,
                    inline=False,
                    **props,
                )
        return ("IAMPolicy", arn)

    def policies_of(self, principal: NodeRef, item: Item, inline_list: str) -> None:
        """Inline and attached managed policies of a user, group or role, and its boundary."""
        for inline in item.children(inline_list):
            name = inline.string("PolicyName")
            document = iam_policy_text(
                inline.data.get("PolicyDocument"), f"{inline.where}.PolicyDocument"
            )
            policy = self.owned(
                "IAMPolicy",
                f"{principal[1]}/inline/{name}",
                name=name,
                aws_managed=False,
                inline=True,
                document=document,
                unknown=[],
            )
            self.rel("ATTACHED_TO", policy, principal)
        for attached in item.children("AttachedManagedPolicies"):
            arn = attached.string("PolicyArn")
            policy = self.managed_ref(arn, attached.optional_string("PolicyName"))
            self.rel("ATTACHED_TO", policy, principal)
        boundary = item.child("PermissionsBoundary").optional_string("PermissionsBoundaryArn")
        if boundary is not None:
            self.rel("BOUNDS", self.managed_ref(boundary, None), principal)

    def group(self, group: Item) -> NodeRef:
        ref = self.owned(
            "Group",
            group.string("Arn"),
            name=group.string("GroupName"),
            group_id=group.optional_string("GroupId"),
            path=group.optional_string("Path"),
            create_date=group.optional_string("CreateDate"),
        )
        self.policies_of(ref, group, "GroupPolicyList")
        return ref

    def user(self, user: Item, groups: dict[str, NodeRef]) -> None:
        name = user.string("UserName")
        group_names = user.strings("GroupList")
        ref = self.owned(
            "User",
            user.string("Arn"),
            name=name,
            user_id=user.optional_string("UserId"),
            path=user.optional_string("Path"),
            create_date=user.optional_string("CreateDate"),
            tags=tag_list(user.children("Tags")),
            group_names=sorted(group_names),
            **self.credentials(name),
        )
        for group_name in group_names:
            if group_name in groups:
                self.rel("MEMBER_OF", ref, groups[group_name])
        self.policies_of(ref, user, "UserPolicyList")

    def role(self, role: Item) -> None:
        arn = role.string("Arn")
        trust_where = f"{role.where}.AssumeRolePolicyDocument"
        raw_trust = role.data.get("AssumeRolePolicyDocument")
        trust_policy = iam_policy_text(raw_trust, trust_where) if raw_trust is not None else None
        last_used = role.child("RoleLastUsed")
        path = role.optional_string("Path")
        ref = self.owned(
            "Role",
            arn,
            name=role.string("RoleName"),
            role_id=role.optional_string("RoleId"),
            path=path,
            create_date=role.optional_string("CreateDate"),
            trust_policy=trust_policy,
            service_linked=(path or "").startswith(SERVICE_LINKED_PATH),
            last_used_date=last_used.optional_string("LastUsedDate"),
            last_used_region=last_used.optional_string("Region"),
            tags=tag_list(role.children("Tags")),
            unknown=[] if trust_policy is not None else ["trust_policy"],
        )
        if trust_policy is not None:
            add_trusts(self.trust, ref, trust_policy, trust_where)
        self.policies_of(ref, role, "RolePolicyList")
        for profile in role.children("InstanceProfileList"):
            profile_ref = self.owned(
                "InstanceProfile",
                profile.string("Arn"),
                name=profile.string("InstanceProfileName"),
                instance_profile_id=profile.optional_string("InstanceProfileId"),
                path=profile.optional_string("Path"),
                create_date=profile.optional_string("CreateDate"),
            )
            self.rel("FOR_ROLE", profile_ref, ref)
