"""Authorizer function: checks the bearer token, the user's ban and sign-out state for API Gateway.

401 is API Gateway's answer to raising "Unauthorized"; a Deny policy becomes 403.
"""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from typing import Any

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
        APIGatewayAuthorizerRequestEvent,
        APIGatewayAuthorizerResponse,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn.accounts.authorize import authorize, bearer_token
    from peerlearn.api.edge import require_origin
    from peerlearn.config import Settings
    from peerlearn.context import build_context
    from peerlearn.errors import Forbidden, Unauthorized
    from peerlearn.observability import route_domain_logs

    logger = Logger()
    route_domain_logs(logger)
    ctx = build_context(Settings.from_env())


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
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
