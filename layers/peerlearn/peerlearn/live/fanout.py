"""Sending to the people in a room: one Query of the room's participants, then one push per
connected participant (never a Scan). Used by every room message and by other domains' announcements
(gifts)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from peerlearn.live import sockets
from peerlearn.live.access import get_participant
from peerlearn.store.keys import PEER_PREFIX, room_pk
from peerlearn.store.models import ParticipantItem

logger = logging.getLogger(__name__)


def participants(session_id: str) -> list[ParticipantItem]:
    """Everyone who ever entered the room, removed and left ones included (callers filter)."""
    return list(
        ParticipantItem.query(
            room_pk(session_id), ParticipantItem.sk.startswith(PEER_PREFIX), consistent_read=True
        )
    )


def broadcast(
    session_id: str,
    message: dict[str, Any],
    *,
    admitted_only: bool = True,
    except_user: str | None = None,
    roles: Iterable[str] | None = None,
    people: list[ParticipantItem] | None = None,
) -> int:
    """Pushes `message` to the room's connected participants (admitted ones, or also those waiting
    when `admitted_only` is False), optionally only some roles; returns how many got it.
    `people`: the participants when the caller has just read them."""
    statuses = {"admitted"} if admitted_only else {"admitted", "waiting"}
    wanted = set(roles) if roles is not None else None
    data = sockets.encode(message)
    delivered = 0
    gone = False
    for person in participants(session_id) if people is None else people:
        if person.connection_id is None or person.status not in statuses or person.user_id == except_user:
            continue
        if wanted is not None and person.room_role not in wanted:
            continue
        try:
            pushed = sockets.post(person.connection_id, data)
        except Exception:  # one recipient's trouble (throttled, slow) must not cost the rest theirs
            logger.warning("push failed", extra={"user_id": person.user_id}, exc_info=True)
            continue
        if pushed:
            delivered += 1
        else:
            gone = True
    if gone and message.get("type") != "presence":
        # Someone turned out to be gone: the others should stop seeing them as connected.
        from peerlearn.live.presence import presence_message

        broadcast(session_id, presence_message(session_id), admitted_only=False)
    return delivered


def send_to(session_id: str, user_id: str, message: dict[str, Any]) -> bool:
    """Pushes to one participant's current connection; False when they are not connected."""
    person = get_participant(session_id, user_id)
    if person is None or person.connection_id is None:
        return False
    return sockets.post(person.connection_id, message)
