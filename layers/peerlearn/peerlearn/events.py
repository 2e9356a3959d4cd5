"""The table's stream as an event bus: one record in, the matching domain reaction out.

Every reaction is idempotent (a redelivered record changes nothing) and raises to ask for a retry.
"""

from __future__ import annotations

import logging
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from peerlearn.accounts import service as accounts
from peerlearn.context import Context

logger = logging.getLogger(__name__)


def handle_record(ctx: Context, record: DynamoDBRecord) -> None:
    new: dict[str, Any] = (record.dynamodb.new_image if record.dynamodb else None) or {}
    entity = new.get("entity")
    if record.event_name == DynamoDBRecordEventName.INSERT and entity == "USER":
        accounts.on_user_created(ctx, str(new["id"]))
        return
    logger.debug("stream record ignored", extra={"entity": entity, "event": str(record.event_name)})
