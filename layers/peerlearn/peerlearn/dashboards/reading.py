"""Reads shared by both dashboards: a person's items by their keys and indexes, in batches.

| what | key condition | index |
|---|---|---|
| a learner's bookings since a date | gsi2pk = LEARNER#<id>, gsi2sk >= <since> | gsi2 |
| a learner's payments since a date | gsi2pk = PAYER#<id>, gsi2sk >= <since> | gsi2 |
| sessions, reviews by key | pk = SESSION#<id>, sk = SESSION / REVIEW#<learner> | BatchGetItem |
| a mentor's sessions between dates | gsi2pk = MENTOR#<id>, gsi2sk between | gsi2 |
| a mentor's reviews since a date | gsi2pk = MENTOR_REVIEWS#<id>, gsi2sk >= <since> | gsi2 |
| a session's bookings / waitlist | pk = SESSION#<id>, sk begins_with BOOKING# / WAITLIST# | table |
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from peerlearn.store.keys import (
    BOOKING_PREFIX,
    SESSION_SK,
    WAITLIST_PREFIX,
    review_sk,
    session_pk,
)
from peerlearn.store.models import BaseItem, BookingItem, ReviewItem, SessionItem, WaitlistItem


def sessions_by_id(session_ids: Iterable[str]) -> dict[str, SessionItem]:
    keys = [(session_pk(s), SESSION_SK) for s in dict.fromkeys(session_ids)]
    return {item.id: item for item in BaseItem.batch_get(keys) if isinstance(item, SessionItem)}


def reviews_by(learner_id: str, session_ids: Iterable[str]) -> dict[str, ReviewItem]:
    """The learner's reviews of these sessions (the ones they wrote), by session id."""
    keys = [(session_pk(s), review_sk(learner_id)) for s in dict.fromkeys(session_ids)]
    return {item.session_id: item for item in BaseItem.batch_get(keys) if isinstance(item, ReviewItem)}


def bookings_of_session(session_id: str) -> list[BookingItem]:
    return list(BookingItem.query(session_pk(session_id), BookingItem.sk.startswith(BOOKING_PREFIX)))


# A mentor's dashboard reads up to 70 sessions' partitions, one Query each: side by side they take the
# time of the slowest few instead of the sum (botocore's client is safe to share between threads).
PARALLEL_QUERIES = 8


def bookings_of_sessions(session_ids: Iterable[str]) -> dict[str, list[BookingItem]]:
    """Each session's bookings (one Query per session, up to PARALLEL_QUERIES at a time)."""
    ids = list(dict.fromkeys(session_ids))
    if len(ids) <= 1:
        return {s: bookings_of_session(s) for s in ids}
    with ThreadPoolExecutor(max_workers=min(PARALLEL_QUERIES, len(ids))) as pool:
        return dict(zip(ids, pool.map(bookings_of_session, ids), strict=True))


def waitlist_sizes(session_ids: Iterable[str]) -> dict[str, int]:
    ids = list(dict.fromkeys(session_ids))
    if len(ids) <= 1:
        return {s: waitlist_size(s) for s in ids}
    with ThreadPoolExecutor(max_workers=min(PARALLEL_QUERIES, len(ids))) as pool:
        return dict(zip(ids, pool.map(waitlist_size, ids), strict=True))


def waitlist_size(session_id: str) -> int:
    return sum(
        1 for _ in WaitlistItem.query(session_pk(session_id), WaitlistItem.sk.startswith(WAITLIST_PREFIX))
    )
