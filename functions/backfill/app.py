"""Backfill function: rebuilds the analytics rollups from the table, on demand
(`aws lambda invoke --function-name <BackfillFunction> out.json`). Its own function because it is the
one long job: a Scan of every item (projected to what the facts need) folded as it streams, then
the rollups and their markers in batches; minutes and about a gigabyte on a year of data, where the
scheduled jobs have a minute and 512 MB."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from dataclasses import asdict
    from typing import Any

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn import store
    from peerlearn.analytics import backfill
    from peerlearn.config import TableSettings
    from peerlearn.observability import route_domain_logs

    logger = Logger()
    route_domain_logs(logger)
    settings = TableSettings.from_env()
    store.bind(table_name=settings.table_name, region=settings.region, host=settings.dynamodb_endpoint)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return asdict(backfill.backfill())
