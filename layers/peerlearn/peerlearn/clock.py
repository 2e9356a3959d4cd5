"""The time, in one place, so tests can move it and the demo seed can write the past through the
same domain functions a request uses.

The local stack can move its own clock forward (`POST /_dev/clock`): its runtime sets
`PEERLEARN_CLOCK_OFFSET_SECONDS` in each function's environment per invocation, so this reads it on
every call. In the cloud the variable is absent and the offset is 0.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

OFFSET_VARIABLE = "PEERLEARN_CLOCK_OFFSET_SECONDS"
_offset_seconds = 0


def stack_offset_seconds() -> int:
    """How far the local stack moved its clock forward (0 when not set, as in the cloud)."""
    raw = os.environ.get(OFFSET_VARIABLE, "").strip()
    return int(raw) if raw else 0


def now_seconds() -> int:
    return int(time.time()) + _offset_seconds + stack_offset_seconds()


def iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).isoformat().replace("+00:00", "Z")


@contextmanager
def shifted(seconds: int) -> Iterator[None]:
    """Runs a block as if the time were `seconds` later (earlier when negative). For scripts such as
    the demo seed, never on a request path: the offset is process-wide."""
    global _offset_seconds
    before = _offset_seconds
    _offset_seconds = before + seconds
    try:
        yield
    finally:
        _offset_seconds = before
