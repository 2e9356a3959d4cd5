"""The gateway's live connections: each one's socket, activity clock and why it closed, plus a count of
the work in flight (messages and `$disconnect`s not yet delivered) that `await_idle` waits on.

Everything but `InFlight.wait` runs on the gateway's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass, field

from starlette.websockets import WebSocket

from infra.local.triggers.websocket.events import ConnectionInfo

GOING_AWAY = (1001, "Going away")
# How long a send may wait for a client that reads nothing (its buffers full) before it is refused,
# as API Gateway refuses a post with LimitExceededException: a stalled tab must not stall a broadcast.
SEND_WAIT_SECONDS = 2.0


class ClientBusy(Exception):
    """The client is not reading: its buffers are full."""


@dataclass
class Connection:
    info: ConnectionInfo
    websocket: WebSocket
    last_active_at: float = field(default_factory=time.time)  # epoch seconds: data either way
    closed: tuple[int, str] | None = None  # (code, reason) once closing, whoever closed it
    reader: asyncio.Task[None] | None = None  # while it is reading the socket (cancelled to stop it)

    @property
    def connection_id(self) -> str:
        return self.info.connection_id

    def touch(self) -> None:
        self.last_active_at = time.time()

    async def send(self, data: str | bytes) -> bool:
        """Sends one message; False when the connection is gone (then nothing was sent), ClientBusy
        when the client read nothing for SEND_WAIT_SECONDS (nothing was sent either)."""
        if self.closed is not None:
            return False
        message = {"type": "websocket.send", "bytes" if isinstance(data, bytes) else "text": data}
        try:
            # Cancelling is safe: the server writes a frame at once or not at all.
            await asyncio.wait_for(self.websocket.send(message), SEND_WAIT_SECONDS)
        except TimeoutError as exc:
            raise ClientBusy(self.connection_id) from exc
        except (RuntimeError, OSError):  # closed meanwhile (uvicorn's ClientDisconnected is an OSError)
            return False
        self.touch()
        return True

    async def send_quietly(self, data: str | bytes) -> None:
        """Sends what the gateway itself answers; a client that reads nothing misses it."""
        with contextlib.suppress(ClientBusy):
            await self.send(data)

    async def close(self, code: int, reason: str) -> None:
        """Closes from the gateway's side (idle, lifetime, DELETE, shutdown); the reader then stops."""
        if self.closed is not None:
            return
        self.closed = (code, reason)
        with contextlib.suppress(RuntimeError, OSError):
            await self.websocket.close(code, reason)
        reader, self.reader = self.reader, None
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()


class InFlight:
    """A counter of undelivered work, waitable from any thread."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def add(self) -> None:
        with self._changed:
            self._count += 1

    def done(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def __enter__(self) -> InFlight:
        self.add()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done()

    def wait(self, timeout: float) -> bool:
        """True once nothing is in flight, False if `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout)


class Registry:
    def __init__(self) -> None:
        self._connections: dict[str, Connection] = {}

    def add(self, connection: Connection) -> None:
        self._connections[connection.connection_id] = connection

    def remove(self, connection: Connection) -> None:
        if self._connections.get(connection.connection_id) is connection:
            del self._connections[connection.connection_id]

    def open(self, connection_id: str) -> Connection | None:
        """The connection if it is still open (a closing one is gone to the management API)."""
        connection = self._connections.get(connection_id)
        return connection if connection is not None and connection.closed is None else None

    def all(self) -> list[Connection]:
        return list(self._connections.values())
