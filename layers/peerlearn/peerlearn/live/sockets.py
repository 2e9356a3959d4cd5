"""Pushing to one connection, and cleaning up after a gone one.

A 410 from the management API means that connection is gone: its item is deleted and its participant
let go of it only if the participant still points at that connection. The connection that sent the
message being handled is never touched on account of another one being gone.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn.adapters import websocket
from peerlearn.notify import channel
from peerlearn.store.keys import CONNECTION_SK, connection_pk
from peerlearn.store.models import BaseItem, ChannelConnectionItem, ConnectionItem

logger = logging.getLogger(__name__)


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()


def post(connection_id: str, message: dict[str, Any] | bytes) -> bool:
    """False when the connection is gone (and then it has been forgotten)."""
    data = message if isinstance(message, bytes) else encode(message)
    if websocket.post(connection_id, data):
        return True
    logger.info("connection gone", extra={"connection_id": connection_id})
    forget(connection_id)
    return False


def close(connection_id: str) -> None:
    """Closes the socket (API Gateway then sends its `$disconnect`, which finds nothing left to do
    when the caller has already forgotten the connection)."""
    websocket.close(connection_id)


def get_connection(connection_id: str) -> ConnectionItem | None:
    """A room's connection; None when unknown or when it is a user channel (peerlearn.notify.channel)."""
    try:
        return ConnectionItem.get(connection_pk(connection_id), CONNECTION_SK, consistent_read=True)
    except DoesNotExist:
        return None
    except ValueError:  # the item is another type of connection: a user channel
        return None


def get_any_connection(connection_id: str) -> ConnectionItem | ChannelConnectionItem | None:
    """A room's connection or a user channel (peerlearn.notify.channel), whichever it is: one read."""
    try:
        item = BaseItem.get(connection_pk(connection_id), CONNECTION_SK, consistent_read=True)
    except DoesNotExist:
        return None
    return item if isinstance(item, ConnectionItem | ChannelConnectionItem) else None


def forget(connection_id: str) -> None:
    """Deletes exactly this connection's item and lets its participant go of it (if still its); a
    user channel's items are deleted likewise."""
    from peerlearn.live import presence  # presence pushes through this module

    item = get_any_connection(connection_id)
    if isinstance(item, ChannelConnectionItem):
        channel.disconnect(item)
        return
    if item is None:
        return
    item.delete()
    presence.let_go(item.session_id, item.user_id, connection_id)
