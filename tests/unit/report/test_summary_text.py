"""How the summary reads: ARNs shortened to what people call them, each start's best fix shown,
no line wider than asked."""

from __future__ import annotations

import pytest

from kg.analysis.coverage.report import tally_counts
from kg.analysis.paths import AttackPath, Hop
from kg.report.summary import (
    FIX_GROUPS,
    Fix,
    LayerCoverage,
    StartSummary,
    Summary,
    fix_groups,
    short_arns,
    summary_text,
)

ROLE = "arn:aws:iam::111122223333:role/service-role/deploy"
INTERFACE = "arn:aws:ec2:us-east-1:111122223333:network-interface/eni-0abc"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("arn:aws:s3:::records", "records"),
        ("arn:aws:s3:::records/home/*", "records/home/*"),
        (f"{ROLE}'s policies", "service-role/deploy's policies"),
        (f"traffic to {INTERFACE} lands", "traffic to eni-0abc lands"),
        (f"({KEY})", "(key/1234abcd-12ab-34cd-56ef-1234567890ab)"),
        ("arn:aws:iam::111122223333:root", "111122223333"),
        ("arn:aws-us-gov:iam::111122223333:user/alice, then", "alice, then"),
        ("no arn here", "no arn here"),
    ],
)
def test_arns_read_as_names(text: str, short: str) -> None:
    assert short_arns(text) == short


def _fix(*protects: str, change: str = "remove it") -> Fix:
    return Fix((change,), protects, "network", (), 1)


def _start(start: str, *fixes: Fix, worst: tuple[AttackPath, ...] = ()) -> StartSummary:
    targets = len({name for fix in fixes for name in fix.protects})
    return StartSummary(start, targets, targets, True, fixes, worst, {})


def _summary(*starts: StartSummary) -> Summary:
    tally = tally_counts({"in_place": 3, "missing": 1})
    return Summary(1, (LayerCoverage("network", "Network", tally),), tally, (), starts, 0, 0)


def test_every_start_shows_its_best_fix_before_others_show_their_second() -> None:
    internet = _start(
        "internet",
        *[_fix("a", "b", change=f"internet fix {n}") for n in range(2)],
        *[_fix(f"t{n}", change=f"single {n}") for n in range(FIX_GROUPS)],
    )
    external = _start("external", _fix("partner", change="bucket policy"))
    shown = fix_groups(_summary(internet, external))[:FIX_GROUPS]
    chosen = [(start, protects) for start, protects, _ in shown]
    assert chosen[0] == ("internet", ("a", "b"))
    assert ("external", ("partner",)) in chosen
    assert len(shown) == FIX_GROUPS


def test_no_line_is_wider_than_asked_and_no_word_is_lost() -> None:
    hop = Hop("internet", INTERFACE, "CAN_REACH", "network", f"internet can connect to {INTERFACE}")
    path = AttackPath("internet", INTERFACE, "crown jewel", 2, (hop,))
    long_change = f"narrow the trust policy of {ROLE} " + "statement " * 20
    summary = _summary(_start("internet", _fix("records", change=long_change), worst=(path,)))
    for width in (40, 72, 100, 200):
        text = summary_text(summary, width)
        assert max(len(line) for line in text.splitlines()) <= min(width, 100)
        assert " ".join(text.split()).count("statement") == 20


def test_a_start_that_reaches_nothing_says_so() -> None:
    text = summary_text(_summary(_start("internet"), _start("external")))
    assert "From the internet: no crown jewel reached." in text
    assert "None: nothing reaches a crown jewel" in text
