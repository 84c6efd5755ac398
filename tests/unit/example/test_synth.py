"""Synthetic organizations: same seed, same bytes; AWS's shapes; loadable; realistic sizes."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.synth import account_spec, generate, main
from bench.synth_org import build_org
from ingest.example.builder.account import AccountSpec
from ingest.load import transform_snapshot
from ingest.snapshot import Snapshot
from kg.graph.writer import validate
from kg.model import load_schema
from tests.unit.example.aws_shapes import response_errors
from tests.unit.example.snapshot_files import relative_files, responses


def test_same_seed_gives_a_byte_identical_snapshot_whatever_the_workers(tmp_path: Path) -> None:
    generate(tmp_path / "a", accounts=3, seed=11, workers=1)
    generate(tmp_path / "b", accounts=3, seed=11, workers=2)
    first, second = relative_files(tmp_path / "a"), relative_files(tmp_path / "b")
    assert first == second
    assert len(first) > 500


def test_another_seed_gives_another_organization(tmp_path: Path) -> None:
    one = generate(tmp_path / "a", accounts=3, seed=1)
    two = generate(tmp_path / "b", accounts=3, seed=2)
    assert {a.account_id for a in one.accounts} != {a.account_id for a in two.accounts}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "snapshot"
    generate(out, accounts=6, seed=5)
    return out


def test_every_response_has_the_shape_boto3_returns(small: Path) -> None:
    errors = [
        e
        for client, method, _, data in responses(small)
        for e in response_errors(client, method, data)
    ]
    assert errors == []


def test_it_loads_with_every_transform_and_fits_the_schema(small: Path) -> None:
    snap = Snapshot.open(small)
    assert snap.manifest.source == "synthetic" and len(snap.account_ids()) == 6
    records = transform_snapshot(snap)
    validate(records, load_schema())
    assert len(records.nodes["Account"]) == 6
    assert len(records.nodes["OrganizationalUnit"]) > 6  # nested business-unit OUs


def test_accounts_have_the_documented_sizes() -> None:
    org = build_org(30, seed=3)
    specs = [account_spec(org, i) for i in range(len(org.account_ids))]

    def median(count: Callable[[AccountSpec], int]) -> float:
        return statistics.median(count(s) for s in specs)

    assert 50 <= median(lambda s: len(s.iam.roles)) <= 75
    assert 15 <= median(lambda s: len(s.iam.users)) <= 25
    assert 8 <= median(lambda s: len(s.iam.groups)) <= 12
    assert 80 <= median(lambda s: len(s.iam.policies)) <= 120
    assert all(len(s.regions) == 2 for s in specs)
    vpcs = [v for s in specs for r in s.regions.values() for v in r.network.vpcs]
    assert len(vpcs) == 4 * len(specs)
    assert (
        30
        <= median(
            lambda s: sum(
                len(v.security_groups) + 1 for r in s.regions.values() for v in r.network.vpcs
            )
        )
        <= 50
    )
    assert (
        40
        <= median(
            lambda s: sum(len(v.instances) for r in s.regions.values() for v in r.network.vpcs)
        )
        <= 60
    )
    assert 15 <= median(lambda s: len(s.buckets)) <= 25
    names = [r.name for s in specs for r in s.iam.roles]
    assert any(n.startswith("escalation-passrole") for n in names)  # privilege escalation
    public = [i for v in vpcs for i in v.instances if i.public_ip]
    assert public, "some instances are exposed"


def test_the_command_refuses_to_write_into_a_used_folder(tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        main(["--accounts", "3", "-o", str(tmp_path / "used")])
    assert (tmp_path / "used" / "notes.txt").read_text() == "keep me"
