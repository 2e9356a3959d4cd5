"""Email events function: SES's bounces and complaints (EventBridge, from the configuration set)
become suppressed addresses in the table. It reads no secret and sends nothing: the table is all
it may touch."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from typing import Any

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn import store
    from peerlearn.config import TableSettings
    from peerlearn.notify import email_events
    from peerlearn.observability import route_domain_logs

    logger = Logger()
    route_domain_logs(logger)
    settings = TableSettings.from_env()
    store.bind(table_name=settings.table_name, region=settings.region, host=settings.dynamodb_endpoint)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return {"suppressed": email_events.record(event)}
