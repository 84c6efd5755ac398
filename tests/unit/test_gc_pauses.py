"""fewer_collections: rarer collections inside the block, the caller's settings after it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from kg.gc_pauses import fewer_collections


@pytest.fixture
def caller_thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    gc.set_threshold(123, 4, 5)
    yield (123, 4, 5)
    gc.set_threshold(*saved)


def test_collections_are_rarer_inside_and_restored_after(
    caller_thresholds: tuple[int, int, int],
) -> None:
    with fewer_collections():
        assert gc.get_threshold()[0] > caller_thresholds[0]
    assert gc.get_threshold() == caller_thresholds


def test_an_error_in_the_block_restores_the_callers_thresholds(
    caller_thresholds: tuple[int, int, int],
) -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the transform failed")
    assert gc.get_threshold() == caller_thresholds
