"""The stream event source mapping's delivery rules: partial failures, retries, bisect, on-failure."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from infra.local.runtime import FunctionError, Throttled
from infra.local.template import Template
from infra.local.triggers.streams.delivery import (
    Checkpoints,
    Delivery,
    DeliveryStopped,
    Failure,
    batch_failure,
    on_failure_record,
)
from infra.local.triggers.streams.records import StreamMapping, lambda_record, load_mappings

Record = dict[str, Any]


def records(count: int) -> list[Record]:
    return [
        {
            "eventID": f"e{i}",
            "dynamodb": {"SequenceNumber": f"{i:021d}", "ApproximateCreationDateTime": 1795000000},
        }
        for i in range(1, count + 1)
    ]


def seq(record: Record) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


class Function:
    """A stand-in stream function: fails the records whose sequence numbers it is told to."""

    def __init__(
        self, *, report: set[str] = frozenset(), raise_on: set[str] = frozenset(), times: int = 10**6
    ):
        self.report, self.raise_on, self.times = set(report), set(raise_on), times
        self.batches: list[list[str]] = []
        self.failures_left = {s: times for s in self.report | self.raise_on}

    def __call__(self, batch: list[Record]) -> Any:
        sequences = [seq(r) for r in batch]
        self.batches.append(sequences)
        failing = [s for s in sequences if self.failures_left.get(s, 0) > 0]
        for s in failing:
            self.failures_left[s] -= 1
        if any(s in self.raise_on for s in failing):
            raise FunctionError("RuntimeError", "boom")
        return {"batchItemFailures": [{"itemIdentifier": s} for s in failing if s in self.report]}


def delivery(function: Function, **mapping: Any) -> tuple[Delivery, list[tuple[list[str], int]]]:
    dead: list[tuple[list[str], int]] = []
    settings = {"report_batch_item_failures": True, "maximum_retry_attempts": 2, **mapping}
    return (
        Delivery(
            StreamMapping("Fn", "Changes", "Table", **settings),
            invoke=function,
            dead_letter=lambda batch, attempts, error: dead.append(([seq(r) for r in batch], attempts)),
            wait=lambda seconds: None,
        ),
        dead,
    )


# ---------------------------------------------------------------------- reading answers
def test_no_answer_or_no_failures_is_success() -> None:
    batch = records(2)

    assert batch_failure(batch, None, True) is None
    assert batch_failure(batch, {"batchItemFailures": []}, True) is None


def test_the_lowest_failed_sequence_number_is_where_the_retry_starts() -> None:
    batch = records(5)
    answer = {"batchItemFailures": [{"itemIdentifier": seq(batch[3])}, {"itemIdentifier": seq(batch[1])}]}

    assert batch_failure(batch, answer, True) == Failure(1, None)


def test_failures_are_ignored_without_report_batch_item_failures() -> None:
    batch = records(2)

    assert batch_failure(batch, {"batchItemFailures": [{"itemIdentifier": seq(batch[0])}]}, False) is None


@pytest.mark.parametrize("item", [{"itemIdentifier": ""}, {"itemIdentifier": "999"}, {}, "x"])
def test_an_unusable_failure_report_fails_the_whole_batch(item: Any) -> None:
    failure = batch_failure(records(3), {"batchItemFailures": [item]}, True)

    assert failure is not None
    assert failure.index == 0


# ---------------------------------------------------------------------- delivering
def test_a_partial_failure_retries_from_the_failed_record() -> None:
    batch = records(4)
    function = Function(report={seq(batch[2])}, times=1)
    runner, dead = delivery(function)

    runner.deliver(batch)

    assert function.batches == [[seq(r) for r in batch], [seq(batch[2]), seq(batch[3])]]
    assert dead == []


def test_an_error_retries_the_whole_batch() -> None:
    batch = records(3)
    function = Function(raise_on={seq(batch[1])}, times=1)
    runner, dead = delivery(function)

    runner.deliver(batch)

    assert function.batches == [[seq(r) for r in batch]] * 2
    assert dead == []


def test_bisect_isolates_a_poison_record_and_the_rest_is_delivered() -> None:
    batch = records(4)
    poison = seq(batch[1])
    function = Function(raise_on={poison})
    runner, dead = delivery(function, bisect_on_error=True)

    runner.deliver(batch)

    assert dead == [([poison], 3)]  # one try and two retries, then the on-failure destination
    delivered = {s for b in function.batches if poison not in b for s in b}
    assert delivered == {seq(r) for r in batch} - {poison}
    assert function.batches[:3] == [[seq(r) for r in batch], [seq(batch[0]), poison], [seq(batch[0])]]


def test_after_the_maximum_retries_the_rest_of_the_batch_goes_to_the_on_failure_destination() -> None:
    batch = records(3)
    function = Function(report={seq(batch[1])})
    runner, dead = delivery(function)

    runner.deliver(batch)

    assert len(function.batches) == 3
    assert dead == [([seq(batch[1]), seq(batch[2])], 3)]


def test_batches_are_cut_at_the_batch_size() -> None:
    function = Function()
    runner, _ = delivery(function, batch_size=2)

    runner.deliver(records(5))

    assert [len(b) for b in function.batches] == [2, 2, 1]


def test_throttles_are_retried_without_counting_as_attempts() -> None:
    calls: list[int] = []

    def throttled_twice(batch: list[Record]) -> None:
        calls.append(len(batch))
        if len(calls) <= 2:
            raise Throttled("busy")

    runner = Delivery(
        StreamMapping("Fn", "Changes", "Table", maximum_retry_attempts=0),
        invoke=throttled_twice,
        dead_letter=lambda *args: pytest.fail("nothing should be dead-lettered"),
        wait=lambda seconds: None,
    )

    runner.deliver(records(1))

    assert calls == [1, 1, 1]


# ---------------------------------------------------------------------- records and state
def test_a_get_records_record_becomes_lambdas_shape() -> None:
    raw = {
        "eventID": "id-1",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ddblocal",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
            "Keys": {"pk": {"S": "USER#1"}},
            "NewImage": {
                "pk": {"S": "USER#1"},
                "blob": {"B": b"\x00\x01"},
                "m": {"M": {"b": {"B": b"\x02"}}},
                # DynamoDB Local's own spelling of an empty map, at the top and nested
                "empty": {},
                "nested": {"M": {"e": {}}},
            },
            "SequenceNumber": "000000000000000000001",
            "SizeBytes": 20,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }

    shaped = lambda_record(raw, "arn:stream")

    assert shaped["awsRegion"] == "ap-south-1"
    assert shaped["eventSourceARN"] == "arn:stream"
    assert shaped["dynamodb"]["ApproximateCreationDateTime"] == 1795521600
    assert shaped["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}
    assert shaped["dynamodb"]["NewImage"]["m"] == {"M": {"b": {"B": "Ag=="}}}
    assert shaped["dynamodb"]["NewImage"]["empty"] == {"M": {}}
    assert shaped["dynamodb"]["NewImage"]["nested"] == {"M": {"e": {"M": {}}}}
    json.dumps(shaped)  # what a function receives is plain JSON


def test_the_on_failure_record_describes_the_batch() -> None:
    batch = [{**r, "eventSourceARN": "arn:stream"} for r in records(2)]
    mapping = StreamMapping("Fn", "Changes", "Table", on_failure="arn:aws:sqs:dlq")

    entry = on_failure_record(mapping, "arn:aws:lambda:fn", "shard-1", batch, 3, "RuntimeError: boom")

    assert entry["requestContext"]["approximateInvokeCount"] == 3
    info = entry["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        seq(batch[0]),
        seq(batch[1]),
        2,
    )
    assert info["shardId"] == "shard-1"


def test_checkpoints_survive_a_restart_and_reset_with_a_new_stream(tmp_path: Path) -> None:
    path = tmp_path / "Fn.Changes.json"
    first = Checkpoints.load(path, "arn:stream-1")
    assert first.first_run
    first.advance("shard-1", "000000000000000000007")
    first.finish("shard-0")

    again = Checkpoints.load(path, "arn:stream-1")
    recreated = Checkpoints.load(path, "arn:stream-2")

    assert (again.first_run, again.shards, again.finished) == (
        False,
        {"shard-1": "000000000000000000007"},
        {"shard-0"},
    )
    assert (recreated.first_run, recreated.shards) == (True, {})


def test_the_template_stream_mapping_is_read_with_its_settings() -> None:
    (mapping,) = load_mappings(Template.load())

    assert (mapping.function, mapping.table_logical_id) == ("StreamsFunction", "Table")
    assert (mapping.batch_size, mapping.maximum_retry_attempts) == (25, 3)
    assert mapping.bisect_on_error
    assert mapping.report_batch_item_failures
    inserts = {
        "USER",
        "RZP_EVENT",
        "LEDGER_ENTRY",
        "ACTIVE_DAY",
    }  # new users, Razorpay's events, journal entries and active days (analytics)
    assert mapping.filters[0]["eventName"] == ["INSERT"]
    assert set(mapping.filters[0]["dynamodb"]["NewImage"]["entity"]["S"]) == inserts
    assert {"dynamodb": {"Keys": {"sk": {"S": [{"prefix": "REVIEW#"}]}}}} in mapping.filters
    # a user item's MODIFYs (sign-ins, edits, token bumps) reach no consumer: none needs them
    modifies = [f for f in mapping.filters if f.get("eventName") == ["INSERT", "MODIFY"]]
    assert all("USER" not in f["dynamodb"]["NewImage"]["entity"]["S"] for f in modifies)


def test_a_stopping_mapping_abandons_the_batch_without_dead_lettering() -> None:
    stopping = False

    def fail_then_stop(batch: list[Record]) -> None:
        nonlocal stopping
        stopping = True
        raise FunctionError("RuntimeError", "boom")

    runner = Delivery(
        StreamMapping("Fn", "Changes", "Table", maximum_retry_attempts=-1),
        invoke=fail_then_stop,
        dead_letter=lambda *args: pytest.fail("nothing should be dead-lettered"),
        wait=lambda seconds: None,
        stopping=lambda: stopping,
    )

    with pytest.raises(DeliveryStopped):
        runner.deliver(records(2))
