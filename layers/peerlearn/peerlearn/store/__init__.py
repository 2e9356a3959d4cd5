"""The one DynamoDB table: item models, key builders, binding and transactions.

Access patterns (pattern -> key condition -> index) are listed in docs/access-patterns.md and each
one is exercised by a test. Every request-path access is a GetItem, Query or transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pynamodb import constants
from pynamodb.connection import Connection, TableConnection
from pynamodb.connection.base import MetaTable
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from peerlearn.store.models import ALL_MODELS, BaseItem

_connection: Connection | None = None


def bind(*, table_name: str, region: str, host: str | None = None) -> None:
    """Points every item model at the table; called once per cold start (and by tests)."""
    global _connection
    BaseItem.Meta.table_name = table_name
    BaseItem.Meta.region = region
    BaseItem.Meta.host = host
    _connection = Connection(region=region, host=host)
    _connection.add_meta_table(_meta_table(table_name))
    # pynamodb gives each model class a connection of its own, and each builds a botocore session and
    # client (parsing DynamoDB's service model, ~50 ms) the first time the class is used: a cold
    # booking paid that four times. One connection serves every model and every transaction.
    models: tuple[type[BaseItem], ...] = (BaseItem, *ALL_MODELS)
    for model in models:
        table = TableConnection(table_name, region=region, host=host)  # its own connection stays unused
        table.connection = _connection
        model._connection = table


def _meta_table(table_name: str) -> MetaTable:
    """The table's keys and indexes, from the models (the union of their schemas), so nothing asks
    DynamoDB to describe the table."""
    attributes: dict[str, Any] = {}
    indexes: dict[str, Any] = {}
    for model in ALL_MODELS:
        schema = model._get_schema()
        attributes.update({a["AttributeName"]: a for a in schema["attribute_definitions"]})
        for index in schema["global_secondary_indexes"]:
            indexes[index["index_name"]] = {
                constants.INDEX_NAME: index["index_name"],
                constants.KEY_SCHEMA: index["key_schema"],
            }
    return MetaTable(
        {
            constants.TABLE_NAME: table_name,
            constants.KEY_SCHEMA: BaseItem._get_schema()["key_schema"],
            constants.ATTR_DEFINITIONS: list(attributes.values()),
            constants.GLOBAL_SECONDARY_INDEXES: list(indexes.values()),
            constants.LOCAL_SECONDARY_INDEXES: [],
        }
    )


def transaction() -> TransactWrite:
    """A TransactWriteItems on the bound table: `with transaction() as tx: tx.save(...)`."""
    if _connection is None:
        raise RuntimeError("peerlearn.store.bind() was not called")
    return TransactWrite(connection=_connection)


_CONDITION_FAILED = "ConditionalCheckFailed"


def condition_failed(exc: PynamoDBException) -> bool:
    """True when a write failed because one of its conditions did not hold (not throttling, not
    a transaction conflict, not a network error)."""
    if isinstance(exc, TransactWriteError):
        reasons = exc.cancellation_reasons or []
        return any(reason is not None and reason.code == _CONDITION_FAILED for reason in reasons)
    return exc.cause_response_code == _CONDITION_FAILED + "Exception"


def transaction_conflicted(exc: PynamoDBException) -> bool:
    """True when a transaction was cancelled only because another one was changing the same item
    at that moment (TransactionConflict): safe to try again when the writes are conditioned."""
    if not isinstance(exc, TransactWriteError):
        return False
    reasons = [reason for reason in exc.cancellation_reasons or [] if reason is not None]
    return (
        bool(reasons)
        and all(reason.code in ("TransactionConflict", "None") for reason in reasons)
        and any(reason.code == "TransactionConflict" for reason in reasons)
    )


@contextmanager
def failed_condition_raises(error: Exception) -> Iterator[None]:
    """`with failed_condition_raises(Conflict("...")): item.save(condition=...)`: a write whose
    condition fails raises `error` instead; every other storage failure passes through unchanged."""
    try:
        yield
    except (PutError, UpdateError, DeleteError, TransactWriteError) as exc:
        if condition_failed(exc):
            raise error from exc
        raise
