"""Writes that two requests may race for (one email claim, one emailed link)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.exceptions import TransactWriteError

from peerlearn import store


@contextmanager
def lost_race_raises(error: Exception) -> Iterator[None]:
    """`store.failed_condition_raises`, and also for a transaction cancelled because another one on
    the same item was in flight (TransactionConflict): that other request is the one that wins."""
    try:
        with store.failed_condition_raises(error):
            yield
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if any(reason is not None and reason.code == "TransactionConflict" for reason in reasons):
            raise error from exc
        raise
