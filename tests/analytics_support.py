"""A story for the analytics tests (unit on moto, integration on DynamoDB Local): a mentor and two
learners sign up; both pay for a seat in a Python session; the second cancels before the cut-off and
Razorpay's webhook settles the refund. Every change goes through the stream harness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from peerlearn.bookings import cancelling, seats
from peerlearn.context import Context
from peerlearn.payments import gateway, orders, webhooks
from peerlearn.payments.schemas import BookingOrderRequest, BookingVerifyRequest
from peerlearn.store.analytics import RollupItem
from tests.payments_support import RAZORPAY_ENV, WEBHOOK_SECRET, FakeRazorpay, webhook
from tests.unit.sessions_support import CLIENT, person, publish
from tests.unit.stream_support import Stream

PRICE = 49_900


def fake_razorpay(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


@dataclass
class Story:
    stream: Stream
    mentor_id: str
    learners: list[str]
    session_id: str


def pay_for_seat(ctx: Context, fake: FakeRazorpay, learner: seats.Booker, session_id: str) -> None:
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    result = fake.pay(order.order_id)
    request = BookingVerifyRequest(session_id=session_id, **result)
    assert orders.verify_booking(ctx, learner_id=learner.user_id, request=request).status == "confirmed"


def deliver(name: str, **entities: dict[str, Any]) -> None:
    body, headers = webhook(name, **entities)
    webhooks.receive(
        raw_body=body,
        signature=headers["X-Razorpay-Signature"],
        event_id=headers["x-razorpay-event-id"],
        secret=WEBHOOK_SECRET,
    )


def tell_story(ctx: Context, fake: FakeRazorpay) -> Story:
    stream = Stream(ctx)
    mentor = person("mentor")
    session_id = publish(ctx, mentor, price_paise=PRICE, capacity=2, tags=["Python", "Code review"])
    first, second = person(), person()
    pay_for_seat(ctx, fake, first, session_id)
    pay_for_seat(ctx, fake, second, session_id)
    stream.flush()
    cancelling.cancel_by_learner(user_id=second.user_id, session_id=session_id, cutoff_hours=24)
    stream.flush()  # the cancellation asks Razorpay for the refund
    [refund_id] = list(fake.refunds)
    deliver("refund.processed", refund=fake.settle_refund(refund_id))
    stream.flush()  # the webhook posts the refund entry; the entry is counted
    return Story(stream, mentor.user_id, [first.user_id, second.user_id], session_id)


def totals(dimension: str = "all") -> dict[str, int]:
    """A dimension's counters summed over every day and value."""
    summed: dict[str, int] = {}
    for item in RollupItem.query(f"ROLLUP#{dimension}"):
        for metric, count in item.counters().items():
            summed[metric] = summed.get(metric, 0) + count
    return summed
