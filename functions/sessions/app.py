"""Sessions function: the catalog, discovery, booking, waitlist, joining, feedback and history."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from peerlearn.api import make_resolver
from peerlearn.api.routes import sessions
from peerlearn.config import Settings
from peerlearn.context import build_context
from peerlearn.observability import route_domain_logs

logger = Logger()
tracer = Tracer()
route_domain_logs(logger)
ctx = build_context(Settings.from_env())
app = make_resolver([sessions.router])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    app.append_context(ctx=ctx)
    return app.resolve(event, context)
