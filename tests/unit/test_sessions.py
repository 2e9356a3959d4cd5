"""Sessions, booking, waitlist and feedback against moto."""

from __future__ import annotations

from typing import Any

import pytest

from peerlearn import jobs, reactions
from peerlearn.bookings import cancelling, lists, room, seats, states, waitlist
from peerlearn.catalog import discovery, lifecycle, lookup, publishing, reading
from peerlearn.catalog.schemas import DiscoveryQuery, SessionUpdate
from peerlearn.context import Context
from peerlearn.errors import BadRequest, Conflict, Forbidden
from peerlearn.feedback import aggregates
from peerlearn.feedback import service as feedback
from peerlearn.feedback.schemas import ReplyCreate, ReviewCreate, ReviewEdit
from peerlearn.store.keys import STATS_SK, session_pk, user_pk
from peerlearn.store.models import MentorStatsItem, NotificationItem, SessionItem
from tests.support import local_in
from tests.unit.sessions_support import CLIENT, Clock, person, publish
from tests.unit.stream_support import Stream


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def session(session_id: str) -> SessionItem:
    return lookup.get_session_item(session_id, consistent=True)


def notifications(user_id: str) -> list[NotificationItem]:
    return list(NotificationItem.query(user_pk(user_id), NotificationItem.sk.startswith("NOTIF#")))


# ---------------------------------------------------------------- publishing
def test_a_mentor_publishes_in_their_time_zone_and_it_is_stored_in_utc(ctx: Context) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor, starts_at_local="2027-01-05T18:30")

    out = reading.get_session(ctx, session_id)

    assert out.starts_at == "2027-01-05T13:00:00Z"
    assert out.ends_at == "2027-01-05T14:00:00Z"
    assert (out.seats_left, out.status, out.mentor.name) == (1, "scheduled", mentor.name)


def test_only_verified_mentors_publish() -> None:
    with pytest.raises(Forbidden):
        publishing.require_publisher("u1", "learner", True)
    with pytest.raises(Forbidden) as caught:
        publishing.require_publisher("u1", "mentor", False)
    assert caught.value.code == "email_not_verified"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price_paise": 100}, "price_paise"),
        ({"starts_at_local": "2020-01-01T10:00"}, "starts_at_local"),
        ({"starts_at_local": "2027-03-14T02:30", "timezone": "America/New_York"}, "starts_at_local"),
    ],
)
def test_invalid_sessions_are_refused_naming_the_field(
    ctx: Context, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        publish(ctx, person("mentor"), **fields)
    assert caught.value.field == field


def test_price_is_locked_and_capacity_cannot_shrink_below_bookings(ctx: Context) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor, capacity=3, price_paise=49_900)
    for _ in range(2):
        seats.book(booker=person(), session_id=session_id, client=CLIENT)

    with pytest.raises(Conflict) as price:
        publishing.update_session(
            ctx, mentor_id=mentor.user_id, session_id=session_id, changes=SessionUpdate(price_paise=59_900)
        )
    with pytest.raises(Conflict) as capacity:
        publishing.update_session(
            ctx, mentor_id=mentor.user_id, session_id=session_id, changes=SessionUpdate(capacity=1)
        )
    grown = publishing.update_session(
        ctx, mentor_id=mentor.user_id, session_id=session_id, changes=SessionUpdate(capacity=5)
    )

    assert (price.value.code, capacity.value.code) == ("price_locked", "capacity_below_booked")
    assert (grown.capacity, grown.seats_left) == (5, 3)


def test_only_the_owner_edits(ctx: Context) -> None:
    session_id = publish(ctx, person("mentor"))
    with pytest.raises(Forbidden):
        publishing.update_session(
            ctx,
            mentor_id=person("mentor").user_id,
            session_id=session_id,
            changes=SessionUpdate(title="Mine now"),
        )


def test_moving_a_session_moves_its_bookings_and_tells_the_learners(ctx: Context) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    old = session(session_id).attribute_values.copy()
    stream = Stream(ctx)

    publishing.update_session(
        ctx,
        mentor_id=mentor.user_id,
        session_id=session_id,
        changes=SessionUpdate(starts_at_local=local_in(72 * 60), timezone="Asia/Kolkata"),
    )
    new = session(session_id).attribute_values
    stream.flush()
    stream.replay()  # a redelivered batch

    booking = states.get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.session_starts_at == new["starts_at"] != old["starts_at"]
    [told] = notifications(learner.user_id)
    assert told.kind == "session_moved"
    assert "IST" in told.body  # in the learner's own time zone


