"""The time, in one place, so tests can move it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_seconds() -> int:
    return int(time.time())


def iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).isoformat().replace("+00:00", "Z")
