"""The one helper that turns a failed write condition into the domain error the caller names."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from peerlearn import store
from peerlearn.errors import Conflict
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem
from tests.support import user_item


def test_a_failed_condition_on_a_single_write_raises_the_named_error(ctx: Any) -> None:
    user_item().save()
    with pytest.raises(Conflict, match="taken"), store.failed_condition_raises(Conflict("taken")):
        user_item().save(condition=UserItem.pk.does_not_exist())


def test_a_failed_condition_in_a_transaction_raises_the_named_error(ctx: Any) -> None:
    user_item().save()
    with (
        pytest.raises(Conflict, match="taken"),
        store.failed_condition_raises(Conflict("taken")),
        store.transaction() as tx,
    ):
        tx.save(user_item(), condition=UserItem.pk.does_not_exist())


def test_a_write_whose_condition_holds_passes_through(ctx: Any) -> None:
    with store.failed_condition_raises(Conflict("taken")):
        user_item().save(condition=UserItem.pk.does_not_exist())
    assert UserItem.get(user_pk("01ABC"), USER_PROFILE_SK).email == "a@example.com"


def _cancelled(*codes: str | None) -> TransactWriteError:
    reasons = [None if code is None else CancellationReason(code=code) for code in codes]
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=reasons,
    )
    return TransactWriteError("cancelled", cause=cause)


def test_only_a_pure_transaction_conflict_is_worth_trying_again() -> None:
    assert store.transaction_conflicted(_cancelled(None, "TransactionConflict"))
    assert not store.transaction_conflicted(_cancelled("ConditionalCheckFailed", "TransactionConflict"))
    assert not store.transaction_conflicted(_cancelled(None, None))


def test_marking_read_tries_again_after_a_conflict_with_another_tab(
    ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerlearn.notify import inbox

    answers: list[Any] = [_cancelled(None, "TransactionConflict"), 4]

    def once(_user_id: str, _notification_id: str) -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return int(answer)

    monkeypatch.setattr(inbox, "_mark_read_once", once)
    assert inbox.mark_read("u", "n") == 4
    assert answers == []