# ---------------------------------------------------------------- lifecycle
def test_lifecycle_transitions_are_conditional_and_name_the_current_state(
    ctx: Context, moving_clock: Clock
) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor, hours=1)

    with pytest.raises(Conflict) as early:
        lifecycle.start_session(ctx, mentor_id=mentor.user_id, session_id=session_id)
    with pytest.raises(Conflict) as not_live:
        lifecycle.end_session(ctx, mentor_id=mentor.user_id, session_id=session_id)
    moving_clock.advance(minutes=55)
    assert lifecycle.start_session(ctx, mentor_id=mentor.user_id, session_id=session_id).status == "live"
    assert lifecycle.end_session(ctx, mentor_id=mentor.user_id, session_id=session_id).status == "completed"
    with pytest.raises(Conflict) as cancelled:
        lifecycle.cancel_session(ctx, mentor_id=mentor.user_id, session_id=session_id)

    assert early.value.code == "too_early"
    assert "scheduled" in not_live.value.message
    assert "completed" in cancelled.value.message


def test_the_sweep_starts_due_sessions_and_completes_overdue_ones(ctx: Context, moving_clock: Clock) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor, hours=1)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)

    moving_clock.advance(minutes=62)
    assert jobs.sweep(ctx).sessions_started == 1
    moving_clock.advance(hours=2)
    assert jobs.sweep(ctx).sessions_completed == 1
    reactions.on_session_changed({"status": "live"}, session(session_id).attribute_values)

    assert session(session_id).status == "completed"
    booking = states.get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "completed"
    assert aggregates.mentor_summary(mentor.user_id).sessions_taught == 1


def test_cancelling_a_session_cancels_every_booking(ctx: Context) -> None:
    mentor, first, second = person("mentor"), person(), person()
    session_id = publish(ctx, mentor, capacity=2)
    for learner in (first, second):
        seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream = Stream(ctx)

    lifecycle.cancel_session(ctx, mentor_id=mentor.user_id, session_id=session_id)
    stream.flush()

    for learner in (first, second):
        booking = states.get_booking(session_id, learner.user_id)
        assert booking is not None
        assert (booking.status, booking.cancel_reason) == ("cancelled", "session_cancelled")
        assert [n.kind for n in notifications(learner.user_id)] == ["session_cancelled"]


# ---------------------------------------------------------------- booking
def test_a_free_booking_is_confirmed_and_takes_a_seat(ctx: Context) -> None:
    session_id = publish(ctx, person("mentor"), capacity=2)
    booking, created = seats.book(booker=person(), session_id=session_id, client=CLIENT)
    assert created
    assert booking.status == "confirmed"
    assert (session(session_id).seats_left, session(session_id).booked_count) == (1, 1)


def test_the_last_seat_goes_once(ctx: Context) -> None:
    session_id = publish(ctx, person("mentor"))
    seats.book(booker=person(), session_id=session_id, client=CLIENT)
    with pytest.raises(Conflict) as caught:
        seats.book(booker=person(), session_id=session_id, client=CLIENT)
    assert caught.value.code == "session_full"
    assert session(session_id).seats_left == 0


def test_booking_twice_is_refused_and_own_sessions_cannot_be_booked(ctx: Context) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor, capacity=3)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    with pytest.raises(Conflict) as twice:
        seats.book(booker=learner, session_id=session_id, client=CLIENT)
    with pytest.raises(BadRequest) as own:
        seats.book(booker=mentor, session_id=session_id, client=CLIENT)
    assert (twice.value.code, own.value.code) == ("already_booked", "own_session")
    assert session(session_id).seats_left == 2


def test_unverified_learners_cannot_book(ctx: Context) -> None:
    session_id = publish(ctx, person("mentor"))
    with pytest.raises(Forbidden) as caught:
        seats.book(booker=person(verified=False), session_id=session_id, client=CLIENT)
    assert caught.value.code == "email_not_verified"


def test_a_paid_seat_is_held_then_expires_and_can_be_booked_again(ctx: Context, moving_clock: Clock) -> None:
    session_id = publish(ctx, person("mentor"), price_paise=49_900)
    first, second = person(), person()
    held, _ = seats.book(booker=first, session_id=session_id, client=CLIENT)
    assert held.status == "held"
    assert held.hold_expires_at

    moving_clock.advance(minutes=11)
    assert jobs.sweep(ctx).holds_expired == 1
    again, _ = seats.book(booker=second, session_id=session_id, client=CLIENT)

    assert again.status == "held"
    assert session(session_id).seats_left == 0
    expired = states.get_booking(session_id, first.user_id)
    assert expired is not None
    assert expired.status == "expired"


