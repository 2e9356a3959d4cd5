"""Signaling function: the live rooms' WebSocket API (`$connect`, `$disconnect`, every action route
and `$default`), which also carries each signed-in person's user channel (notifications). Each event
is one call into peerlearn.live; answers go out through the management API, so the return value only
tells API Gateway whether a `$connect` is accepted."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from typing import Any

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.data_classes.api_gateway_websocket_event import (
        APIGatewayWebSocketEvent,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn.config import Settings
    from peerlearn.context import build_context
    from peerlearn.errors import DomainError
    from peerlearn.live import dispatch, presence, sockets
    from peerlearn.live.tickets import TicketGrant
    from peerlearn.notify import channel, platform_stats
    from peerlearn.observability import make_tracer, route_domain_logs

    logger = Logger()
    tracer = make_tracer()
    route_domain_logs(logger)
    ctx = build_context(Settings.from_env())


def _grant(authorizer: dict[str, Any] | None) -> TicketGrant | None:
    """What the authorizer found in the ticket (its context is all strings)."""
    context = authorizer or {}
    fields = {name: context.get(name) for name in ("user_id", "session_id", "room_role", "name")}
    if not all(isinstance(value, str) and value for value in fields.values()):
        return None
    return TicketGrant(**fields)  # type: ignore[arg-type]


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    socket = APIGatewayWebSocketEvent(event)
    request = socket.request_context
    connection_id = request.connection_id
    logger.append_keys(connection_id=connection_id, route=request.route_key)
    if request.event_type == "CONNECT":
        authorizer = request.get("authorizer") or {}
        if authorizer.get("channel") == "user" and authorizer.get("user_id"):
            channel.connect(str(authorizer["user_id"]), connection_id)  # a person's notifications
            platform_stats.nudge()  # one more person online: admins watching the figures are told
            return {"statusCode": 200}
        grant = _grant(authorizer)
        if grant is None:  # the route is configured with the authorizer; this never passes without it
            return {"statusCode": 401}
        try:
            presence.connect(grant, connection_id)
        except DomainError as exc:
            logger.info("connect refused", extra={"reason": exc.code})
            return {"statusCode": exc.status}
        return {"statusCode": 200}
    if request.event_type == "DISCONNECT":
        presence.disconnect(connection_id)
        platform_stats.nudge()  # maybe one fewer online (a Query of the subscribers, usually empty)
        return {"statusCode": 200}
    try:
        dispatch.handle(connection_id, socket.decoded_body or "")
    except Exception:
        logger.exception("message failed")
        sockets.post(connection_id, dispatch.error("internal", "Something went wrong on our side."))
    return {"statusCode": 200}
