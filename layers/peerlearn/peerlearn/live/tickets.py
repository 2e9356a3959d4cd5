"""Room tickets: short-lived, single-use passes for the WebSocket `$connect` (browsers can't send an
Authorization header on a WebSocket, so the ticket rides in the query string).

Only the ticket's SHA-256 is stored; redeeming it is one conditional DeleteItem, so a ticket opens
one connection at most, however many `$connect`s race with it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from pynamodb.constants import ALL_OLD

from peerlearn import audit, clock, ratelimit, store, timeutil
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.errors import TooManyRequests, Unauthorized
from peerlearn.live import access
from peerlearn.live.schemas import TicketOut
from peerlearn.store.keys import TICKET_SK, ticket_pk
from peerlearn.store.models import RoomTicketItem

TICKET_TTL_SECONDS = 60
# A page that reconnects with backoff asks for a few tickets a minute; a loop asking for hundreds is
# a bug or an attack.
TICKET_LIMIT = ratelimit.Limit(scope="room_ticket", max_hits=30, window_seconds=60)


@dataclass(frozen=True)
class TicketGrant:
    """What a redeemed ticket proves: who enters which room, in which role."""

    user_id: str
    session_id: str
    room_role: str
    name: str


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def issue_ticket(ctx: Context, *, user_id: str, user_role: str, session_id: str) -> TicketOut:
    """For the mentor, a confirmed learner or an admin (observer), while the room takes people."""
    wait = ratelimit.acquire(TICKET_LIMIT, user_id)
    if wait:
        raise TooManyRequests("Too many room tickets; wait a moment.", retry_after_seconds=wait)
    session = get_session_item(session_id)
    role = access.room_role(session, user_id, user_role)
    name = access.require_not_barred(session_id, user_id).name
    access.require_room_takes_people(session, access.get_state(session_id))
    ticket = secrets.token_urlsafe(32)
    expires_at = clock.now_seconds() + TICKET_TTL_SECONDS
    item = RoomTicketItem(
        ticket_pk(_hash(ticket)),
        TICKET_SK,
        user_id=user_id,
        session_id=session_id,
        room_role=role,
        name=name,
        expires_at=expires_at,
        ttl=expires_at + 600,
    )
    if role == "observer":
        # An admin watching a room is an admin action: the ticket and its audit entry are one write.
        with store.transaction() as tx:
            tx.save(item, condition=RoomTicketItem.pk.does_not_exist())
            audit.record(
                tx,
                audit.entry(
                    at=timeutil.iso_from_epoch(expires_at - TICKET_TTL_SECONDS),
                    actor_id=user_id,
                    action="session.observe",
                    target_type="session",
                    target_id=session_id,
                ),
            )
    else:
        item.save(condition=RoomTicketItem.pk.does_not_exist())
    return TicketOut(
        ticket=ticket,
        # The room is named too, so a ticket used for another room's URL is refused (redeem_ticket).
        url=f"{ctx.settings.websocket_url}?ticket={ticket}&session={session_id}",
        expires_at=timeutil.iso_from_epoch(expires_at),
        room_role=role,
    )


def redeem_ticket(ticket: str, session_id: str | None = None, now: int | None = None) -> TicketGrant:
    """Deletes the ticket and returns what it grants; Unauthorized when it is unknown, used, expired,
    or (when the URL names a room) another session's. Whether the holder may still enter (ban,
    removal) is the caller's check, made now, not at issue."""
    if not ticket or len(ticket) > 200:
        raise Unauthorized("No valid room ticket.", code="bad_ticket")
    table = RoomTicketItem._get_connection()
    with store.failed_condition_raises(
        Unauthorized("This room ticket was used or never issued.", code="bad_ticket")
    ):
        answer = table.delete_item(
            ticket_pk(_hash(ticket)),
            TICKET_SK,
            condition=RoomTicketItem.pk.exists(),
            return_values=ALL_OLD,
        )
    item = RoomTicketItem.from_raw_data(answer["Attributes"])
    now = clock.now_seconds() if now is None else now
    if int(item.expires_at) < now:
        raise Unauthorized("This room ticket has expired.", code="bad_ticket")
    if session_id is not None and session_id != item.session_id:
        raise Unauthorized("This room ticket is for another session.", code="bad_ticket")
    return TicketGrant(
        user_id=item.user_id, session_id=item.session_id, room_role=item.room_role, name=item.name
    )


def admit_grant(grant: TicketGrant) -> str:
    """The checks at redemption: Forbidden for a banned user or one removed from the room, Conflict
    when the room no longer takes people. Returns the user's platform role."""
    user = access.require_not_barred(grant.session_id, grant.user_id)
    access.require_room_takes_people(get_session_item(grant.session_id), access.get_state(grant.session_id))
    return str(user.role)
