"""Who came to a completed session, kept on its item by the stream (peerlearn.dashboards.attendance),
and the mentor's performance read from it: the same figures as from the bookings, without reading
them, for sessions completed since; older sessions are still read from their bookings."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecordEventName

from peerlearn import clock, events
from peerlearn.catalog import lifecycle
from peerlearn.context import Context
from peerlearn.dashboards import mentor, reading
from peerlearn.store.keys import SESSION_SK, session_pk
from peerlearn.store.models import SessionItem
from tests.dashboards_support import MENTOR, NOW, booking, days, session

L1, L2, L3, L4 = (f"01JDQ4Z3N0R1C5X8H2P7M9L00{n}" for n in range(1, 5))
MODIFY = DynamoDBRecordEventName.MODIFY


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now_seconds", lambda: NOW)


def image(of: SessionItem, learner_id: str, status: str) -> dict[str, Any]:
    return {"entity": "BOOKING", "session_id": of.id, "learner_id": learner_id, "status": status}


def stored(session_id: str) -> SessionItem:
    return SessionItem.get(session_pk(session_id), SESSION_SK, consistent_read=True)


def test_completing_a_session_starts_keeping_its_attendance(ctx: Context, fixed_now: None) -> None:
    live = session("K0", days(-1), status="live")

    lifecycle.complete(live)

    assert stored("K0").attendance_kept is True


def test_the_stream_keeps_who_came_and_a_redelivered_batch_changes_nothing(
    ctx: Context, fixed_now: None
) -> None:
    kept = session("K1", days(-3), capacity=3, status="completed")
    changes = [
        (image(kept, L1, "confirmed"), image(kept, L1, "completed")),
        (image(kept, L2, "confirmed"), image(kept, L2, "completed")),
        (image(kept, L2, "completed"), image(kept, L2, "no_show")),  # the mentor marks L2 absent
        (image(kept, L3, "held"), image(kept, L3, "expired")),  # never a seat: not counted
    ]

    for _ in range(2):  # delivered, then the whole batch again
        for old, new in changes:
            events.react(ctx, MODIFY, old, new)

    item = stored("K1")
    assert (item.attended_ids, item.no_show_ids) == ({L1}, {L2})


def test_a_booking_of_a_session_that_is_gone_creates_nothing(ctx: Context, fixed_now: None) -> None:
    gone = session("K9", days(-3), status="completed")
    gone.delete()

    events.react(ctx, MODIFY, image(gone, L1, "confirmed"), image(gone, L1, "completed"))

    with pytest.raises(SessionItem.DoesNotExist):
        stored("K9")


def test_performance_reads_kept_sessions_without_their_bookings_and_older_ones_with(
    ctx: Context, fixed_now: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = session("K1", days(-5), capacity=4, status="completed")
    kept.update(
        actions=[
            SessionItem.attendance_kept.set(True),
            SessionItem.attended_ids.add({L1, L2}),
            SessionItem.no_show_ids.add({L3}),
        ]
    )
    older = session("O1", days(-30), capacity=4, status="completed")  # completed before the sets
    booking(older, L1, status="completed")
    booking(older, L4, status="no_show")
    booking(older, L2, status="cancelled")
    asked: list[list[str]] = []
    read_bookings = reading.bookings_of_sessions

    def spy(session_ids: Any) -> Any:
        asked.append(list(session_ids))
        return read_bookings(asked[-1])

    monkeypatch.setattr(reading, "bookings_of_sessions", spy)

    done = mentor.performance(MENTOR, now=NOW)

    assert asked == [["O1"]]  # the kept session's bookings were never read
    assert (done.sessions_completed, done.seats_offered, done.seats_filled) == (2, 8, 5)
    assert (done.attended, done.no_shows, done.learners, done.repeat_learners) == (3, 2, 4, 1)
