"""Names resolve or fail, over the demo in a real Neo4j: every command that takes a name answers
for the node it names, or exits 2 naming the closest names, and an account named by its id, its
root ARN or its name is asked about as the explicit form of the same question."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from ingest.example.demo import facts
from ingest.example.demo.accounts import APP_DEV, DATA_PROD, PAYMENTS_PROD
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import names, paths, pipeline
from kg.analysis.who_can import RESOURCES, asked_resource
from kg.cli import access_cmd, coverage_cmd, main_options, paths_cmd, query_cmd
from kg.config import Neo4jSettings
from kg.errors import AmbiguousNameError, ConfigError, KgError, UnknownNameError
from kg.graph.driver import Graph
from tests.integration.graph_state import DEMO

pytestmark = pytest.mark.integration

PARTNER = facts.EXTERNAL_ACCOUNT_ID
SHARED_ROLE = "OrganizationAccountAccessRole"  # in every member account but the management one
EVERY = paths.ROUTES_COUNTED  # routes shown per target: every one counted, so answers compare whole
KgCli = Callable[..., Result]


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


@pytest.fixture(scope="module")
def demo(_session_graph: Graph) -> Graph:
    """The demo, loaded once: the tests of this module only read."""
    _session_graph.write("MATCH (n) DETACH DELETE n")
    load_snapshot(_session_graph, Snapshot.open(DEMO))
    pipeline.derive_all(_session_graph)
    return _session_graph


@pytest.fixture(scope="module")
def kg(demo: Graph, neo4j_settings: Neo4jSettings) -> KgCli:
    """Every command that takes a name, against the demo graph."""
    s = neo4j_settings
    connection = ["--uri", s.uri, "--user", s.user, "--password", s.password]
    connection += ["--database", s.database]
    app = typer.Typer()
    app.callback()(main_options)
    for module in (paths_cmd, access_cmd, coverage_cmd, query_cmd):
        module.register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [*connection, *args])


def refused(result: Result, error: type[KgError] = UnknownNameError) -> str:
    """The one line kg's main prints for the command's error, which exits 2."""
    assert isinstance(result.exception, error), result.output
    assert result.exception.exit_code == 2
    message = str(result.exception)
    assert "\n" not in message
    return message


def answer(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def path_set(document: dict[str, Any]) -> set[str]:
    return {json.dumps(path, sort_keys=True) for path in document["paths"]}


# --- the library ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [DATA_PROD, root_arn(DATA_PROD), "data-prod"])
def test_an_account_in_the_organization_by_id_root_arn_or_name(demo: Graph, text: str) -> None:
    named = names.resolve(demo, "--from", text, paths.SOURCES)
    assert (named.key, named.kind, named.external) == (DATA_PROD, "account", False)
    assert str(named) == f"account {DATA_PROD} (data-prod)"


def test_an_account_by_its_organizations_arn(demo: Graph) -> None:
    [row] = demo.read("MATCH (a:Account {account_id: $id}) RETURN a.arn AS arn", id=DATA_PROD)
    assert names.resolve(demo, "--account", row["arn"], names.ACCOUNTS).key == DATA_PROD


def test_an_account_outside_by_id_or_root_arn_and_one_no_policy_names(demo: Graph) -> None:
    for text in (PARTNER, root_arn(PARTNER)):
        named = names.resolve(demo, "--to", text, paths.TARGETS)
        assert (named.key, named.external) == (PARTNER, True)
    with pytest.raises(UnknownNameError) as raised:
        names.resolve(demo, "--from", "123412341234", paths.SOURCES)
    assert "only where a loaded policy names it" in str(raised.value)


def test_principals_and_resources_by_arn_or_by_name(demo: Graph) -> None:
    def key(text: str, accepts: names.Accepts = paths.TARGETS) -> str:
        return names.resolve(demo, "--to", text, accepts).key

    assert key("dev-bastion") == key(facts.BASTION_ROLE_ARN) == facts.BASTION_ROLE_ARN
    assert key("data-prod-customer-records") == facts.CUSTOMER_RECORDS_BUCKET_ARN
    assert key("alias/customer-records") == facts.CUSTOMER_RECORDS_KEY_ARN
    assert key(facts.BASTION_INSTANCE_ARN) == facts.BASTION_INSTANCE_ARN
    # An object is its bucket, where the option takes objects...
    assert (
        key(f"{facts.CUSTOMER_RECORDS_BUCKET_ARN}/2024/x.csv") == facts.CUSTOMER_RECORDS_BUCKET_ARN
    )
    # ...and who-can asks about the object, under the bucket's policy.
    asked = asked_resource(demo, f"{facts.PARTNER_BUCKET_ARN}/*")
    assert (asked.arn, asked.node) == (f"{facts.PARTNER_BUCKET_ARN}/*", facts.PARTNER_BUCKET_ARN)
    assert key("payments-webhook", names.PRINCIPALS).endswith(":role/payments-webhook")


def test_an_unknown_arn_offers_the_arns_of_its_account_and_type(demo: Graph) -> None:
    typo = facts.BASTION_ROLE_ARN.replace("dev-bastion", "dev-bastoin")
    with pytest.raises(UnknownNameError) as raised:
        names.resolve(demo, "--from", typo, paths.SOURCES)
    assert raised.value.closest[0] == facts.BASTION_ROLE_ARN
    assert all(f"::{APP_DEV}:role/" in arn for arn in raised.value.closest)
    # A mistyped account id looks in the accounts closest to it.
    wrong_account = facts.BASTION_ROLE_ARN.replace(APP_DEV, APP_DEV[:-1] + "8")
    with pytest.raises(UnknownNameError) as raised:
        names.resolve(demo, "--from", wrong_account, paths.SOURCES)
    assert raised.value.closest[0] == facts.BASTION_ROLE_ARN


def test_a_shared_name_lists_every_node_that_has_it(demo: Graph) -> None:
    with pytest.raises(AmbiguousNameError) as raised:
        names.resolve(demo, "PRINCIPAL", SHARED_ROLE, names.REQUESTERS)
    arns = [
        row["arn"]
        for row in demo.read("MATCH (r:Role {name: $n}) RETURN r.arn AS arn", n=SHARED_ROLE)
    ]
    assert len(arns) > 1
    assert all(arn in str(raised.value) for arn in arns)
    with pytest.raises(AmbiguousNameError, match=r":function:payments-webhook"):
        names.resolve(demo, "--resource", "payments-webhook", RESOURCES)


def test_a_name_of_another_kind_says_what_it_is(demo: Graph) -> None:
    with pytest.raises(ConfigError, match="is in the graph as Group, but PRINCIPAL takes"):
        names.resolve(demo, "PRINCIPAL", "BillingOperators", names.REQUESTERS)
    with pytest.raises(ConfigError, match="is in the graph as User, but --resource takes"):
        names.resolve(demo, "--resource", facts.CONSOLE_USER_WITHOUT_MFA_ARN, RESOURCES)
    with pytest.raises(ConfigError, match="a member of the organization"):
        names.resolve(demo, "PRINCIPAL", root_arn(APP_DEV), names.REQUESTERS)
    with pytest.raises(ConfigError, match="names an account"):
        names.resolve(demo, "--principal", PAYMENTS_PROD, names.PRINCIPALS)


def test_paths_from_an_account_are_those_from_each_of_its_users_and_roles(demo: Graph) -> None:
    starts = demo.read(
        "MATCH (p) WHERE (p:User OR p:Role) AND p.account_id = $id RETURN p.arn AS arn", id=APP_DEV
    )
    explicit = {
        (path.source, path.target, path.hops)
        for start in starts
        for path in paths.find_paths(demo, start["arn"], "crown-jewels", per_target=EVERY).paths
    }
    found = paths.find_paths(demo, APP_DEV, "crown-jewels", per_target=EVERY).paths
    assert {(path.source, path.target, path.hops) for path in found} == explicit
    assert facts.BASTION_ROLE_ARN in {path.source for path in found}


def test_paths_to_an_account_are_those_to_each_node_of_it(demo: Graph) -> None:
    ends = demo.read(
        "MATCH (n) WHERE n.account_id = $id AND n.arn IS NOT NULL RETURN n.arn AS arn",
        id=DATA_PROD,
    )
    explicit = {
        (path.source, path.target, path.hops)
        for end in ends
        for path in paths.find_paths(demo, "internet", end["arn"], per_target=EVERY).paths
    }
    found = paths.find_paths(demo, "internet", DATA_PROD, per_target=EVERY).paths
    assert {(path.source, path.target, path.hops) for path in found} == explicit
    assert {facts.ANALYTICS_READER_ROLE_ARN, facts.CUSTOMER_RECORDS_BUCKET_ARN} <= {
        path.target for path in found
    }


# --- every command that takes a name ----------------------------------------------------------

BASTION_TYPO = facts.BASTION_ROLE_ARN.replace("dev-bastion", "dev-bastoin")
MISTYPED = [
    # (command line, the name typed, the name it must offer)
    (["paths", "--from"], "dev-bastoin", "dev-bastion"),
    (["paths", "--from"], root_arn("999988887776"), root_arn(PARTNER)),
    (["paths", "--to"], "data-prod-customer-record", "data-prod-customer-records"),
    (["paths", "--to"], "data-prd", "data-prod"),
    (["chokepoints", "--from"], BASTION_TYPO, facts.BASTION_ROLE_ARN),
    (["chokepoints", "--to"], root_arn(DATA_PROD[:-1] + "6"), root_arn(DATA_PROD)),
    (["access"], "dev-bastoin", "dev-bastion"),
    (["access"], "999988887776", PARTNER),
    (
        ["who-can", "s3:GetObject", "--resource"],
        "arn:aws:s3:::data-prod-customer-recrods/*",
        facts.CUSTOMER_RECORDS_BUCKET_ARN,
    ),
    (
        ["who-can", "s3:GetObject", "--resource"],
        "data-prod-customer-record",
        "data-prod-customer-records",
    ),
    (["who-can"], "s3:GetObjekt", "s3:GetObject"),
    (["privesc", "--principal"], "ci-deployr", "ci-deployer"),
    (["privesc", "--account"], "paymnts-prod", "payments-prod"),
    (["coverage", "--account"], "app-devv", "app-dev"),
    (["coverage", "--account"], "555566667778", APP_DEV),
    (["coverage", "--region"], "us-east1", "us-east-1"),
    (["query"], "graph-overveiw", "graph-overview"),
]


@pytest.mark.parametrize(("command", "typed", "offered"), MISTYPED)
def test_a_mistyped_name_exits_2_and_offers_the_real_one(
    kg: KgCli, command: list[str], typed: str, offered: str
) -> None:
    message = refused(kg(*command, typed, "--format", "json"))
    assert repr(typed) in message
    assert offered in message.split("closest: ", 1)[1].split(", ")


UNLIKE = [
    (["paths", "--from"], "zq-nothing-like-it"),
    (["paths", "--to"], "arn:aws:s3:::zq-nothing-like-it"),
    (["chokepoints", "--from"], root_arn("000000000000")),
    (["access"], "zq-nothing-like-it"),
    (["who-can", "s3:GetObject", "--resource"], "arn:aws:s3:::zq-nothing-like-it"),
    (["privesc", "--principal"], "zq-nothing-like-it"),
    (["who-can"], "zq:NothingLikeIt"),
    (["privesc", "--account"], "zq-nothing-like-it"),
    (["coverage", "--account"], "zq-nothing-like-it"),
    (["coverage", "--region"], "zq-nothing-like-it"),
    (["query"], "zq-nothing-like-it"),
]


@pytest.mark.parametrize(("command", "typed"), UNLIKE)
def test_a_name_like_nothing_in_the_graph_exits_2_and_says_so(
    kg: KgCli, command: list[str], typed: str
) -> None:
    message = refused(kg(*command, typed))
    assert repr(typed) in message
    assert any(
        f"is not {where}" in message
        for where in ("in the graph", "in the library", "a known IAM action")
    )
    assert "closest" not in message


@pytest.mark.parametrize(
    "command",
    [["paths", "--from"], ["chokepoints", "--to"], ["access"], ["privesc", "--principal"]],
)
def test_a_role_name_of_several_accounts_exits_2_listing_their_arns(
    kg: KgCli, demo: Graph, command: list[str]
) -> None:
    message = refused(kg(*command, SHARED_ROLE), AmbiguousNameError)
    rows = demo.read("MATCH (r:Role {name: $n}) RETURN r.arn AS arn", n=SHARED_ROLE)
    assert all(row["arn"] in message for row in rows)


@pytest.mark.parametrize("account", [APP_DEV, PARTNER])
def test_paths_from_an_account_by_id_root_arn_or_name_are_one_answer(
    kg: KgCli, demo: Graph, account: str
) -> None:
    [row] = demo.read("MATCH (a:Account {account_id: $id}) RETURN a.name AS name", id=account)
    forms = [account, root_arn(account), *([row["name"]] if row["name"] else [])]
    answers = [path_set(answer(kg("paths", "--from", form, "--format", "json"))) for form in forms]
    assert all(found == answers[0] for found in answers)
    assert answers[0]
    if account == PARTNER:  # the only account outside: --from external asks the same
        external = answer(kg("paths", "--from", "external", "--format", "json"))
        assert path_set(external) == answers[0]
    choke = [answer(kg("chokepoints", "--from", form, "--format", "json")) for form in forms]
    assert all(points == choke[0] for points in choke)


@pytest.mark.parametrize("account", [DATA_PROD, PARTNER])
def test_paths_to_an_account_by_id_root_arn_or_name_are_one_answer(kg: KgCli, account: str) -> None:
    forms = [account, root_arn(account)] + (["data-prod"] if account == DATA_PROD else [])
    answers = [path_set(answer(kg("paths", "--to", form, "--format", "json"))) for form in forms]
    assert all(found == answers[0] for found in answers)
    # Nothing leads into the partner's account: an answer, not an unknown name.
    assert bool(answers[0]) is (account == DATA_PROD)


def test_access_of_an_account_outside_by_id_or_root_arn(kg: KgCli) -> None:
    by_id = answer(kg("access", PARTNER, "--format", "json"))
    assert by_id == answer(kg("access", root_arn(PARTNER), "--format", "json"))
    assert facts.PARTNER_BUCKET_ARN in {row["resource"] for row in by_id}
    assert answer(kg("access", "dev-bastion", "--format", "json")) == answer(
        kg("access", facts.BASTION_ROLE_ARN, "--format", "json")
    )


@pytest.mark.parametrize("command", [["privesc", "--account"], ["coverage", "--account"]])
def test_an_account_option_takes_the_id_root_arn_or_name(kg: KgCli, command: list[str]) -> None:
    forms = [PAYMENTS_PROD, root_arn(PAYMENTS_PROD), "payments-prod"]
    answers = [answer(kg(*command, form, "--format", "json")) for form in forms]
    assert answers[0] and all(found == answers[0] for found in answers)


def test_who_can_asks_about_an_unseen_resource_only_when_told_to(kg: KgCli) -> None:
    missing = "arn:aws:s3:::no-such-bucket"
    refused(kg("who-can", "s3:GetObject", "--resource", missing))
    result = kg(
        "who-can", "s3:GetObject", "--resource", missing, "--assume-exists", "--format", "json"
    )
    rows = answer(result)
    assert rows and {row["resource"] for row in rows} == {missing}
    assert f"{missing} is not in the graph" in result.stderr
    # A resource in the graph says nothing of the kind.
    result = kg(
        "who-can", "s3:GetObject", "--resource", "data-prod-customer-records", "--assume-exists"
    )
    assert result.exit_code == 0 and not result.stderr
