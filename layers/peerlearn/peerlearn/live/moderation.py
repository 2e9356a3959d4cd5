"""The mentor's hand on the room: admitting from the waiting room, removing someone for good."""

from __future__ import annotations

import logging

from peerlearn import store, timeutil
from peerlearn.catalog import flags
from peerlearn.catalog.schemas import MAX_CAPACITY
from peerlearn.errors import Conflict, NotFound
from peerlearn.live import attendance, fanout, presence, room, sockets
from peerlearn.live.access import get_participant
from peerlearn.store.models import ParticipantItem

logger = logging.getLogger(__name__)

# The media is a mesh: each person uploads a stream to every other one (N - 1 each). Eight people in
# the call (the mentor and the catalog's most seats) is what a home uplink and a laptop carry with the
# room page's per-peer caps; docs/rooms.md has the reasoning. Every booked learner always fits.
ROOM_CAPACITY = 1 + MAX_CAPACITY


def admit(session_id: str, user_id: str | None) -> list[str]:
    """Admits one waiting learner, or all of them (`user_id` None); returns whom. Each admitted one
    gets `admitted` then a `welcome`; everyone gets `presence`."""
    people = fanout.participants(session_id)
    waiting = sorted(
        (p for p in people if p.status == "waiting" and (user_id is None or p.user_id == user_id)),
        key=lambda p: p.knocked_at or "",
    )
    if user_id is not None and not waiting:
        raise NotFound("Nobody by that id is waiting.", code="not_waiting")
    seats = ROOM_CAPACITY - sum(1 for p in people if p.status == "admitted")
    if waiting and seats <= 0:
        raise Conflict(f"The room is full: {ROOM_CAPACITY} people at most.", code="room_full")
    waiting = waiting[:seats]  # admit all: as many as fit, in order of arrival
    admitted: list[str] = []
    for person in waiting:
        try:
            with store.failed_condition_raises(Conflict("moved on")):
                person.update(
                    actions=[
                        ParticipantItem.status.set("admitted"),
                        ParticipantItem.admitted_at.set(timeutil.now_iso()),
                    ],
                    condition=ParticipantItem.status == "waiting",
                )
        except Conflict:
            continue
        admitted.append(person.user_id)
        if person.connection_id is not None:
            presence.open_stay(person)
            if sockets.post(person.connection_id, {"type": "admitted"}):
                sockets.post(person.connection_id, room.welcome(person))
    if admitted:
        logger.info("admitted", extra={"session_id": session_id, "count": len(admitted)})
        presence.broadcast_presence(session_id)
    return admitted


def remove(session_id: str, user_id: str) -> None:
    """Removes a learner for good: told `removed`, disconnected, and refused tickets and `$connect`s."""
    for _ in range(3):
        person = get_participant(session_id, user_id)
        if person is None or person.status == "removed":
            raise NotFound("Nobody by that id is in this room.", code="not_in_room")
        if person.room_role != "learner":
            raise Conflict("Only learners can be removed.", code="not_removable")
        connection_id, stay = person.connection_id, person.attendance_sk
        same_connection = (
            ParticipantItem.connection_id.does_not_exist()
            if connection_id is None
            else ParticipantItem.connection_id == connection_id
        )
        try:
            with store.failed_condition_raises(Conflict("moved on")):
                person.update(
                    actions=[
                        ParticipantItem.status.set("removed"),
                        ParticipantItem.connection_id.remove(),
                        ParticipantItem.attendance_sk.remove(),
                        ParticipantItem.hand_at.remove(),
                        ParticipantItem.last_seen_at.set(timeutil.now_iso()),
                    ],
                    condition=same_connection,
                )
        except Conflict:
            continue  # they reconnected at this moment: remove the new connection instead
        break
    else:
        raise Conflict("The participant is reconnecting; try again.", code="changed_meanwhile")
    attendance.close_stay(session_id, stay)
    if connection_id is not None:
        item = sockets.get_connection(connection_id)
        if item is not None:
            item.delete()
        sockets.post(connection_id, {"type": "removed"})
        sockets.close(connection_id)
    logger.info("participant removed", extra={"session_id": session_id, "user_id": user_id})
    flags.raise_flag(session_id, "learner_removed", f"The mentor removed learner {user_id} from the room.")
    presence.broadcast_presence(session_id)
