"""A function's cold start: its imports and set-up run without the cyclic garbage collector.

Nothing a cold start creates is garbage (modules, classes, the resolver live as long as the process),
yet the collector kept walking the ever-growing heap while the function imported: a seventh of the
import's CPU. Afterwards those objects are frozen (moved where no later collection walks them), so
the first requests do not pay for the walk instead.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cold_start() -> Iterator[None]:
    """`with cold_start():` around a function module's imports and set-up."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
