"""Paid bookings end to end on the local stack: the API, the Razorpay sandbox (`stack.razorpay`), its
webhooks POSTed through the gateway, the stream processing them, DynamoDB Local underneath."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn import ledger
from peerlearn.accounts import service as accounts
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.ledger.accounts import GATEWAY_CLEARING
from peerlearn.payments.records import get_payment, refunds_of
from peerlearn.store.keys import EVENT_SK, booking_sk, razorpay_event_pk, session_pk
from peerlearn.store.models import BookingItem, RazorpayEventItem
from tests.payments_support import hmac_hex, webhook
from tests.support import FAST_RAZORPAY, local_in, stack_for, wait_until

pytestmark = pytest.mark.integration
PRICE = 49_900
PASSWORD = "mango-monsoon-42"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint, tmp_path_factory.mktemp("payments"), "payments", overrides=FAST_RAZORPAY
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


class Person:
    def __init__(self, ctx: Context, role: str = "learner") -> None:
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
        extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
        self.id = accounts.create_account(
            name=f"{role.title()} {email[:8]}",
            email=email,
            password=PASSWORD,
            role=role,
            verified=True,
            **extra,
        )
        self.headers = {
            "Authorization": f"Bearer {accounts.sign_in_without_password(ctx, self.id).access_token}"
        }


def paid_session(api: httpx.Client, mentor: Person, capacity: int = 1) -> str:
    body = {
        "title": "Paid code review",
        "tags": ["Python"],
        "level": "intermediate",
        "language": "English",
        "starts_at_local": local_in(48 * 60),
        "timezone": "Asia/Kolkata",
        "duration_minutes": 60,
        "capacity": capacity,
        "price_paise": PRICE,
    }
    reply = api.post("/api/sessions", json=body, headers=mentor.headers)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def hold_and_order(api: httpx.Client, learner: Person, session_id: str) -> dict[str, Any]:
    booked = api.post(f"/api/sessions/{session_id}/book", headers=learner.headers)
    assert booked.status_code == 201, booked.text
    order = api.post("/api/payments/create/", json={"session_id": session_id}, headers=learner.headers)
    assert order.status_code == 201, order.text
    return dict(order.json())


def booking_status(session_id: str, learner: Person) -> str:
    return str(BookingItem.get(session_pk(session_id), booking_sk(learner.id), consistent_read=True).status)


def switches(api: httpx.Client, **values: Any) -> None:
    assert api.post("/_dev/razorpay/switches", json=values).status_code == 200


def test_pay_verify_and_open_the_receipt(stack: LocalStack, ctx: Context, api: httpx.Client) -> None:
    learner = Person(ctx)
    session_id = paid_session(api, Person(ctx, "mentor"))
    order = hold_and_order(api, learner, session_id)
    assert order["amount_paise"] == PRICE
    assert order["checkout_url"].endswith("/_razorpay/checkout.js")

    handler = api.post(
        "/_dev/razorpay/pay", json={"order_id": order["order_id"], "method": "upi", "outcome": "success"}
    )
    verified = api.post(
        "/api/payments/verify/", json={"session_id": session_id, **handler.json()}, headers=learner.headers
    )

    assert verified.status_code == 200, verified.text
    assert verified.json()["status"] == "confirmed"
    payment_id = handler.json()["razorpay_payment_id"]
    receipt = api.get(f"/api/payments/{payment_id}/receipt", headers=learner.headers)
    assert receipt.status_code == 200
    assert receipt.json()["number"].startswith("PL/")
    stack.await_idle(20)  # the webhooks that follow change nothing
    assert booking_status(session_id, learner) == "confirmed"
    assert ledger.entry(f"capture#{payment_id}") is not None


def test_duplicated_reordered_webhooks_alone_confirm_once(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    learner = Person(ctx)
    session_id = paid_session(api, Person(ctx, "mentor"))
    order = hold_and_order(api, learner, session_id)
    clearing_before = ledger.balance(GATEWAY_CLEARING)
    switches(api, duplicates=4, reorder=True)
    try:
        handler = stack.razorpay.pay(order["order_id"])  # the tab closes: no verify
        stack.await_idle(30)
    finally:
        switches(api, duplicates=0, reorder=False)

    wait_until(lambda: booking_status(session_id, learner) == "confirmed", timeout=20, what="confirmed")
    payment_id = handler["razorpay_payment_id"]
    assert ledger.entry(f"capture#{payment_id}") is not None
    fee = ledger.entry(f"gateway_fee#{payment_id}")  # the sandbox charges Razorpay's fee
    fee_paise = sum(line.debit_paise for line in fee.lines) if fee is not None else 0
    assert ledger.balance(GATEWAY_CLEARING) - clearing_before == -(PRICE - fee_paise)  # one capture
    deliveries = [d for d in stack.razorpay.deliveries() if order["order_id"] in (d.get("body") or "")]
    assert len(deliveries) >= 5
    assert all(d["status"] == "delivered" for d in deliveries)


def test_a_forged_webhook_through_the_gateway_is_a_400_and_writes_nothing(
    stack: LocalStack, api: httpx.Client
) -> None:
    body, headers = webhook("payment.captured", payment={"id": "pay_forged000001", "order_id": "order_x"})
    headers["X-Razorpay-Signature"] = hmac_hex("not-the-secret", body)

    forged = api.post(
        "/api/webhooks/razorpay", content=body, headers={**headers, "Content-Type": "application/json"}
    )
    unsigned = api.post(
        "/api/webhooks/razorpay",
        content=body,
        headers={"x-razorpay-event-id": headers["x-razorpay-event-id"], "Content-Type": "application/json"},
    )

    assert forged.status_code == 400
    assert unsigned.status_code == 400
    assert [e for e in RazorpayEventItem.scan() if e.event_id == headers["x-razorpay-event-id"]] == []


def test_a_late_capture_with_no_seat_left_is_refunded_in_full(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    learner = Person(ctx)
    session_id = paid_session(api, Person(ctx, "mentor"))
    order = hold_and_order(api, learner, session_id)
    # The hold runs out (moved into the past, then the every-minute sweep) and another takes the seat.
    booking = BookingItem.get(session_pk(session_id), booking_sk(learner.id), consistent_read=True)
    booking.update(
        actions=[
            BookingItem.hold_expires_at.set(1),
            BookingItem.gsi1sk.set(f"{1:012d}#{session_id}#{learner.id}"),
        ]
    )
    stack.run_schedule("JobsFunction", "EveryMinute")
    other = Person(ctx)
    assert api.post(f"/api/sessions/{session_id}/book", headers=other.headers).status_code == 201

    failed = stack.razorpay.pay(order["order_id"], outcome="late")  # fails now, captured a moment later
    assert "error" in failed

    def refunded() -> bool:
        payments = [p for p in stack.razorpay.snapshot()["payments"] if p["order_id"] == order["order_id"]]
        record = get_payment(payments[0]["id"]) if payments else None
        return record is not None and [r.status for r in refunds_of(record.payment_id)] == ["processed"]

    wait_until(refunded, timeout=30, what="the late payment refunded")
    assert booking_status(session_id, learner) == "expired"
    [sandbox_refund] = [
        r for r in stack.razorpay.snapshot()["refunds"] if r["amount"] == PRICE and r["status"] == "processed"
    ][:1]
    assert sandbox_refund


def test_a_mentor_cancelling_a_paid_booking_refunds_it_once(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    learner, mentor = Person(ctx), Person(ctx, "mentor")
    session_id = paid_session(api, mentor)
    order = hold_and_order(api, learner, session_id)
    handler = stack.razorpay.pay(order["order_id"])
    api.post("/api/payments/verify/", json={"session_id": session_id, **handler}, headers=learner.headers)

    cancelled = api.delete(f"/api/sessions/{session_id}/bookings/{learner.id}", headers=mentor.headers)
    assert cancelled.status_code == 200, cancelled.text
    payment_id = handler["razorpay_payment_id"]
    wait_until(
        lambda: [r.status for r in refunds_of(payment_id)] == ["processed"], timeout=30, what="refunded"
    )
    for delivery in stack.razorpay.deliveries():  # every webhook again: still one refund
        if payment_id in (delivery.get("body") or ""):
            api.post(f"/_dev/razorpay/deliveries/{delivery['id']}/resend")
    stack.await_idle(30)

    assert len([r for r in stack.razorpay.snapshot()["refunds"] if r["payment_id"] == payment_id]) == 1
    assert len(refunds_of(payment_id)) == 1


def test_verify_refuses_another_orders_payment_a_forged_signature_and_a_wrong_amount(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    # Given two learners holding seats, each with an order, and the second one's payment made
    mentor = Person(ctx, "mentor")
    mine, theirs = Person(ctx), Person(ctx)
    my_session, their_session = paid_session(api, mentor), paid_session(api, mentor)
    my_order = hold_and_order(api, mine, my_session)
    their_order = hold_and_order(api, theirs, their_session)
    paid = api.post("/_dev/razorpay/pay", json={"order_id": their_order["order_id"], "method": "upi"})
    their_payment = paid.json()

    def verify(**fields: str) -> httpx.Response:
        return api.post(
            "/api/payments/verify/", json={"session_id": my_session, **fields}, headers=mine.headers
        )

    # When I present their genuine, correctly signed payment as mine: their order's id, or mine
    other_order = verify(**their_payment)
    forged = verify(**{**their_payment, "razorpay_order_id": my_order["order_id"]})

    # Then both are refused and my seat is still only held
    assert (other_order.status_code, other_order.json()["error"]["code"]) == (400, "wrong_order")
    assert (forged.status_code, forged.json()["error"]["code"]) == (400, "bad_signature")
    assert booking_status(my_session, mine) == "held"

    # When the server expects another amount than Razorpay took for my order (the amount is the
    # server's, never the browser's), a genuine payment of my order is refused too
    from peerlearn.payments.records import get_order
    from peerlearn.store.models import OrderItem

    order_item = get_order(my_order["order_id"])
    assert order_item is not None
    order_item.update(actions=[OrderItem.amount_paise.set(PRICE + 100)])
    switches(api, delay_seconds=30)  # keep the payment's webhooks away while verify decides
    try:
        mine_paid = api.post("/_dev/razorpay/pay", json={"order_id": my_order["order_id"], "method": "card"})
        wrong_amount = verify(**mine_paid.json())
    finally:
        switches(api, delay_seconds=0)

    assert (wrong_amount.status_code, wrong_amount.json()["error"]["code"]) == (400, "wrong_amount")
    assert booking_status(my_session, mine) == "held"
    assert ledger.entry(f"capture#{mine_paid.json()['razorpay_payment_id']}") is None


def test_the_same_webhook_five_times_reordered_and_late_confirms_once(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    learner = Person(ctx)
    session_id = paid_session(api, Person(ctx, "mentor"))
    order = hold_and_order(api, learner, session_id)
    clearing_before = ledger.balance(GATEWAY_CLEARING)
    switches(api, duplicates=4, reorder=True, delay_seconds=1.5)
    try:
        handler = stack.razorpay.pay(order["order_id"])  # the tab closes: only webhooks, late
        assert booking_status(session_id, learner) == "held"  # nothing has arrived yet
        stack.await_idle(40)
    finally:
        switches(api, duplicates=0, reorder=False, delay_seconds=0)

    wait_until(lambda: booking_status(session_id, learner) == "confirmed", timeout=20, what="confirmed")
    payment_id = handler["razorpay_payment_id"]
    captured = [
        d for d in stack.razorpay.deliveries("payment.captured") if payment_id in (d.get("body") or "")
    ]
    assert len(captured) == 5
    assert all(d["status"] == "delivered" for d in captured)
    assert len({d["event_id"] for d in captured}) == 1  # five deliveries of one event
    stored = RazorpayEventItem.get(razorpay_event_pk(captured[0]["event_id"]), EVENT_SK, consistent_read=True)
    assert stored.event == "payment.captured"
    assert ledger.entry(f"capture#{payment_id}") is not None
    fee = ledger.entry(f"gateway_fee#{payment_id}")  # the sandbox charges Razorpay's fee
    assert fee is not None
    fee_paise = sum(line.debit_paise for line in fee.lines)
    assert ledger.balance(GATEWAY_CLEARING) - clearing_before == -(PRICE - fee_paise)  # one capture, not five
