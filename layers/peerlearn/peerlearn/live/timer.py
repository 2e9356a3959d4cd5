"""The room's timer is the server's: `ends_at` = the booked end + the mentor's extension (at most
15 minutes in all). Clients count down from it, corrected by `server_now`."""

from __future__ import annotations

from typing import Any

from peerlearn import store, timeutil
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Conflict
from peerlearn.live import fanout
from peerlearn.live.messages import MAX_EXTENSION_MINUTES
from peerlearn.live.room import ensure_state
from peerlearn.live.timing import server_now
from peerlearn.store.models import RoomStateItem


def timer_message(state: RoomStateItem) -> dict[str, Any]:
    return {
        "type": "timer",
        "ends_at": state.ends_at,
        "booked_ends_at": state.booked_ends_at,
        "extended_minutes": int(state.extended_minutes),
        "server_now": server_now(),
    }


def extend(session_id: str, minutes: int) -> dict[str, Any]:
    """Adds `minutes`; Conflict `extension_limit` past 15 minutes in all. Everyone gets `timer`."""
    state = ensure_state(get_session_item(session_id))
    for _ in range(3):
        before = int(state.extended_minutes)
        total = before + minutes
        if total > MAX_EXTENSION_MINUTES:
            left = MAX_EXTENSION_MINUTES - before
            raise Conflict(
                f"A session can be extended by {MAX_EXTENSION_MINUTES} minutes in all; {left} left.",
                code="extension_limit",
            )
        try:
            with store.failed_condition_raises(Conflict("changed meanwhile")):
                state.update(
                    actions=[
                        RoomStateItem.extended_minutes.set(total),
                        RoomStateItem.ends_at.set(timeutil.plus_minutes(state.booked_ends_at, total)),
                    ],
                    condition=RoomStateItem.extended_minutes == before,
                )
        except Conflict:
            state.refresh(consistent_read=True)
            continue
        message = timer_message(state)
        fanout.broadcast(session_id, message, admitted_only=False)
        return message
    raise Conflict("The timer changed meanwhile; try again.", code="changed_meanwhile")
