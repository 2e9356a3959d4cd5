"""API Gateway's WebSocket API for the template's `AWS::ApiGatewayV2::Api` (ProtocolType WEBSOCKET),
served at `ws://<gateway>/<stage>`, with its `@connections` management API at `<gateway>/<stage>`.

As API Gateway does it:

- `$connect` runs the route's REQUEST authorizer first (a missing identity source is a 401 without
  calling it; a deny a 403; a failing authorizer a 500), then the route's function with the
  authorizer's context in `requestContext.authorizer`; a refusal or a non-2xx `statusCode` from the
  function is that HTTP answer to the upgrade, so the socket never opens;
- each message goes to the route its `$request.body.<field>` names, else to `$default`; with neither
  the client gets `{"message": "Forbidden", ...}`; a failing function `{"message": "Internal server
  error", ...}`; the function's `body` goes back only on a route with a `$default` RouteResponse.
  One connection's messages are delivered in order, different connections' in parallel;
- frames above 32 KB and messages above 128 KB close the connection with 1009 (see
  `infra.local.frames`); a connection idle (no data either way) for 10 minutes or open for 2 hours
  is closed with 1001 "Going away" (both configurable); `$disconnect` runs once after any close,
  best effort, as in the cloud.

`ws://<gateway>/_dev/echo` echoes every message through the same server and limits without any
function: a baseline for `benchmarks/rooms.py`. With no WEBSOCKET API in the template there is no
trigger (and no echo).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from infra.local.authorizers import authorize
from infra.local.runtime import FunctionError, Runtime, Throttled
from infra.local.triggers import TriggerContext
from infra.local.triggers.websocket.api import CONNECT, DISCONNECT, WebSocketApi, load_websocket_apis
from infra.local.triggers.websocket.connections import GOING_AWAY, Connection, InFlight, Registry
from infra.local.triggers.websocket.events import (
    ConnectionInfo,
    authorization_request,
    connect_event,
    disconnect_event,
    message_event,
    new_id,
)
from infra.local.triggers.websocket.management import Management

log = logging.getLogger(__name__)

DEFAULT_IDLE_SECONDS = 10 * 60.0
DEFAULT_LIFETIME_SECONDS = 2 * 60 * 60.0

# How API Gateway refuses an upgrade for each authorizer outcome: status and body.
_REFUSALS: dict[str, tuple[int, str]] = {
    "unauthorized": (401, "Unauthorized"),
    "deny": (403, "Forbidden"),
    "implicit-deny": (403, "Forbidden"),
    "throttled": (429, "Too Many Requests"),
    "failed": (500, "Internal server error"),
    "misconfigured": (500, "Internal server error"),
}


class WebSocketTrigger:
    name = "websocket"

    def __init__(
        self,
        api: WebSocketApi,
        runtime: Runtime,
        *,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        lifetime_seconds: float = DEFAULT_LIFETIME_SECONDS,
    ) -> None:
        self.api = api
        self.runtime = runtime
        self.idle_seconds = idle_seconds
        self.lifetime_seconds = lifetime_seconds
        self.connections = Registry()
        self.in_flight = InFlight()  # messages and $disconnects not yet delivered
        self.sessions = InFlight()  # connections from their upgrade to their $disconnect
        self._management = Management(self.connections)
        self._loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------------ the Trigger protocol
    def routes(self) -> list[BaseRoute]:
        stage = f"/{self.api.stage}"
        return [
            WebSocketRoute(stage, self.serve),
            WebSocketRoute("/_dev/echo", echo),
            Route(
                stage + "/@connections/{connection_id}",
                self._management.handle,
                methods=["GET", "POST", "DELETE"],
            ),
        ]

    def start(self) -> None:
        pass

    def stop(self) -> None:
        """Closes every connection (1001, as when API Gateway goes away) and waits for their
        `$disconnect`s, before the server and the runtime stop."""
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            return
        closing = asyncio.run_coroutine_threadsafe(self._close_all(), loop)
        with contextlib.suppress(Exception):
            closing.result(timeout=5)
        if not self.sessions.wait(timeout=10):
            log.warning("stopping with WebSocket connections whose $disconnect did not finish")

    def await_idle(self, timeout: float) -> None:
        """Blocks until every message received so far, and every `$disconnect` of a close the
        gateway has seen, is delivered."""
        if not self.in_flight.wait(timeout):
            raise TimeoutError(f"WebSocket messages still in flight after {timeout:.1f} s")

    async def _close_all(self) -> None:
        for connection in self.connections.all():
            await connection.close(*GOING_AWAY)

    # ------------------------------------------------------------------ one connection
    async def serve(self, websocket: WebSocket) -> None:
        self._loop = asyncio.get_running_loop()
        client = websocket.scope.get("client")
        info = ConnectionInfo(
            api=self.api,
            connection_id=new_id(),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in websocket.scope["headers"]],
            query_string=websocket.scope.get("query_string", b"").decode("latin-1"),
            source_ip=client[0] if client else "127.0.0.1",
        )
        with self.sessions:
            accepted = await self._connect(websocket, info)
            if accepted is None:
                return
            connection = Connection(info, websocket)
            try:
                await websocket.accept(subprotocol=accepted or None)
            except (RuntimeError, OSError):  # the client left while $connect ran
                connection.closed = (1006, "")
                with self.in_flight:
                    await self._disconnected(connection)
                return
            self.connections.add(connection)
            await self._session(connection)

    async def _session(self, connection: Connection) -> None:
        """Reads the connection until it closes, delivering its messages in order meanwhile, then
        runs `$disconnect`."""
        inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        connection.reader = asyncio.current_task()
        worker = asyncio.create_task(self._deliver(connection, inbox))
        try:
            await self._read(connection, inbox)
        except asyncio.CancelledError:  # closed by the gateway: `connection.closed` says how
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
        finally:
            connection.reader = None  # done reading: a close from now on must not cancel what follows
            # In flight before the management API sees it gone, until $disconnect ran: await_idle
            # covers the close.
            with self.in_flight:
                self.connections.remove(connection)
                inbox.put_nowait(None)
                await asyncio.shield(worker)  # the messages already received are still delivered
                await self._disconnected(connection)

    async def _disconnected(self, connection: Connection) -> None:
        code, reason = connection.closed or (1006, "")
        await self._invoke_quietly(DISCONNECT, disconnect_event(connection.info, code, reason))

    async def _connect(self, websocket: WebSocket, info: ConnectionInfo) -> str | None:
        """Authorizes and runs `$connect`: the subprotocol to accept with ("" for none; the function
        chooses it with a `Sec-WebSocket-Protocol` header), or None once refused."""
        route = self.api.route(CONNECT)
        request_id = new_id()
        if route is not None and route.authorizer is not None:
            decision = await run_in_threadpool(
                authorize, self.runtime, route.authorizer, authorization_request(info, request_id)
            )
            if not decision.allowed:
                status, message = _REFUSALS[decision.outcome]
                await _refuse(websocket, status, message, request_id)
                return None
            info.authorizer = decision.context
        if route is None or route.function is None:
            return ""
        try:
            result = await run_in_threadpool(
                self.runtime.invoke, route.function, connect_event(info, request_id)
            )
        except (FunctionError, Throttled) as exc:
            log.error("%s failed on $connect: %s", route.function, exc)
            await _refuse(websocket, 500, "Internal server error", request_id)
            return None
        status = _status_of(result)
        if not 200 <= status < 300:
            await _refuse(websocket, status, None, request_id, body=_body_of(result))
            return None
        headers = result.get("headers") if isinstance(result, Mapping) else None
        chosen = {str(k).lower(): str(v) for k, v in (headers or {}).items()}.get("sec-websocket-protocol")
        return chosen or ""

    async def _read(self, connection: Connection, inbox: asyncio.Queue[str | bytes | None]) -> None:
        """Receives until the client closes or a limit closes it; messages go to the inbox in order."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while connection.closed is None:  # closed by the gateway: its cancel may have been swallowed
            idle_left = self.idle_seconds - (time.time() - connection.last_active_at)
            life_left = self.lifetime_seconds - (loop.time() - started)
            if min(idle_left, life_left) <= 0:
                await connection.close(*GOING_AWAY)
                return
            try:
                message = await asyncio.wait_for(connection.websocket.receive(), min(idle_left, life_left))
            except TimeoutError:
                continue  # a post may have kept it active: the loop checks again
            if message["type"] == "websocket.disconnect":
                if connection.closed is None:
                    connection.closed = (int(message.get("code", 1005)), str(message.get("reason") or ""))
                return
            connection.touch()
            data = message.get("text")
            self.in_flight.add()  # done once _deliver delivered it
            inbox.put_nowait(data if data is not None else message.get("bytes") or b"")

    async def _deliver(self, connection: Connection, inbox: asyncio.Queue[str | bytes | None]) -> None:
        while (data := await inbox.get()) is not None:
            try:
                await self._message(connection, data)
            except Exception:
                log.exception("delivering a message of %s", connection.connection_id)
            finally:
                self.in_flight.done()

    async def _message(self, connection: Connection, data: str | bytes) -> None:
        info = connection.info
        route = self.api.select(data if isinstance(data, str) else None)
        if route is None or route.function is None:
            await connection.send_quietly(_gateway_message("Forbidden", info.connection_id, new_id()))
            return
        event = message_event(info, route.key, data)
        try:
            timed = await run_in_threadpool(self.runtime.invoke_timed, route.function, event)
        except (FunctionError, Throttled) as exc:
            log.error("%s failed on %s: %s", route.function, route.key, exc)
            request_id = event["requestContext"]["requestId"]
            await connection.send_quietly(
                _gateway_message("Internal server error", info.connection_id, request_id)
            )
            return
        # Like the REST API's Server-Timing: what the function took (Lambda's billed duration).
        log.info("%s %s -> %s %.1f ms", info.connection_id, route.key, route.function, timed.duration_ms)
        result = timed.result
        if route.two_way:
            body = _body_of(result)
            if body is not None:
                await connection.send_quietly(body)

    async def _invoke_quietly(self, route_key: str, event: dict[str, Any]) -> None:
        route = self.api.route(route_key)
        if route is None or route.function is None:
            return
        try:
            await run_in_threadpool(self.runtime.invoke, route.function, event)
        except (FunctionError, Throttled, RuntimeError) as exc:  # best effort, as in the cloud
            log.error("%s failed on %s: %s", route.function, route_key, exc)


