"""Webhooks function: Razorpay's signed events, verified over the raw body and stored once by event id.

It answers within Razorpay's 5 s and does nothing else (the stream processes the stored events), so it
reads only the webhook secret and may only put items in the table.
"""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from typing import Any

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn import store
    from peerlearn.api import make_resolver
    from peerlearn.api.edge import refusal
    from peerlearn.api.routes import webhooks
    from peerlearn.config import WebhookSettings
    from peerlearn.observability import make_tracer, route_domain_logs

    logger = Logger()
    tracer = make_tracer()
    route_domain_logs(logger)
    settings = WebhookSettings.from_env()
    store.bind(table_name=settings.table_name, region=settings.region, host=settings.dynamodb_endpoint)
    # No request model to validate: the body must stay the raw signed text.
    app = make_resolver([webhooks.router], validation=False)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    app.append_context(webhook_secret=settings.webhook_secret)
    return refusal(event, settings.origin_secret) or app.resolve(event, context)
