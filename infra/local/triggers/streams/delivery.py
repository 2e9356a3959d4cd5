"""Lambda's rules for delivering stream records: partial batch failures, retries, bisecting, the
on-failure record, and the files that keep a mapping's progress (per-shard checkpoints) and its
failures (the local OnFailure destination).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.local.runtime import FunctionError, Throttled
from infra.local.triggers.streams.records import Record, StreamMapping, sequence_number

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """Where a delivered batch failed: records before `index` are done, the rest must be retried."""

    index: int
    error: str | None  # the function raised or answered nonsense; None for reported item failures


def batch_failure(batch: Sequence[Record], result: Any, report_batch_item_failures: bool) -> Failure | None:
    """Reads a function's answer to a batch; None when the whole batch succeeded."""
    if not report_batch_item_failures or result is None:
        return None
    if not isinstance(result, Mapping) or not result.get("batchItemFailures"):
        return None
    positions = {sequence_number(record): i for i, record in enumerate(batch)}
    indexes = []
    for item in result["batchItemFailures"]:
        identifier = item.get("itemIdentifier") if isinstance(item, Mapping) else None
        if not identifier or identifier not in positions:
            # Lambda treats an unusable report as a failure of the whole batch.
            return Failure(0, f"invalid batchItemFailures entry {item!r}")
        indexes.append(positions[identifier])
    return Failure(min(indexes), None)


class DeliveryStopped(Exception):
    """The mapping is stopping: the batch stays unprocessed (and is delivered again after a restart)."""


@dataclass
class Delivery:
    """Delivers records to a function with Lambda's retry, bisect and on-failure rules."""

    mapping: StreamMapping
    invoke: Callable[[list[Record]], Any]
    dead_letter: Callable[[list[Record], int, str | None], None]
    retry_delay_seconds: float = 0.2
    wait: Callable[[float], Any] = time.sleep
    stopping: Callable[[], bool] = lambda: False
    invocations: int = 0

    def deliver(self, records: Sequence[Record]) -> None:
        """Returns once every record is processed or sent to the on-failure destination."""
        size = self.mapping.batch_size
        for start in range(0, len(records), size):
            self._deliver(list(records[start : start + size]))

    def _deliver(self, batch: list[Record]) -> None:
        attempts = 0
        while batch:
            failure = self._invoke(batch)
            if failure is None:
                return
            batch = batch[failure.index :]
            if self.mapping.bisect_on_error and len(batch) > 1:
                middle = len(batch) // 2
                self._deliver(batch[:middle])
                self._deliver(batch[middle:])
                return
            attempts += 1
            if 0 <= self.mapping.maximum_retry_attempts < attempts:
                self.dead_letter(batch, attempts, failure.error)
                return
            self.wait(self.retry_delay_seconds)

    def _invoke(self, batch: list[Record]) -> Failure | None:
        while True:
            if self.stopping():
                raise DeliveryStopped
            self.invocations += 1
            try:
                result = self.invoke(batch)
            except Throttled:
                self.wait(self.retry_delay_seconds)  # Lambda retries throttles without counting them
                continue
            except FunctionError as exc:  # its traceback is in the function's own output
                log.error(
                    "%s failed on a batch of %d record(s): %s: %s",
                    self.mapping.function,
                    len(batch),
                    exc.error_type,
                    exc,
                )
                return Failure(0, f"{exc.error_type}: {exc}")
            return batch_failure(batch, result, self.mapping.report_batch_item_failures)


def on_failure_record(
    mapping: StreamMapping,
    function_arn: str,
    shard_id: str,
    records: Sequence[Record],
    attempts: int,
    error: str | None,
) -> dict[str, Any]:
    """What Lambda sends the OnFailure destination, plus (locally) the records themselves."""

    def arrival(record: Record) -> str:
        seconds = float(record["dynamodb"].get("ApproximateCreationDateTime", 0))
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")

    return {
        "requestContext": {
            "requestId": records[0]["eventID"],
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled" if error else None,
        },
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": sequence_number(records[0]),
            "endSequenceNumber": sequence_number(records[-1]),
            "approximateArrivalOfFirstRecord": arrival(records[0]),
            "approximateArrivalOfLastRecord": arrival(records[-1]),
            "batchSize": len(records),
            "streamArn": records[0]["eventSourceARN"],
        },
        "destination": mapping.on_failure,
        "error": error,
        "Records": list(records),
    }


# ---------------------------------------------------------------------- checkpoints
@dataclass
class Checkpoints:
    """Per-shard progress of one mapping, in a JSON file replaced atomically after every step."""

    path: Path
    stream_arn: str = ""
    shards: dict[str, str] = field(default_factory=dict)  # shard id -> last processed sequence number
    finished: set[str] = field(default_factory=set)  # closed shards read to the end
    first_run: bool = True

    @classmethod
    def load(cls, path: Path, stream_arn: str) -> Checkpoints:
        if not path.exists():
            return cls(path, stream_arn)
        saved = json.loads(path.read_text())
        if saved.get("stream_arn") != stream_arn:  # the table was recreated: a new stream
            return cls(path, stream_arn)
        return cls(
            path, stream_arn, dict(saved.get("shards", {})), set(saved.get("finished", [])), first_run=False
        )

    def advance(self, shard_id: str, sequence: str) -> None:
        self.shards[shard_id] = sequence
        self.save()

    def finish(self, shard_id: str) -> None:
        self.finished.add(shard_id)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        state = {"stream_arn": self.stream_arn, "shards": self.shards, "finished": sorted(self.finished)}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=1))
        os.replace(temporary, self.path)


class DeadLetterFile:
    """The local OnFailure destination: one JSON object per line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, entry: Mapping[str, Any]) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as out:
                out.write(json.dumps(entry, default=str) + "\n")
