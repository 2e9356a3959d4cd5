"""The one helper that turns a failed write condition into the domain error the caller names."""

from __future__ import annotations

from typing import Any

import pytest

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
