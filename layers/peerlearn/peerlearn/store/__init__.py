"""The one DynamoDB table: item models, key builders, binding and transactions.

Access patterns (pattern -> key condition -> index) are listed in docs/access-patterns.md and each
one is exercised by a test. Every request-path access is a GetItem, Query or transaction.
"""

from __future__ import annotations

from pynamodb.connection import Connection
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
