"""Ending a room: one function for the mentor's `end` message and `POST /api/sessions/{id}/end`.

The session is completed (the stream then completes its bookings), everyone still connected is told
`ended` and disconnected, and every open attendance record is closed.
"""

from __future__ import annotations

import logging

from peerlearn import store, timeutil
from peerlearn.catalog import lifecycle
from peerlearn.catalog.reading import get_session
from peerlearn.catalog.schemas import SessionOut
from peerlearn.context import Context
from peerlearn.errors import Conflict
from peerlearn.live import attendance, fanout, sockets
from peerlearn.live.access import get_state
from peerlearn.store.models import ParticipantItem, RoomStateItem, SessionItem

logger = logging.getLogger(__name__)


def end_room(*, mentor_id: str, session_id: str) -> None:
    """Forbidden for anyone but the mentor; Conflict for a session that never started (or was
    cancelled). Ending twice changes nothing the second time."""
    session = lifecycle.owned(session_id, mentor_id)
    if session.status == "live":
        lifecycle.complete(session)
    elif session.status != "completed":
        raise lifecycle.invalid_transition(session, "ended")
    close_room(session)


def close_room(session: SessionItem, *, by: str = "mentor") -> None:
    """The room part of ending (also for a session the jobs function completed on time): marks the
    room ended, tells everyone still connected (`by`: mentor | admin | schedule, so the room can say
    who), disconnects them and closes their attendance."""
    session_id = session.id
    state = get_state(session_id)
    if state is None:
        return  # nobody ever entered the room
    if not state.ended_at:
        try:
            with store.failed_condition_raises(Conflict("ended meanwhile")):
                state.update(
                    actions=[
                        RoomStateItem.ended_at.set(timeutil.now_iso()),
                        RoomStateItem.recording.set(False),
                    ],
                    condition=RoomStateItem.ended_at.does_not_exist(),
                )
        except Conflict:
            pass
    people = fanout.participants(session_id)
    fanout.broadcast(
        session_id, {"type": "ended", "session_id": session_id, "by": by}, admitted_only=False, people=people
    )
    for person in people:
        connection_id, stay = person.connection_id, person.attendance_sk
        if connection_id is None:
            continue
        item = sockets.get_connection(connection_id)
        if item is not None:
            item.delete()
        try:
            with store.failed_condition_raises(Conflict("moved on")):
                person.update(
                    actions=[ParticipantItem.connection_id.remove(), ParticipantItem.attendance_sk.remove()],
                    condition=ParticipantItem.connection_id == connection_id,
                )
        except Conflict:
            pass
        attendance.close_stay(session_id, stay)
        sockets.close(connection_id)
    logger.info("room ended", extra={"session_id": session_id})


def end_session(ctx: Context, *, mentor_id: str, session_id: str) -> SessionOut:
    """`POST /api/sessions/{id}/end`: the room ends with the session."""
    end_room(mentor_id=mentor_id, session_id=session_id)
    return get_session(ctx, session_id)
