"""What follows a change to a session, run by the stream consumer (peerlearn.events; idempotent, batch-safe):
cancelled -> every live booking cancelled and the learners told; completed -> bookings completed and
the mentor's sessions-taught count; moved -> bookings carry the new time and learners are told.
"""

from __future__ import annotations

import logging
from typing import Any

from peerlearn import timeutil
from peerlearn.bookings.states import LIVE_STATES, transition
from peerlearn.feedback.aggregates import count_session_taught
from peerlearn.notify import inbox
from peerlearn.notify.deliver import push_newest
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


_CANCELLED_BODY: dict[str | None, str] = {
    None: "The mentor cancelled this session. Any payment is refunded in full.",
    "mentor_no_show": "The mentor didn't open the room within 15 minutes of the start, so the session is "
    "cancelled. Any payment is refunded in full.",
}


def _cancelled(session_id: str, new: dict[str, Any]) -> None:
    for booking in _bookings(session_id, LIVE_STATES):
        if transition(
            booking,
            allowed_from=LIVE_STATES,
            to="cancelled",
            extra=[
                BookingItem.cancelled_at.set(timeutil.now_iso()),
                BookingItem.cancel_reason.set("session_cancelled"),
            ],
        ):
            inbox.notify(
                booking.learner_id,
                kind="session_cancelled",
                title=f"“{new['title']}” was cancelled",
                body=_CANCELLED_BODY.get(str(new.get("cancel_reason")), _CANCELLED_BODY[None]),
                link=f"/sessions/{session_id}",
                dedupe_key=f"cancelled#{session_id}",
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
    moved = new.get("starts_at") != old.get("starts_at")
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
        if moved and inbox.notify(
            booking.learner_id,
            kind="session_moved",
            title=f"“{new['title']}” has a new time",
            body=f"It now starts at {new['starts_at']} (UTC). Can't make it? Cancel in My bookings.",
            link=f"/sessions/{session_id}",
            dedupe_key=f"moved#{session_id}#{new['starts_at']}",
        ):
            # Temporary (CHANNEL branch): live to the learner's open tabs until EVENTS moves this
            # notice to notify.deliver, which pushes.
            push_newest(booking.learner_id)
