"""API Gateway's WebSocket size limits, enforced where frames are still visible: in the server.

ASGI hands an app whole messages, so the gateway's uvicorn runs this protocol instead of its own: a
frame above 32 KB or a message above 128 KB (fragmented into smaller frames) closes the connection
with 1009 "Message too big", as API Gateway does. It applies to every WebSocket of the gateway
(the API and `/_dev/echo`).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame

MAX_FRAME_BYTES = 32 * 1024
MAX_MESSAGE_BYTES = 128 * 1024
TOO_BIG = (1009, "Message too big")


class ApiGatewayFrames(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websockets protocol with API Gateway's frame and message limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._message_bytes = 0

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body", False):
            # A refused upgrade (the denial response) ends the handshake; uvicorn would log an error.
            self.handshake_complete = True

    def handle_text(self, event: Frame) -> None:
        if self._within_limits(event, first=True):
            super().handle_text(event)

    def handle_bytes(self, event: Frame) -> None:
        if self._within_limits(event, first=True):
            super().handle_bytes(event)

    def handle_cont(self, event: Frame) -> None:
        if self._within_limits(event, first=False):
            super().handle_cont(event)

    def _within_limits(self, event: Frame, *, first: bool) -> bool:
        if self.close_sent:
            return False
        size = len(event.data)
        self._message_bytes = size if first else self._message_bytes + size
        if size <= MAX_FRAME_BYTES and self._message_bytes <= MAX_MESSAGE_BYTES:
            return True
        self.frames = []
        self.conn.fail(*TOO_BIG)
        self.handle_parser_exception()
        return False
