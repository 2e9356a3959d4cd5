"""Who may see what a room kept (recordings, chat files): its participants and nobody else.

The mentor, the learners whose booking was confirmed (or completed: the session is over), and admins
(who observe). A cancelled, expired or no-show booking is not a seat in the room.
"""

from __future__ import annotations

from typing import Literal

from peerlearn.bookings.states import get_booking
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Forbidden
from peerlearn.store.models import SessionItem

RoomRole = Literal["mentor", "learner", "observer"]
SEATED_STATES = ("confirmed", "completed")


def room_role(session: SessionItem, user_id: str, role: str) -> RoomRole | None:
    if session.mentor_id == user_id:
        return "mentor"
    if role == "admin":
        return "observer"
    booking = get_booking(session.id, user_id)
    if booking is not None and booking.status in SEATED_STATES:
        return "learner"
    return None


def require_participant(session_id: str, user_id: str, role: str) -> tuple[SessionItem, RoomRole]:
    """The session and the caller's place in its room; Forbidden (403) for anyone else."""
    session = get_session_item(session_id)
    found = room_role(session, user_id, role)
    if found is None:
        raise Forbidden(
            "Only the session's mentor and its booked learners can see this.", code="not_a_participant"
        )
    return session, found


def require_mentor(session_id: str, user_id: str) -> SessionItem:
    session = get_session_item(session_id, consistent=True)
    if session.mentor_id != user_id:
        raise Forbidden("Only the session's mentor can record it.", code="not_the_mentor")
    return session
