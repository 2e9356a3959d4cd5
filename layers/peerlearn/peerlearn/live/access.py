"""Who may be in a session's room, in which role, and when the room takes people."""

from __future__ import annotations

from typing import Literal

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, timeutil
from peerlearn.accounts.lookups import get_user
from peerlearn.bookings.states import get_booking
from peerlearn.errors import Conflict, Forbidden, NotFound
from peerlearn.store.keys import ROOM_STATE_SK, peer_sk, room_pk
from peerlearn.store.models import ParticipantItem, RoomStateItem, SessionItem, UserItem

RoomRole = Literal["mentor", "learner", "observer"]

# The waiting room takes people from an hour before the start, and the room until a quarter of an
# hour after the booked end (plus the mentor's extension).
WAITING_ROOM_MINUTES = 60
AFTER_END_MINUTES = 15


def room_role(session: SessionItem, user_id: str, user_role: str, *, past: bool = False) -> RoomRole:
    """The mentor, an admin (an observer), or a learner with a confirmed booking (`past`: or one whose
    booking the session's completion completed); Forbidden `not_booked` for anyone else."""
    if session.mentor_id == user_id:
        return "mentor"
    if user_role == "admin":
        return "observer"
    booking = get_booking(session.id, user_id)
    allowed = {"confirmed", "completed"} if past else {"confirmed"}
    if booking is None or booking.status not in allowed:
        raise Forbidden("Only the mentor and learners with a confirmed booking can join.", code="not_booked")
    return "learner"


def get_participant(session_id: str, user_id: str) -> ParticipantItem | None:
    try:
        return ParticipantItem.get(room_pk(session_id), peer_sk(user_id), consistent_read=True)
    except DoesNotExist:
        return None


def get_state(session_id: str) -> RoomStateItem | None:
    try:
        return RoomStateItem.get(room_pk(session_id), ROOM_STATE_SK, consistent_read=True)
    except DoesNotExist:
        return None


def require_not_barred(session_id: str, user_id: str) -> UserItem:
    """A banned user, or one the mentor removed from this room, may not enter it (again)."""
    try:
        user = get_user(user_id, consistent=True)
    except NotFound as exc:
        raise Forbidden("This account no longer exists.", code="banned") from exc
    if user.banned or user.deactivated:
        raise Forbidden("This account has been suspended.", code="banned")
    participant = get_participant(session_id, user_id)
    if participant is not None and participant.status == "removed":
        raise Forbidden("The mentor removed you from this session.", code="removed")
    return user


def require_room_takes_people(
    session: SessionItem, state: RoomStateItem | None, now: int | None = None
) -> None:
    """Conflict `room_closed` for a cancelled or completed session, an ended room, or outside
    [start - 60 min, end + 15 min + extension]."""
    now = clock.now_seconds() if now is None else now
    if session.status in ("cancelled", "completed") or (state is not None and state.ended_at):
        raise Conflict(
            f"This session is {session.status if session.status != 'live' else 'over'}.", code="room_closed"
        )
    opens = timeutil.epoch(session.starts_at) - WAITING_ROOM_MINUTES * 60
    ends_at = state.ends_at if state is not None else session.ends_at
    closes = timeutil.epoch(ends_at) + AFTER_END_MINUTES * 60
    if now < opens:
        raise Conflict(f"The waiting room opens at {timeutil.iso_from_epoch(opens)}.", code="room_closed")
    if now > closes:
        raise Conflict("This session has ended.", code="room_closed")
