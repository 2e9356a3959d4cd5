"""Streams function: reacts to table changes in batches, reporting partial failures to retry."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from typing import Any

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from peerlearn.config import PushSettings, Settings
    from peerlearn.context import build_context
    from peerlearn.events import after_batch, handle_record
    from peerlearn.observability import make_tracer, route_domain_logs

    logger = Logger()
    tracer = make_tracer()
    route_domain_logs(logger)
    ctx = build_context(Settings.from_env(), push=PushSettings.from_env())  # notifications reach devices
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> None:
    handle_record(ctx, record)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    # The admins' live statistics: once per batch, after its rollups, never failing it.
    after_batch([DynamoDBRecord(record) for record in event.get("Records", [])])
    return response
