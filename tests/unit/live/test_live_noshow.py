"""Mentor no-shows: 15 minutes after the start with no mentor in the room, the session is cancelled
and every paid seat refunded, once; never when the mentor came."""

from __future__ import annotations

import pytest

from peerlearn import events, jobs
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.payments.records import refunds_of
from peerlearn.store.keys import SESSION_SK, booking_sk, session_pk, user_pk
from peerlearn.store.models import BookingItem, NotificationItem, SessionItem
from tests.payments_support import FakeRazorpay, stream_record
from tests.unit.live.money_support import PRICE, fake_razorpay, paid_seat
from tests.unit.live.room_media_support import attend
from tests.unit.sessions_support import Clock, person, publish


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    return fake_razorpay(monkeypatch)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def paid_session(ctx: Context, fake: FakeRazorpay) -> tuple[str, str, list[str]]:
    """A session starting in an hour with two paid learners: (session id, mentor id, payment ids)."""
    mentor = person("mentor")
    session_id = publish(ctx, mentor, price_paise=PRICE, hours=1, capacity=3)
    payments = [paid_seat(ctx, fake, session_id)[1] for _ in range(2)]
    return session_id, mentor.user_id, payments


def stream_session_change(ctx: Context, session_id: str, before: SessionItem) -> None:
    """What the stream does next: the session's change, then each booking's, each delivered twice."""
    after = SessionItem.get(session_pk(session_id), SESSION_SK, consistent_read=True)
    bookings_before = list(BookingItem.query(session_pk(session_id), BookingItem.sk.startswith("BOOKING#")))
    for _ in range(2):
        events.handle_record(ctx, stream_record(new=after, old=before))
    for old in bookings_before:
        new = BookingItem.get(session_pk(session_id), booking_sk(old.learner_id), consistent_read=True)
        for _ in range(2):
            events.handle_record(ctx, stream_record(new=new, old=old))


def test_a_mentor_who_never_came_is_declared_absent_and_every_seat_refunded_once(
    ctx: Context, fake: FakeRazorpay, clock: Clock
) -> None:
    # Given a paid session that the sweep started on time, and a mentor who never opened the room
    session_id, _mentor_id, payments = paid_session(ctx, fake)
    clock.advance(minutes=61)
    jobs.sweep(ctx)
    assert get_session_item(session_id, consistent=True).status == "live"

    # When the five-minute job runs before 15 minutes have passed, then after, then again
    clock.advance(minutes=10)
    too_early = jobs.rooms(ctx)
    clock.advance(minutes=6)
    before = get_session_item(session_id, consistent=True)
    declared = jobs.rooms(ctx)
    again = jobs.rooms(ctx)
    stream_session_change(ctx, session_id, before)

    # Then the session is cancelled as a mentor no-show and each learner refunded in full, once
    assert too_early["mentor_no_shows"] == 0
    assert (declared["mentor_no_shows"], declared["no_show_refunds"]) == (1, 2)
    assert again["mentor_no_shows"] == 0
    session = get_session_item(session_id, consistent=True)
    assert (session.status, session.cancel_reason) == ("cancelled", "mentor_no_show")
    for payment_id in payments:
        [refund] = refunds_of(payment_id)
        assert (refund.amount_paise, refund.kind) == (PRICE, "policy")
    assert len(fake.refunds) == 2  # the bookings' own cancellation refunded nothing more
    for booking in BookingItem.query(session_pk(session_id), BookingItem.sk.startswith("BOOKING#")):
        assert (booking.status, booking.cancel_reason) == ("cancelled", "session_cancelled")
        [note] = NotificationItem.query(user_pk(booking.learner_id), NotificationItem.sk.startswith("NOTIF#"))
        assert "didn't open the room" in note.body


def test_a_session_still_scheduled_is_found_too(ctx: Context, fake: FakeRazorpay, clock: Clock) -> None:
    # The sweep didn't run (or the room opens sessions itself): the open_by_start index finds it.
    session_id, _mentor_id, payments = paid_session(ctx, fake)
    clock.advance(minutes=61 + 16)

    report = jobs.rooms(ctx)

    assert report["mentor_no_shows"] == 1
    assert get_session_item(session_id, consistent=True).status == "cancelled"
    assert all(len(refunds_of(p)) == 1 for p in payments)


def test_never_for_a_session_the_mentor_attended(ctx: Context, fake: FakeRazorpay, clock: Clock) -> None:
    session_id, mentor_id, payments = paid_session(ctx, fake)
    clock.advance(minutes=59)
    attend(session_id, mentor_id)  # the mentor opened the room a little early
    clock.advance(minutes=2)
    jobs.sweep(ctx)

    for _ in range(3):
        clock.advance(minutes=20)
        assert jobs.rooms(ctx)["mentor_no_shows"] == 0

    assert get_session_item(session_id, consistent=True).status == "live"
    assert all(refunds_of(p) == [] for p in payments)
    assert fake.refunds == {}