# ---------------------------------------------------------------------- helpers
def _status_of(result: Any) -> int:
    """A `$connect` answer's status; one without a statusCode lets the connection through."""
    if isinstance(result, Mapping) and "statusCode" in result:
        try:
            return int(result["statusCode"])
        except (TypeError, ValueError):
            return 502
    return 200


def _body_of(result: Any) -> str | None:
    if isinstance(result, Mapping):
        body = result.get("body")
        return None if body is None else str(body)
    return None


def _gateway_message(message: str, connection_id: str, request_id: str) -> str:
    return json.dumps({"message": message, "connectionId": connection_id, "requestId": request_id})


async def _refuse(
    websocket: WebSocket, status: int, message: str | None, request_id: str, body: str | None = None
) -> None:
    """Answers the upgrade request with an HTTP error, as API Gateway does for a refused `$connect`."""
    content = body if body is not None else json.dumps({"message": message})
    response = Response(
        content, status_code=status, media_type="application/json", headers={"x-amzn-RequestId": request_id}
    )
    await websocket.send_denial_response(response)


async def echo(websocket: WebSocket) -> None:
    """A bare echo: what the gateway itself costs, with no authorizer and no function."""
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect, OSError):  # uvicorn's ClientDisconnected is an OSError
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            else:
                await websocket.send_bytes(message.get("bytes") or b"")


def create(context: TriggerContext) -> WebSocketTrigger | None:
    apis = load_websocket_apis(context.template)
    if not apis:
        return None
    if len(apis) > 1:
        log.warning("serving only the first WebSocket API locally: %s", next(iter(apis)))
    return WebSocketTrigger(
        next(iter(apis.values())),
        context.runtime,
        idle_seconds=context.websocket_idle_seconds,
        lifetime_seconds=context.websocket_lifetime_seconds,
    )
