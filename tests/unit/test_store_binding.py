"""What a cold request pays the first time it touches the table: one DynamoDB client for every item
type and transaction, and no DescribeTable (the models carry the table's schema)."""

from __future__ import annotations

from typing import Any

import botocore.client
import botocore.session
import pytest

from peerlearn import store
from peerlearn.config import Settings
from peerlearn.store.models import ALL_MODELS, SessionItem, UserItem
from tests.support import user_item


class Calls:
    def __init__(self) -> None:
        self.clients: list[str] = []
        self.operations: list[str] = []


@pytest.fixture
def calls(aws: None, monkeypatch: pytest.MonkeyPatch) -> Calls:
    seen = Calls()
    create_client = botocore.session.Session.create_client
    make_api_call = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def counting_create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        seen.clients.append(service_name)
        return create_client(self, service_name, *args, **kwargs)

    def counting_api_call(self: Any, operation: str, params: Any) -> Any:
        seen.operations.append(operation)
        return make_api_call(self, operation, params)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting_create_client)
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting_api_call)
    return seen


def bind_as_at_cold_start(env: dict[str, str]) -> None:
    settings = Settings.from_env(env)
    store.bind(table_name=settings.table_name, region=settings.region, host=settings.dynamodb_endpoint)


def test_every_item_type_shares_one_dynamodb_client(env: dict[str, str], calls: Calls) -> None:
    bind_as_at_cold_start(env)

    for model in ALL_MODELS:
        with pytest.raises(model.DoesNotExist):
            model.get("nobody", "nothing")
    with store.transaction() as tx:
        tx.condition_check(SessionItem, "nobody", "nothing", condition=SessionItem.pk.does_not_exist())

    assert calls.clients == ["dynamodb"]
    assert calls.operations == ["GetItem"] * len(ALL_MODELS) + ["TransactWriteItems"]


def test_index_queries_and_writes_still_work_through_the_shared_client(
    env: dict[str, str], calls: Calls
) -> None:
    bind_as_at_cold_start(env)
    user_item().save()

    found = list(UserItem.by_role.query("ROLE#learner"))

    assert [user.id for user in found] == ["01ABC"]
    assert "DescribeTable" not in calls.operations
    assert calls.clients == ["dynamodb"]
