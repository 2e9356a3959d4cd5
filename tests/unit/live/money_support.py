"""Paid seats and paid gifts for the live-room tests, through the payments code and a Razorpay fake."""

from __future__ import annotations

import pytest

from peerlearn.bookings import seats
from peerlearn.context import Context
from peerlearn.payments import gateway, gifts, orders
from peerlearn.payments.schemas import (
    BookingOrderRequest,
    BookingVerifyRequest,
    GiftRequest,
    GiftVerifyRequest,
)
from peerlearn.store.keys import gift_sk, session_pk
from peerlearn.store.models import GiftItem
from tests.payments_support import RAZORPAY_ENV, FakeRazorpay
from tests.unit.sessions_support import CLIENT, person

PRICE = 49_900


def fake_razorpay(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


def paid_seat(ctx: Context, fake: FakeRazorpay, session_id: str) -> tuple[seats.Booker, str]:
    """A learner with a confirmed, paid booking: (learner, payment id)."""
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    request = BookingVerifyRequest(session_id=session_id, **fake.pay(order.order_id))
    assert orders.verify_booking(ctx, learner_id=learner.user_id, request=request).status == "confirmed"
    return learner, request.razorpay_payment_id


def paid_gift(
    ctx: Context, fake: FakeRazorpay, session_id: str, learner: seats.Booker, message: str
) -> tuple[GiftItem, GiftItem]:
    """A gift paid in the live session: its item before and after payment (the stream's two images)."""
    order = gifts.create_gift_order(
        ctx,
        learner_id=learner.user_id,
        request=GiftRequest(session_id=session_id, amount_paise=10_000, message=message),
    )
    before = GiftItem.get(session_pk(session_id), gift_sk(order.reference), consistent_read=True)
    result = fake.pay(order.order_id)
    answer = gifts.verify_gift(
        ctx, learner_id=learner.user_id, request=GiftVerifyRequest(gift_id=order.reference, **result)
    )
    assert answer.status == "confirmed"
    after = GiftItem.get(session_pk(session_id), gift_sk(order.reference), consistent_read=True)
    assert after.status == "paid"
    return before, after
