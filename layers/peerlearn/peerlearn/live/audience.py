"""Who may see what a room kept (recordings, chat files): its participants and nobody else.

The room's own rule (`live.access.room_role` with `past=True`): the mentor, the learners whose
booking was confirmed (or completed: the session is over), and admins (who observe). A cancelled,
expired or no-show booking is not a seat in the room.
"""

from __future__ import annotations

from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Forbidden
from peerlearn.live.access import RoomRole, room_role
from peerlearn.store.models import SessionItem


def require_participant(session_id: str, user_id: str, role: str) -> tuple[SessionItem, RoomRole]:
    """The session and the caller's place in its room; Forbidden (403) for anyone else."""
    session = get_session_item(session_id)
    try:
        return session, room_role(session, user_id, role, past=True)
    except Forbidden as exc:
        raise Forbidden(
            "Only the session's mentor and its booked learners can see this.", code="not_a_participant"
        ) from exc


def require_mentor(session_id: str, user_id: str) -> SessionItem:
    session = get_session_item(session_id, consistent=True)
    if session.mentor_id != user_id:
        raise Forbidden("Only the session's mentor can record it.", code="not_the_mentor")
    return session
