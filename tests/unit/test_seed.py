"""The demo data `make dev` prints must actually sign in through the API."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed
from peerlearn.accounts import service
from peerlearn.errors import BadRequest
from tests.support import call, load_function, rest_event


def test_every_demo_account_can_sign_in_and_seeding_twice_creates_nothing(
    ctx: Any, env: dict[str, str]
) -> None:
    first = seed(env)
    again = seed(env)
    auth = load_function("auth")

    assert f"({len(DEMO_ACCOUNTS)} created now)" in first[0]
    assert "(0 created now)" in again[0]
    for account in DEMO_ACCOUNTS:
        reply = call(
            auth,
            rest_event("POST", "/api/auth/login", {"email": account["email"], "password": DEMO_PASSWORD}),
        )
        assert reply.status == 200, (account["email"], reply.body)
        assert reply.body["user"]["role"] == account["role"]
        assert reply.body["user"]["email_verified"] is True


def test_accounts_made_outside_the_api_still_need_a_real_email(ctx: Any) -> None:
    with pytest.raises(BadRequest) as caught:
        service.create_admin(email="root@server.local", name="Root", password="admin-password-99")
    assert caught.value.field == "email"
