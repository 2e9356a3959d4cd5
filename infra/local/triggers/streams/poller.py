"""The poller of one stream mapping: reads every shard of the table's stream from DynamoDB Local
(parents before children, new shards as they appear), filters, delivers and checkpoints.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from infra.local import dynamodb
from infra.local.background import BackgroundLoop
from infra.local.filtering import passes
from infra.local.runtime import Runtime
from infra.local.triggers.streams.delivery import Checkpoints, DeadLetterFile, Delivery, on_failure_record
from infra.local.triggers.streams.records import Record, StreamMapping, lambda_record, sequence_number

log = logging.getLogger(__name__)


class StreamPoller:
    """Reads one table's stream for one mapping in a background thread."""

    def __init__(
        self,
        mapping: StreamMapping,
        table_name: str,
        endpoint: str,
        runtime: Runtime,
        checkpoint_dir: Path,
        dead_letters: DeadLetterFile,
        poll_interval_seconds: float = 0.1,
        retry_delay_seconds: float = 0.2,
    ) -> None:
        self.mapping = mapping
        self.table_name = table_name
        self.runtime = runtime
        self.checkpoint_path = checkpoint_dir / f"{mapping.name}.json"
        self.dead_letters = dead_letters
        self.poll_interval_seconds = poll_interval_seconds
        self.delivered = 0  # records handed to the function (after filtering)
        self.filtered_out = 0
        self._loop = BackgroundLoop(f"stream-{mapping.name}", self._round, on_error=self._poll_failed)
        self._dynamodb = dynamodb.client("dynamodb", endpoint)
        self._streams = dynamodb.client("dynamodbstreams", endpoint)
        self._delivery = Delivery(
            mapping,
            self._invoke,
            self._dead_letter,
            retry_delay_seconds,
            self._loop.wait,
            lambda: self._loop.stopping,
        )
        self._checkpoints: Checkpoints | None = None
        self._iterators: dict[str, str] = {}
        self._shard_id = ""
        self._progress = threading.Condition()
        self._rounds_started = 0
        self._last_idle_round = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._loop.stop(timeout)

    def await_idle(self, timeout: float) -> None:
        """Blocks until a whole poll round that began after this call found nothing new."""
        deadline = time.monotonic() + timeout
        with self._progress:
            target = self._rounds_started
            while self._last_idle_round <= target:
                if not self._loop.running:
                    raise RuntimeError(
                        f"the stream poller of {self.mapping.name} is not running"
                    ) from self._loop.last_error
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"the stream poller of {self.mapping.name} is still busy after {timeout} s"
                    )
                self._progress.wait(min(remaining, 0.5))

    # ------------------------------------------------------------------ the loop
    def _round(self) -> float:
        """One poll round; the pause before the next (none while records keep coming)."""
        with self._progress:
            self._rounds_started += 1
            round_number = self._rounds_started
        if self._poll_once():
            return 0.0
        with self._progress:
            self._last_idle_round = round_number
            self._progress.notify_all()
        return self.poll_interval_seconds

    def _poll_failed(self, error: BaseException) -> None:
        self._iterators.clear()  # they may be what failed: start the shards afresh

    def _poll_once(self) -> bool:
        """One pass over every readable shard; True when any record was read."""
        try:
            table = self._dynamodb.describe_table(TableName=self.table_name)["Table"]
        except self._dynamodb.exceptions.ResourceNotFoundException:
            return False
        stream_arn = table.get("LatestStreamArn")
        if not stream_arn:
            return False
        checkpoints = self._checkpoints
        if checkpoints is None or checkpoints.stream_arn != stream_arn:
            checkpoints = self._checkpoints = Checkpoints.load(self.checkpoint_path, stream_arn)
            self._iterators.clear()

        found = False
        shards = self._shards(stream_arn)
        known = {shard["ShardId"] for shard in shards}
        for shard in shards:
            shard_id = shard["ShardId"]
            parent = shard.get("ParentShardId")
            if shard_id in checkpoints.finished or (parent in known and parent not in checkpoints.finished):
                continue  # done, or its parent still has records to deliver first
            iterator = self._iterators.get(shard_id) or self._iterator(stream_arn, shard_id, checkpoints)
            try:
                page = self._streams.get_records(ShardIterator=iterator, Limit=1000)
            except self._streams.exceptions.ExpiredIteratorException:
                self._iterators.pop(shard_id, None)
                continue
            if page["Records"]:
                found = True
                self._process(shard_id, [lambda_record(r, stream_arn) for r in page["Records"]], checkpoints)
            next_iterator = page.get("NextShardIterator")
            if next_iterator:
                self._iterators[shard_id] = next_iterator
            else:
                self._iterators.pop(shard_id, None)
                checkpoints.finish(shard_id)
        if checkpoints.first_run:
            checkpoints.first_run = False
            checkpoints.save()
        return found

    def _shards(self, stream_arn: str) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {"StreamArn": stream_arn}
        while True:
            description = self._streams.describe_stream(**arguments)["StreamDescription"]
            shards += description["Shards"]
            last = description.get("LastEvaluatedShardId")
            if not last:
                return shards
            arguments["ExclusiveStartShardId"] = last

    def _iterator(self, stream_arn: str, shard_id: str, checkpoints: Checkpoints) -> str:
        arguments: dict[str, Any] = {"StreamArn": stream_arn, "ShardId": shard_id}
        if shard_id in checkpoints.shards:
            arguments |= {
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "SequenceNumber": checkpoints.shards[shard_id],
            }
        elif checkpoints.first_run:
            arguments["ShardIteratorType"] = self.mapping.starting_position
        else:  # a shard that appeared since the first run: read it all, as Lambda does
            arguments["ShardIteratorType"] = "TRIM_HORIZON"
        try:
            iterator: str = self._streams.get_shard_iterator(**arguments)["ShardIterator"]
        except self._streams.exceptions.TrimmedDataAccessException:
            log.warning("%s: records after the checkpoint of %s expired", self.mapping.name, shard_id)
            arguments = {"StreamArn": stream_arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON"}
            iterator = self._streams.get_shard_iterator(**arguments)["ShardIterator"]
        return iterator

    def _process(self, shard_id: str, records: list[Record], checkpoints: Checkpoints) -> None:
        """Delivers the matching records batch by batch, checkpointing each span of the shard."""
        self._shard_id = shard_id
        matching: list[Record] = []
        for position, record in enumerate(records):
            if passes(self.mapping.filters, record):
                matching.append(record)
            else:
                self.filtered_out += 1
            if len(matching) == self.mapping.batch_size or position == len(records) - 1:
                if matching:
                    self._delivery.deliver(matching)
                    self.delivered += len(matching)
                checkpoints.advance(shard_id, sequence_number(record))
                matching = []

    def _invoke(self, batch: list[Record]) -> Any:
        return self.runtime.invoke(self.mapping.function, {"Records": batch})

    def _dead_letter(self, records: list[Record], attempts: int, error: str | None) -> None:
        log.error(
            "%s: %d record(s) failed %d time(s); written to the on-failure file %s",
            self.mapping.function,
            len(records),
            attempts,
            self.dead_letters.path,
        )
        function_arn = self.runtime.function_arn(self.mapping.function)
        entry = on_failure_record(self.mapping, function_arn, self._shard_id, records, attempts, error)
        self.dead_letters.append(entry)
