"""Rating aggregates (sum, count, distribution) on sessions and mentors, and mentors' sessions taught,
kept by the stream consumer: each change is applied once, guarded by a marker written in the same
transaction, so replaying a batch changes nothing.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import clock, store, timeutil
from peerlearn.accounts.schemas import MentorStats
from peerlearn.store.keys import OPEN, STATS_SK, mentor_sessions_pk, processed_pk, session_pk, user_pk
from peerlearn.store.models import MentorStatsItem, ProcessedEventItem, SessionItem


def _deltas(old: int | None, new: int | None, model: type[SessionItem] | type[MentorStatsItem]) -> list[Any]:
    actions: list[Any] = [
        model.rating_sum.add((new or 0) - (old or 0)),
        model.rating_count.add((new is not None) - (old is not None)),
    ]
    if old is not None:
        actions.append(getattr(model, f"rating_{old}").add(-1))
    if new is not None:
        actions.append(getattr(model, f"rating_{new}").add(1))
    return actions


def apply_review_change(
    *,
    session_id: str,
    learner_id: str,
    mentor_id: str,
    old: int | None,
    new: int | None,
    version: int,
    event: str,
) -> bool:
    """Adds one review change to the session's and the mentor's aggregates, once. Returns False if seen."""
    if old == new:
        return False
    marker = ProcessedEventItem(
        processed_pk("rating", f"{session_id}#{learner_id}#v{version}#{event}"),
        "PROCESSED",
        ttl=clock.now_seconds() + 30 * 86400,
    )
    try:
        with store.transaction() as tx:
            tx.save(marker, condition=ProcessedEventItem.pk.does_not_exist())
            tx.update(
                SessionItem(session_pk(session_id), "SESSION"),
                actions=_deltas(old, new, SessionItem),
                condition=SessionItem.pk.exists(),
            )
            tx.update(
                MentorStatsItem(user_pk(mentor_id), STATS_SK),
                actions=MentorStatsItem.upsert_actions(_deltas(old, new, MentorStatsItem)),
            )
    except TransactWriteError as exc:
        if store.condition_failed(exc):  # the marker exists: this change was applied before
            return False
        raise  # e.g. a concurrent transaction: the stream retries the record
    refresh_mentor_rating(mentor_id)
    return True


def refresh_mentor_rating(mentor_id: str) -> None:
    """Copies the mentor's average onto their bookable sessions (the rating sort's index key)."""
    summary = mentor_summary(mentor_id)
    score = round(summary.rating_average * 100) if summary.rating_average is not None else 0
    for session in SessionItem.by_mentor.query(
        mentor_sessions_pk(mentor_id),
        SessionItem.gsi2sk > timeutil.now_iso(),
        filter_condition=SessionItem.open == OPEN,
    ):
        if int(session.mentor_rating) != score:
            session.update(actions=[SessionItem.mentor_rating.set(score)], condition=SessionItem.pk.exists())


def count_session_taught(*, session_id: str, mentor_id: str) -> bool:
    marker = ProcessedEventItem(processed_pk("taught", session_id), "PROCESSED")
    try:
        with store.transaction() as tx:
            tx.save(marker, condition=ProcessedEventItem.pk.does_not_exist())
            tx.update(
                MentorStatsItem(user_pk(mentor_id), STATS_SK),
                actions=MentorStatsItem.upsert_actions([MentorStatsItem.sessions_taught.add(1)]),
            )
    except TransactWriteError as exc:
        if store.condition_failed(exc):  # counted before
            return False
        raise
    return True


def mentor_summary(mentor_id: str) -> MentorStats:
    try:
        stats = MentorStatsItem.get(user_pk(mentor_id), STATS_SK)
    except DoesNotExist:
        return MentorStats(
            rating_average=None,
            rating_count=0,
            rating_distribution={str(n): 0 for n in range(1, 6)},
            sessions_taught=0,
        )
    count = int(stats.rating_count)
    return MentorStats(
        rating_average=round(int(stats.rating_sum) / count, 2) if count else None,
        rating_count=count,
        rating_distribution={str(n): int(getattr(stats, f"rating_{n}")) for n in range(1, 6)},
        sessions_taught=int(stats.sessions_taught),
    )
