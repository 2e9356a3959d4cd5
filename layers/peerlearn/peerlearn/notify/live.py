"""Live delivery to a signed-in person's open tabs over the WebSocket API (their user channel).

Fan-out is one Query on the person's partition (`begins_with(sk, "CHAN#")`), never a Scan; a 410
forgets only the connection that is gone; one connection failing otherwise never stops the others.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from peerlearn.adapters import websocket
from peerlearn.notify import channel

logger = logging.getLogger(__name__)


def push_to_user(user_id: str, message: dict[str, Any]) -> int:
    """Posts `message` to every open user-channel connection of `user_id`; returns how many got it."""
    data = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    delivered = 0
    for connection_id in channel.open_connections(user_id):
        try:
            sent = websocket.post(connection_id, data)
        except Exception:  # a throttle or a timeout on one tab: the others still get theirs
            logger.warning("push to a user channel failed", exc_info=True, extra={"user_id": user_id})
            continue
        if sent:
            delivered += 1
        else:
            logger.info("user channel gone", extra={"user_id": user_id})
            channel.forget(user_id, connection_id)
    return delivered
