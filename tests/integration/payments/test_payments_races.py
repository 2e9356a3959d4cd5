"""Payments against DynamoDB Local: verify and webhooks racing, duplicates and reordering, late captures,
refunds asked for many times at once. Razorpay is the stand-in of tests.payments_support (the sandbox's
end-to-end runs are in test_payments_stack.py)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.dynamodb import REGION
from infra.local.template import Template
from peerlearn import ledger
from peerlearn.accounts import service as accounts
from peerlearn.bookings import seats
from peerlearn.bookings.states import get_booking
from peerlearn.catalog import publishing
from peerlearn.catalog.schemas import SessionCreate
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.errors import Conflict, DomainError
from peerlearn.ledger.accounts import GATEWAY_CLEARING
from peerlearn.payments import gateway, orders, refunds, webhooks
from peerlearn.payments.records import get_payment, refunds_of
from peerlearn.payments.schemas import BookingOrderRequest, BookingVerifyRequest
from peerlearn.store.models import PaymentItem
from tests.payments_support import RAZORPAY_ENV, WEBHOOK_SECRET, FakeRazorpay, webhook
from tests.support import base_env, local_in

pytestmark = pytest.mark.integration
PRICE = 49_900
CLIENT = "192.0.2.1"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


@pytest.fixture
def ctx(dynamodb_endpoint: str, tmp_path: Path) -> Context:
    table = f"payments-{uuid.uuid4().hex[:8]}"
    template = Template.load(refs={"Table": table})
    boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=REGION).create_table(
        **template.table_definition()
    )
    env = {**base_env(tmp_path / "outbox", table_name=table), "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint}
    return build_context(Settings.from_env(env))


def person(role: str = "learner") -> seats.Booker:
    extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
    user_id = accounts.create_account(
        name=f"{role} {uuid.uuid4().hex[:6]}",
        email=f"{role}-{uuid.uuid4().hex[:10]}@example.com",
        password="mango-monsoon-42",
        role=role,
        verified=True,
        **extra,
    )
    return seats.Booker(user_id=user_id, name=None, role=role, email_verified=True)


def paid_session(ctx: Context, capacity: int = 1) -> str:
    request = SessionCreate(
        title="Python code review",
        tags=["Python"],
        level="intermediate",
        language="English",
        starts_at_local=local_in(48 * 60),
        timezone="Asia/Kolkata",
        duration_minutes=60,
        capacity=capacity,
        price_paise=PRICE,
    )
    return publishing.create_session(
        ctx, mentor_id=person("mentor").user_id, request=request, client=CLIENT
    ).id


def together(count: int, attempt: Callable[[int], Any]) -> list[Any]:
    """Runs attempt(0..count-1) in threads released at once; each outcome (or the error raised)."""
    outcomes: list[Any] = [None] * count
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        try:
            outcomes[n] = attempt(n)
        except (DomainError, RuntimeError) as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def receive_and_process(ctx: Context, name: str, **entities: dict[str, Any]) -> None:
    body, headers = webhook(name, **entities)
    webhooks.receive(
        raw_body=body,
        signature=headers["X-Razorpay-Signature"],
        event_id=headers["x-razorpay-event-id"],
        secret=WEBHOOK_SECRET,
    )
    webhooks.process(ctx, json.loads(body))


def held_and_paid(ctx: Context, fake: FakeRazorpay) -> tuple[seats.Booker, str, dict[str, str]]:
    session_id = paid_session(ctx)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    return learner, session_id, fake.pay(order.order_id)


def test_verify_and_many_webhooks_at_once_confirm_once_with_one_journal_entry(
    ctx: Context, fake: FakeRazorpay
) -> None:
    learner, session_id, result = held_and_paid(ctx, fake)
    payment = fake.payments[result["razorpay_payment_id"]]
    order = fake.orders[result["razorpay_order_id"]]
    deliveries: list[Callable[[], Any]] = [
        lambda: orders.verify_booking(
            ctx, learner_id=learner.user_id, request=BookingVerifyRequest(session_id=session_id, **result)
        ),
        *[lambda: receive_and_process(ctx, "payment.captured", payment=payment)] * 5,
        lambda: receive_and_process(ctx, "order.paid", order=order, payment=payment),
        lambda: receive_and_process(ctx, "payment.authorized", payment=payment | {"status": "authorized"}),
    ]

    outcomes = together(len(deliveries), lambda n: deliveries[n]())

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "confirmed"
    assert ledger.entry(f"capture#{payment['id']}") is not None
    assert ledger.balance(GATEWAY_CLEARING) == -PRICE  # one capture, not two
    assert len(list(PaymentItem.all_payments.query("PAYMENTS"))) == 1


def test_a_capture_after_the_hold_expired_with_no_seat_left_is_refunded_in_full(
    ctx: Context, fake: FakeRazorpay, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerlearn import clock

    learner, session_id, result = held_and_paid(ctx, fake)
    real = clock.now_seconds
    monkeypatch.setattr(clock, "now_seconds", lambda: real() + 11 * 60)
    seats.book(booker=person(), session_id=session_id, client=CLIENT)  # the freed seat goes to another
    payment = fake.payments[result["razorpay_payment_id"]]

    together(4, lambda n: receive_and_process(ctx, "payment.captured", payment=payment))

    settled = get_payment(payment["id"])
    assert settled is not None
    assert settled.outcome == "refund_no_seat"
    [refund] = refunds_of(payment["id"])
    assert refund.amount_paise == PRICE
    assert len(fake.refunds) == 1
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "expired"


def test_refund_requests_are_idempotent_and_never_exceed_the_payment(
    ctx: Context, fake: FakeRazorpay
) -> None:
    learner, session_id, result = held_and_paid(ctx, fake)
    orders.verify_booking(
        ctx, learner_id=learner.user_id, request=BookingVerifyRequest(session_id=session_id, **result)
    )
    payment_id = result["razorpay_payment_id"]

    def same_key(n: int) -> Any:
        return refunds.request_refund(
            ctx, payment_id, key="admin-same", amount_paise=10_000, kind="admin", reason="x"
        )

    same = together(8, same_key)
    assert {r.refund_key for r in same if not isinstance(r, Exception)} == {"admin-same"}

    def different_keys(n: int) -> Any:
        return refunds.request_refund(
            ctx, payment_id, key=f"admin-{n}", amount_paise=10_000, kind="admin", reason="x"
        )

    outcomes = together(8, different_keys)
    accepted = [o for o in outcomes if not isinstance(o, Exception)]
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, Exception))
    # 49 900 paise: one refund of 10 000 before, so at most three more of 10 000 fit
    assert len(accepted) <= 3
    stored = get_payment(payment_id)
    assert stored is not None
    assert int(stored.refund_requested_paise) == 10_000 * (1 + len(accepted)) <= PRICE
    assert sum(int(r.amount_paise) for r in refunds_of(payment_id)) == int(stored.refund_requested_paise)
    assert len(fake.refunds) == 1 + len(accepted)