def test_an_expired_hold_is_released_by_the_next_booking_attempt(ctx: Context, moving_clock: Clock) -> None:
    session_id = publish(ctx, person("mentor"), price_paise=49_900)
    seats.book(booker=person(), session_id=session_id, client=CLIENT)
    moving_clock.advance(minutes=11)
    booking, _ = seats.book(booker=person(), session_id=session_id, client=CLIENT)  # no sweep ran
    assert booking.status == "held"


def test_confirm_moves_a_hold_to_confirmed_once(ctx: Context) -> None:
    learner = person()
    session_id = publish(ctx, person("mentor"), price_paise=49_900)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    booking = states.get_booking(session_id, learner.user_id)
    assert booking is not None
    assert states.confirm(booking) is True
    assert states.confirm(booking) is False


def test_learners_cancel_before_the_cut_off_only(ctx: Context) -> None:
    learner, late = person(), person()
    early_session = publish(ctx, person("mentor"), hours=48)
    soon_session = publish(ctx, person("mentor"), hours=3)
    seats.book(booker=learner, session_id=early_session, client=CLIENT)
    seats.book(booker=late, session_id=soon_session, client=CLIENT)

    assert (
        cancelling.cancel_by_learner(
            user_id=learner.user_id, session_id=early_session, cutoff_hours=24
        ).status
        == "cancelled"
    )
    with pytest.raises(Conflict) as caught:
        cancelling.cancel_by_learner(user_id=late.user_id, session_id=soon_session, cutoff_hours=24)

    assert caught.value.code == "cancellation_closed"
    assert session(early_session).seats_left == 1
    assert session(soon_session).seats_left == 0


def test_the_mentor_can_cancel_one_booking(ctx: Context) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor, hours=2)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    stream = Stream(ctx)
    with pytest.raises(Forbidden):
        cancelling.cancel_by_mentor(
            mentor_id=learner.user_id, session_id=session_id, learner_id=learner.user_id
        )
    cancelled = cancelling.cancel_by_mentor(
        mentor_id=mentor.user_id, session_id=session_id, learner_id=learner.user_id
    )
    stream.flush()
    assert cancelled.status == "cancelled"
    [told] = notifications(learner.user_id)
    assert told.kind == "session_cancelled"
    assert "cancelled by the mentor" in told.title


def test_a_cancelled_learner_can_book_again(ctx: Context) -> None:
    learner = person()
    session_id = publish(ctx, person("mentor"))
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    cancelling.cancel_by_learner(user_id=learner.user_id, session_id=session_id, cutoff_hours=24)
    booking, created = seats.book(booker=learner, session_id=session_id, client=CLIENT)
    assert created
    assert booking.status == "confirmed"


# ---------------------------------------------------------------- waitlist
def test_the_first_in_line_is_offered_a_freed_seat_and_accepts_it(ctx: Context) -> None:
    holder, first, second = person(), person(), person()
    session_id = publish(ctx, person("mentor"))
    seats.book(booker=holder, session_id=session_id, client=CLIENT)
    with pytest.raises(Conflict):
        waitlist.join_waitlist(booker=holder, session_id=session_id)
    assert waitlist.join_waitlist(booker=first, session_id=session_id).position == 1
    assert waitlist.join_waitlist(booker=second, session_id=session_id).position == 2
    stream = Stream(ctx)

    cancelling.cancel_by_learner(user_id=holder.user_id, session_id=session_id, cutoff_hours=24)
    stream.flush()  # the freed seat is offered from the booking's change, and the offer told

    offer = states.get_booking(session_id, first.user_id)
    assert offer is not None
    assert (offer.status, offer.offered_from_waitlist) == ("held", True)
    assert [n.kind for n in notifications(first.user_id)] == ["waitlist_offer"]
    state = lists.my_booking_state(user_id=second.user_id, session_id=session_id, cutoff_hours=24)
    assert state.waitlist is not None
    assert state.waitlist.position == 1
    accepted, _ = seats.book(booker=first, session_id=session_id, client=CLIENT)
    assert accepted.status == "confirmed"
    assert waitlist.offer_freed_seat(session_id) is None  # nothing free any more


