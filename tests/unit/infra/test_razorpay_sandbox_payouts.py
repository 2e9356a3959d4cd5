"""RazorpayX in the sandbox (contacts, fund accounts, payouts), and the product's adapter against it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from razorpay.errors import BadRequestError

from infra.local.triggers.razorpay.payouts import payout_fee
from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable, Razorpay
from peerlearn.config import RazorpaySettings
from tests.unit.infra.razorpay_harness import HOST, Harness


@pytest.fixture
def rzp(tmp_path: Path) -> Iterator[Harness]:
    with Harness(tmp_path) as harness:
        yield harness


def fund_account(rzp: Harness) -> dict[str, Any]:
    contact = rzp.client.post(
        "/v1/contacts", {"name": "Asha Rao", "type": "vendor", "reference_id": "mentor_1"}
    )
    bank = {"name": "Asha Rao", "ifsc": "HDFC0000053", "account_number": "765432123456789"}
    return dict(
        rzp.client.post(
            "/v1/fund_accounts",
            {"contact_id": contact["id"], "account_type": "bank_account", "bank_account": bank},
        )
    )


def payout_body(rzp: Harness, fund_account_id: str, amount: int = 100_000) -> dict[str, Any]:
    return {
        "account_number": rzp.keys.account_number,
        "fund_account_id": fund_account_id,
        "amount": amount,
        "currency": "INR",
        "mode": "IMPS",
        "purpose": "payout",
        "queue_if_low_balance": True,
        "reference_id": "wd_1",
        "notes": {"withdrawal_id": "wd_1"},
    }


def test_contacts_and_fund_accounts_have_razorpayx_ids_and_the_same_details_return_the_same_one(
    rzp: Harness,
) -> None:
    body = {"name": "Asha Rao", "type": "vendor", "reference_id": "mentor_1"}
    first = rzp.http.post("/_razorpay/v1/contacts", json=body, auth=rzp.client.auth)
    again = rzp.http.post("/_razorpay/v1/contacts", json=body, auth=rzp.client.auth)

    assert (first.status_code, again.status_code) == (201, 200)
    assert re.fullmatch(r"cont_[A-Za-z0-9]{14}", first.json()["id"])
    assert again.json() == first.json()
    account = fund_account(rzp)
    assert re.fullmatch(r"fa_[A-Za-z0-9]{14}", account["id"])
    assert account["bank_account"]["bank_name"] == "HDFC Bank"
    assert fund_account(rzp)["id"] == account["id"]


@pytest.mark.parametrize(
    ("bank", "field"),
    [
        ({"ifsc": "HDFC123"}, "ifsc"),
        ({"account_number": "12-34"}, "account number"),
        ({"name": "A"}, "name"),
    ],
)
def test_fund_accounts_check_the_bank_details(rzp: Harness, bank: dict[str, str], field: str) -> None:
    contact = rzp.client.post("/v1/contacts", {"name": "Asha Rao"})
    details = {"name": "Asha Rao", "ifsc": "HDFC0000053", "account_number": "765432123456789", **bank}

    with pytest.raises(BadRequestError, match=f"(?i){field}"):
        rzp.client.post(
            "/v1/fund_accounts",
            {"contact_id": contact["id"], "account_type": "bank_account", "bank_account": details},
        )


def test_a_payout_needs_an_idempotency_key_and_replays_by_it(rzp: Harness) -> None:
    account = fund_account(rzp)
    body = payout_body(rzp, account["id"])

    with pytest.raises(BadRequestError, match="Idempotency key is missing"):
        rzp.client.post("/v1/payouts", body)
    with pytest.raises(BadRequestError, match="4 to 36"):
        rzp.client.post("/v1/payouts", body, headers={"X-Payout-Idempotency": "wd#1"})
    first = rzp.client.post("/v1/payouts", body, headers={"X-Payout-Idempotency": "wd_1"})
    again = rzp.client.post("/v1/payouts", body, headers={"X-Payout-Idempotency": "wd_1"})
    with pytest.raises(BadRequestError, match="Different request body"):
        rzp.client.post("/v1/payouts", {**body, "amount": 200_000}, headers={"X-Payout-Idempotency": "wd_1"})

    assert re.fullmatch(r"pout_[A-Za-z0-9]{14}", first["id"])
    assert again == first
    assert (first["status"], first["fees"], first["tax"]) == ("processing", *payout_fee(100_000))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"account_number": "1111"}, "account number is invalid"),
        ({"amount": 50}, "atleast INR 1.00"),
        ({"mode": "CHEQUE"}, "mode must be one of"),
        ({"fund_account_id": "fa_00000000000000"}, "does not exist"),
    ],
)
def test_payouts_follow_razorpayx_rules(rzp: Harness, change: dict[str, Any], message: str) -> None:
    body = {**payout_body(rzp, fund_account(rzp)["id"]), **change}

    with pytest.raises(BadRequestError, match=message):
        rzp.client.post("/v1/payouts", body, headers={"X-Payout-Idempotency": "wd_rules"})


@pytest.mark.parametrize("outcome", ["processed", "reversed", "failed"])
def test_a_payout_settles_as_the_switch_says_with_its_webhook(rzp: Harness, outcome: str) -> None:
    rzp.switches.update({"payout_outcome": outcome})
    payout = rzp.client.post(
        "/v1/payouts", payout_body(rzp, fund_account(rzp)["id"]), headers={"X-Payout-Idempotency": "wd_2"}
    )

    rzp.idle()

    settled = rzp.client.get(f"/v1/payouts/{payout['id']}", {})
    assert settled["status"] == outcome
    assert (settled["utr"] is not None) == (outcome == "processed")
    assert (settled["status_details"]["reason"] is None) == (outcome == "processed")
    assert rzp.receiver.events() == [f"payout.{outcome}"]


# ---------------------------------------------------------------------- the product's adapter
@pytest.fixture
def adapter(rzp: Harness, monkeypatch: pytest.MonkeyPatch) -> Razorpay:
    monkeypatch.setattr(requests, "Session", lambda: rzp.session)
    settings = RazorpaySettings(
        key_id=rzp.keys.key_id,
        key_secret=rzp.keys.key_secret,
        webhook_secret=rzp.keys.webhook_secret,
        base_url=HOST + "/_razorpay",
        checkout_url=HOST + "/_razorpay/checkout.js",
        payout_account_number=rzp.keys.account_number,
    )
    return Razorpay(settings)


def test_the_adapter_works_end_to_end_against_the_sandbox(rzp: Harness, adapter: Razorpay) -> None:
    order = adapter.create_order(
        amount_paise=60_000, receipt="bk_adapter", notes={"booking_id": "bk"}, capture_minutes=12
    )
    answer = rzp.pay(order["id"])
    payment_id = answer["razorpay_payment_id"]

    assert adapter.payment_signature_valid(
        order_id=order["id"], payment_id=payment_id, signature=answer["razorpay_signature"]
    )
    assert not adapter.payment_signature_valid(
        order_id="order_other", payment_id=payment_id, signature=answer["razorpay_signature"]
    )
    assert adapter.fetch_payment(payment_id)["status"] == "captured"
    assert [p["id"] for p in adapter.order_payments(order["id"])] == [payment_id]
    refund = adapter.refund(payment_id, amount_paise=60_000, idempotency_key="refund-bk_adapter", notes={})
    assert (
        adapter.refund(payment_id, amount_paise=60_000, idempotency_key="refund-bk_adapter", notes={})
        == refund
    )
    with pytest.raises(GatewayRefused):
        adapter.refund(payment_id, amount_paise=100, idempotency_key="refund-bk_other", notes={})
    contact = adapter.create_contact(name="Asha Rao", reference_id="mentor_1")
    account = adapter.create_fund_account(
        contact_id=contact["id"], name="Asha Rao", ifsc="SBIN0001234", account_number="12345678901"
    )
    payout = adapter.create_payout(
        fund_account_id=account["id"],
        amount_paise=50_000,
        idempotency_key="wd_9",
        reference_id="wd_9",
        notes={},
    )
    rzp.idle()
    assert adapter.fetch_payout(payout["id"])["status"] == "processed"
    assert adapter.fetch_refund(refund["id"])["status"] == "processed"
    for request in rzp.receiver.received:
        assert adapter.webhook_signature_valid(
            request["body"].decode(), request["headers"]["x-razorpay-signature"]
        )
    assert not adapter.webhook_signature_valid(rzp.receiver.received[0]["body"].decode() + " ", "0" * 64)
    import datetime as dt

    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    rows = adapter.recon(year=today.year, month=today.month)
    assert {row["type"] for row in rows} == {"payment", "refund"}


def test_the_adapter_sees_sandbox_server_errors_as_unavailable(rzp: Harness, adapter: Razorpay) -> None:
    rzp.switches.update({"fail_api_calls": 1})

    with pytest.raises(GatewayUnavailable):
        adapter.fetch_order("order_whatever000000")
