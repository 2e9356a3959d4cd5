"""The table of the local stack: made from the template, and brought up to date when the template grows."""

from __future__ import annotations

import copy
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local import dynamodb
from infra.local.dynamodb import ensure_table
from infra.local.template import Template
from tests.support import fresh_dynamodb

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).parent / "fixtures" / "template.yaml"


@pytest.fixture(scope="module")
def dynamodb_endpoint() -> Iterator[str]:
    """An engine of this file's own: adding an index to a table took over 30 s in one shared by a
    test worker's other files (0.8 s alone), and these tests are about the table, not that load."""
    with fresh_dynamodb() as endpoint:
        yield endpoint


def template(table_name: str) -> Template:
    return Template.load(FIXTURE, refs={"Table": table_name})


def test_the_table_is_created_with_its_stream_and_ttl(dynamodb_endpoint: str) -> None:
    name = f"infra-table-{uuid.uuid4().hex[:8]}"
    client = dynamodb.client("dynamodb", dynamodb_endpoint)

    stream_arn = ensure_table(client, template(name))

    table = client.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert stream_arn == table["LatestStreamArn"]
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "ttl")
    assert ensure_table(client, template(name)) == stream_arn  # a second start changes nothing


def test_an_index_the_template_gained_is_added_to_existing_data(dynamodb_endpoint: str) -> None:
    name = f"infra-table-{uuid.uuid4().hex[:8]}"
    client = dynamodb.client("dynamodb", dynamodb_endpoint)
    ensure_table(client, template(name))
    client.put_item(
        TableName=name, Item={"pk": {"S": "A"}, "sk": {"S": "B"}, "gsi1pk": {"S": "G"}, "gsi1sk": {"S": "1"}}
    )
    grown = template(name)
    grown.raw = copy.deepcopy(grown.raw)
    properties = grown.raw["Resources"]["Table"]["Properties"]
    properties["AttributeDefinitions"] += [
        {"AttributeName": "gsi1pk", "AttributeType": "S"},
        {"AttributeName": "gsi1sk", "AttributeType": "S"},
    ]
    properties["GlobalSecondaryIndexes"] = [
        {
            "IndexName": "gsi1",
            "KeySchema": [
                {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
    ]

    ensure_table(client, grown)

    found = client.query(
        TableName=name,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
    )
    assert [item["pk"]["S"] for item in found["Items"]] == ["A"]


def test_a_port_taken_before_the_engine_binds_it_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two test workers can be handed the same free port; the one that loses must not fail its run.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = iter([taken.getsockname()[1]])
        real_free_port = dynamodb.free_port
        monkeypatch.setattr(dynamodb, "free_port", lambda: next(ports, None) or real_free_port())

        with dynamodb.DynamoDBLocal() as database:
            assert database.port != taken.getsockname()[1]
            assert dynamodb.client("dynamodb", database.endpoint).list_tables()["TableNames"] == []


def test_a_port_the_caller_chose_is_never_silently_replaced() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(RuntimeError, match="Failed to bind"):
            dynamodb.DynamoDBLocal(port=taken.getsockname()[1]).start()
