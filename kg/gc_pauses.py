"""Fewer pauses of CPython's cyclic garbage collector while building large in-memory views.

A transform or an analysis allocates millions of small dicts, lists and tuples that live until
its write. The collector examines the youngest objects every 700 allocations and, as the heap
grows, all of them again and again: a third of the transform's time at 1,000 accounts and a
sixth of the analyses' (docs/performance.md). These objects hold no reference cycles, so rarer
collections free the same memory; reference counting frees the rest as it always does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Collect the youngest generation every 100,000 net allocations instead of 700; the older
# generations keep their relative rhythm.
_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with rarer cyclic collections; the previous thresholds come back after."""
    previous = gc.get_threshold()
    gc.set_threshold(*_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
