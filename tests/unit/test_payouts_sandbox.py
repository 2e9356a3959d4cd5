"""Payouts against the Razorpay sandbox (in process): the real adapter registers the bank account and
makes the payout, and the sandbox's signed payout webhooks, delivered twice, settle the withdrawal once.
Skipped until the sandbox (infra/local/triggers/razorpay, tests/unit/infra/razorpay_harness.py) is
merged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from peerlearn import ledger
from peerlearn.config import RazorpaySettings
from peerlearn.context import Context
from peerlearn.ledger.accounts import PAYOUTS_IN_TRANSIT, mentor_available, mentor_withdrawn
from peerlearn.payouts import approval, bank, withdrawals
from peerlearn.payouts.schemas import PayoutAccountRequest
from peerlearn.payouts.sealing import LocalKeys
from peerlearn.payouts.settlement import on_payout_event
from peerlearn.payouts.wiring import Payouts
from tests.payouts_support import BANK, payout_settings, seed_available

harness = pytest.importorskip("tests.unit.infra.razorpay_harness")

MENTOR = "01JDQ4Z3N0R1C5X8H2P7M9T4QB"
ADMIN = "01JDQ4Z3N0R1C5X8H2P7M9ADMN"


@pytest.fixture
def rzp(tmp_path: Path) -> Iterator[Any]:
    with harness.Harness(tmp_path) as sandbox:
        yield sandbox


@pytest.fixture
def payouts(ctx: Context, rzp: Any, monkeypatch: pytest.MonkeyPatch) -> Payouts:
    from peerlearn.adapters.razorpay import Razorpay

    monkeypatch.setattr(requests, "Session", lambda: rzp.session)  # the SDK's HTTP goes in process
    razorpay_settings = RazorpaySettings(
        key_id=rzp.keys.key_id,
        key_secret=rzp.keys.key_secret,
        webhook_secret=rzp.keys.webhook_secret,
        base_url=harness.HOST + "/_razorpay",
        checkout_url=harness.HOST + "/_razorpay/checkout.js",
        payout_account_number=rzp.keys.account_number,
    )
    settings = payout_settings()
    assert settings.local_data_key is not None
    return Payouts(settings, LocalKeys(settings.local_data_key), lambda: Razorpay(razorpay_settings))


def delivered(rzp: Any) -> list[dict[str, object]]:
    return [json.loads(r["body"]) for r in rzp.receiver.received if r["status"] == 200]


@pytest.mark.parametrize("outcome", ["processed", "reversed"])
def test_a_withdrawal_is_paid_out_by_razorpayx_and_settled_by_its_webhook(
    ctx: Context,
    rzp: Any,
    payouts: Payouts,
    outcome: str,
) -> None:
    rzp.switches.update({"payout_outcome": outcome})
    shown = bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    seed_available(MENTOR, 200_000)
    made = approval.withdraw(payouts, mentor_id=MENTOR, amount_paise=150_000)

    approved = approval.approve(payouts, withdrawal_id=made.id, admin_id=ADMIN)
    rzp.idle()
    events = delivered(rzp)
    for event in events + events:  # at least once: every delivery twice
        on_payout_event(ctx, event)

    assert shown.ready
    assert approved.status == "processing"
    assert approved.payout_id is not None
    assert approved.payout_id.startswith("pout_")
    assert [e["event"] for e in events] == [f"payout.{outcome}"]
    ended = withdrawals.get_item(made.id)
    assert ledger.balance(PAYOUTS_IN_TRANSIT) == 0
    if outcome == "processed":
        assert ended.status == "paid"
        assert ledger.balance(mentor_withdrawn(MENTOR)) == 150_000
        assert ledger.balance(mentor_available(MENTOR)) == 50_000
    else:
        assert ended.status == "failed"
        assert ended.reason == "The beneficiary bank rejected the payout."
        assert ledger.balance(mentor_available(MENTOR)) == 200_000


def test_a_payout_whose_answer_was_lost_is_the_one_approval_gets(
    rzp: Any,
    payouts: Payouts,
) -> None:
    # Given a payout Razorpay made for this withdrawal, whose answer never reached us
    bank.set_account(payouts, mentor_id=MENTOR, details=PayoutAccountRequest(**BANK))
    seed_available(MENTOR, 100_000)
    made = approval.withdraw(payouts, mentor_id=MENTOR, amount_paise=100_000)
    fund_account_id = bank.fund_account_id(payouts, MENTOR)
    assert fund_account_id is not None
    lost = payouts.gateway.create_payout(
        fund_account_id=fund_account_id,
        amount_paise=100_000,
        idempotency_key=made.id,
        reference_id=made.id,
        notes={"withdrawal_id": made.id, "mentor_id": MENTOR},
    )

    # When the admin approves, it asks again with the withdrawal's id as the key
    approved = approval.approve(payouts, withdrawal_id=made.id, admin_id=ADMIN)

    # Then RazorpayX answers with the same payout: one payout, not two
    assert approved.payout_id == lost["id"]
