"""Millisecond times for the room (hand order, chat order, the clients' clock offset), from the one
clock the rest of the code moves (peerlearn.clock)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from peerlearn import clock


def now_ms() -> int:
    # clock.now_seconds carries any shift (tests, the seed); the milliseconds come from the real clock.
    return clock.now_seconds() * 1000 + int(time.time() * 1000) % 1000


def iso_ms(ms: int) -> str:
    """2026-12-01T13:00:00.250Z"""
    moment = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{ms % 1000:03d}Z"


def server_now() -> str:
    return iso_ms(now_ms())
