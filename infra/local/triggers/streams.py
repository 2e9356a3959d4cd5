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
"""

from __future__ import annotations

import base64
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

from starlette.routing import BaseRoute

from infra.local import dynamodb
from infra.local.account import REGION
from infra.local.background import BackgroundLoop
from infra.local.filtering import parse_filters, passes
from infra.local.runtime import FunctionError, Runtime, Throttled
from infra.local.template import Template
from infra.local.triggers import TriggerContext

log = logging.getLogger(__name__)

Record = dict[str, Any]


@dataclass(frozen=True)
class StreamMapping:
    """One `Type: DynamoDB` event: which function reads which table's stream, and how."""

    function: str
    event_name: str
    table_logical_id: str
    starting_position: str = "TRIM_HORIZON"
    batch_size: int = 100
    maximum_retry_attempts: int = -1  # -1: until the record expires (never, locally)
    bisect_on_error: bool = False
    report_batch_item_failures: bool = False
    filters: tuple[Mapping[str, Any], ...] = ()
    on_failure: str | None = None

    @property
    def name(self) -> str:
        return f"{self.function}.{self.event_name}"


def load_mappings(template: Template) -> list[StreamMapping]:
    mappings = []
    for spec in template.functions().values():
        for event_name, event in spec.events.items():
            if event.get("Type") != "DynamoDB":
                continue
            raw = event.get("Properties", {})
            stream = raw.get("Stream")
            if not (isinstance(stream, dict) and "Fn::GetAtt" in stream):
                raise ValueError(f"{spec.logical_id}.{event_name}: Stream must be !GetAtt <Table>.StreamArn")
            props = template.resolve(raw)
            destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            mappings.append(
                StreamMapping(
                    function=spec.logical_id,
                    event_name=event_name,
                    table_logical_id=stream["Fn::GetAtt"][0],
                    starting_position=props.get("StartingPosition", "TRIM_HORIZON"),
                    batch_size=int(props.get("BatchSize", 100)),
                    maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
                    bisect_on_error=bool(props.get("BisectBatchOnFunctionError", False)),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in (props.get("FunctionResponseTypes") or []),
                    filters=tuple(parse_filters(props.get("FilterCriteria"))),
                    on_failure=str(destination) if destination else None,
                )
            )
    return mappings


# ---------------------------------------------------------------------- records
def lambda_record(record: Mapping[str, Any], stream_arn: str) -> Record:
    """A GetRecords record in the shape Lambda delivers it (epoch seconds, base64 binaries)."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        seconds = created.timestamp()
        change["ApproximateCreationDateTime"] = int(seconds) if seconds.is_integer() else seconds
    for image in ("Keys", "NewImage", "OldImage"):
        if image in change:
            change[image] = {name: _json_attribute(value) for name, value in change[image].items()}
    shaped: Record = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in record:  # TTL deletions
        shaped["userIdentity"] = record["userIdentity"]
    return shaped


def _json_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in inner]}
    if kind == "M":
        return {"M": {name: _json_attribute(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [_json_attribute(item) for item in inner]}
    return {kind: inner}


def sequence_number(record: Mapping[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


# ---------------------------------------------------------------------- delivery
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


# ---------------------------------------------------------------------- polling
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
