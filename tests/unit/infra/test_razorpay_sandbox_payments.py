"""The Razorpay sandbox's orders, payments, refunds and recon, through the real `razorpay` SDK."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import razorpay
from razorpay.errors import BadRequestError, ServerError, SignatureVerificationError

from infra.local.triggers.razorpay.payments import fee_and_tax
from tests.unit.infra.razorpay_harness import Harness


@pytest.fixture
def rzp(tmp_path: Path) -> Iterator[Harness]:
    with Harness(tmp_path) as harness:
        yield harness


# ---------------------------------------------------------------------- orders
def test_an_order_has_razorpays_shape_and_id(rzp: Harness) -> None:
    order = rzp.client.order.create(
        {"amount": 50_000, "currency": "INR", "receipt": "bk_1", "notes": {"booking_id": "bk_1"}}
    )

    assert re.fullmatch(r"order_[A-Za-z0-9]{14}", order["id"])
    assert {k: order[k] for k in ("entity", "amount", "amount_paid", "amount_due", "status", "attempts")} == {
        "entity": "order",
        "amount": 50_000,
        "amount_paid": 0,
        "amount_due": 50_000,
        "status": "created",
        "attempts": 0,
    }
    assert order["notes"] == {"booking_id": "bk_1"}
    assert rzp.client.order.fetch(order["id"]) == order
    assert not any(key.startswith("_") for key in order)


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"amount": 99}, "The amount must be atleast INR 1.00"),
        ({"amount": 100.5}, "The amount must be an integer."),
        ({"currency": "USD"}, "Currency is not supported"),
        ({"receipt": "r" * 41}, "The receipt may not be greater than 40 characters."),
        ({"notes": {f"k{i}": "v" for i in range(16)}}, "Number of notes cannot be more than 15"),
        (
            {"payment": {"capture": "automatic", "capture_options": {"automatic_expiry_period": 11}}},
            "automatic_expiry_period must be at least 12 minutes",
        ),
    ],
)
def test_orders_breaking_razorpays_rules_are_refused(
    rzp: Harness, body: dict[str, object], description: str
) -> None:
    with pytest.raises(BadRequestError, match=re.escape(description)):
        rzp.client.order.create({"amount": 1_000, "currency": "INR", "receipt": "r1", **body})


def test_a_receipt_is_unique(rzp: Harness) -> None:
    rzp.client.order.create({"amount": 1_000, "currency": "INR", "receipt": "bk_same"})

    with pytest.raises(BadRequestError, match="receipt should be unique"):
        rzp.client.order.create({"amount": 2_000, "currency": "INR", "receipt": "bk_same"})


def test_errors_have_razorpays_json_shape_and_status(rzp: Harness) -> None:
    reply = rzp.http.post("/_razorpay/v1/orders", json={"amount": 5, "currency": "INR"}, auth=rzp.client.auth)
    unknown = rzp.http.get("/_razorpay/v1/orders/order_doesnotexist00", auth=rzp.client.auth)
    no_route = rzp.http.get("/_razorpay/v1/nothing", auth=rzp.client.auth)

    assert reply.status_code == 400
    assert reply.json() == {
        "error": {
            "code": "BAD_REQUEST_ERROR",
            "description": "The amount must be atleast INR 1.00",
            "source": "business",
            "step": "payment_initiation",
            "reason": "input_validation_failed",
            "metadata": {},
            "field": "amount",
        }
    }
    assert unknown.status_code == 400
    assert unknown.json()["error"]["description"] == "The id provided does not exist"
    assert no_route.json()["error"]["description"] == "The requested URL was not found on the server."


def test_basic_auth_with_the_local_key_is_required(rzp: Harness) -> None:
    missing = rzp.http.get("/_razorpay/v1/orders/order_x")

    assert missing.status_code == 401
    assert (
        missing.json()["error"]["description"] == "Please provide your api key for authentication purposes."
    )
    with pytest.raises(BadRequestError, match="The api key provided is invalid"):
        rzp.sdk("not-the-secret").order.create({"amount": 1_000, "currency": "INR"})


def test_the_fail_api_calls_switch_answers_server_errors(rzp: Harness) -> None:
    rzp.switches.update({"fail_api_calls": 1})

    with pytest.raises(ServerError):
        rzp.client.order.create({"amount": 1_000, "currency": "INR"})
    assert rzp.client.order.create({"amount": 1_000, "currency": "INR"})["status"] == "created"


# ---------------------------------------------------------------------- payments
@pytest.mark.parametrize(
    ("amount", "fee", "tax"),
    [
        (50_000, 1_180, 180),  # 2% = 1000, GST 180, fee includes GST
        (10_450, 247, 38),  # 2% = 209, GST 37.62 -> 38 (half up)
        (125, 4, 1),  # 2% = 2.5 -> 3, GST 0.54 -> 1
        (100, 2, 0),  # 2% = 2, GST 0.36 -> 0
    ],
)
def test_razorpays_fee_is_2_percent_plus_18_percent_gst_rounded_half_up(
    amount: int, fee: int, tax: int
) -> None:
    assert fee_and_tax(amount) == (fee, tax)


def test_a_successful_payment_is_signed_captured_and_pays_the_order(rzp: Harness) -> None:
    order = rzp.order(amount=50_000)

    answer = rzp.pay(order["id"], method="card")

    assert set(answer) == {"razorpay_payment_id", "razorpay_order_id", "razorpay_signature"}
    assert rzp.client.utility.verify_payment_signature(answer) is True
    forged = {**answer, "razorpay_order_id": rzp.order()["id"]}
    with pytest.raises(SignatureVerificationError):
        rzp.client.utility.verify_payment_signature(forged)
    payment = rzp.client.payment.fetch(answer["razorpay_payment_id"])
    assert re.fullmatch(r"pay_[A-Za-z0-9]{14}", payment["id"])
    fee, tax = fee_and_tax(50_000)
    assert (fee, tax) == (1_180, 180)  # 2% = 1000, 18% GST on it = 180, fee includes tax
    assert {k: payment[k] for k in ("status", "captured", "amount", "order_id", "method", "fee", "tax")} == {
        "status": "captured",
        "captured": True,
        "amount": 50_000,
        "order_id": order["id"],
        "method": "card",
        "fee": 1_180,
        "tax": 180,
    }
    paid = rzp.client.order.fetch(order["id"])
    assert (paid["status"], paid["amount_paid"], paid["amount_due"], paid["attempts"]) == (
        "paid",
        50_000,
        0,
        1,
    )
    assert [p["id"] for p in rzp.client.order.payments(order["id"])["items"]] == [payment["id"]]


def test_a_paid_order_cannot_be_paid_again(rzp: Harness) -> None:
    order = rzp.order()
    rzp.pay(order["id"])

    reply = rzp.http.post(
        "/_dev/razorpay/pay", json={"order_id": order["id"], "method": "upi", "outcome": "success"}
    )

    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "BAD_REQUEST_ERROR"


def test_a_failed_payment_answers_checkouts_error_and_leaves_the_order_attempted(rzp: Harness) -> None:
    order = rzp.order()

    answer = rzp.pay(order["id"], method="upi", outcome="failure")

    error = answer["error"]
    assert set(error) == {"code", "description", "source", "step", "reason", "metadata"}
    assert error["metadata"]["order_id"] == order["id"]
    payment = rzp.client.payment.fetch(error["metadata"]["payment_id"])
    assert (payment["status"], payment["error_reason"], payment["captured"]) == (
        "failed",
        error["reason"],
        False,
    )
    assert rzp.client.order.fetch(order["id"])["status"] == "attempted"


def test_a_late_payment_fails_now_and_is_captured_later(rzp: Harness) -> None:
    order = rzp.order()

    answer = rzp.pay(order["id"], outcome="late")
    payment_id = answer["error"]["metadata"]["payment_id"]
    assert rzp.client.payment.fetch(payment_id)["status"] == "failed"
    rzp.idle()

    assert rzp.client.payment.fetch(payment_id)["status"] == "captured"
    assert rzp.client.order.fetch(order["id"])["status"] == "paid"
    assert rzp.receiver.events() == ["payment.failed", "payment.authorized", "payment.captured", "order.paid"]


def test_a_payment_authorised_after_the_capture_window_is_refunded_not_captured(rzp: Harness) -> None:
    rzp.switches.update({"late_minutes": 20})
    order = rzp.order(payment={"capture": "automatic", "capture_options": {"automatic_expiry_period": 12}})

    payment_id = rzp.pay(order["id"], outcome="late")["error"]["metadata"]["payment_id"]
    rzp.idle()

    payment = rzp.client.payment.fetch(payment_id)
    assert (payment["captured"], payment["status"], payment["amount_refunded"]) == (False, "refunded", 50_000)
    assert rzp.client.order.fetch(order["id"])["status"] == "attempted"
    assert "refund.processed" in rzp.receiver.events()


def test_manual_capture_needs_the_exact_amount_and_currency(rzp: Harness) -> None:
    order = rzp.order(payment={"capture": "manual", "capture_options": {"automatic_expiry_period": 12}})
    payment_id = rzp.pay(order["id"])["razorpay_payment_id"]
    assert rzp.client.payment.fetch(payment_id)["status"] == "authorized"

    with pytest.raises(BadRequestError, match="equal to the amount authorized"):
        rzp.client.payment.capture(payment_id, 100, {"currency": "INR"})
    captured = rzp.client.payment.capture(payment_id, 50_000, {"currency": "INR"})

    assert captured["status"] == "captured"


# ---------------------------------------------------------------------- refunds
def refund(rzp: Harness, payment_id: str, key: str, **body: object) -> dict[str, object]:
    return dict(
        rzp.client.post(f"/v1/payments/{payment_id}/refund", body, headers={"X-Refund-Idempotency": key})
    )


def test_refunds_are_idempotent_by_key_and_body(rzp: Harness) -> None:
    payment_id = rzp.pay(rzp.order()["id"])["razorpay_payment_id"]

    first = refund(rzp, payment_id, "refund-key-0001", amount=20_000)
    again = refund(rzp, payment_id, "refund-key-0001", amount=20_000)

    assert re.fullmatch(r"rfnd_[A-Za-z0-9]{14}", str(first["id"]))
    assert again == first
    with pytest.raises(BadRequestError, match="Different request with the same idempotency key"):
        refund(rzp, payment_id, "refund-key-0001", amount=10_000)
    with pytest.raises(BadRequestError, match="idempotency key must be at least 10"):
        refund(rzp, payment_id, "short", amount=10_000)
    assert rzp.client.payment.fetch(payment_id)["amount_refunded"] == 20_000


def test_a_refund_cannot_exceed_what_is_left_and_a_full_one_refunds_the_payment(rzp: Harness) -> None:
    payment_id = rzp.pay(rzp.order()["id"])["razorpay_payment_id"]
    refund(rzp, payment_id, "refund-key-0002", amount=30_000)

    with pytest.raises(BadRequestError, match="greater than amount captured"):
        refund(rzp, payment_id, "refund-key-0003", amount=20_001)
    rest = refund(rzp, payment_id, "refund-key-0004")  # no amount: what is left

    assert rest["amount"] == 20_000
    payment = rzp.client.payment.fetch(payment_id)
    assert (payment["status"], payment["refund_status"], payment["amount_refunded"]) == (
        "refunded",
        "full",
        50_000,
    )


def test_a_refund_is_pending_then_processed(rzp: Harness) -> None:
    payment_id = rzp.pay(rzp.order()["id"])["razorpay_payment_id"]

    created = refund(rzp, payment_id, "refund-key-0005", amount=10_000)
    assert created["status"] == "pending"
    rzp.idle()

    processed = rzp.client.refund.fetch(created["id"])
    assert processed["status"] == "processed"
    assert processed["acquirer_data"]["arn"]
    assert rzp.receiver.events()[-2:] == ["refund.created", "refund.processed"]


def test_the_refund_outcome_switch_fails_refunds_and_gives_the_amount_back(rzp: Harness) -> None:
    rzp.switches.update({"refund_outcome": "failed"})
    payment_id = rzp.pay(rzp.order()["id"])["razorpay_payment_id"]

    created = refund(rzp, payment_id, "refund-key-0006")
    rzp.idle()

    assert rzp.client.refund.fetch(created["id"])["status"] == "failed"
    payment = rzp.client.payment.fetch(payment_id)
    assert (payment["status"], payment["amount_refunded"], payment["refund_status"]) == ("captured", 0, None)
    assert rzp.receiver.events()[-1] == "refund.failed"


def test_an_unpaid_payment_cannot_be_refunded(rzp: Harness) -> None:
    payment_id = rzp.pay(rzp.order()["id"], outcome="failure")["error"]["metadata"]["payment_id"]

    with pytest.raises(BadRequestError, match="not been captured"):
        refund(rzp, payment_id, "refund-key-0007")


# ---------------------------------------------------------------------- recon
def test_the_recon_report_lists_captures_with_fee_and_tax_and_processed_refunds(rzp: Harness) -> None:
    first = rzp.pay(rzp.order(amount=50_000)["id"])["razorpay_payment_id"]
    second = rzp.pay(rzp.order(amount=12_345)["id"])["razorpay_payment_id"]
    created = refund(rzp, first, "refund-key-0008", amount=5_000)
    rzp.idle()
    today = datetime.now(timezone(timedelta(hours=5, minutes=30)))

    report = rzp.client.get(
        "/v1/settlements/recon/combined", {"year": today.year, "month": today.month, "day": today.day}
    )

    rows = {row["entity_id"]: row for row in report["items"]}
    assert set(rows) == {first, second, created["id"]}
    assert {k: rows[second][k] for k in ("type", "amount", "fee", "tax", "credit", "debit")} == {
        "type": "payment",
        "amount": 12_345,
        "fee": 291,  # 2% = 246.9 -> 247, GST 18% of 247 = 44.46 -> 44
        "tax": 44,
        "credit": 12_345 - 291,
        "debit": 0,
    }
    assert {k: rows[created["id"]][k] for k in ("type", "amount", "debit", "payment_id")} == {
        "type": "refund",
        "amount": 5_000,
        "debit": 5_000,
        "payment_id": first,
    }
    with pytest.raises(BadRequestError, match="The year field is required"):
        rzp.client.get("/v1/settlements/recon/combined", {"month": 1})


def test_the_sdk_client_class_is_the_real_one(rzp: Harness) -> None:
    assert isinstance(rzp.client, razorpay.Client)


def test_a_late_payment_on_an_order_paid_meanwhile_is_captured_but_does_not_pay_it_again(
    rzp: Harness,
) -> None:
    order = rzp.order()
    late_id = rzp.pay(order["id"], outcome="late")["error"]["metadata"]["payment_id"]
    paid_id = rzp.pay(order["id"])["razorpay_payment_id"]

    rzp.idle()

    assert rzp.client.payment.fetch(late_id)["status"] == "captured"  # the merchant must refund it
    assert {p["id"] for p in rzp.client.order.payments(order["id"])["items"]} == {late_id, paid_id}
    assert rzp.receiver.events().count("order.paid") == 1
    assert rzp.client.order.fetch(order["id"])["amount_paid"] == 50_000


def test_the_automatic_refund_of_an_uncaptured_payment_is_not_in_the_recon_report(rzp: Harness) -> None:
    rzp.switches.update({"late_minutes": 20})
    order = rzp.order(payment={"capture": "automatic", "capture_options": {"automatic_expiry_period": 12}})
    rzp.pay(order["id"], outcome="late")
    rzp.idle()
    today = datetime.now(timezone(timedelta(hours=5, minutes=30)))

    report = rzp.client.get("/v1/settlements/recon/combined", {"year": today.year, "month": today.month})

    assert report["items"] == []


def test_checkout_can_look_up_an_orders_amount_with_the_public_key(rzp: Harness) -> None:
    order = rzp.order(amount=12_300)

    found = rzp.http.get(
        "/_razorpay/checkout/order", params={"key": rzp.keys.key_id, "order_id": order["id"]}
    )
    refused = rzp.http.get("/_razorpay/checkout/order", params={"key": "rzp_test_x", "order_id": order["id"]})

    assert found.json() == {"id": order["id"], "amount": 12_300, "currency": "INR", "status": "created"}
    assert refused.status_code == 401
