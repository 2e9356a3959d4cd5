"""What follows a change to a session, run by the stream consumer (peerlearn.events; idempotent, batch-safe):
cancelled -> every live booking cancelled; completed -> bookings completed and the mentor's
sessions-taught count; moved -> bookings carry the new time. The learners are told by
peerlearn.notices, from the session's and the bookings' own changes.
"""

from __future__ import annotations

import logging
from typing import Any

from peerlearn import timeutil
from peerlearn.bookings.states import LIVE_STATES, transition
from peerlearn.feedback.aggregates import count_session_taught
from peerlearn.store.keys import BOOKING_PREFIX, WAITLIST_PREFIX, session_pk
from peerlearn.store.models import BookingItem, WaitlistItem

logger = logging.getLogger(__name__)


def _bookings(session_id: str, states: tuple[str, ...]) -> list[BookingItem]:
    return list(
        BookingItem.query(
            session_pk(session_id),
            BookingItem.sk.startswith(BOOKING_PREFIX),
            filter_condition=BookingItem.status.is_in(*states),
        )
    )


def on_session_changed(old: dict[str, Any], new: dict[str, Any]) -> None:
    session_id = str(new["id"])
    if new.get("status") == "cancelled" and old.get("status") != "cancelled":
        _cancelled(session_id, new)
    if new.get("status") == "completed" and old.get("status") != "completed":
        _completed(session_id, new)
    if new.get("status") == "scheduled" and (
        new.get("starts_at") != old.get("starts_at") or new.get("title") != old.get("title")
    ):
        _moved_or_renamed(session_id, old, new)


def _cancelled(session_id: str, new: dict[str, Any]) -> None:
    for booking in _bookings(session_id, LIVE_STATES):
        transition(  # each booking's change tells its learner (peerlearn.notices)
            booking,
            allowed_from=LIVE_STATES,
            to="cancelled",
            extra=[
                BookingItem.cancelled_at.set(timeutil.now_iso()),
                BookingItem.cancel_reason.set("session_cancelled"),
            ],
        )
    for entry in WaitlistItem.query(session_pk(session_id), WaitlistItem.sk.startswith(WAITLIST_PREFIX)):
        entry.delete()
    logger.info("bookings of a cancelled session cancelled", extra={"session_id": session_id})


def _completed(session_id: str, new: dict[str, Any]) -> None:
    # Listed by when the session really ended, so one ended early is under "past" at once.
    ended = min(str(new.get("completed_at") or new["ends_at"]), str(new["starts_at"]))
    past = [BookingItem.gsi2sk.set(f"{ended}#{session_id}")]
    for booking in _bookings(session_id, LIVE_STATES):
        if booking.status == "confirmed":
            transition(booking, allowed_from=["confirmed"], to="completed", extra=past)
        else:  # an unpaid hold at the end: it never became a seat
            transition(booking, allowed_from=["held"], to="expired", extra=past)
    count_session_taught(session_id=session_id, mentor_id=str(new["mentor_id"]))


def _moved_or_renamed(session_id: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    for booking in _bookings(session_id, LIVE_STATES):
        booking.update(
            actions=[
                BookingItem.session_title.set(new["title"]),
                BookingItem.session_starts_at.set(new["starts_at"]),
                BookingItem.session_ends_at.set(new["ends_at"]),
                BookingItem.gsi2sk.set(f"{new['starts_at']}#{session_id}"),
            ],
            condition=BookingItem.pk.exists(),
        )