def test_joining_the_waitlist_needs_a_full_session(ctx: Context) -> None:
    session_id = publish(ctx, person("mentor"), capacity=2)
    with pytest.raises(Conflict) as caught:
        waitlist.join_waitlist(booker=person(), session_id=session_id)
    assert caught.value.code == "seats_available"


# ---------------------------------------------------------------- joining
def test_the_room_opens_early_join_minutes_before_the_start(ctx: Context, moving_clock: Clock) -> None:
    mentor, learner, stranger = person("mentor"), person(), person()
    session_id = publish(ctx, mentor, hours=1, early_join_minutes=10)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)

    before = room.join(user_id=learner.user_id, role="learner", session_id=session_id)
    with pytest.raises(Forbidden):
        room.join(user_id=stranger.user_id, role="learner", session_id=session_id)
    moving_clock.advance(minutes=52)
    now_open = room.join(user_id=learner.user_id, role="learner", session_id=session_id)
    mentor_view = room.join(user_id=mentor.user_id, role="mentor", session_id=session_id)

    assert before.can_join is False
    assert before.reason is not None
    assert "opens" in before.reason
    assert now_open.can_join is True
    assert now_open.room is not None
    assert now_open.room.role == "learner"
    assert mentor_view.room is not None
    assert mentor_view.room.role == "mentor"


# ---------------------------------------------------------------- discovery
def test_discovery_filters_and_sorts(ctx: Context) -> None:
    mentor, other = person("mentor"), person("mentor")
    python_free = publish(ctx, mentor, hours=30, tags=["Python"], price_paise=0, level="beginner")
    rust_paid = publish(
        ctx, other, hours=20, tags=["Rust"], price_paise=99_900, language="Hindi", title="Rust ownership"
    )
    go_cheap = publish(
        ctx, other, hours=40, tags=["Go"], price_paise=4_900, level="advanced", title="Go concurrency"
    )

    def ids(**filters: Any) -> list[str]:
        return [s.id for s in discovery.discover(ctx, DiscoveryQuery(**filters)).items]

    assert ids() == [rust_paid, python_free, go_cheap]
    assert ids(tag="python") == [python_free]
    assert ids(free=True) == [python_free]
    assert ids(sort="price") == [python_free, go_cheap, rust_paid]
    assert ids(sort="price", min_price=4_900, max_price=50_000) == [go_cheap]
    assert ids(language="hindi") == [rust_paid]
    assert ids(level="advanced") == [go_cheap]
    assert ids(mentor=other.user_id) == [rust_paid, go_cheap]
    assert ids(q="ownership") == [rust_paid]
    assert ids(q="concurrency go") == [go_cheap]


def test_discovery_paginates_with_a_cursor(ctx: Context) -> None:
    mentor = person("mentor")
    published = [publish(ctx, mentor, hours=20 + n) for n in range(5)]
    first = discovery.discover(ctx, DiscoveryQuery(limit=2))
    second = discovery.discover(ctx, DiscoveryQuery(limit=2, cursor=first.next_cursor))
    third = discovery.discover(ctx, DiscoveryQuery(limit=2, cursor=second.next_cursor))
    seen = [s.id for page in (first, second, third) for s in page.items]
    assert seen == published
    with pytest.raises(BadRequest):
        discovery.discover(ctx, DiscoveryQuery(cursor="not-a-cursor"))


def test_a_discovered_card_shows_everything_the_session_page_shows(ctx: Context) -> None:
    """Discovery reads only the attributes its cards show: one left out would show its default."""
    mentor, learner = person("mentor"), person()
    session_id = publish(
        ctx, mentor, description="Bring code.", capacity=3, early_join_minutes=5, tags=["Python", "Go"]
    )
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    MentorStatsItem(user_pk(mentor.user_id), STATS_SK, rating_sum=9, rating_count=2, sessions_taught=3).save()
    SessionItem(session_pk(session_id), "SESSION").update(
        actions=[SessionItem.rating_sum.set(4), SessionItem.rating_count.set(1)]
    )

    [card] = discovery.discover(ctx, DiscoveryQuery()).items

    assert card == reading.get_session(ctx, session_id)
    assert (card.description, card.tags, card.early_join_minutes) == ("Bring code.", ["Python", "Go"], 5)
    assert (card.capacity, card.seats_left, card.booked_count, card.rating_average) == (3, 2, 1, 4.0)
    assert (card.mentor.headline, card.mentor.rating_average, card.mentor.sessions_taught) == (
        "Teaches things",
        4.5,
        3,
    )


