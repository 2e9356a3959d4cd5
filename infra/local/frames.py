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
        self._close_too_big()
        return False

    def _close_too_big(self) -> None:
        """Closes with 1009 and waits for the client's close (frames still arriving are dropped), as
        uvicorn closes for the app: failing at once would reset the connection under a client still
        sending, and it might never read the close code."""
        self.frames = []
        self.conn.send_close(*TOO_BIG)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        code, reason = TOO_BIG
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()
        self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)
