"""Earnings that mature: a sparse-index item per pending earning, written with its capture, and the
job that moves each due one from pending to available in one transaction with the item's deletion."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from peerlearn import store
from peerlearn.ledger.accounts import mentor_pending
from peerlearn.ledger.journal import balance, post
from peerlearn.ledger.movements import maturity_entry
from peerlearn.store.keys import MATURES, MATURITY_HELD, MATURITY_SK, maturity_pk, maturity_sk
from peerlearn.store.models import MaturityItem

log = logging.getLogger(__name__)

DISPUTE_WINDOW_SECONDS = 72 * 3600  # a session's end + this = when its earnings mature


def maturity_key(key: str) -> str:
    """The maturity entry's idempotency key for the earning scheduled under `key`."""
    return f"maturity#{key}"


def schedule_maturity(
    tx: Any, *, key: str, mentor_id: str, amount_paise: int, due_at_epoch: int, refs: dict[str, str]
) -> None:
    """Adds to `tx` the item that makes `amount_paise` of the mentor's pending earnings available
    at `due_at_epoch` (usually the session's end + DISPUTE_WINDOW_SECONDS). `key` names the earning
    (the capture's key does); scheduling the same key twice cancels the transaction."""
    if amount_paise <= 0:
        raise ValueError("amount_paise must be above zero")
    item = MaturityItem(
        maturity_pk(key),
        MATURITY_SK,
        key=key,
        mentor_id=mentor_id,
        amount_paise=amount_paise,
        due_at=due_at_epoch,
        refs=dict(refs),
        gsi1pk=MATURES,
        gsi1sk=maturity_sk(due_at_epoch, key),
    )
    tx.save(item, condition=MaturityItem.pk.does_not_exist())


def cancel_maturity(tx: Any, key: str) -> None:
    """Adds to `tx` the removal of a pending earning's schedule (a full refund before it matured).
    The transaction fails if the earning already matured, so the caller reverses from available."""
    tx.delete(MaturityItem(maturity_pk(key), MATURITY_SK), condition=MaturityItem.pk.exists())


def reduce_maturity(tx: Any, key: str, by_paise: int) -> None:
    """Adds to `tx` a smaller schedule after a partial refund took `by_paise` out of pending; fails
    (the whole transaction) if the earning matured already or has less than that left."""
    tx.update(
        MaturityItem(maturity_pk(key), MATURITY_SK),
        actions=[MaturityItem.amount_paise.add(-by_paise)],
        condition=MaturityItem.pk.exists() & (MaturityItem.amount_paise >= by_paise),
    )


def maturity_left_paise(key: str) -> int | None:
    """What of the earning scheduled under `key` is still pending (None once it matured or was
    cancelled): tells a refund whether the mentor's part comes out of pending or available. The
    job may run between this read and the refund's transaction: reduce_maturity/cancel_maturity
    then fail it, and the caller reads again."""
    try:
        return int(MaturityItem.get(maturity_pk(key), MATURITY_SK, consistent_read=True).amount_paise)
    except MaturityItem.DoesNotExist:
        return None


def held_earnings() -> list[MaturityItem]:
    """Earnings the job held because the mentor's pending balance was below them."""
    return list(MaturityItem.by_due.query(MATURITY_HELD))


def mature_due(now_epoch: int, *, limit: int | None = None) -> int:
    """The job: every earning due by `now_epoch` (at most `limit` of them, oldest first) moves
    pending -> available, its entry posted and its item deleted in one transaction. A replay or a
    racing run changes nothing. Returns how many matured in this call."""
    matured = 0
    due = MaturityItem.by_due.query(MATURES, MaturityItem.gsi1sk < f"{now_epoch + 1:010d}", limit=limit)
    for item in due:
        if _mature(item):
            matured += 1
    return matured


def _mature(item: MaturityItem) -> bool:
    # The index is eventually consistent: the condition re-checks the item as read (an earning a
    # partial refund reduced meanwhile is picked up, with its new amount, by the next run).
    unchanged = MaturityItem.pk.exists() & (MaturityItem.amount_paise == item.amount_paise)
    target = MaturityItem(item.pk, item.sk)
    amount_paise = int(item.amount_paise)
    # Pending is spread over shards, so no condition can guard it; refunds reduce the schedule in
    # their own transaction (which the amount condition above sees), so pending below the amount
    # means one didn't: hold the earning for a person (out of the job's way, listed by check_books)
    # rather than pay out refunded money.
    if amount_paise > balance(mentor_pending(item.mentor_id)):
        log.warning("earning %s held: the mentor's pending balance is below it", item.key)
        with contextlib.suppress(UpdateError):
            target.update(actions=[MaturityItem.gsi1pk.set(MATURITY_HELD)], condition=unchanged)
        return False
    try:
        with store.transaction() as tx:
            if amount_paise > 0:
                refs = {str(k): str(v) for k, v in (item.refs.as_dict() if item.refs else {}).items()}
                entry = maturity_entry(
                    maturity_key(item.key),
                    mentor_id=item.mentor_id,
                    amount_paise=amount_paise,
                    refs={**refs, "earning_key": item.key},
                )
                post(tx, entry)
            tx.delete(target, condition=unchanged)
    except TransactWriteError as exc:
        if exc.cause_response_code != "TransactionCanceledException":
            raise
        log.warning("earning %s did not mature now (matured already or changed meanwhile)", item.key)
        return False
    return amount_paise > 0
