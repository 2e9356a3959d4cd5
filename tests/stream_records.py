"""The table's stream on DynamoDB Local, read back whole: every record the StreamsFunction's filter
lets through, shaped as Lambda delivers them. For integration tests that run the stream consumer
themselves (no stack), or deliver a batch to a stack's function again (a replay)."""

from __future__ import annotations

from typing import Any

from infra.local import dynamodb
from infra.local.filtering import parse_filters, passes
from infra.local.template import Template
from infra.local.triggers.streams.records import lambda_record


def stream_filters(template: Template | None = None) -> list[dict[str, Any]]:
    template = template or Template.load()
    [source] = [e for e in template.functions()["StreamsFunction"].events.values() if e["Type"] == "DynamoDB"]
    return parse_filters(source["Properties"]["FilterCriteria"])


def stream_records(endpoint: str, table_name: str, template: Template | None = None) -> list[dict[str, Any]]:
    """Every record of the table's stream so far (from the trim horizon), filtered as the template says."""
    filters = stream_filters(template)
    table = dynamodb.client("dynamodb", endpoint).describe_table(TableName=table_name)
    arn = table["Table"]["LatestStreamArn"]
    streams = dynamodb.client("dynamodbstreams", endpoint)
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += [lambda_record(r, arn) for r in page["Records"]]
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return [r for r in records if passes(filters, r)]
