"""Authorizer function: checks the bearer token, the user's ban and sign-out state for API Gateway;
on the WebSocket API's `$connect`, redeems the single-use ticket instead: a room's, or (with
`channel=user`) the signed-in person's user channel's.

401 is API Gateway's answer to raising "Unauthorized"; a Deny policy becomes 403.
"""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from typing import Any

    import jwt  # noqa: F401 - every request reads an access token: pay pyjwt's import here, not on the first
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
        APIGatewayAuthorizerRequestEvent,
        APIGatewayAuthorizerResponse,
        APIGatewayAuthorizerResponseWebSocket,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn.accounts.authorize import authorize, bearer_token
    from peerlearn.accounts.lookups import get_user
    from peerlearn.api.edge import require_origin
    from peerlearn.config import Settings
    from peerlearn.context import build_context
    from peerlearn.errors import Conflict, Forbidden, NotFound, Unauthorized
    from peerlearn.observability import route_domain_logs

    logger = Logger()
    route_domain_logs(logger)
    ctx = build_context(Settings.from_env())


def _is_room_connect(event: dict[str, Any]) -> bool:
    request_context = event.get("requestContext") or {}
    return request_context.get("eventType") == "CONNECT" or str(event.get("methodArn", "")).endswith(
        "/$connect"
    )


def room_connect(event: dict[str, Any]) -> dict[str, Any]:
    """The WebSocket API's `$connect`: browsers can't send headers (nor does CloudFront stand in front),
    so the proof is the room ticket in the query string, redeemed once; the ban and a removal from the
    room are checked again now, not when the ticket was issued."""
    # Imported here, not at cold start: most of this function's calls are REST requests, and the
    # tickets bring the rooms' and bookings' models with them.
    from peerlearn.live import tickets

    query = event.get("queryStringParameters") or {}
    if "channel" in query:
        return channel_connect(event, query)
    try:
        grant = tickets.redeem_ticket(query.get("ticket") or "", session_id=query.get("session"))
        user_role = tickets.admit_grant(grant)
    except Unauthorized as exc:
        logger.info("room connect not authenticated", extra={"reason": exc.code})
        raise Exception("Unauthorized") from None  # API Gateway's contract for a 401
    except (Forbidden, Conflict) as exc:
        logger.info("room connect denied", extra={"reason": exc.code})
        policy = APIGatewayAuthorizerResponseWebSocket.from_route_arn(event["methodArn"], exc.code)
        policy.deny_all_routes()
        return policy.asdict()
    policy = APIGatewayAuthorizerResponseWebSocket.from_route_arn(
        event["methodArn"],
        principal_id=grant.user_id,
        context={
            "user_id": grant.user_id,
            "role": user_role,
            "session_id": grant.session_id,
            "room_role": grant.room_role,
            "name": grant.name,
        },
    )
    policy.allow_all_routes()
    return policy.asdict()


def channel_connect(event: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
    """A user channel's `$connect` (`?ticket=...&channel=user`): the ticket names whose channel it
    is; a ban is checked now. The context says `channel: user`, so the signaling function records a
    user channel, which accepts nothing but `ping`."""
    from peerlearn.notify import channel  # on a WebSocket connect only, as room_connect's tickets

    try:
        if query.get("channel") != "user":
            raise Unauthorized("Unknown channel.", code="bad_ticket")
        user_id = channel.redeem_ticket(query.get("ticket") or "")
        user = get_user(user_id, consistent=True)
        if user.banned or user.deactivated:
            raise Forbidden("This account has been suspended.", code="banned")
    except NotFound:
        logger.info("channel connect not authenticated", extra={"reason": "no_user"})
        raise Exception("Unauthorized") from None
    except Unauthorized as exc:
        logger.info("channel connect not authenticated", extra={"reason": exc.code})
        raise Exception("Unauthorized") from None  # API Gateway's contract for a 401
    except Forbidden as exc:
        logger.info("channel connect denied", extra={"reason": exc.code})
        policy = APIGatewayAuthorizerResponseWebSocket.from_route_arn(event["methodArn"], exc.code)
        policy.deny_all_routes()
        return policy.asdict()
    policy = APIGatewayAuthorizerResponseWebSocket.from_route_arn(
        event["methodArn"],
        principal_id=user_id,
        context={"user_id": user_id, "role": str(user.role), "channel": "user"},
    )
    policy.allow_all_routes()
    return policy.asdict()


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if _is_room_connect(event):
        return room_connect(event)
    request = APIGatewayAuthorizerRequestEvent(event)
    arn = request.parsed_arn
    try:
        require_origin(request.headers, ctx.settings.origin_secret)
        identity = authorize(ctx.settings.jwt_secret, bearer_token(request.headers.get("Authorization")))
    except Unauthorized as exc:
        logger.info("request not authenticated", extra={"reason": exc.code})
        raise Exception("Unauthorized") from None  # API Gateway's contract for a 401
    except Forbidden as exc:
        logger.info("request denied", extra={"reason": exc.code})
        policy = APIGatewayAuthorizerResponse("banned", arn.region, arn.aws_account_id, arn.api_id, arn.stage)
        policy.deny_all_routes()
        return policy.asdict()
    policy = APIGatewayAuthorizerResponse(
        principal_id=identity.user_id,
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        context={
            "user_id": identity.user_id,
            "role": identity.role,
            "email_verified": identity.email_verified,
        },
    )
    policy.allow_all_routes()  # one cached policy serves every route for ReauthorizeEvery seconds
    return policy.asdict()
