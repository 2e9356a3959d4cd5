"""The time, in one place, so tests can move it and the demo seed can write the past through the
same domain functions a request uses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_offset_seconds = 0


def now_seconds() -> int:
    return int(time.time()) + _offset_seconds


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
