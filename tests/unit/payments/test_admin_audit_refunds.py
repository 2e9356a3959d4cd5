"""An admin's refund is audited in the same transaction as the refund it requests; a repeated request
(same request id) and refunds nobody decided (cancellations, policy) write no entry."""

from __future__ import annotations

import pytest

from peerlearn.bookings import seats
from peerlearn.context import Context
from peerlearn.payments import admin, gateway, noshow, orders
from peerlearn.payments.schemas import AdminRefundRequest, BookingOrderRequest, BookingVerifyRequest
from peerlearn.store.audit import AUDIT_PK, AuditItem
from tests.payments_support import RAZORPAY_ENV, FakeRazorpay
from tests.unit.payments.test_payments_refunds import PRICE, paid_booking
from tests.unit.sessions_support import CLIENT, Clock, person, publish


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


def entries() -> list[AuditItem]:
    return list(AuditItem.query(AUDIT_PK, scan_index_forward=False))


def test_an_admin_refund_is_audited_once_per_request(ctx: Context, fake: FakeRazorpay) -> None:
    _learner, _session_id, payment_id = paid_booking(ctx, fake)
    assert entries() == []  # paying wrote none
    part = AdminRefundRequest(amount_paise=20_000, reason="Audio failed", request_id="ticket-1")

    admin.refund(ctx, admin_id="01JDQ4Z3N0R1C5X8H2P7M9ADMN", payment_id=payment_id, request=part)
    admin.refund(ctx, admin_id="01JDQ4Z3N0R1C5X8H2P7M9ADMN", payment_id=payment_id, request=part)

    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_type, entry.target_id, entry.reason) == (
        "payment.refund",
        "01JDQ4Z3N0R1C5X8H2P7M9ADMN",
        "payment",
        payment_id,
        "Audio failed",
    )
    assert entry.before == {"refund_requested_paise": 0}
    assert entry.after["refund_requested_paise"] == 20_000
    assert entry.after["refund_paise"] == 20_000
    assert entry.after["kind"] == "admin"
    assert PRICE > 20_000


def test_a_mentor_no_show_is_audited_once_per_refund_it_makes(
    ctx: Context, fake: FakeRazorpay, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    session_id = publish(ctx, person("mentor"), price_paise=PRICE, hours=2, capacity=4)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    request = BookingVerifyRequest(session_id=session_id, **fake.pay(order.order_id))
    orders.verify_booking(ctx, learner_id=learner.user_id, request=request)
    clock.advance(hours=2, minutes=20)

    noshow.refund_mentor_no_show(ctx, admin_id="admin-1", session_id=session_id, reason="Never joined")
    noshow.refund_mentor_no_show(ctx, admin_id="admin-1", session_id=session_id, reason="Never joined")

    [entry] = entries()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "payment.refund",
        "admin-1",
        request.razorpay_payment_id,
    )
    assert (entry.reason, entry.after["kind"], entry.after["refund_paise"]) == (
        "The mentor didn't come: Never joined",
        "policy",
        PRICE,
    )
