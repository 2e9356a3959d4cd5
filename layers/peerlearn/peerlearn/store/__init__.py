"""The one DynamoDB table: item models, key builders, binding and transactions.

Access patterns (pattern -> key condition -> index) are listed in docs/access-patterns.md and each
one is exercised by a test. Every request-path access is a GetItem, Query or transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.connection import Connection
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
    for model in ALL_MODELS:
        model._connection = None  # rebuilt lazily against the new table
    _connection = Connection(region=region, host=host)


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