@pytest.mark.parametrize("order", ["soonest", "price", "rating", "popularity", "mentor"])
def test_every_discovery_order_pages_through_filtered_sessions_once_each(ctx: Context, order: str) -> None:
    # Pages of two under a filter that skips every third session: a page ends inside a Query page,
    # so its cursor is made from the last session shown (whose keys the page must have read).
    mentor = person("mentor")
    published = [
        publish(
            ctx, mentor, hours=20 + n, price_paise=4_900 + 100 * n, tags=["Go" if n % 3 == 1 else "Python"]
        )
        for n in range(7)
    ]
    where: dict[str, Any] = {"mentor": mentor.user_id} if order == "mentor" else {"sort": order}
    seen: list[str] = []
    cursor = None
    for _ in range(len(published)):
        page = discovery.discover(ctx, DiscoveryQuery(tag="Python", limit=2, cursor=cursor, **where))
        seen += [s.id for s in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert sorted(seen) == sorted(s for n, s in enumerate(published) if n % 3 != 1)
    assert len(seen) == len(set(seen))


def test_cancelled_and_started_sessions_leave_discovery(ctx: Context) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor)
    lifecycle.cancel_session(ctx, mentor_id=mentor.user_id, session_id=session_id)
    assert discovery.discover(ctx, DiscoveryQuery()).items == []
    assert session(session_id).open is None


# ---------------------------------------------------------------- feedback
def _attended(ctx: Context, moving_clock: Clock) -> tuple[Any, Any, str]:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor, hours=1, capacity=2)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    moving_clock.advance(minutes=55)
    lifecycle.start_session(ctx, mentor_id=mentor.user_id, session_id=session_id)
    lifecycle.end_session(ctx, mentor_id=mentor.user_id, session_id=session_id)
    reactions.on_session_changed({"status": "live"}, session(session_id).attribute_values)
    return mentor, learner, session_id


def test_a_session_ended_early_is_listed_under_past_bookings(ctx: Context, moving_clock: Clock) -> None:
    _mentor, learner, _session_id = _attended(ctx, moving_clock)  # started and ended before its start time
    upcoming = lists.my_bookings(user_id=learner.user_id, when="upcoming", limit=10, cursor=None)
    past = lists.my_bookings(user_id=learner.user_id, when="past", limit=10, cursor=None)
    assert upcoming.items == []
    assert [b.status for b in past.items] == ["completed"]


def test_only_attendees_rate_once_and_the_mentor_replies_once(ctx: Context, moving_clock: Clock) -> None:
    mentor, learner, session_id = _attended(ctx, moving_clock)
    with pytest.raises(Forbidden):
        feedback.create_review(
            user_id=person().user_id, name="X", session_id=session_id, request=ReviewCreate(rating=1)
        )

    review = feedback.create_review(
        user_id=learner.user_id,
        name=learner.name,
        session_id=session_id,
        request=ReviewCreate(rating=4, text="Good"),
    )
    with pytest.raises(Conflict) as again:
        feedback.create_review(
            user_id=learner.user_id,
            name=learner.name,
            session_id=session_id,
            request=ReviewCreate(rating=5),
        )
    replied = feedback.reply(
        mentor_id=mentor.user_id,
        session_id=session_id,
        learner_id=learner.user_id,
        request=ReplyCreate(text="Thanks!"),
    )
    with pytest.raises(Conflict) as twice:
        feedback.reply(
            mentor_id=mentor.user_id,
            session_id=session_id,
            learner_id=learner.user_id,
            request=ReplyCreate(text="Again"),
        )

    assert review.rating == 4
    assert again.value.code == "already_reviewed"
    assert replied.reply is not None
    assert twice.value.code == "already_replied"


def test_reviews_are_editable_for_seven_days(ctx: Context, moving_clock: Clock) -> None:
    _mentor, learner, session_id = _attended(ctx, moving_clock)
    feedback.create_review(
        user_id=learner.user_id, name=learner.name, session_id=session_id, request=ReviewCreate(rating=3)
    )
    edited = feedback.edit_review(
        user_id=learner.user_id, session_id=session_id, request=ReviewEdit(rating=5)
    )
    moving_clock.advance(days=8)
    with pytest.raises(Conflict) as caught:
        feedback.edit_review(user_id=learner.user_id, session_id=session_id, request=ReviewEdit(rating=1))
    assert edited.rating == 5
    assert caught.value.code == "edit_window_closed"


