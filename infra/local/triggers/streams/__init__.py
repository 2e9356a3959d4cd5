"""DynamoDB Streams event source mappings for every `Type: DynamoDB` event of the template.

One poller thread per mapping reads the table's stream from DynamoDB Local (all shards, parents
before children, new shards as they appear), drops records that fail `FilterCriteria` (they count
as processed), and hands the rest to the function in batches of `BatchSize`, in Lambda's event
shape. Failures follow Lambda's rules: `ReportBatchItemFailures` moves the checkpoint to just
before the lowest failed sequence number and retries from there, an error retries the batch
(bisected first with `BisectBatchOnFunctionError`), and after `MaximumRetryAttempts` the records go
to the OnFailure destination, locally a JSON line in the dead-letter file. Checkpoints are kept
per shard on disk, so a restart resumes where it stopped.

Locally `MaximumBatchingWindowInSeconds` is not applied (each poll delivers what is there, so
latency stays near the poll interval) and retries wait `retry_delay_seconds`, not Lambda's backoff.

The mapping and its records are in `records`, Lambda's delivery rules in `delivery`, the poller
in `poller`.
"""

from __future__ import annotations

import time

from starlette.routing import BaseRoute

from infra.local.triggers import TriggerContext
from infra.local.triggers.streams.delivery import DeadLetterFile
from infra.local.triggers.streams.poller import StreamPoller
from infra.local.triggers.streams.records import load_mappings


class StreamsTrigger:
    """Every DynamoDB stream mapping of the template, each with its poller."""

    name = "streams"

    def __init__(self, pollers: list[StreamPoller]) -> None:
        self.pollers = pollers

    def routes(self) -> list[BaseRoute]:
        return []

    def start(self) -> None:
        for poller in self.pollers:
            poller.start()

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()

    def await_idle(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for poller in self.pollers:
            poller.await_idle(max(0.0, deadline - time.monotonic()))


def create(context: TriggerContext) -> StreamsTrigger | None:
    mappings = load_mappings(context.template)
    if not mappings:
        return None
    dead_letters = DeadLetterFile(context.dead_letter_path)
    pollers = [
        StreamPoller(
            mapping,
            table_name=context.template.table_definition(mapping.table_logical_id)["TableName"],
            endpoint=context.dynamodb_endpoint,
            runtime=context.runtime,
            checkpoint_dir=context.data_dir / "streams",
            dead_letters=dead_letters,
            poll_interval_seconds=context.poll_interval_seconds,
            retry_delay_seconds=context.retry_delay_seconds,
        )
        for mapping in mappings
    ]
    return StreamsTrigger(pollers)
