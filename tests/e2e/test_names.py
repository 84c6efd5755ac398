"""Through the real `kg` command line: every command that takes a name, given one that is not
in the graph (or the library), prints one line on stderr that names it and the closest real
one, prints nothing on stdout, and exits 2."""

from __future__ import annotations

import pytest

from ingest.example.demo import facts
from ingest.load import load_snapshot
from ingest.snapshot import Snapshot
from kg.analysis import pipeline
from kg.graph.driver import Graph
from tests.e2e.conftest import KgRunner
from tests.integration.graph_state import DEMO

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo(_session_graph: Graph) -> Graph:
    _session_graph.write("MATCH (n) DETACH DELETE n")
    load_snapshot(_session_graph, Snapshot.open(DEMO))
    pipeline.derive_all(_session_graph)
    return _session_graph


@pytest.mark.parametrize(
    ("command", "offered"),
    [
        (["paths", "--from", "arn:aws:iam::999988887776:root"], "arn:aws:iam::999988887777:root"),
        (["paths", "--to", "data-prod-customer-record"], "data-prod-customer-records"),
        (["chokepoints", "--from", "dev-bastoin"], "dev-bastion"),
        (["paths", "--without", "dev-bastoin"], "dev-bastion"),
        (["access", "dev-bastoin"], "dev-bastion"),
        (
            ["who-can", "s3:GetObject", "--resource", "arn:aws:s3:::data-prod-customer-recrods"],
            facts.CUSTOMER_RECORDS_BUCKET_ARN,
        ),
        (["who-can", "s3:GetObjekt"], "s3:GetObject"),
        (["privesc", "--principal", "ci-deployr"], "ci-deployer"),
        (["privesc", "--account", "paymnts-prod"], "payments-prod"),
        (["coverage", "--account", "app-devv"], "app-dev"),
        (["query", "graph-overveiw"], "graph-overview"),
    ],
)
def test_an_unknown_name_is_one_line_on_stderr_and_exit_2(
    demo: Graph, kg: KgRunner, command: list[str], offered: str
) -> None:
    result = kg(*command, "--format", "json")
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("kg: error: ") and f"{command[-1]!r}" in line
    assert offered in line.split("; closest: ", 1)[1].split(", ")
    assert result.stdout == ""
