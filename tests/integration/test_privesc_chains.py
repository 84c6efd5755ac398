"""Escalation chains through the graph and the shipped query: a user who can take another
user's access key, who can make himself admin, is reported with both hops; once that user has
as many keys as AWS allows, the first hop is latent, apart, and the chain is gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.example.demo import facts
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg import queries
from kg.analysis import access, privesc
from kg.analysis.paths import find_paths
from kg.graph.driver import Graph

pytestmark = pytest.mark.integration
DEMO = Path(__file__).resolve().parents[2] / "ingest" / "example" / "demo_snapshot"


def _add_user(graph: Graph, name: str, statement: dict[str, str], access_keys: int) -> str:
    """A user in the CI role's account with one inline policy of one statement."""
    account = facts.CI_ROLE_ARN.split(":")[4]
    arn = f"arn:aws:iam::{account}:user/{name}"
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    graph.write(
        "MATCH (a:Account {account_id: $account}) "
        "CREATE (u:User:Principal {arn: $arn, name: $name, account_id: $account, "
        "        password_enabled: false, access_keys: $keys})-[:BELONGS_TO]->(a) "
        "CREATE (:IAMPolicy {arn: $arn + '/inline/p', account_id: $account, inline: true, "
        "        document: $document})-[:ATTACHED_TO]->(u)",
        account=account,
        arn=arn,
        name=name,
        keys=access_keys,
        document=document,
    )
    return arn


def _derive(graph: Graph) -> None:
    access.derive(graph)
    privesc.derive(graph)


