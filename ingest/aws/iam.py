"""IAM, per account: principals and their policies (get_account_authorization_details), the root
user's MFA and access keys (get_account_summary), the password policy, and each user's console
password, MFA devices and access keys.

The graph is described in kg/model/identity.py; the parsing of the authorization details lives
in _iam_details and _iam_trust. A lone `aws iam get-account-authorization-details` export can be
wrapped into a one-account snapshot with `snapshot_from_authorization_file`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.aws._control_state import DISABLED, Answer, State, read_call
from ingest.aws._iam_details import AuthorizationDetails
from ingest.aws._iam_trust import TrustContext
from ingest.aws._shapes import Item, response
from ingest.aws.organizations import organization_members
from ingest.snapshot import GLOBAL_REGION, Snapshot, SnapshotWriter, read_json
from kg.errors import ConfigError, SnapshotError
from kg.graph.records import GraphRecords

if TYPE_CHECKING:
    from ingest.aws.collect import CallContext

SCOPE = "account"
CLIENT = "iam"
AUTHORIZATION_DETAILS = "get_account_authorization_details"
PRINCIPAL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList")
DETAIL_LISTS = (*PRINCIPAL_LISTS, "Policies")
IAM_ARN = re.compile(r"^arn:(?P<partition>[a-z0-9-]+):iam::(?P<account>\d{12}):")
NO_SUCH_ENTITY = ("NoSuchEntity",)  # no password policy, or a user without console password
PASSWORD_POLICY_INTEGERS = {
    "MinimumPasswordLength": "minimum_password_length",
    "MaxPasswordAge": "max_password_age",
    "PasswordReusePrevention": "password_reuse_prevention",
}
PASSWORD_POLICY_FLAGS = {
    "RequireSymbols": "require_symbols",
    "RequireNumbers": "require_numbers",
    "RequireUppercaseCharacters": "require_uppercase_characters",
    "RequireLowercaseCharacters": "require_lowercase_characters",
    "AllowUsersToChangePassword": "allow_users_to_change_password",
    "ExpirePasswords": "expire_passwords",
    "HardExpiry": "hard_expiry",
}


def collect(ctx: CallContext) -> None:
    details = ctx.call(CLIENT, AUTHORIZATION_DETAILS)
    ctx.call(CLIENT, "get_account_password_policy", not_configured=NO_SUCH_ENTITY)
    ctx.call(CLIENT, "get_account_summary")
    for user in (details or {}).get("UserDetailList", []):
        name = user["UserName"]
        ctx.call(CLIENT, "get_login_profile", name, not_configured=NO_SUCH_ENTITY, UserName=name)
        ctx.call(CLIENT, "list_mfa_devices", name, UserName=name)
        ctx.call(CLIENT, "list_access_keys", name, UserName=name)


def _answered(answer: Answer) -> bool | None:
    """For a call whose "no" is an error code: True (answered), False (not set), None (unknown)."""
    if answer.item is not None:
        return True
    if answer.failure is None and answer.every_call_made:
        return False
    return None


def user_credentials(snapshot: Snapshot, account_id: str, user_name: str) -> dict[str, Any]:
    """A user's console password, MFA devices and active access keys; None where unknown."""
    call = partial(read_call, snapshot, account_id, GLOBAL_REGION, CLIENT, key=user_name)
    password = _answered(call("get_login_profile"))
    mfa = call("list_mfa_devices")
    keys = call("list_access_keys")
    mfa_devices = len(mfa.entries("MFADevices")) if mfa.item is not None else None
    key_list = keys.entries("AccessKeyMetadata") if keys.item is not None else None
    facts = {
        "password_enabled": password,
        "mfa_devices": mfa_devices,
        "mfa_enabled": None if mfa_devices is None else mfa_devices > 0,
        "access_keys_active": None
        if key_list is None
        else sum(k.optional_string("Status") == "Active" for k in key_list),
        "access_keys": None if key_list is None else len(key_list),
    }
    return {**facts, "unknown": sorted(name for name, value in facts.items() if value is None)}


# RootUser property -> the account summary's count of that root credential
ROOT_CREDENTIALS = {
    "mfa_enabled": "AccountMFAEnabled",
    "access_keys_present": "AccountAccessKeysPresent",
    "password_present": "AccountPasswordPresent",
    "signing_certificates_present": "AccountSigningCertificatesPresent",
}


