"""Joining the room: who may enter a session's live call, and from when."""

from __future__ import annotations

from peerlearn import clock, timeutil
from peerlearn.bookings.schemas import JoinAnswer, Room
from peerlearn.bookings.states import get_booking
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Forbidden


def join(*, user_id: str, role: str, session_id: str) -> JoinAnswer:
    session = get_session_item(session_id)
    opens = timeutil.epoch(session.starts_at) - int(session.early_join_minutes) * 60
    opens_at, closes_at = timeutil.iso_from_epoch(opens), session.ends_at
    now = clock.now_seconds()

    def answer(reason: str | None, room_role: str | None = None) -> JoinAnswer:
        room = Room(session_id=session.id, role=room_role, title=session.title) if room_role else None
        return JoinAnswer(
            can_join=room is not None, opens_at=opens_at, closes_at=closes_at, reason=reason, room=room
        )

    if session.mentor_id == user_id:
        who = "mentor"
    elif role == "admin":
        who = "observer"
    else:
        booking = get_booking(session_id, user_id)
        if booking is None or booking.status != "confirmed":
            raise Forbidden(
                "Only the mentor and learners with a confirmed booking can join.", code="not_booked"
            )
        who = "learner"
    if session.status in ("cancelled", "completed"):
        return answer(f"This session is {session.status}.")
    if now < opens and session.status != "live":
        return answer(f"The room opens at {opens_at}.")
    if now > timeutil.epoch(session.ends_at) and session.status != "live":
        return answer("This session has ended.")
    return answer(None, who)