@pytest.fixture
def chain(graph: Graph) -> tuple[Graph, str, str]:
    load_snapshot(graph, Snapshot.open(DEMO))
    account = facts.CI_ROLE_ARN.split(":")[4]
    bob_arn = f"arn:aws:iam::{account}:user/bob"
    bob = _add_user(
        graph, "bob", {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": bob_arn}, 0
    )
    alice = _add_user(
        graph, "alice", {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": bob}, 0
    )
    _derive(graph)
    return graph, alice, bob


def test_the_chain_is_reported_hop_by_hop(chain: tuple[Graph, str, str]) -> None:
    graph, alice, bob = chain
    rows = [r for r in queries.run(graph, "privesc", principal=alice) if r["principal"] == alice]
    assert [(r["target"], r["techniques"]) for r in rows] == [
        (bob, ["create-access-key", "attach-user-policy"])
    ]
    (row,) = rows
    assert row["chain"] == [
        f"{alice} -[create-access-key via {bob}]-> {bob}",
        f"{bob} -[attach-user-policy via {bob}]-> {bob}",
    ]
    assert row["permissions"] == ["iam:CreateAccessKey", "iam:AttachUserPolicy"]
    assert queries.run(graph, "privesc-latent", principal=alice) == []


def test_a_user_with_two_keys_makes_the_hop_latent_and_the_chain_disappears(
    chain: tuple[Graph, str, str],
) -> None:
    graph, alice, bob = chain
    graph.write("MATCH (u:User {arn: $bob}) SET u.access_keys = 2", bob=bob)
    _derive(graph)
    assert [r for r in queries.run(graph, "privesc") if r["principal"] == alice] == []
    (latent,) = queries.run(graph, "privesc-latent", principal=alice)
    assert set(latent) == {  # the shape docs/access.md documents
        "principal",
        "account_id",
        "target",
        "technique",
        "status",
        "reason",
        "via",
        "permissions",
        "grants_admin",
    }
    assert (latent["target"], latent["technique"], latent["status"]) == (
        bob,
        "create-access-key",
        "latent",
    )
    assert latent["reason"] == "the user has 2 access keys, the most AWS allows"
    # Bob still escalates on his own.
    assert [r["techniques"] for r in queries.run(graph, "privesc", principal=bob)] == [
        ["attach-user-policy"]
    ]


def test_a_build_of_a_project_that_runs_as_admin_is_an_escalation(graph: Graph) -> None:
    """The demo's release project runs as the admin deploy role: starting a build of it (with
    the build commands overridden) is acting as that role."""
    load_snapshot(graph, Snapshot.open(DEMO))
    builder = _add_user(
        graph,
        "builder",
        {"Effect": "Allow", "Action": "codebuild:StartBuild", "Resource": "*"},
        0,
    )
    _derive(graph)
    (runs_as,) = graph.read(
        "MATCH (p:CodeBuildProject {name: 'payments-release'})-[:RUNS_AS]->(r:Role) "
        "RETURN p.arn AS arn, r.arn AS role"
    )
    assert runs_as["role"] == facts.ESCALATION_TARGET_ROLE_ARN
    rows = queries.run(graph, "privesc", principal=builder)
    assert [(r["target"], r["techniques"]) for r in rows] == [
        (facts.ESCALATION_TARGET_ROLE_ARN, ["codebuild-start-build"])
    ]
    assert rows[0]["chain"] == [
        f"{builder} -[codebuild-start-build via {runs_as['arn']}]-> "
        f"{facts.ESCALATION_TARGET_ROLE_ARN}"
    ]


def test_paths_to_admin_end_where_privesc_chains_do(chain: tuple[Graph, str, str]) -> None:
    """Bob can make himself admin alone: `kg paths --to admin` from alice reaches him, as the
    privesc chain says, and no principal that cannot is flagged."""
    graph, alice, bob = chain
    flagged = graph.read("MATCH (p:Principal {makes_itself_admin: true}) RETURN p.arn AS arn")
    self_escalating = graph.read(
        "MATCH (p:Principal)-[e:CAN_ESCALATE_TO {grants_admin: true}]->(p) "
        "RETURN DISTINCT p.arn AS arn"
    )
    assert {r["arn"] for r in flagged} == {r["arn"] for r in self_escalating}
    assert bob in {r["arn"] for r in flagged} and alice not in {r["arn"] for r in flagged}
    routes = find_paths(graph, alice, "admin")
    assert bob in {summary.target for summary in routes.targets}
    privesc_targets = {row["target"] for row in queries.run(graph, "privesc", principal=alice)}
    assert privesc_targets <= {summary.target for summary in routes.targets}


def test_an_escalation_under_an_undecided_condition_is_listed_conditional_with_its_key(
    chain: tuple[Graph, str, str],
) -> None:
    """Alice may take bob's key only from the office network: kg cannot tell where an attacker
    calls from, so the hop is conditional, named with aws:SourceIp, and no chain uses it."""
    graph, alice, bob = chain
    office = {
        "Effect": "Allow",
        "Action": "iam:CreateAccessKey",
        "Resource": bob,
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    }
    graph.write(
        "MATCH (:User {arn: $alice})<-[:ATTACHED_TO]-(p:IAMPolicy) SET p.document = $document",
        alice=alice,
        document=json.dumps({"Version": "2012-10-17", "Statement": [office]}),
    )
    _derive(graph)
    assert [r for r in queries.run(graph, "privesc") if r["principal"] == alice] == []
    (conditional,) = queries.run(graph, "privesc-latent", principal=alice)
    assert (conditional["target"], conditional["technique"], conditional["status"]) == (
        bob,
        "create-access-key",
        "conditional",
    )
    assert "aws:SourceIp" in conditional["reason"]


def test_ecs_exec_and_launch_template_techniques_read_their_resources_from_the_graph(
    graph: Graph,
) -> None:
    """A running task with ECS Exec on, and a launch template an Auto Scaling group launches
    from, each running as the demo's admin deploy role: a user who may exec into the task, and
    one who may write a new default template version and scale the group, each reach the role;
    a task with Exec off is no way in."""
    load_snapshot(graph, Snapshot.open(DEMO))
    account = facts.CI_ROLE_ARN.split(":")[4]
    role = facts.ESCALATION_TARGET_ROLE_ARN
    task = f"arn:aws:ecs:us-east-1:{account}:task/apps/0123456789abcdef"
    quiet = f"arn:aws:ecs:us-east-1:{account}:task/apps/fedcba9876543210"
    template = f"arn:aws:ec2:us-east-1:{account}:launch-template/lt-0123456789abcdef0"
    group = f"arn:aws:autoscaling:us-east-1:{account}:autoScalingGroup:1:autoScalingGroupName/web"
    graph.write(
        "MATCH (r:Role {arn: $role}) "
        "CREATE (:EcsTask:Resource {arn: $task, account_id: $account, execute_command: true})"
        "-[:HAS_TASK_ROLE]->(r) "
        "CREATE (:EcsTask:Resource {arn: $quiet, account_id: $account, execute_command: false})"
        "-[:HAS_TASK_ROLE]->(r) "
        "CREATE (p:InstanceProfile {arn: $profile, name: 'deploy', account_id: $account})"
        "-[:FOR_ROLE]->(r) "
        "CREATE (t:Ec2LaunchTemplate:Resource {arn: $template, account_id: $account, "
        "        instance_profile_arn: $profile})-[:HAS_PROFILE]->(p) "
        "CREATE (:AutoScalingGroup:Resource {arn: $group, account_id: $account, "
        "        launch_template_version: '$Latest'})-[:LAUNCHES_FROM]->(t)",
        role=role,
        task=task,
        quiet=quiet,
        account=account,
        profile=f"arn:aws:iam::{account}:instance-profile/deploy",
        template=template,
        group=group,
    )
    exec_actions = ["ecs:ExecuteCommand", "ecs:DescribeTasks"]
    shell = _add_user(
        graph, "shell", {"Effect": "Allow", "Action": exec_actions, "Resource": "*"}, 0
    )
    quiet_shell = _add_user(
        graph, "quiet", {"Effect": "Allow", "Action": exec_actions, "Resource": quiet}, 0
    )
    template_actions = [
        "ec2:CreateLaunchTemplateVersion",
        "ec2:ModifyLaunchTemplate",
        "autoscaling:SetDesiredCapacity",
    ]
    launcher = _add_user(
        graph, "launcher", {"Effect": "Allow", "Action": template_actions, "Resource": "*"}, 0
    )
    _derive(graph)
    (runs_as,) = graph.read(
        "MATCH (t:EcsTask {arn: $task})-[:RUNS_AS]->(r:Role) RETURN r.arn AS role", task=task
    )
    assert runs_as["role"] == role
    for user, technique, via in (
        (shell, "ecs-execute-command", task),
        (launcher, "launch-template-new-default-version", template),
    ):
        rows = queries.run(graph, "privesc", principal=user)
        assert [(r["target"], r["techniques"]) for r in rows] == [(role, [technique])]
        assert rows[0]["chain"] == [f"{user} -[{technique} via {via}]-> {role}"]
    assert queries.run(graph, "privesc", principal=quiet_shell) == []
