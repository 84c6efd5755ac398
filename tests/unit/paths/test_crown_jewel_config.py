"""The crown jewel file: its sections, the errors that name what is wrong, ARN patterns; and the
shipped table of the controls that stop each kind of hop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.analysis.crown_jewels import (
    DEFAULT,
    DEFAULT_TAGS,
    ArnRule,
    CrownJewelConfig,
    TagRule,
    load_config,
    parse_config,
)
from kg.analysis.hop_controls import HopNode, MissingControls, rule_matches, rules
from kg.catalog.loader import load_catalog
from kg.errors import ConfigError


def test_no_file_and_an_empty_file_give_the_defaults(tmp_path: Path) -> None:
    assert load_config(None) == DEFAULT
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_config(empty) == DEFAULT
    assert DEFAULT.tag_params() == {
        "tag_pairs": [
            "data-classification=confidential",
            "data-classification=restricted",
            "data-classification=secret",
            "sensitive=true",
        ],
        "tag_keys": [],
    }


def test_every_section_is_read() -> None:
    config = parse_config(
        {
            "crown_jewels": [
                {"arn": "arn:aws:s3:::prod-*", "reason": "production data"},
                "arn:aws:iam::123456789012:role/admin",
            ],
            "tags": [{"key": "Data-Classification", "values": ["Restricted"]}, {"key": "pci"}],
            "macie": {"min_sensitivity_score": 75},
        }
    )
    assert config == CrownJewelConfig(
        arns=(
            ArnRule("arn:aws:s3:::prod-*", "production data"),
            ArnRule("arn:aws:iam::123456789012:role/admin"),
        ),
        tags=(TagRule("Data-Classification", ("Restricted",)), TagRule("pci")),
        macie_min_score=75,
    )
    assert config.tag_params() == {
        "tag_pairs": ["data-classification=restricted"],
        "tag_keys": ["pci="],
    }
    assert config.arns[1].mark_reason() == (
        "named in the crown jewel file (arn:aws:iam::123456789012:role/admin)"
    )


def test_tags_absent_keep_the_defaults_and_empty_turns_them_off() -> None:
    assert parse_config({"crown_jewels": []}).tags == DEFAULT_TAGS
    assert parse_config({"tags": []}).tags == ()
    assert parse_config({"macie": {"min_sensitivity_score": None}}).macie_min_score is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- arn:aws:s3:::a\n", "the file: expected a mapping"),
        ("jewels: []\n", "the file: unknown key 'jewels'"),
        ("crown_jewels: arn:aws:s3:::a\n", "crown_jewels: expected a list"),
        (
            "crown_jewels:\n  - arn: s3://bucket\n",
            "crown_jewels[0].arn: 's3://bucket' is not an ARN",
        ),
        ("crown_jewels:\n  - reason: why\n", "crown_jewels[0].arn: expected a non-empty string"),
        ("crown_jewels:\n  - {arn: 'arn:x', why: y}\n", "crown_jewels[0]: unknown key 'why'"),
        ("tags:\n  - values: [a]\n", "tags[0].key: expected a non-empty string"),
        ("tags:\n  - {key: k, values: a}\n", "tags[0].values: expected a list"),
        ("macie: {min_sensitivity_score: 101}\n", "macie.min_sensitivity_score: expected"),
        ("crown_jewels: [\n", "not valid YAML at line 2"),
    ],
)
def test_a_malformed_file_is_one_error_naming_the_file_and_the_fault(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "jewels.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"crown jewel file {path}: {problem}")
    assert "\n" not in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"crown jewel file .*nope\.yaml: No such file"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("pattern", "arn", "matches"),
    [
        ("arn:aws:s3:::prod-*", "arn:aws:s3:::prod-payments", True),
        ("arn:aws:s3:::prod-*", "arn:aws:s3:::staging-prod-x", False),
        ("arn:aws:s3:::prod-*", "arn:aws:s3:::Prod-x", False),  # ARNs are case-sensitive
        ("arn:aws:iam::*:role/admin?", "arn:aws:iam::123456789012:role/admin1", True),
        ("arn:aws:iam::*:role/admin?", "arn:aws:iam::123456789012:role/admin12", False),
        ("arn:aws:s3:::a.b", "arn:aws:s3:::axb", False),  # the dot is literal
        ("arn:aws:s3:::a+(b)", "arn:aws:s3:::a+(b)", True),
        ("arn:aws:s3:::exact", "arn:aws:s3:::exact-not", False),
    ],
)
def test_arn_patterns_are_globs_anchored_at_both_ends(
    pattern: str, arn: str, matches: bool
) -> None:
    rule = ArnRule(pattern)
    assert rule.matches(arn) is matches
    # The query applies the same expression with Cypher's =~ (a whole-string match).
    assert (re.fullmatch(rule.regex(), arn) is not None) is matches


def test_the_hop_table_names_catalog_controls_and_schema_labels() -> None:
    table = rules()
    catalog = load_catalog()
    assert {rule.relation for rule in table} >= {"CAN_REACH", "RUNS_AS", "CAN_ASSUME", "CAN_ACCESS"}
    for rule in table:
        for control_id in rule.controls:
            assert catalog.control(control_id).id == control_id


def _node(key: str, labels: set[str], **props: object) -> HopNode:
    return HopNode(key, frozenset(labels), props)


def test_rules_match_by_relation_labels_and_crossing() -> None:
    [sts_perimeter] = [r for r in rules() if "OU-RCP-STS-ORG-PERIMETER" in r.controls]
    [trusts] = [r for r in rules() if "PRIN-ROLE-TRUST-NO-UNTRUSTED-PRINCIPALS" in r.controls]
    inside = _node("arn:a", {"Role", "Principal"}, account_id="111111111111")
    same = _node("arn:b", {"Role", "Principal"}, account_id="111111111111")
    other = _node("arn:c", {"Role", "Principal"}, account_id="222222222222")
    outsider = _node("333333333333", {"Account"}, account_id="333333333333", external=True)
    assert not rule_matches(trusts, inside, "CAN_ASSUME", same)
    assert rule_matches(trusts, inside, "CAN_ASSUME", other)
    assert not rule_matches(sts_perimeter, inside, "CAN_ASSUME", other)
    assert rule_matches(sts_perimeter, outsider, "CAN_ASSUME", other)
    assert not rule_matches(sts_perimeter, outsider, "CAN_ACCESS", other)


class _NoCoverage:
    def read(self, query: str, **params: object) -> list[dict[str, object]]:
        return []


def test_a_node_judged_control_is_judged_on_the_hop_node_itself() -> None:
    instance = _node(
        "arn:i",
        {"Ec2Instance"},
        arn="arn:i",
        account_id="111111111111",
        region="us-east-1",
        state="running",
        http_tokens="optional",
    )
    role = _node("arn:r", {"Role", "Principal"}, account_id="111111111111")
    hops = [("arn:i", "RUNS_AS", "arn:r")]
    missing = MissingControls(_NoCoverage(), {"arn:i": instance, "arn:r": role}, hops)  # type: ignore[arg-type]
    [imds] = missing.of_hop("arn:i", "RUNS_AS", "arn:r")
    assert (imds.control_id, imds.status, imds.regions) == (
        "NET-EC2-IMDSV2",
        "missing",
        ("us-east-1",),
    )
    assert "arn:i" in imds.evidence

    required = _node("arn:i", {"Ec2Instance"}, **{**instance.props, "http_tokens": "required"})
    missing = MissingControls(_NoCoverage(), {"arn:i": required, "arn:r": role}, hops)  # type: ignore[arg-type]
    assert missing.of_hop("arn:i", "RUNS_AS", "arn:r") == ()
