"""Escalation is transitive and decided as deployed: a principal that reaches another which can
itself escalate is reported hop by hop; a technique whose permissions hold but which fails on
the estate as it stands is latent (or unknown when the fact was not collected), and only what
works now carries a chain."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kg.analysis.iam_view import Actor, Target
from kg.analysis.policy import OrgLevel, Policy, PolicyKind, PolicySet, Principal, PrincipalKind
from kg.analysis.privesc import Credentials, Estate, Finding, Status, find_escalations

ACCOUNT = "111111111111"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
WORKER = f"arn:aws:iam::{ACCOUNT}:role/worker"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/admin"
IAM_GROUP = f"arn:aws:iam::{ACCOUNT}:group/iam-operators"
ALICE_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/alice"


def _policy(statements: list[dict[str, Any]], name: str, kind: PolicyKind) -> Policy:
    document = {"Version": "2012-10-17", "Statement": statements}
    return Policy.parse(document, policy_id=name, kind=kind)


def _allow(*actions: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resource}


def _actor(arn: str, *statements: dict[str, Any], scp: list[dict[str, Any]] | None = None) -> Actor:
    user = ":user/" in arn
    name = ALICE_POLICY if arn == ALICE else f"{arn}/policy"
    identity = (_policy(list(statements), name, PolicyKind.IDENTITY),) if statements else ()
    scps = (OrgLevel("r-root", (_policy(scp, "scp", PolicyKind.SCP),)),) if scp else None
    return Actor(
        "User" if user else "Role",
        Principal(PrincipalKind.USER if user else PrincipalKind.ROLE, arn, ACCOUNT),
        PolicySet(identity=identity, scps=scps, management_account_id="999999999999"),
    )


def _trusting(arn: str, principal: dict[str, Any]) -> Target:
    trust = [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]
    return Target("Role", arn, ACCOUNT, _policy(trust, f"{arn} trust", PolicyKind.RESOURCE), None)


def _estate(*actors: Actor, **extra: Any) -> Estate:
    roles = {
        a.arn: _trusting(a.arn, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
        for a in actors
        if a.label == "Role"
    }
    return Estate(
        actors={a.arn: a for a in actors},
        roles={**roles, **extra.pop("roles", {})},
        own_policies=extra.pop("own_policies", {}),
        group_policies=extra.pop("group_policies", {}),
        memberships=extra.pop("memberships", {}),
        **extra,
    )


def _hops(findings: list[Finding], status: Status = Status.EXPLOITABLE) -> set[tuple[str, ...]]:
    return {
        (f.source.rsplit("/", 1)[-1], f.technique.name, f.target.rsplit("/", 1)[-1])
        for f in findings
        if f.status is status
    }


ADMIN_ACTOR = _actor(ADMIN, _allow("*"))
# A role that is not admin but can make itself admin.
SELF_ESCALATING_DEPLOYER = _actor(DEPLOYER, _allow("iam:PutRolePolicy", resource=DEPLOYER))


def test_passing_a_role_that_can_escalate_is_an_escalation_with_every_hop() -> None:
    ec2_trusting = _trusting(DEPLOYER, {"Service": "ec2.amazonaws.com"})
    alice = _actor(ALICE, _allow("iam:PassRole", "ec2:RunInstances"))
    estate = _estate(
        alice,
        SELF_ESCALATING_DEPLOYER,
        ADMIN_ACTOR,
        roles={DEPLOYER: ec2_trusting},
        profiled_roles=frozenset({DEPLOYER}),
    )
    findings = find_escalations(estate)
    assert _hops(findings) == {
        ("alice", "passrole-ec2", "deployer"),
        ("deployer", "put-role-policy", "deployer"),
    }
    by_hop = {(f.source, f.target): f for f in findings}
    assert by_hop[(ALICE, DEPLOYER)].grants_admin is False  # the deployer escalates further
    assert by_hop[(DEPLOYER, DEPLOYER)].grants_admin is True


def test_a_chain_of_any_length_is_found_and_cut_by_a_deny_one_level_down() -> None:
    """alice creates bob's access key; bob assumes the worker role; the worker assumes the
    deployer, which makes itself admin. Three rounds of the fixpoint."""
    alice = _actor(ALICE, _allow("iam:CreateAccessKey", resource=BOB))
    bob = _actor(BOB, _allow("sts:AssumeRole", resource=WORKER))
    worker = _actor(WORKER, _allow("sts:AssumeRole", resource=DEPLOYER))
    keys = {"credentials": {BOB: Credentials(console_password=False, access_keys=0)}}
    chain = _estate(alice, bob, worker, SELF_ESCALATING_DEPLOYER, ADMIN_ACTOR, **keys)
    assert _hops(find_escalations(chain)) == {
        ("alice", "create-access-key", "bob"),
        ("bob", "assume-role", "worker"),
        ("worker", "assume-role", "deployer"),
        ("deployer", "put-role-policy", "deployer"),
    }
    # An SCP over the deployer alone denies the last hop: nobody escalates, whatever the chain.
    denied = _actor(
        DEPLOYER,
        _allow("iam:PutRolePolicy", resource=DEPLOYER),
        scp=[_allow("*"), {"Effect": "Deny", "Action": "iam:PutRolePolicy", "Resource": "*"}],
    )
    cut = _estate(alice, bob, worker, denied, ADMIN_ACTOR, **keys)
    assert _hops(find_escalations(cut)) == set()


def test_roles_that_assume_each_other_end_and_both_escalate() -> None:
    worker = _actor(WORKER, _allow("sts:AssumeRole", resource=DEPLOYER))
    deployer = _actor(
        DEPLOYER,
        _allow("sts:AssumeRole", resource=WORKER),
        _allow("iam:PutRolePolicy", resource=DEPLOYER),
    )
    # The search ends; the deployer's hop back to the worker is a route too (the worker
    # escalates), which a query for chains skips as a cycle.
    assert _hops(find_escalations(_estate(worker, deployer, ADMIN_ACTOR))) == {
        ("worker", "assume-role", "deployer"),
        ("deployer", "assume-role", "worker"),
        ("deployer", "put-role-policy", "deployer"),
    }


def test_joining_a_group_that_can_escalate_is_reported_as_one_hop_on_itself() -> None:
    """The group grants iam:AttachUserPolicy, not admin: joining it lets alice attach
    AdministratorAccess to herself."""
    alice = _actor(ALICE, _allow("iam:AddUserToGroup", resource=IAM_GROUP))
    group = PolicySet(
        identity=(_policy([_allow("iam:AttachUserPolicy")], "iam-ops", PolicyKind.IDENTITY),)
    )
    findings = find_escalations(_estate(alice, ADMIN_ACTOR, group_policies={IAM_GROUP: group}))
    assert _hops(findings) == {("alice", "add-user-to-group+attach-user-policy", "alice")}
    (finding,) = findings
    assert finding.via == f"{IAM_GROUP} -> {ALICE}"
    assert finding.permissions == ["iam:AddUserToGroup", "iam:AttachUserPolicy"]
    assert finding.grants_admin


def test_a_group_that_grants_nothing_new_is_no_escalation() -> None:
    alice = _actor(ALICE, _allow("iam:AddUserToGroup", resource=IAM_GROUP))
    group = PolicySet(identity=(_policy([_allow("s3:ListBucket")], "g", PolicyKind.IDENTITY),))
    estate = _estate(alice, ADMIN_ACTOR, group_policies={IAM_GROUP: group})
    assert find_escalations(estate) == []


def test_joining_a_group_then_writing_its_policy_is_one_hop_on_itself() -> None:
    """Alice may add herself to a group that grants nothing and write that group's policies:
    joined, the policy she writes on it is hers (iam-013, then iam-011)."""
    empty = {IAM_GROUP: PolicySet()}
    writer = _allow("iam:AddUserToGroup", "iam:PutGroupPolicy", resource=IAM_GROUP)
    findings = find_escalations(_estate(_actor(ALICE, writer), group_policies=empty))
    assert _hops(findings) == {("alice", "add-user-to-group+put-group-policy", "alice")}
    (finding,) = findings
    assert finding.permissions == ["iam:AddUserToGroup", "iam:PutGroupPolicy"]
    assert finding.via == f"{IAM_GROUP} -> {IAM_GROUP}"
    cannot_join = _allow("iam:PutGroupPolicy", resource=IAM_GROUP)
    assert find_escalations(_estate(_actor(ALICE, cannot_join), group_policies=empty)) == []
    member = _estate(_actor(ALICE, writer), group_policies=empty, memberships={ALICE: (IAM_GROUP,)})
    assert _hops(find_escalations(member)) == {("alice", "put-group-policy", "alice")}


ADMIN_USER = f"arn:aws:iam::{ACCOUNT}:user/root-like"
ADMIN_USER_ACTOR = _actor(ADMIN_USER, _allow("*"))


def _credential_findings(action: str, credentials: Credentials | None) -> list[Finding]:
    alice = _actor(ALICE, _allow(action, resource=ADMIN_USER))
    known = {ADMIN_USER: credentials} if credentials else {}
    return find_escalations(_estate(alice, ADMIN_USER_ACTOR, credentials=known))


def _statuses(findings: list[Finding]) -> list[tuple[str, Status, str | None]]:
    return [(f.technique.name, f.status, f.reason) for f in findings]


def test_credential_techniques_are_decided_on_the_user_as_deployed() -> None:
    with_password = Credentials(console_password=True, access_keys=2)
    without = Credentials(console_password=False, access_keys=1)
    assert _statuses(_credential_findings("iam:CreateLoginProfile", without)) == [
        ("create-login-profile", Status.EXPLOITABLE, None)
    ]
    assert _statuses(_credential_findings("iam:CreateLoginProfile", with_password)) == [
        ("create-login-profile", Status.LATENT, "the user already has a console password")
    ]
    assert _statuses(_credential_findings("iam:UpdateLoginProfile", without)) == [
        ("update-login-profile", Status.LATENT, "the user has no console password to reset")
    ]
    assert _statuses(_credential_findings("iam:UpdateLoginProfile", with_password)) == [
        ("update-login-profile", Status.EXPLOITABLE, None)
    ]
    assert _statuses(_credential_findings("iam:CreateAccessKey", with_password)) == [
        ("create-access-key", Status.LATENT, "the user has 2 access keys, the most AWS allows")
    ]
    assert _statuses(_credential_findings("iam:CreateAccessKey", without)) == [
        ("create-access-key", Status.EXPLOITABLE, None)
    ]


def test_credentials_not_collected_are_unknown_not_exploitable() -> None:
    for action in ("iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateAccessKey"):
        findings = _credential_findings(action, None)
        assert [f.status for f in findings] == [Status.UNKNOWN], action
        assert findings[0].reason and "not collected" in findings[0].reason


def test_a_latent_hop_carries_no_chain() -> None:
    """alice could reset bob's password, but bob has none: alice does not escalate through
    bob, who does."""
    alice = _actor(ALICE, _allow("iam:UpdateLoginProfile", resource=BOB))
    bob = _actor(BOB, _allow("iam:AttachUserPolicy", resource=BOB))
    estate = _estate(
        alice,
        bob,
        ADMIN_ACTOR,
        credentials={BOB: Credentials(console_password=False, access_keys=0)},
    )
    findings = find_escalations(estate)
    assert _hops(findings) == {("bob", "attach-user-policy", "bob")}
    assert _hops(findings, Status.LATENT) == {("alice", "update-login-profile", "bob")}


def _version_findings(*versions: Policy | None, collected: bool = True) -> list[Finding]:
    alice = _actor(ALICE, _allow("iam:SetDefaultPolicyVersion", resource=ALICE_POLICY))
    return find_escalations(
        _estate(
            alice,
            ADMIN_ACTOR,
            own_policies={ALICE: (ALICE_POLICY,)},
            other_versions={ALICE_POLICY: versions} if collected else {},
        )
    )


def test_setting_back_a_policy_version_needs_a_version_that_gives_more() -> None:
    broader = _policy([_allow("*")], ALICE_POLICY, PolicyKind.IDENTITY)
    narrower = _policy([_allow("s3:ListBucket")], ALICE_POLICY, PolicyKind.IDENTITY)
    assert _statuses(_version_findings(broader)) == [
        ("set-default-policy-version", Status.EXPLOITABLE, None)
    ]
    assert _statuses(_version_findings()) == [
        (
            "set-default-policy-version",
            Status.LATENT,
            "the policy has no other version to set back to",
        )
    ]
    assert _statuses(_version_findings(narrower)) == [
        ("set-default-policy-version", Status.LATENT, "no other version of the policy grants more")
    ]
    assert [f.status for f in _version_findings(collected=False)] == [Status.UNKNOWN]
    assert [f.status for f in _version_findings(None, narrower)] == [Status.UNKNOWN]


def test_a_version_that_lets_it_escalate_further_is_a_chain() -> None:
    """The old version grants iam:PutUserPolicy, not admin: set it back, then write an inline
    policy on itself."""
    old = _policy([_allow("iam:PutUserPolicy", resource=ALICE)], ALICE_POLICY, PolicyKind.IDENTITY)
    findings = _version_findings(old)
    assert _hops(findings) == {("alice", "set-default-policy-version+put-user-policy", "alice")}
    assert not _hops(findings, Status.LATENT)


def test_a_boundary_that_caps_a_self_written_policy_makes_it_latent_not_admin() -> None:
    """The deployer may write any inline policy on itself, but its permissions boundary allows
    only that and S3: what it writes cannot make it admin, and nobody escalates through it."""
    boundary = _policy([_allow("iam:PutRolePolicy", "s3:*")], "boundary", PolicyKind.BOUNDARY)
    capped = _actor(DEPLOYER, _allow("iam:PutRolePolicy", resource=DEPLOYER))
    capped = Actor(
        capped.label,
        capped.principal,
        PolicySet(identity=capped.policies.identity, boundary=boundary),
    )
    worker = _actor(WORKER, _allow("sts:AssumeRole", resource=DEPLOYER))
    findings = find_escalations(_estate(worker, capped, ADMIN_ACTOR))
    assert _hops(findings) == set()
    (latent,) = [f for f in findings if f.status is Status.LATENT]
    assert (latent.technique.name, latent.reason) == (
        "put-role-policy",
        "a permissions boundary or an SCP keeps what the technique writes on the principal from "
        "granting admin",
    )


def test_an_rcp_over_the_roles_account_stops_assuming_it() -> None:
    """The admin role's account has an RCP that denies sts:AssumeRole: alice, whom its trust
    names from another account, does not escalate (kg access says the same)."""
    other = "222222222222"
    admin = f"arn:aws:iam::{other}:role/admin"
    alice = _actor(ALICE, _allow("sts:AssumeRole", resource=admin))
    admin_actor = Actor(
        "Role",
        Principal(PrincipalKind.ROLE, admin, other),
        PolicySet(identity=(_policy([_allow("*")], "admin", PolicyKind.IDENTITY),)),
    )
    trust = [{"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"}]
    rcp = _policy(
        [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"},
        ],
        "rcp",
        PolicyKind.RCP,
    )
    role = Target(
        "Role",
        admin,
        other,
        _policy(trust, "trust", PolicyKind.RESOURCE),
        (OrgLevel("r-root", (rcp,)),),
    )
    open_role = Target("Role", admin, other, role.policy, None)
    assert _hops(find_escalations(_estate(alice, admin_actor, roles={admin: open_role}))) == {
        ("alice", "assume-role", "admin")
    }
    assert _hops(find_escalations(_estate(alice, admin_actor, roles={admin: role}))) == set()


def test_a_service_linked_role_is_never_rewritten() -> None:
    linked = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ops.amazonaws.com/AWSServiceRoleForOps"
    role = Actor(
        "Role",
        Principal(PrincipalKind.ROLE, linked, ACCOUNT, service_linked=True),
        PolicySet(identity=(_policy([_allow("s3:ListBucket")], "linked", PolicyKind.IDENTITY),)),
    )
    alice = _actor(
        ALICE, _allow("iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "sts:AssumeRole")
    )
    findings = find_escalations(_estate(alice, role, ADMIN_ACTOR))
    assert [f for f in findings if f.target == linked] == []
    assert ("alice", "assume-role", "admin") in _hops(findings)  # the check reaches the rest


def _plain_role(arn: str) -> Actor:
    return _actor(arn, _allow("s3:ListBucket"))


def test_an_identity_center_role_is_never_rewritten_but_its_customer_policy_is() -> None:
    """IAM refuses to attach, put or trust-rewrite on a role IAM Identity Center provisions
    (UnmodifiableEntity); a customer managed policy its permission set names can still get a
    new version."""
    sso = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Ops_0a1b"
    sso_policy = f"arn:aws:iam::{ACCOUNT}:policy/ops-extra"
    rewriter = _actor(
        ALICE,
        _allow("iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"),
    )
    findings = find_escalations(_estate(rewriter, _plain_role(sso), ADMIN_ACTOR))
    assert [f for f in findings if f.target == sso] == []
    assert ("alice", "update-assume-role-policy", "admin") in _hops(findings)

    versioner = _actor(ALICE, _allow("iam:CreatePolicyVersion", "sts:AssumeRole"))
    findings = find_escalations(
        _estate(
            versioner,
            _plain_role(sso),
            ADMIN_ACTOR,
            own_policies={sso: (sso_policy,)},
            other_versions={sso_policy: ()},
        )
    )
    assert ("alice", "create-policy-version-assume", sso.rsplit("/", 1)[-1]) in _hops(findings)


def test_a_deny_on_one_role_among_many_alike_keeps_only_that_role() -> None:
    """Alice may rewrite every app-* role, but her boundary denies one of them: each sibling is
    found and the denied one is not, however many roles her statements name alike."""
    apps = [f"arn:aws:iam::{ACCOUNT}:role/app-{n}" for n in range(6)]
    denied = apps[3]
    boundary = _policy(
        [_allow("*"), {"Effect": "Deny", "Action": "*", "Resource": denied}],
        "boundary",
        PolicyKind.BOUNDARY,
    )
    base = _actor(
        ALICE,
        _allow(
            "iam:AttachRolePolicy",
            "iam:UpdateAssumeRolePolicy",
            resource=f"arn:aws:iam::{ACCOUNT}:role/app-*",
        ),
    )
    alice = Actor(base.label, base.principal, replace(base.policies, boundary=boundary))
    findings = find_escalations(_estate(alice, *map(_plain_role, apps), _plain_role(WORKER)))
    reached = {f.target for f in findings if f.technique.name == "attach-role-policy-update-trust"}
    assert reached == set(apps) - {denied}


def test_a_policy_variable_names_only_the_requesters_own_roles() -> None:
    """${aws:username} in the Resource: alice rewrites alice-* roles, not bob-*."""
    roles = [f"arn:aws:iam::{ACCOUNT}:role/{who}-{n}" for who in ("alice", "bob") for n in (1, 2)]
    alice = _actor(
        ALICE,
        _allow(
            "iam:AttachRolePolicy",
            "iam:UpdateAssumeRolePolicy",
            resource=f"arn:aws:iam::{ACCOUNT}:role/${{aws:username}}-*",
        ),
    )
    findings = find_escalations(_estate(alice, *map(_plain_role, roles)))
    reached = {f.target for f in findings if f.technique.name == "attach-role-policy-update-trust"}
    assert reached == {r for r in roles if "/alice-" in r}


def test_a_technique_allowed_only_under_an_undecided_condition_is_conditional_naming_its_key() -> (
    None
):
    """Alice may attach policies to herself only from the office network: kg cannot tell where
    an attacker calls from, so the escalation is neither dropped nor claimed: it is conditional,
    names aws:SourceIp, and carries no chain."""
    office = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    alice = _actor(ALICE, {**_allow("iam:AttachUserPolicy", resource=ALICE), "Condition": office})
    bob = _actor(BOB, _allow("iam:CreateAccessKey", resource=ALICE))
    findings = find_escalations(_estate(alice, bob, ADMIN_ACTOR))
    assert _hops(findings) == set()
    (conditional,) = [f for f in findings if f.status is Status.CONDITIONAL]
    assert (conditional.source, conditional.technique.name) == (ALICE, "attach-user-policy")
    assert conditional.reason and "aws:SourceIp" in conditional.reason
    assert conditional.grants_admin
    # Without the condition it works, and bob, who can take alice's keys, chains through her.
    free = _actor(ALICE, _allow("iam:AttachUserPolicy", resource=ALICE))
    keys = {ALICE: Credentials(console_password=False, access_keys=1)}
    assert _hops(find_escalations(_estate(free, bob, ADMIN_ACTOR, credentials=keys))) == {
        ("alice", "attach-user-policy", "alice"),
        ("bob", "create-access-key", "alice"),
    }


FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:nightly-admin"


def _function_estate(requester: Actor, policy: list[dict[str, Any]] | None) -> Estate:
    resource = Target(
        "LambdaFunction",
        FUNCTION,
        ACCOUNT,
        _policy(policy, f"{FUNCTION} policy", PolicyKind.RESOURCE) if policy else None,
        None,
    )
    return _estate(
        requester,
        ADMIN_ACTOR,
        runs_as=(("LambdaFunction", FUNCTION, ADMIN),),
        resource_policies={FUNCTION: resource} if policy else {},
    )


def _update_code(
    principal: dict[str, Any], actions: tuple[str, ...] = ("lambda:UpdateFunctionCode",)
) -> list[dict[str, Any]]:
    return [
        {
            "Effect": "Allow",
            "Principal": principal,
            "Action": [*actions, "lambda:InvokeFunction"],
            "Resource": FUNCTION,
        }
    ]


def test_a_function_policy_granting_its_code_is_an_escalation_within_and_across_accounts() -> None:
    """The function runs as admin. Its own policy lets alice replace its code (she has no
    identity permission: within the account the resource policy suffices), and lets another
    account in, whose role needs its own identity permission too."""
    alice = _actor(ALICE)
    assert _hops(find_escalations(_function_estate(alice, _update_code({"AWS": ALICE})))) == {
        ("alice", "lambda-update-function-code", "admin")
    }
    assert find_escalations(_function_estate(alice, None)) == []

    other = "222222222222"
    partner_arn = f"arn:aws:iam::{other}:role/partner"
    allowed = PolicySet(
        identity=(
            _policy(
                [_allow("lambda:UpdateFunctionCode", "lambda:InvokeFunction")],
                "p",
                PolicyKind.IDENTITY,
            ),
        )
    )
    partner = Actor("Role", Principal(PrincipalKind.ROLE, partner_arn, other), allowed)
    opened = _update_code({"AWS": f"arn:aws:iam::{other}:root"})
    assert _hops(find_escalations(_function_estate(partner, opened))) == {
        ("partner", "lambda-update-function-code", "admin")
    }
    assert find_escalations(_function_estate(partner, None)) == []
    unallowed = Actor("Role", partner.principal, PolicySet())
    assert find_escalations(_function_estate(unallowed, opened)) == []


def test_new_code_in_a_function_no_one_is_known_to_invoke_is_unknown() -> None:
    """Replacing the code runs nothing until the function is invoked: without
    lambda:InvokeFunction, and with its triggers not collected, kg cannot tell."""
    code_only = [{**_update_code({"AWS": ALICE})[0], "Action": "lambda:UpdateFunctionCode"}]
    findings = find_escalations(_function_estate(_actor(ALICE), code_only))
    assert _hops(findings) == set()
    (unknown,) = findings
    assert unknown.status is Status.UNKNOWN
    assert unknown.reason and "lambda:InvokeFunction" in unknown.reason


def test_a_condition_neither_hides_a_change_to_its_own_policies_nor_a_failure_as_deployed() -> None:
    """Under a source-address condition, joining an admin group is conditional (not dropped),
    and taking the key of a user who has two already is latent as without the condition."""
    office = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    admins = PolicySet(identity=(_policy([_allow("*")], "admins", PolicyKind.IDENTITY),))
    joiner = _actor(
        ALICE, {**_allow("iam:AddUserToGroup", resource=IAM_GROUP), "Condition": office}
    )
    (joined,) = find_escalations(_estate(joiner, group_policies={IAM_GROUP: admins}))
    assert (joined.technique.name, joined.status) == ("add-user-to-group", Status.CONDITIONAL)
    assert joined.reason and "aws:SourceIp" in joined.reason

    taker = _actor(ALICE, {**_allow("iam:CreateAccessKey", resource=BOB), "Condition": office})
    bob = _actor(BOB, _allow("iam:AttachUserPolicy", resource=BOB))
    full = {BOB: Credentials(console_password=False, access_keys=2)}
    findings = find_escalations(_estate(taker, bob, credentials=full))
    (taken,) = [f for f in findings if f.source == ALICE]
    assert taken.status is Status.LATENT
    assert taken.reason and taken.reason.startswith("the user has 2 access keys")
