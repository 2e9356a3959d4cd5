"""A DynamoDB stream event source mapping as the template declares it, and its records as Lambda
delivers them (epoch-second creation times, base64 binaries).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from infra.local.account import REGION
from infra.local.filtering import parse_filters
from infra.local.template import Template

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
    if not value:
        # DynamoDB Local's stream writes an empty map as `{}` where DynamoDB writes `{"M": {}}` (an
        # empty list keeps its `{"L": []}`; no other type can be empty). Lambda gets the real shape.
        return {"M": {}}
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
