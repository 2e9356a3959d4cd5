"""Quotas counted inside the transaction they guard: a conditional counter per subject and window.

A write on a request path (a booking, a new session) adds `count()` to its own TransactWriteItems,
so a quota costs no extra call and concurrent requests can't overrun it: once a window is full, the
counter's condition fails the whole transaction, and a refused or failed write counts nothing.
Windows are fixed (unlike peerlearn.ratelimit's sliding estimate, which needs a read first), so a
burst straddling a boundary can reach twice the allowance: fine for abuse limits, not for passwords.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError

from peerlearn.errors import TooManyRequests
from peerlearn.ratelimit import Limit
from peerlearn.store.keys import rate_pk
from peerlearn.store.models import RateWindowItem

Quota = tuple[Limit, str]  # a limit and the subject it counts (an account, a client address...)


def _window_start(limit: Limit, now: int) -> int:
    return now - now % limit.window_seconds


def count(tx: Any, quota: Quota, now: int) -> None:
    """Adds one hit of `quota` to the transaction `tx`, on condition the window still has room."""
    limit, subject = quota
    start = _window_start(limit, now)
    tx.update(
        RateWindowItem(rate_pk(limit.scope, subject), str(start)),
        actions=RateWindowItem.upsert_actions(
            [RateWindowItem.hits.add(1), RateWindowItem.ttl.set(start + limit.window_seconds + 60)]
        ),
        condition=RateWindowItem.hits.does_not_exist() | (RateWindowItem.hits < limit.max_hits),
    )


def exhausted(exc: TransactWriteError, quotas: list[Quota], first_index: int) -> Quota | None:
    """The quota whose condition cancelled the transaction, if one did; `quotas` were counted into
    the transaction in order from item `first_index`."""
    reasons = exc.cancellation_reasons or []
    for index, quota in enumerate(quotas, start=first_index):
        reason = reasons[index] if index < len(reasons) else None
        if reason is not None and reason.code == "ConditionalCheckFailed":
            return quota
    return None


def refusal(quota: Quota, now: int, message: str, code: str) -> TooManyRequests:
    """The 429 for a full window: try again when the window ends."""
    limit, _subject = quota
    wait = _window_start(limit, now) + limit.window_seconds - now
    return TooManyRequests(f"{message} Try again in {_in_words(wait)}.", retry_after_seconds=wait, code=code)


def _in_words(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes > 1 else ''}"
    return f"{-(-minutes // 60)} hours"
