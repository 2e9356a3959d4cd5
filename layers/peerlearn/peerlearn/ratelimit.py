"""Fixed-window counters in the table (one item per subject and window, expired by TTL).

Used for sign-in throttling and other abuse-prone endpoints. A window is `window_seconds` long and
aligned to the epoch; `Retry-After` is the time left in the window that hit the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock
from peerlearn.store.keys import rate_pk
from peerlearn.store.models import RateWindowItem


@dataclass(frozen=True)
class Limit:
    scope: str
    max_hits: int
    window_seconds: int


def _window(limit: Limit, now: int) -> tuple[str, int]:
    start = now - now % limit.window_seconds
    return str(start), start + limit.window_seconds


def seconds_until_allowed(limit: Limit, subject: str, now: int | None = None) -> int:
    """0 when another hit is allowed, else the seconds until the window ends."""
    now = clock.now_seconds() if now is None else now
    sk, window_end = _window(limit, now)
    try:
        item = RateWindowItem.get(rate_pk(limit.scope, subject), sk)
    except DoesNotExist:
        return 0
    return window_end - now if item.hits >= limit.max_hits else 0


def hit(limit: Limit, subject: str, now: int | None = None) -> int:
    """Counts one hit atomically; returns the count in the current window."""
    now = clock.now_seconds() if now is None else now
    sk, window_end = _window(limit, now)
    item = RateWindowItem(rate_pk(limit.scope, subject), sk)
    item.update(
        actions=[
            RateWindowItem.entity.set(RateWindowItem),  # the first ADD creates the item: say what it is
            RateWindowItem.hits.add(1),
            RateWindowItem.ttl.set(window_end + 60),
        ]
    )
    return int(item.hits)


def reset(limit: Limit, subject: str, now: int | None = None) -> None:
    now = clock.now_seconds() if now is None else now
    sk, _ = _window(limit, now)
    RateWindowItem(rate_pk(limit.scope, subject), sk).delete()
