"""Mentor payouts end to end on the local stack: the payouts function behind the gateway, RazorpayX in
the Razorpay sandbox (`stack.razorpay`), its payout webhooks POSTed through the gateway to the
webhooks function, and the stream settling the withdrawal (events.py routes `payout.*` events to
peerlearn.payouts.settlement). DynamoDB Local underneath."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn.accounts import service as accounts
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from tests.payouts_support import BANK, seed_available
from tests.support import FAST_RAZORPAY, stack_for, wait_until

pytestmark = pytest.mark.integration
PASSWORD = "mango-monsoon-42"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint, tmp_path_factory.mktemp("payouts"), "payouts", overrides=FAST_RAZORPAY
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    return build_context(Settings.from_env(stack.settings_env))  # this process on the stack's table


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


def person(ctx: Context, role: str) -> tuple[str, dict[str, str]]:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
    user_id = accounts.create_account(
        name=f"{role.title()} {email[:8]}", email=email, password=PASSWORD, role=role, verified=True, **extra
    )
    token = accounts.sign_in_without_password(ctx, user_id).access_token
    return user_id, {"Authorization": f"Bearer {token}"}


def withdrawal(api: httpx.Client, headers: dict[str, str], withdrawal_id: str) -> dict[str, Any]:
    mine = api.get("/api/me/withdrawals", headers=headers)
    assert mine.status_code == 200, mine.text
    return next(w for w in mine.json()["items"] if w["id"] == withdrawal_id)


@pytest.mark.parametrize(("outcome", "status"), [("processed", "paid"), ("reversed", "failed")])
def test_a_mentor_withdraws_an_admin_approves_and_the_payout_webhook_settles_it(
    ctx: Context, api: httpx.Client, outcome: str, status: str
) -> None:
    mentor_id, mentor = person(ctx, "mentor")
    _admin_id, admin = person(ctx, "admin")
    assert api.post("/_dev/razorpay/switches", json={"payout_outcome": outcome}).status_code == 200

    account = api.put("/api/me/payout-account", json=BANK, headers=mentor)
    seed_available(mentor_id, 150_000)
    made = api.post("/api/me/withdrawals", json={"amount_paise": 100_000}, headers=mentor)
    approved = api.post(f"/api/admin/withdrawals/{made.json()['id']}/approve", headers=admin)

    assert account.status_code == 200, account.text
    assert account.json()["ready"] is True
    assert made.status_code == 201, made.text
    assert approved.status_code == 200, approved.text
    assert approved.json()["payout_id"].startswith("pout_")
    ended = wait_until(
        lambda: (w := withdrawal(api, mentor, made.json()["id"]))["status"] in ("paid", "failed") and w,
        timeout=30,
        what="the payout webhook to settle the withdrawal",
    )
    assert ended["status"] == status
    earnings = api.get("/api/me/earnings", headers=mentor).json()
    assert earnings["in_transit_paise"] == 0
    assert earnings["withdrawn_paise"] == (100_000 if status == "paid" else 0)
    assert earnings["available_paise"] == (50_000 if status == "paid" else 150_000)
