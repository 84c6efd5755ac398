"""The pieces of name resolution that need no graph: the closest names, and the error lines."""

from __future__ import annotations

import pytest

from kg.analysis import names
from kg.errors import AmbiguousNameError, UnknownNameError


def test_closest_ranks_the_likest_first_and_ignores_case() -> None:
    candidates = ["dev-bastion", "build-runner", "Dev-Bastion-Old", "payments-app"]
    assert names.closest("dev-bastoin", candidates) == ["dev-bastion", "Dev-Bastion-Old"]
    assert names.closest("DEV-BASTION", candidates)[0] == "dev-bastion"


def test_closest_offers_at_most_three_and_nothing_unlike() -> None:
    candidates = [f"role-{n}" for n in range(10)]
    assert len(names.closest("role-", candidates)) == names.CLOSEST
    assert names.closest("zzzzzzzz", candidates) == []


def test_an_unknown_name_is_one_line_with_exit_code_2() -> None:
    error = UnknownNameError("--from 'x' is not in the graph", ["a", "b"])
    assert str(error) == "--from 'x' is not in the graph; closest: a, b"
    assert error.exit_code == 2 and AmbiguousNameError.exit_code == 2
    assert str(UnknownNameError("--from 'x' is not in the graph")).endswith("graph")


def test_an_option_takes_only_labels_of_the_schema() -> None:
    with pytest.raises(ValueError, match="Rol"):
        names.Accepts("a role", by_arn=("Rol",))
