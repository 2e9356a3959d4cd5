"""Recommend build function: every 15 minutes reads the table (one paged, projected Scan), builds the
recommendations model (numpy) and publishes it under models/recommend/ for the recommendations
function to pick up.

Its own function rather than a job of JobsFunction: the every-minute sweep would pay numpy's import
at each cold start; a build wants more memory (CPU) and time than the sweep; and only this role may
Scan for it and write models/ (nothing else)."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from dataclasses import asdict
    from typing import Any

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn import store
    from peerlearn.config import ModelSettings, TableSettings
    from peerlearn.observability import make_tracer, route_domain_logs
    from peerlearn.recommend.artefacts import store_from
    from peerlearn.recommend.build import rebuild

    logger = Logger()
    tracer = make_tracer()
    route_domain_logs(logger)
    table = TableSettings.from_env()
    store.bind(table_name=table.table_name, region=table.region, host=table.dynamodb_endpoint)
    models = ModelSettings.from_env(serving=False)
    artefacts = store_from(models.models_dir, models.bucket)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    job = event.get("job", "recommend")
    if job != "recommend":
        raise ValueError(f"unknown job {job!r}")
    return asdict(rebuild(artefacts))
