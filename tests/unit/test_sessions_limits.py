"""Quotas on booking and publishing: per account, per client, and re-holding one paid seat."""

from __future__ import annotations

from types import ModuleType

import pytest

from peerlearn.bookings import cancelling, seats
from peerlearn.catalog import publishing
from peerlearn.context import Context
from peerlearn.errors import TooManyRequests
from peerlearn.ratelimit import Limit
from tests.support import Reply, call, load_function, rest_event
from tests.unit.sessions_support import Clock, person, publish

CLIENT = "203.0.113.10"


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def test_an_account_books_a_limited_number_of_seats_in_ten_minutes(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, moving_clock: Clock
) -> None:
    monkeypatch.setattr(seats, "BOOKINGS_PER_ACCOUNT", Limit("test-book-account", 2, 600))
    mentor, learner = person("mentor"), person()
    sessions = [publish(ctx, mentor, capacity=3) for _ in range(3)]
    for session_id in sessions[:2]:
        seats.book(booker=learner, session_id=session_id, client=CLIENT)

    with pytest.raises(TooManyRequests) as caught:
        seats.book(booker=learner, session_id=sessions[2], client=CLIENT)
    other, _ = seats.book(booker=person(), session_id=sessions[2], client=CLIENT)
    moving_clock.advance(minutes=10)
    later, created = seats.book(booker=learner, session_id=sessions[2], client=CLIENT)

    assert caught.value.code == "too_many_bookings"
    assert 0 < caught.value.retry_after_seconds <= 600
    assert other.status == "confirmed"
    assert (later.status, created) == ("confirmed", True)


def test_one_client_address_books_a_limited_number_of_seats(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seats, "BOOKINGS_PER_CLIENT", Limit("test-book-client", 2, 600))
    session_id = publish(ctx, person("mentor"), capacity=5)
    for _ in range(2):
        seats.book(booker=person(), session_id=session_id, client=CLIENT)

    with pytest.raises(TooManyRequests) as caught:
        seats.book(booker=person(), session_id=session_id, client=CLIENT)
    elsewhere, _ = seats.book(booker=person(), session_id=session_id, client="198.51.100.7")

    assert caught.value.code == "too_many_bookings"
    assert elsewhere.status == "confirmed"


def test_a_learner_re_holds_the_same_paid_seat_at_most_three_times_a_day(
    ctx: Context, moving_clock: Clock
) -> None:
    learner = person()
    session_id = publish(ctx, person("mentor"), hours=72, price_paise=49_900)
    for _ in range(4):  # the first hold and three re-holds
        held, _ = seats.book(booker=learner, session_id=session_id, client=CLIENT)
        assert held.status == "held"
        cancelling.cancel_by_learner(user_id=learner.user_id, session_id=session_id, cutoff_hours=24)

    with pytest.raises(TooManyRequests) as caught:
        seats.book(booker=learner, session_id=session_id, client=CLIENT)
    someone_else, _ = seats.book(booker=person(), session_id=session_id, client=CLIENT)
    cancelling.cancel_by_learner(user_id=someone_else.learner_id, session_id=session_id, cutoff_hours=24)
    moving_clock.advance(days=1)
    again, _ = seats.book(booker=learner, session_id=session_id, client=CLIENT)

    assert caught.value.code == "too_many_holds"
    assert someone_else.status == "held"
    assert again.status == "held"


def test_a_mentor_publishes_a_limited_number_of_sessions_an_hour(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publishing, "SESSIONS_PER_MENTOR", Limit("test-publish-mentor", 2, 3600))
    mentor = person("mentor")
    for _ in range(2):
        publish(ctx, mentor)

    with pytest.raises(TooManyRequests) as caught:
        publish(ctx, mentor)
    publish(ctx, person("mentor"))  # another mentor is not held back

    assert caught.value.code == "too_many_sessions"


def test_one_client_address_publishes_a_limited_number_of_sessions(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publishing, "SESSIONS_PER_CLIENT", Limit("test-publish-client", 2, 3600))
    for _ in range(2):
        publish(ctx, person("mentor"), client=CLIENT)
    with pytest.raises(TooManyRequests):
        publish(ctx, person("mentor"), client=CLIENT)
    publish(ctx, person("mentor"), client="198.51.100.7")


@pytest.fixture
def sessions(ctx: Context) -> ModuleType:
    return load_function("sessions")


def test_a_refused_booking_is_a_429_with_when_to_retry(
    ctx: Context, sessions: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seats, "BOOKINGS_PER_ACCOUNT", Limit("test-book-account-api", 1, 600))
    mentor, learner = person("mentor"), person()
    first, second = publish(ctx, mentor), publish(ctx, mentor)
    identity = {"user_id": learner.user_id, "role": "learner", "email_verified": True}

    def book(session_id: str) -> Reply:
        return call(
            sessions,
            rest_event(
                "POST",
                f"/api/sessions/{session_id}/book",
                resource="/api/sessions/{id}/book",
                path_parameters={"id": session_id},
                identity=identity,
            ),
        )

    booked, refused = book(first), book(second)

    assert booked.status == 201
    assert refused.status == 429
    error = refused.body["error"]
    assert error["code"] == "too_many_bookings"
    assert 0 < error["retry_after_seconds"] <= 600
    assert refused.headers["Retry-After"] == str(error["retry_after_seconds"])
