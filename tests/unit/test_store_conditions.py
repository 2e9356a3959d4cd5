"""The one helper that turns a failed write condition into the domain error the caller names."""

from __future__ import annotations

from typing import Any

import pytest

from peerlearn import store
from peerlearn.errors import Conflict
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem


def _user() -> UserItem:
    return UserItem(
        user_pk("01ABC"),
        USER_PROFILE_SK,
        id="01ABC",
        email="a@example.com",
        name="A",
        role="learner",
        password_hash="x",
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
        gsi1pk="ROLE#learner",
        gsi1sk="x",
    )


def test_a_failed_condition_on_a_single_write_raises_the_named_error(ctx: Any) -> None:
    _user().save()
    with pytest.raises(Conflict, match="taken"), store.failed_condition_raises(Conflict("taken")):
        _user().save(condition=UserItem.pk.does_not_exist())


def test_a_failed_condition_in_a_transaction_raises_the_named_error(ctx: Any) -> None:
    _user().save()
    with (
        pytest.raises(Conflict, match="taken"),
        store.failed_condition_raises(Conflict("taken")),
        store.transaction() as tx,
    ):
        tx.save(_user(), condition=UserItem.pk.does_not_exist())


def test_a_write_whose_condition_holds_passes_through(ctx: Any) -> None:
    with store.failed_condition_raises(Conflict("taken")):
        _user().save(condition=UserItem.pk.does_not_exist())
    assert UserItem.get(user_pk("01ABC"), USER_PROFILE_SK).email == "a@example.com"
