"""The table's stream, for unit tests: snapshots of the table (a Scan: fine in a test) diffed into
stream records (INSERT, MODIFY with both images, REMOVE), filtered by the StreamsFunction's
FilterCriteria in template.yaml (as Lambda does), and fed to the streams function's
`events.handle_record`, again and again until the reactions change nothing more.

A diff folds several writes to one item into one record (first image -> last image), as a batch
window would not, but every consumer handles either. `replay()` feeds the last batch again.
"""

from __future__ import annotations

import itertools
from typing import Any

import boto3
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from infra.local.filtering import passes
from peerlearn import events
from peerlearn.context import Context
from tests.stream_records import stream_filters

_sequence = itertools.count(1)
Key = tuple[str, str]


class Stream:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.client = boto3.client("dynamodb", region_name="ap-south-1")
        self.seen = self._snapshot()
        self.batches: list[list[DynamoDBRecord]] = []
        self.filters = stream_filters()
        self.filtered_out = 0

    def _snapshot(self) -> dict[Key, dict[str, Any]]:
        items: dict[Key, dict[str, Any]] = {}
        for page in self.client.get_paginator("scan").paginate(TableName=self.ctx.settings.table_name):
            for item in page["Items"]:
                items[(item["pk"]["S"], item["sk"]["S"])] = item
        return items

    def _records(self) -> list[DynamoDBRecord]:
        now = self._snapshot()
        records = []
        for key in sorted(set(now) | set(self.seen)):
            old, new = self.seen.get(key), now.get(key)
            if old == new:
                continue
            data: dict[str, Any] = {
                "Keys": {"pk": {"S": key[0]}, "sk": {"S": key[1]}},
                "SequenceNumber": str(next(_sequence)),
            }
            if new is not None:
                data["NewImage"] = new
            if old is not None:
                data["OldImage"] = old
            name = "MODIFY" if old and new else "INSERT" if new else "REMOVE"
            raw = {"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": data}
            if passes(self.filters, raw):
                records.append(DynamoDBRecord(raw))
            else:
                self.filtered_out += 1
        self.seen = now
        return records

    def flush(self, rounds: int = 10) -> int:
        """Delivers every change since the last flush, and what those reactions change, until quiet."""
        delivered = 0
        for _ in range(rounds):
            records = self._records()
            if not records:
                return delivered
            self.batches.append(records)
            for record in records:
                events.handle_record(self.ctx, record)
            delivered += len(records)
        raise AssertionError(f"the stream did not settle in {rounds} rounds")

    def replay(self) -> None:
        """Delivers every batch so far again, as Lambda does after a failure, then what that changed."""
        for records in list(self.batches):
            for record in records:
                events.handle_record(self.ctx, record)
        self.flush()

    def skip(self) -> None:
        """Forgets the changes so far (they happened before the test's story)."""
        self.seen = self._snapshot()
