"""A room's own state (opened, ends, extension, recording, ended), what a participant is told on
arrival (`welcome`), opening early, and the room part of `POST /api/sessions/{id}/join`."""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import store, timeutil
from peerlearn.bookings import room as booking_room
from peerlearn.bookings.schemas import JoinAnswer
from peerlearn.catalog import lifecycle
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Conflict
from peerlearn.live import fanout
from peerlearn.live.access import get_state
from peerlearn.live.timing import server_now
from peerlearn.store.keys import ROOM_STATE_SK, room_pk
from peerlearn.store.models import ParticipantItem, RoomStateItem, SessionItem

logger = logging.getLogger(__name__)


def ensure_state(session: SessionItem) -> RoomStateItem:
    """The room's state item, made on first arrival."""
    state = get_state(session.id)
    if state is not None:
        return state
    state = RoomStateItem(
        room_pk(session.id),
        ROOM_STATE_SK,
        session_id=session.id,
        booked_ends_at=session.ends_at,
        ends_at=session.ends_at,
        extended_minutes=0,
        ttl=timeutil.epoch(session.ends_at) + 7 * 86400,
    )
    try:
        with store.failed_condition_raises(Conflict("made meanwhile")):
            state.save(condition=RoomStateItem.pk.does_not_exist())
    except Conflict:
        return RoomStateItem.get(room_pk(session.id), ROOM_STATE_SK, consistent_read=True)
    return state


def status_of(session: SessionItem, state: RoomStateItem | None) -> str:
    """waiting (not started), open (live), ended."""
    if (state is not None and state.ended_at) or session.status in ("completed", "cancelled"):
        return "ended"
    return "open" if session.status == "live" else "waiting"


def opens_at(session: SessionItem) -> str:
    return timeutil.iso_from_epoch(timeutil.epoch(session.starts_at) - int(session.early_join_minutes) * 60)


def room_view(
    session: SessionItem, state: RoomStateItem | None, people: list[ParticipantItem]
) -> dict[str, Any]:
    mentor_present = any(
        p.room_role == "mentor" and p.connection_id and p.status == "admitted" for p in people
    )
    return {
        "session_id": session.id,
        "title": session.title,
        "mentor_id": session.mentor_id,
        "starts_at": session.starts_at,
        "ends_at": state.ends_at if state is not None else session.ends_at,
        "booked_ends_at": session.ends_at,
        "opens_at": opens_at(session),
        "status": status_of(session, state),
        "opened_at": (state.opened_at if state is not None else None) or session.started_at,
        "mentor_present": mentor_present,
        "recording": bool(state.recording) if state is not None else False,
        "recording_id": state.recording_id if state is not None else None,
    }


def welcome(person: ParticipantItem) -> dict[str, Any]:
    from peerlearn.live.presence import hand_queue, present

    session = get_session_item(person.session_id)
    people = fanout.participants(person.session_id)
    return {
        "type": "welcome",
        "you": {
            "user_id": person.user_id,
            "name": person.name,
            "room_role": person.room_role,
            "status": person.status,
        },
        "room": room_view(session, get_state(person.session_id), people),
        "participants": present(people),
        "hands": hand_queue(people),
        "server_now": server_now(),
    }


def open_room(session_id: str) -> dict[str, Any]:
    """The mentor opens the room (early): the session goes live through the catalog's start."""
    session = get_session_item(session_id, consistent=True)
    if session.status == "scheduled":
        try:
            lifecycle.start(session)
        except Conflict:
            session = get_session_item(session_id, consistent=True)
    if session.status != "live":
        raise lifecycle.invalid_transition(session, "opened")
    state = ensure_state(session)
    if not state.opened_at:
        try:
            with store.failed_condition_raises(Conflict("opened meanwhile")):
                state.update(
                    actions=[RoomStateItem.opened_at.set(timeutil.now_iso())],
                    condition=RoomStateItem.opened_at.does_not_exist(),
                )
        except Conflict:
            state.refresh(consistent_read=True)
    logger.info("room opened", extra={"session_id": session_id})
    message = {"type": "room", "status": "open", "opened_at": state.opened_at}
    fanout.broadcast(session_id, message, admitted_only=False)
    return message


def join_answer(*, user_id: str, role: str, session_id: str) -> JoinAnswer:
    """May I enter (bookings' answer), plus the room's waiting state when I may."""
    answer = booking_room.join(user_id=user_id, role=role, session_id=session_id)
    if answer.room is None:
        return answer
    session = get_session_item(session_id)
    try:
        state: RoomStateItem | None = RoomStateItem.get(room_pk(session_id), ROOM_STATE_SK)
    except DoesNotExist:
        state = None
    status = status_of(session, state)
    room = answer.room.model_copy(update={"status": status, "opened": status == "open"})
    return answer.model_copy(update={"room": room})
