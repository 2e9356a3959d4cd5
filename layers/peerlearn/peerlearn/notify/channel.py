"""A person's user channel: the WebSocket connection each signed-in tab keeps open so notifications
reach it live. Its single-use tickets, and the two items of each open connection: `CONN#<id>` (what
the socket is, read on every message and at `$disconnect`) and `USER#<id>`/`CHAN#<id>` (what a push
to that person Queries).

Tickets work as the rooms' do (peerlearn.live.tickets): only the SHA-256 is stored and redeeming is
one conditional DeleteItem; a different sort key keeps a room ticket from opening a channel and the
reverse. This module imports only shared modules: notify sits at the bottom of the layers.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, ratelimit, store, timeutil
from peerlearn.adapters import websocket
from peerlearn.context import Context
from peerlearn.errors import TooManyRequests, Unauthorized
from peerlearn.shapes import Shape
from peerlearn.store.keys import (
    CHANNEL_PREFIX,
    CHANNEL_TICKET_SK,
    CONNECTION_SK,
    OPEN_CHANNELS,
    channel_sk,
    connection_pk,
    open_channel_gsi1sk,
    ticket_pk,
    user_pk,
)
from peerlearn.store.models import ChannelConnectionItem, ChannelTicketItem, UserChannelItem

logger = logging.getLogger(__name__)

TICKET_TTL_SECONDS = 60
# One socket per tab, reconnecting with backoff: a few tickets a minute per person even with many
# tabs; hundreds is a loop gone wrong or an attack.
TICKET_LIMIT = ratelimit.Limit(scope="channel_ticket", max_hits=30, window_seconds=60)
# API Gateway ends a connection after 2 hours; the items outlive it a little, in case `$disconnect`
# never comes (a push to a gone connection forgets it sooner).
CONNECTION_TTL_SECONDS = 2 * 3600 + 600
# Open channels per person: every notice is posted to each, inside the stream's time limit, so a
# person can't make that unbounded; the oldest gives way to the newest (a forgotten tab, most likely).
MAX_OPEN_CHANNELS = 10


class ChannelTicketOut(Shape):
    ticket: str
    url: str  # the WebSocket URL with the ticket in its query string
    expires_at: str


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def issue_ticket(ctx: Context, user_id: str) -> ChannelTicketOut:
    """A 60-second, single-use ticket for the caller's own channel (TooManyRequests past the limit)."""
    wait = ratelimit.acquire(TICKET_LIMIT, user_id)
    if wait:
        raise TooManyRequests("Too many channel tickets; wait a moment.", retry_after_seconds=wait)
    ticket = secrets.token_urlsafe(32)
    expires_at = clock.now_seconds() + TICKET_TTL_SECONDS
    ChannelTicketItem(
        ticket_pk(_hash(ticket)),
        CHANNEL_TICKET_SK,
        user_id=user_id,
        expires_at=expires_at,
        ttl=expires_at + 600,
    ).save(condition=ChannelTicketItem.pk.does_not_exist())
    return ChannelTicketOut(
        ticket=ticket,
        url=f"{ctx.settings.websocket_url}?ticket={ticket}&channel=user",
        expires_at=timeutil.iso_from_epoch(expires_at),
    )


def redeem_ticket(ticket: str, now: int | None = None) -> str:
    """Deletes the ticket and returns whose channel it opens; Unauthorized when it is unknown, used
    or expired. Whether that person may still connect (a ban) is the caller's check, made now."""
    if not ticket or len(ticket) > 200:
        raise Unauthorized("No valid channel ticket.", code="bad_ticket")
    table = ChannelTicketItem._get_connection()
    with store.failed_condition_raises(
        Unauthorized("This channel ticket was used or never issued.", code="bad_ticket")
    ):
        answer = table.delete_item(
            ticket_pk(_hash(ticket)),
            CHANNEL_TICKET_SK,
            condition=ChannelTicketItem.pk.exists(),
            return_values=ALL_OLD,
        )
    item = ChannelTicketItem.from_raw_data(answer["Attributes"])
    now = clock.now_seconds() if now is None else now
    if int(item.expires_at) < now:
        raise Unauthorized("This channel ticket has expired.", code="bad_ticket")
    return item.user_id


def connect(user_id: str, connection_id: str) -> None:
    """The `$connect` of a redeemed channel ticket: both items in one transaction, so a push never
    finds a connection that `$disconnect` or a message couldn't."""
    now = clock.now_seconds()
    ttl = now + CONNECTION_TTL_SECONDS
    with store.transaction() as tx:
        tx.save(
            ChannelConnectionItem(
                connection_pk(connection_id),
                CONNECTION_SK,
                connection_id=connection_id,
                user_id=user_id,
                connected_at=now,
                ttl=ttl,
                gsi1pk=OPEN_CHANNELS,
                gsi1sk=open_channel_gsi1sk(now, connection_id),
            )
        )
        tx.save(
            UserChannelItem(
                user_pk(user_id),
                channel_sk(connection_id),
                connection_id=connection_id,
                connected_at=now,
                ttl=ttl,
            )
        )
    logger.info("user channel connected", extra={"user_id": user_id})
    _evict_beyond_limit(user_id)


def close_all(user_id: str) -> int:
    """Closes every open channel of the person (signed out everywhere, a new password, a ban): an
    open tab must not go on receiving their notices. Best effort per connection; returns how many."""
    closed = 0
    for connection_id in open_connections(user_id):
        forget(user_id, connection_id)
        try:
            websocket.close(connection_id)
        except Exception:  # the items are gone, so no notice reaches it; the socket ends within 2 h
            logger.warning("closing a user channel failed", exc_info=True, extra={"user_id": user_id})
        closed += 1
    return closed


def _evict_beyond_limit(user_id: str) -> None:
    items = sorted(
        UserChannelItem.query(
            user_pk(user_id), UserChannelItem.sk.startswith(CHANNEL_PREFIX), consistent_read=True
        ),
        key=lambda item: (int(item.connected_at), item.connection_id),
    )
    for oldest in items[: max(0, len(items) - MAX_OPEN_CHANNELS)]:
        logger.info("oldest user channel closed: too many open", extra={"user_id": user_id})
        forget(user_id, oldest.connection_id)
        try:
            websocket.close(oldest.connection_id)
        except Exception:  # gone already: forgetting it was all that was needed
            logger.debug("closing an evicted channel failed", exc_info=True)


def get_connection(connection_id: str) -> ChannelConnectionItem | None:
    try:
        return ChannelConnectionItem.get(connection_pk(connection_id), CONNECTION_SK, consistent_read=True)
    except (DoesNotExist, ValueError):  # ValueError: that connection is a room's
        return None


def forget(user_id: str, connection_id: str) -> None:
    """Deletes exactly this connection's two items (idempotent: deleting a missing item is a no-op)."""
    with store.transaction() as tx:
        tx.delete(ChannelConnectionItem(connection_pk(connection_id), CONNECTION_SK))
        tx.delete(UserChannelItem(user_pk(user_id), channel_sk(connection_id)))


def disconnect(connection: ChannelConnectionItem) -> None:
    """`$disconnect` of a user channel."""
    forget(connection.user_id, connection.connection_id)


def open_connections(user_id: str) -> list[str]:
    """The ids of the person's open channel connections (one Query on their partition)."""
    return [
        item.connection_id
        for item in UserChannelItem.query(
            user_pk(user_id), UserChannelItem.sk.startswith(CHANNEL_PREFIX), consistent_read=True
        )
    ]
