"""Everything a REST function builds at cold start: logger, tracer, settings, context, resolver."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from peerlearn.api import make_resolver
from peerlearn.api.edge import refusal
from peerlearn.config import PushSettings, Settings, TurnSettings
from peerlearn.context import build_context
from peerlearn.observability import Untraced, make_tracer, route_domain_logs

if TYPE_CHECKING:
    from peerlearn.adapters.razorpay import Razorpay

Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


@dataclass(frozen=True)
class RestFunction:
    app: APIGatewayRestResolver
    logger: Logger
    tracer: Tracer | Untraced
    handler: Handler


def rest_function(
    routers: Sequence[Router],
    gateway: Razorpay | None = None,
    turn: TurnSettings | None = None,
    push: PushSettings | None = None,
    extra_context: Mapping[str, Any] | None = None,
) -> RestFunction:
    """Call at import (the cold start): the environment names the service and holds the settings.
    `gateway`: Razorpay, for the functions that move money; `turn`: ICE servers, for the rooms;
    `push`: web push's VAPID keys, for the functions that subscribe devices or send notifications;
    `extra_context`: what else a function's routes declare (`models`: the recommendations' model cache)."""
    logger = Logger()
    tracer = make_tracer()
    route_domain_logs(logger)
    ctx = build_context(Settings.from_env(), gateway=gateway, turn=turn, push=push)
    app = make_resolver(routers)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        app.append_context(ctx=ctx, **(extra_context or {}))
        return refusal(event, ctx.settings.origin_secret) or app.resolve(event, context)

    return RestFunction(app=app, logger=logger, tracer=tracer, handler=handler)
