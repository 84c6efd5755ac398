"""Settings from the environment: the write transaction budget."""

from __future__ import annotations

import pytest

from kg import config
from kg.errors import ConfigError


def test_the_transaction_budget_defaults_and_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KG_TRANSACTION_ROWS", raising=False)
    assert config.transaction_rows() == config.DEFAULT_TRANSACTION_ROWS
    monkeypatch.setenv("KG_TRANSACTION_ROWS", "200000")
    assert config.transaction_rows() == 200_000


@pytest.mark.parametrize("value", ["0", "-5", "many", "1e6"])
def test_a_bad_transaction_budget_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("KG_TRANSACTION_ROWS", value)
    with pytest.raises(ConfigError, match=f"KG_TRANSACTION_ROWS='{value}'"):
        config.transaction_rows()
