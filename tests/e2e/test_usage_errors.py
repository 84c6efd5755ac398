"""Usage errors (a misspelled command or option, a bad value, a missing argument) are one line."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import KgRunner

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("args", "offending", "help_of"),
    [
        (("nosuch",), "nosuch", "kg"),
        (("paths", "--formt", "json"), "--formt", "kg paths"),
        (("coverage", "--acount", "111122223333"), "--acount", "kg coverage"),
        (("load", "./snap", "--strictt"), "--strictt", "kg load"),
        (("paths", "--format", "bogus"), "bogus", "kg paths"),
        (("coverage", "--format", "yaml"), "yaml", "kg coverage"),
        # A command offers only the formats it writes: HTML is kg paths' alone.
        (("coverage", "--format", "html"), "html", "kg coverage"),
        (("privesc", "--format", "html"), "html", "kg privesc"),
        (("chokepoints", "--format", "html"), "html", "kg chokepoints"),
        (("status", "--format", "csv"), "csv", "kg status"),
        (("schema", "show", "--format", "csv"), "csv", "kg schema show"),
        (("neo4j", "status", "--format", "html"), "html", "kg neo4j status"),
        # SARIF and OCSF are for findings: paths, privesc and coverage write them.
        (("chokepoints", "--format", "sarif"), "sarif", "kg chokepoints"),
        (("access", "x", "--format", "sarif"), "sarif", "kg access"),
        (("who-can", "s3:GetObject", "--format", "ocsf"), "ocsf", "kg who-can"),
        (("paths", "--fail-on", "severe"), "severe", "kg paths"),
        (("privesc", "--fail-on", "High"), "High", "kg privesc"),
        (("chokepoints", "--fail-on", "0"), "0", "kg chokepoints"),
        (("coverage", "--fail-on", "high"), "--fail-on", "kg coverage"),
        (("load",), "path", "kg load"),
        (("access",), "principal", "kg access"),
        (("paths", "--max-hops", "abc"), "--max-hops", "kg paths"),
        (("collect", "aws", "-o", "x", "--workers", "many"), "--workers", "kg collect aws"),
        (("neo4j", "strat"), "strat", "kg neo4j"),
        (("schema", "shw"), "shw", "kg schema"),
        (("collect", "asw"), "asw", "kg collect"),
        (("load", "--account-id"), "--account-id", "kg"),
    ],
)
def test_usage_error_is_one_line_with_exit_code_2(
    kg: KgRunner, args: tuple[str, ...], offending: str, help_of: str
) -> None:
    result = kg(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("kg: error: ")
    assert offending in line
    assert line.endswith(f"See '{help_of} --help'.")


def test_a_group_without_a_command_shows_its_help(kg: KgRunner) -> None:
    result = kg("neo4j")
    assert "Usage: kg neo4j" in result.stdout
    assert result.stderr == ""
