"""What a learner and a mentor see: my booking state for a session, my bookings, who booked."""

from __future__ import annotations

from peerlearn import clock, timeutil
from peerlearn.adapters.objects import avatar_url
from peerlearn.bookings.cancelling import policy
from peerlearn.bookings.schemas import Attendee, AttendeeList, BookingPage, MyBookingState
from peerlearn.bookings.states import expire_hold, get_booking, hold_expired, to_out
from peerlearn.bookings.waitlist import position
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Forbidden
from peerlearn.store import paging
from peerlearn.store.keys import BOOKING_PREFIX, USER_PROFILE_SK, learner_bookings_pk, session_pk, user_pk
from peerlearn.store.models import BaseItem, BookingItem, UserItem


def my_booking_state(*, user_id: str, session_id: str, cutoff_hours: int) -> MyBookingState:
    session = get_session_item(session_id)
    booking = get_booking(session_id, user_id)
    if booking is not None and hold_expired(booking, clock.now_seconds()):
        expire_hold(booking)
        booking = get_booking(session_id, user_id)
    return MyBookingState(
        booking=to_out(booking) if booking else None,
        waitlist=position(session_id, user_id),
        cancellation_policy=policy(session, cutoff_hours),
    )


def my_bookings(*, user_id: str, when: str, limit: int, cursor: str | None) -> BookingPage:
    items, next_cursor = paging.timeline_page(
        BookingItem.by_learner,
        learner_bookings_pk(user_id),
        BookingItem.gsi2sk,
        when=when,
        now_iso=timeutil.now_iso(),
        limit=limit,
        cursor=cursor,
    )
    now_seconds = clock.now_seconds()
    for item in items:
        if hold_expired(item, now_seconds) and expire_hold(item, now_seconds):
            item.refresh(consistent_read=True)
    return BookingPage(items=[to_out(i) for i in items], next_cursor=next_cursor)


def attendees(*, user_id: str, role: str, session_id: str, media_base_url: str) -> AttendeeList:
    session = get_session_item(session_id)
    if session.mentor_id != user_id and role != "admin":
        raise Forbidden("Only the session's mentor can see who booked.")
    bookings = list(BookingItem.query(session_pk(session_id), BookingItem.sk.startswith(BOOKING_PREFIX)))
    users = {
        u.id: u
        for u in BaseItem.batch_get([(user_pk(b.learner_id), USER_PROFILE_SK) for b in bookings])
        if isinstance(u, UserItem)
    }
    return AttendeeList(
        items=[
            _attendee(b, users.get(b.learner_id), media_base_url)
            for b in sorted(bookings, key=lambda b: b.created_at)
        ]
    )


def _attendee(booking: BookingItem, user: UserItem | None, media_base_url: str) -> Attendee:
    """The learner's current name and picture from their profile (a booking may carry no name)."""
    return Attendee(
        learner_id=booking.learner_id,
        name=user.name if user else booking.learner_name or "Former learner",
        avatar_url=avatar_url(user.avatar_key, media_base_url) if user else None,
        status=booking.status,
        booked_at=booking.created_at,
    )