def _root_user(records: GraphRecords, snapshot: Snapshot, account_id: str, partition: str) -> None:
    summary = response(snapshot, account_id, GLOBAL_REGION, CLIENT, "get_account_summary")
    counts = summary.child("SummaryMap") if summary is not None else None
    counted = {
        fact: counts.optional_int(field) if counts else None
        for fact, field in ROOT_CREDENTIALS.items()
    }
    arn = f"arn:{partition}:iam::{account_id}:root"
    records.node(
        "RootUser",
        arn=arn,
        name="root",
        account_id=account_id,
        **{fact: None if n is None else n > 0 for fact, n in counted.items()},
        unknown=[fact for fact, n in counted.items() if n is None],
    )
    records.rel("BELONGS_TO", ("RootUser", arn), ("Account", account_id), account_id=account_id)


def _password_policy(records: GraphRecords, snapshot: Snapshot, account_id: str) -> None:
    answer = read_call(snapshot, account_id, GLOBAL_REGION, CLIENT, "get_account_password_policy")
    props: dict[str, Any]
    if answer.item is not None:
        policy = answer.item.child("PasswordPolicy")
        props = {"set": True}
        props |= {p: policy.optional_int(f) for f, p in PASSWORD_POLICY_INTEGERS.items()}
        props |= {p: policy.flag(f) for f, p in PASSWORD_POLICY_FLAGS.items()}
    else:  # NoSuchEntity is not recorded: "not set", unless the call failed or was not made
        state = answer.unanswered(absent=State(DISABLED, "no password policy"))
        not_set = state.status == DISABLED
        props = {
            "set": False if not_set else None,
            "unknown_reason": None if not_set else state.reason,
        }
    records.node("PasswordPolicy", account_id=account_id, **props)
    records.rel(
        "APPLIES_TO", ("PasswordPolicy", account_id), ("Account", account_id), account_id=account_id
    )


def _principal_arns(details: Item) -> Iterator[re.Match[str]]:
    """The ARNs of an export's users, groups and roles, each checked to be an IAM ARN."""
    for list_name in PRINCIPAL_LISTS:
        for item in details.children(list_name):
            match = IAM_ARN.match(item.string("Arn"))
            if match is None:
                raise SnapshotError(f"{item.where}: field 'Arn' is not an IAM ARN")
            yield match


def _partition(details: Item | None) -> str:
    """The ARN partition the account lives in (aws, aws-cn, aws-us-gov), from its own ARNs."""
    first = next(_principal_arns(details), None) if details is not None else None
    return first["partition"] if first is not None else "aws"


def transform(snapshot: Snapshot) -> GraphRecords:
    records = GraphRecords()
    collected = snapshot.account_ids()
    members = organization_members(snapshot)
    for account_id in collected:
        records.ref("Account", account_id=account_id, external=False)
        details = response(snapshot, account_id, GLOBAL_REGION, CLIENT, AUTHORIZATION_DETAILS)
        if details is not None:
            AuthorizationDetails(
                records,
                account_id,
                TrustContext(records, account_id, members, collected),
                partial(user_credentials, snapshot, account_id),
            ).add(details)
        _root_user(records, snapshot, account_id, _partition(details))
        _password_policy(records, snapshot, account_id)
    return records


def snapshot_from_authorization_file(path: Path, account_id: str, out_dir: Path) -> Path:
    """Wrap a lone get-account-authorization-details export into a one-account snapshot.

    The snapshot's source is "file": calls it lacks (the password policy, the account summary,
    users' credentials) are unknown, never read as "not set".
    """
    if not (account_id.isdigit() and len(account_id) == 12):
        raise ConfigError(f"--account-id {account_id!r} is not a 12-digit account id")
    details = read_json(path)
    if not isinstance(details, dict) or not any(name in details for name in DETAIL_LISTS):
        raise SnapshotError(
            f"{path}: not a get-account-authorization-details export (expected an object with "
            f"{', '.join(DETAIL_LISTS)})"
        )
    named = {match["account"] for match in _principal_arns(Item(details, str(path)))}
    others = sorted(named - {account_id})
    if others:
        raise ConfigError(f"{path} describes account {others[0]}, not --account-id {account_id}")
    writer = SnapshotWriter(out_dir, source="file")
    writer.write(account_id, GLOBAL_REGION, CLIENT, AUTHORIZATION_DETAILS, details)
    writer.set_account(account_id, [])
    writer.finish(organization_account_id=None)
    return out_dir
