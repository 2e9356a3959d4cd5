"""Sliding-window rate limits kept in the table (one counter item per subject and window, expired by TTL).

The estimate for "the last `window_seconds`" is the current window's hits plus the previous window's
hits weighted by how much of it still overlaps (rounded up, so attempts just before a window boundary
still count): a burst that straddles a boundary can't get twice the allowance, which fixed windows
allow. `Retry-After` is when the estimate drops back under the limit.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

from peerlearn import clock, store
from peerlearn.store.keys import rate_pk
from peerlearn.store.models import RateWindowItem

_RETRY_STEP_SECONDS = 5


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int
    window_seconds: int


def _start(limit: Limit, at: int) -> int:
    return at - at % limit.window_seconds


def estimate(limit: Limit, hits_by_window: dict[int, int], at: int) -> int:
    """Hits in the `window_seconds` before `at`, from per-window counters."""
    start = _start(limit, at)
    current = hits_by_window.get(start, 0)
    previous = hits_by_window.get(start - limit.window_seconds, 0)
    overlap = limit.window_seconds - (at - start)
    return current + -(-previous * overlap // limit.window_seconds)  # ceil: no attempt is ignored early


def seconds_until(limit: Limit, hits_by_window: dict[int, int], now: int) -> int:
    """0 when another hit is allowed now, else the seconds until it is (no further hits assumed)."""
    if estimate(limit, hits_by_window, now) < limit.max_hits:
        return 0
    for wait in range(_RETRY_STEP_SECONDS, 2 * limit.window_seconds + 1, _RETRY_STEP_SECONDS):
        if estimate(limit, hits_by_window, now + wait) < limit.max_hits:
            return wait
    return 2 * limit.window_seconds


def _hits(limit: Limit, subject: str, now: int) -> dict[int, int]:
    since = str(_start(limit, now) - limit.window_seconds)
    return {
        int(item.sk): int(item.hits)
        for item in RateWindowItem.query(
            rate_pk(limit.scope, subject), RateWindowItem.sk >= since, consistent_read=True
        )
    }


def seconds_until_allowed(limit: Limit, subject: str, now: int | None = None) -> int:
    now = clock.now_seconds() if now is None else now
    return seconds_until(limit, _hits(limit, subject, now), now)


class _Full(Exception):
    pass


def acquire(limit: Limit, subject: str, now: int | None = None) -> int:
    """Counts one hit only if the limit allows it, atomically: returns 0, or the seconds to wait
    (nothing counted). Concurrent callers can't overrun the limit: the current window's counter is
    raised with a condition on the room the previous window leaves it."""
    now = clock.now_seconds() if now is None else now
    hits = _hits(limit, subject, now)
    wait = seconds_until(limit, hits, now)
    if wait:
        return wait
    start = _start(limit, now)
    room = limit.max_hits - estimate(limit, {**hits, start: 0}, now)  # what the current window may hold
    try:
        with store.failed_condition_raises(_Full()):
            RateWindowItem(rate_pk(limit.scope, subject), str(start)).update(
                actions=RateWindowItem.upsert_actions(
                    [
                        RateWindowItem.hits.add(1),
                        RateWindowItem.ttl.set(start + 2 * limit.window_seconds + 60),
                    ]
                ),
                condition=RateWindowItem.hits.does_not_exist() | (RateWindowItem.hits < room),
            )
    except _Full:
        return max(1, seconds_until(limit, {**hits, start: room}, now))
    return 0


def release(limit: Limit, subject: str, acquired_at: int) -> None:
    """Gives back a hit `acquire` counted at `acquired_at` (the attempt turned out to be legitimate)."""
    with store.failed_condition_raises(LookupError()), suppress(LookupError):
        RateWindowItem(rate_pk(limit.scope, subject), str(_start(limit, acquired_at))).update(
            actions=[RateWindowItem.hits.add(-1)], condition=RateWindowItem.hits > 0
        )
