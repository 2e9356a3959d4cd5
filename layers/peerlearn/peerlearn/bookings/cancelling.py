"""Cancelling bookings (the learner before the cut-off, the mentor any time) and marking no-shows."""

from __future__ import annotations

from peerlearn import clock, timeutil
from peerlearn.bookings.schemas import BookingOut, CancellationPolicy
from peerlearn.bookings.states import LIVE_STATES, get_booking, to_out, transition
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Conflict, Forbidden, NotFound
from peerlearn.store.models import BookingItem, SessionItem

NO_SHOW_WINDOW_SECONDS = 7 * 86400


def policy(session: SessionItem, cutoff_hours: int) -> CancellationPolicy:
    until = timeutil.iso_from_epoch(timeutil.epoch(session.starts_at) - cutoff_hours * 3600)
    return CancellationPolicy(
        cutoff_hours=cutoff_hours,
        cancellable_until=until,
        summary=f"Cancel up to {cutoff_hours} hours before the start and your seat goes back to others "
        "(paid bookings are refunded in full). After that, bookings can't be cancelled.",
    )


def _cancel(booking: BookingItem, *, reason: str) -> BookingOut:
    """A live booking -> cancelled, giving the seat back (the stream then offers it to the waitlist)."""
    if not transition(
        booking,
        allowed_from=LIVE_STATES,
        to="cancelled",
        release_seat=True,
        extra=[BookingItem.cancelled_at.set(timeutil.now_iso()), BookingItem.cancel_reason.set(reason)],
    ):
        raise Conflict("This booking changed meanwhile; reload.", code="changed_meanwhile")
    booking.refresh(consistent_read=True)
    return to_out(booking)


def cancel_by_learner(*, user_id: str, session_id: str, cutoff_hours: int) -> BookingOut:
    booking = get_booking(session_id, user_id)
    if booking is None or booking.status not in LIVE_STATES:
        raise NotFound("You have no booking for this session.")
    session = get_session_item(session_id)
    deadline = timeutil.epoch(session.starts_at) - cutoff_hours * 3600
    if booking.status == "confirmed" and clock.now_seconds() > deadline:
        raise Conflict(
            f"Bookings can be cancelled up to {cutoff_hours} hours before the start.",
            code="cancellation_closed",
        )
    return _cancel(booking, reason="learner")


def cancel_by_mentor(*, mentor_id: str, session_id: str, learner_id: str) -> BookingOut:
    session = get_session_item(session_id)
    if session.mentor_id != mentor_id:
        raise Forbidden("Only the session's mentor can cancel its bookings.")
    booking = get_booking(session_id, learner_id)
    if booking is None or booking.status not in LIVE_STATES:
        raise NotFound("This learner has no booking for this session.")
    return _cancel(booking, reason="mentor")  # the booking's change tells the learner (peerlearn.notices)


def cancel_for_closed_account(booking: BookingItem) -> BookingOut:
    """A live booking of a learner who deleted their account: cancelled whatever the cut-off (they
    can't come), refunded in full by the stream like any cancellation of a confirmed booking."""
    return _cancel(booking, reason="account_deleted")


def mark_no_show(*, mentor_id: str, session_id: str, learner_id: str) -> BookingOut:
    """completed -> no_show, by the mentor, within 7 days of the end (until the room records attendance)."""
    session = get_session_item(session_id)
    if session.mentor_id != mentor_id:
        raise Forbidden("Only the session's mentor can mark who didn't come.")
    if session.status != "completed":
        raise Conflict(
            f"This session is {session.status}; no-shows are marked after it ends.", code="invalid_transition"
        )
    if clock.now_seconds() > timeutil.epoch(session.completed_at or session.ends_at) + NO_SHOW_WINDOW_SECONDS:
        raise Conflict("No-shows can be marked for 7 days after the session.", code="no_show_window_closed")
    booking = get_booking(session_id, learner_id)
    if booking is None or not transition(booking, allowed_from=["completed"], to="no_show"):
        raise Conflict(
            "Only an attended (completed) booking can be marked as a no-show.", code="invalid_transition"
        )
    booking.refresh(consistent_read=True)
    return to_out(booking)