def test_the_mentor_marks_a_no_show_after_the_session(ctx: Context, moving_clock: Clock) -> None:
    mentor, learner, session_id = _attended(ctx, moving_clock)
    with pytest.raises(Forbidden):
        cancelling.mark_no_show(mentor_id=learner.user_id, session_id=session_id, learner_id=learner.user_id)

    marked = cancelling.mark_no_show(
        mentor_id=mentor.user_id, session_id=session_id, learner_id=learner.user_id
    )
    with pytest.raises(Conflict):
        cancelling.mark_no_show(mentor_id=mentor.user_id, session_id=session_id, learner_id=learner.user_id)

    assert marked.status == "no_show"
    with pytest.raises(Forbidden):  # a no-show can't rate the session
        feedback.create_review(
            user_id=learner.user_id, name="L", session_id=session_id, request=ReviewCreate(rating=5)
        )


def test_no_shows_are_only_marked_once_a_session_has_ended(ctx: Context) -> None:
    mentor, learner = person("mentor"), person()
    session_id = publish(ctx, mentor)
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    with pytest.raises(Conflict) as caught:
        cancelling.mark_no_show(mentor_id=mentor.user_id, session_id=session_id, learner_id=learner.user_id)
    assert "scheduled" in caught.value.message


def test_rating_aggregates_count_each_change_once(ctx: Context) -> None:
    mentor = person("mentor")
    session_id = publish(ctx, mentor)
    change = {"session_id": session_id, "learner_id": "L1", "mentor_id": mentor.user_id}

    assert aggregates.apply_review_change(**change, old=None, new=4, version=1, event="INSERT")
    assert not aggregates.apply_review_change(**change, old=None, new=4, version=1, event="INSERT")  # replay
    assert aggregates.apply_review_change(**change, old=4, new=2, version=2, event="MODIFY")
    assert aggregates.apply_review_change(
        **{**change, "learner_id": "L2"}, old=None, new=5, version=1, event="INSERT"
    )

    stats = aggregates.mentor_summary(mentor.user_id)
    item = session(session_id)
    assert (stats.rating_count, stats.rating_average) == (2, 3.5)
    assert stats.rating_distribution == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert (item.rating_sum, item.rating_count, item.mentor_rating) == (7, 2, 350)
    card = reading.get_session(ctx, session_id).mentor  # read back in a batch with the mentor's profile
    assert (card.rating_average, card.rating_count) == (3.5, 2)
    assert session_pk(session_id) == item.pk


# ---------------------------------------------------------------- who may take a seat
@pytest.mark.parametrize(
    "take",
    [
        lambda booker, session_id: seats.book(booker=booker, session_id=session_id, client=CLIENT),
        lambda booker, session_id: waitlist.join_waitlist(booker=booker, session_id=session_id),
    ],
    ids=["book", "waitlist"],
)
def test_admins_take_no_seat_by_booking_or_through_the_waitlist(ctx: Context, take: Any) -> None:
    session_id = publish(ctx, person("mentor"))
    seats.book(booker=person(), session_id=session_id, client=CLIENT)  # full: the waitlist is open

    admin = person("admin")

    with pytest.raises(Forbidden) as caught:
        take(admin, session_id)

    assert caught.value.code == "admins_cannot_book"
    assert (
        lists.my_booking_state(user_id=admin.user_id, session_id=session_id, cutoff_hours=24).waitlist is None
    )


def test_a_freed_seat_booked_before_its_offer_keeps_the_first_in_line_waiting(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder, first, quicker = person(), person(), person()
    session_id = publish(ctx, person("mentor"))
    seats.book(booker=holder, session_id=session_id, client=CLIENT)
    waitlist.join_waitlist(booker=first, session_id=session_id)
    cancelling.cancel_by_learner(user_id=holder.user_id, session_id=session_id, cutoff_hours=24)
    read_before = lookup.get_session_item(session_id, consistent=True)  # the offer's read: one seat free

    seats.book(booker=quicker, session_id=session_id, client=CLIENT)  # takes it before the offer's write
    monkeypatch.setattr(waitlist, "get_session_item", lambda *_args, **_kw: read_before)
    offered_to = waitlist.offer_freed_seat(session_id)

    assert offered_to is None
    assert waitlist.position(session_id, first.user_id) is not None
