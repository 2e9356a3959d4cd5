"""Presence by participant, not by connection: who is in a room, connecting and disconnecting.

A participant has at most one connection. A new `$connect` for someone already connected takes over:
the old connection is told `replaced` and closed, so nobody ever sees a ghost; the old connection's
`$disconnect` then finds the participant pointing elsewhere and changes nothing. Learners wait until
the mentor admits them (and resume as admitted when they come back); the mentor and observers are
admitted on arrival; someone the mentor removed cannot come back.
"""

from __future__ import annotations

import logging
from typing import Any

from peerlearn import clock, store, timeutil
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Conflict, Forbidden
from peerlearn.live import attendance, fanout, room, sockets
from peerlearn.live.access import get_participant
from peerlearn.live.tickets import TicketGrant
from peerlearn.notify import channel
from peerlearn.store.keys import CONNECTION_SK, connection_pk, peer_sk, room_pk
from peerlearn.store.models import ChannelConnectionItem, ConnectionItem, ParticipantItem

logger = logging.getLogger(__name__)

# API Gateway ends a connection after 2 hours; the item outlives it a little, in case `$disconnect`
# never comes.
CONNECTION_TTL_SECONDS = 2 * 3600 + 600
# Participants and their attendance are kept a week after the booked end (metrics, no-show checks).
PARTICIPANT_KEEP_SECONDS = 7 * 86400


def view(person: ParticipantItem) -> dict[str, Any]:
    return {
        "user_id": person.user_id,
        "name": person.name,
        "room_role": person.room_role,
        "status": person.status,
        "audio": bool(person.audio),
        "video": bool(person.video),
        "screen": bool(person.screen),
        "hand_at": int(person.hand_at) if person.hand_at is not None else None,
        "connected": person.connection_id is not None,
    }


def present(people: list[ParticipantItem]) -> list[dict[str, Any]]:
    """The snapshot everybody sees: neither removed nor left."""
    return [view(p) for p in people if p.status in ("waiting", "admitted")]


def hand_queue(people: list[ParticipantItem]) -> list[str]:
    raised = [p for p in people if p.hand_at is not None and p.status == "admitted"]
    return [p.user_id for p in sorted(raised, key=lambda p: int(p.hand_at or 0))]


def presence_message(session_id: str, people: list[ParticipantItem] | None = None) -> dict[str, Any]:
    people = fanout.participants(session_id) if people is None else people
    return {"type": "presence", "participants": present(people)}


def broadcast_presence(session_id: str, *, except_user: str | None = None) -> None:
    people = fanout.participants(session_id)
    fanout.broadcast(
        session_id,
        presence_message(session_id, people),
        admitted_only=False,
        except_user=except_user,
        people=people,
    )


def connect(grant: TicketGrant, connection_id: str) -> ParticipantItem:
    """The `$connect` of a redeemed ticket: records the connection and the participant (taking over
    from an older connection). Forbidden when the person was removed meanwhile, Conflict when the room
    has ended. The new connection can't be sent anything yet: the client says `hello` once open."""
    session = get_session_item(grant.session_id)
    state = room.ensure_state(session)
    if state.ended_at or session.status in ("completed", "cancelled"):
        raise Conflict("This room has ended.", code="room_closed")
    person, replaced = _take_seat(grant, connection_id, session_ends_at=session.ends_at)
    # Written once the seat is taken (a removed person gets neither); no message can arrive on the
    # connection before `$connect` answers.
    now = clock.now_seconds()
    ConnectionItem(
        connection_pk(connection_id),
        CONNECTION_SK,
        connection_id=connection_id,
        session_id=grant.session_id,
        user_id=grant.user_id,
        room_role=grant.room_role,
        connected_at=now,
        ttl=now + CONNECTION_TTL_SECONDS,
    ).save()
    if replaced is not None:
        _retire(replaced)
    if person.status == "admitted":
        open_stay(person)
    logger.info(
        "participant connected",
        extra={"session_id": grant.session_id, "user_id": grant.user_id, "status": person.status},
    )
    # The newcomer's own connection isn't open until `$connect` answers: the others are told now.
    people = fanout.participants(grant.session_id)
    fanout.broadcast(
        grant.session_id,
        presence_message(grant.session_id, people),
        admitted_only=False,
        except_user=grant.user_id,
        people=people,
    )
    if person.status == "waiting" and replaced is None:
        fanout.broadcast(
            grant.session_id,
            {"type": "knock", "participant": view(person)},
            roles=["mentor"],
            except_user=grant.user_id,
            people=people,
        )
    return person


def _take_seat(
    grant: TicketGrant, connection_id: str, *, session_ends_at: str
) -> tuple[ParticipantItem, str | None]:
    """Points the participant at the new connection; returns it and the connection it replaced."""
    now_iso = timeutil.now_iso()
    for _ in range(3):
        person = get_participant(grant.session_id, grant.user_id)
        if person is None:
            status = "waiting" if grant.room_role == "learner" else "admitted"
            person = ParticipantItem(
                room_pk(grant.session_id),
                peer_sk(grant.user_id),
                session_id=grant.session_id,
                user_id=grant.user_id,
                name=grant.name,
                room_role=grant.room_role,
                status=status,
                connection_id=connection_id,
                knocked_at=now_iso if status == "waiting" else None,
                admitted_at=now_iso if status == "admitted" else None,
                first_joined_at=now_iso,
                last_seen_at=now_iso,
                ttl=timeutil.epoch(session_ends_at) + PARTICIPANT_KEEP_SECONDS,
            )
            try:
                with store.failed_condition_raises(Conflict("raced")):
                    person.save(condition=ParticipantItem.pk.does_not_exist())
            except Conflict:
                continue  # a parallel $connect of the same person made it first: take over from it
            return person, None
        if person.status == "removed":
            raise Forbidden("The mentor removed you from this session.", code="removed")
        old = person.connection_id
        was_admitted = person.admitted_at is not None or grant.room_role != "learner"
        status = "admitted" if was_admitted else "waiting"
        actions: list[Any] = [
            ParticipantItem.connection_id.set(connection_id),
            ParticipantItem.status.set(status),
            ParticipantItem.name.set(grant.name),
            ParticipantItem.last_seen_at.set(now_iso),
            ParticipantItem.attendance_sk.remove(),
            ParticipantItem.hand_at.remove(),
        ]
        if status == "waiting":
            actions.append(ParticipantItem.knocked_at.set(now_iso))
        elif person.admitted_at is None:
            actions.append(ParticipantItem.admitted_at.set(now_iso))
        condition = (
            ParticipantItem.connection_id.does_not_exist()
            if old is None
            else ParticipantItem.connection_id == old
        ) & (ParticipantItem.status != "removed")
        stay = person.attendance_sk
        try:
            with store.failed_condition_raises(Conflict("raced")):
                person.update(actions=actions, condition=condition)
        except Conflict:
            continue
        attendance.close_stay(grant.session_id, stay)
        return person, old
    raise Conflict("Too many connections at once; try again.", code="busy")


def _retire(connection_id: str) -> None:
    """The replaced connection: told why, its item deleted, closed."""
    item = sockets.get_connection(connection_id)
    if item is not None:
        item.delete()
    # Posting to a gone connection only forgets it again (a no-op now its item is deleted).
    sockets.post(connection_id, {"type": "replaced"})
    sockets.close(connection_id)


def open_stay(person: ParticipantItem) -> None:
    """Opens an attendance record for an admitted, connected participant."""
    sk = attendance.open_stay(person.session_id, person.user_id, person.room_role)
    try:
        with store.failed_condition_raises(Conflict("moved on")):
            person.update(
                actions=[ParticipantItem.attendance_sk.set(sk)],
                condition=ParticipantItem.connection_id == person.connection_id,
            )
    except Conflict:
        attendance.close_stay(person.session_id, sk)  # replaced meanwhile: this stay ended at once


def disconnect(connection_id: str) -> None:
    """`$disconnect`: forgets the connection; the participant keeps its status but is no longer
    connected (nothing visible happens when a newer connection already replaced this one)."""
    item = sockets.get_any_connection(connection_id)
    if isinstance(item, ChannelConnectionItem):  # a user channel, not a room's connection
        channel.disconnect(item)
        return
    if item is None:
        return  # replaced, removed, left or ended: already forgotten
    item.delete()
    if let_go(item.session_id, item.user_id, connection_id):
        broadcast_presence(item.session_id)


def let_go(session_id: str, user_id: str, connection_id: str, *, status: str | None = None) -> bool:
    """Clears the participant's connection if it is still `connection_id` (and sets `status`), closing
    its attendance; False when the participant had moved on to another connection."""
    person = get_participant(session_id, user_id)
    if person is None or person.connection_id != connection_id:
        return False
    actions: list[Any] = [
        ParticipantItem.connection_id.remove(),
        ParticipantItem.attendance_sk.remove(),
        ParticipantItem.last_seen_at.set(timeutil.now_iso()),
    ]
    if status is not None:
        actions += [ParticipantItem.status.set(status), ParticipantItem.hand_at.remove()]
    stay = person.attendance_sk
    try:
        with store.failed_condition_raises(Conflict("moved on")):
            person.update(actions=actions, condition=ParticipantItem.connection_id == connection_id)
    except Conflict:
        return False
    attendance.close_stay(session_id, stay)
    return True
