"""Paying for a held seat: the order, verify, webhooks in any order and number, late captures.

Razorpay is the in-memory stand-in of tests.payments_support (signatures computed as Razorpay does).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from peerlearn import events, ledger
from peerlearn.bookings import seats
from peerlearn.bookings.states import get_booking
from peerlearn.context import Context
from peerlearn.errors import Conflict, NotFound, PaymentRejected
from peerlearn.ledger.accounts import GATEWAY_CLEARING, mentor_pending
from peerlearn.payments import gateway, orders, webhooks
from peerlearn.payments.records import get_payment, order_for, refunds_of
from peerlearn.payments.schemas import BookingOrderRequest, BookingVerifyRequest
from peerlearn.store.keys import EVENT_SK, razorpay_event_pk
from peerlearn.store.models import NotificationItem, PaymentItem, RazorpayEventItem
from tests.payments_support import RAZORPAY_ENV, WEBHOOK_SECRET, FakeRazorpay, stream_record, webhook
from tests.unit.sessions_support import CLIENT, Clock, person, publish
from tests.unit.stream_support import Stream

PRICE = 49_900


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def paid_session(ctx: Context, capacity: int = 1) -> str:
    return publish(ctx, person("mentor"), price_paise=PRICE, capacity=capacity)


def hold(learner: seats.Booker, session_id: str) -> None:
    booking, _ = seats.book(booker=learner, session_id=session_id, client=CLIENT)
    assert booking.status == "held"


def order_for_seat(ctx: Context, learner: seats.Booker, session_id: str) -> Any:
    return orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )


def verify(ctx: Context, learner: seats.Booker, session_id: str, result: dict[str, str]) -> Any:
    request = BookingVerifyRequest(session_id=session_id, **result)
    return orders.verify_booking(ctx, learner_id=learner.user_id, request=request)


def deliver(ctx: Context, name: str, **entities: dict[str, Any]) -> None:
    """Razorpay POSTs the event; the stream then processes the stored item (as in the cloud)."""
    body, headers = webhook(name, **entities)
    webhooks.receive(
        raw_body=body,
        signature=headers["X-Razorpay-Signature"],
        event_id=headers["x-razorpay-event-id"],
        secret=WEBHOOK_SECRET,
    )
    stored = RazorpayEventItem.get(razorpay_event_pk(headers["x-razorpay-event-id"]), EVENT_SK)
    events.handle_record(ctx, stream_record(new=stored))


def captures_posted(payment_id: str) -> int:
    return 1 if ledger.entry(f"capture#{payment_id}") is not None else 0


@pytest.fixture
def seat(ctx: Context, fake: FakeRazorpay) -> Iterator[tuple[seats.Booker, str]]:
    session_id = paid_session(ctx)
    learner = person()
    hold(learner, session_id)
    return learner, session_id


# ---------------------------------------------------------------- the order
def test_the_order_is_the_servers_amount_one_per_hold_and_carries_no_secret(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    learner, session_id = seat
    first = order_for_seat(ctx, learner, session_id)
    again = order_for_seat(ctx, learner, session_id)

    assert first.order_id == again.order_id
    assert len(fake.orders) == 1
    made = fake.orders[first.order_id]
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert made["amount"] == first.amount_paise == PRICE
    assert made["receipt"] == booking.id
    assert made["notes"] == {
        "booking_id": booking.id,
        "session_id": session_id,
        "learner_id": learner.user_id,
    }
    # Razorpay's shortest capture window (12 min) is longer than our 10-minute hold.
    assert made["capture_minutes"] == 12
    answer = first.model_dump_json()
    assert first.key_id.startswith("rzp_test_")
    assert first.prefill.email is not None
    assert RAZORPAY_ENV["RAZORPAY_KEY_SECRET"] not in answer
    assert RAZORPAY_ENV["RAZORPAY_WEBHOOK_SECRET"] not in answer


def test_an_order_made_by_an_invocation_that_died_before_its_write_is_adopted_on_retry(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Razorpay made the order, and the function died before writing it down
    learner, session_id = seat
    real = fake.create_order

    def made_then_died(**kwargs: Any) -> dict[str, Any]:
        real(**kwargs)
        raise RuntimeError("the invocation timed out")

    monkeypatch.setattr(fake, "create_order", made_then_died)
    with pytest.raises(RuntimeError):
        order_for_seat(ctx, learner, session_id)
    monkeypatch.setattr(fake, "create_order", real)

    # When the learner tries again (Razorpay now refuses the receipt: it is the booking's id)
    again = order_for_seat(ctx, learner, session_id)

    # Then the order Razorpay made is the hold's order, and it can be paid
    [made] = fake.orders.values()
    assert again.order_id == made["id"]
    assert verify(ctx, learner, session_id, fake.pay(again.order_id)).status == "confirmed"


def test_no_order_without_a_live_hold_of_ones_own(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str], clock: Clock
) -> None:
    learner, session_id = seat
    with pytest.raises(NotFound):
        order_for_seat(ctx, person(), session_id)
    clock.advance(minutes=11)
    with pytest.raises(Conflict) as expired:
        order_for_seat(ctx, learner, session_id)
    assert expired.value.code == "hold_expired"
    assert fake.orders == {}


# ---------------------------------------------------------------- verify
def test_verify_confirms_the_booking_and_posts_one_capture_with_its_maturity(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    result = fake.pay(order.order_id)

    answer = verify(ctx, learner, session_id, result)

    assert answer.status == "confirmed"
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "confirmed"
    payment = get_payment(result["razorpay_payment_id"])
    assert payment is not None
    assert payment.outcome == "booking_confirmed"
    assert payment.receipt_number
    assert payment.receipt_number.startswith("PL/")
    assert ledger.balance(GATEWAY_CLEARING) == -PRICE  # credit-normal: clearing was debited
    assert ledger.balance(mentor_pending(booking.mentor_id)) == payment.mentor_share_paise > 0
    # Verify again (a double click): the same answer, nothing posted twice.
    assert verify(ctx, learner, session_id, result).status == "confirmed"
    assert ledger.balance(GATEWAY_CLEARING) == -PRICE


def test_verify_refuses_another_orders_id_a_forged_signature_and_a_wrong_amount(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    learner, session_id = seat
    mine = order_for_seat(ctx, learner, session_id)
    other_session = paid_session(ctx)
    someone = person()
    hold(someone, other_session)
    theirs = order_for_seat(ctx, someone, other_session)
    paid_theirs = fake.pay(theirs.order_id)  # a genuine, correctly signed payment of another order

    with pytest.raises(PaymentRejected) as other_order:
        verify(ctx, learner, session_id, paid_theirs)
    forged = {**fake.pay(mine.order_id), "razorpay_signature": "0" * 64}
    with pytest.raises(PaymentRejected) as bad_signature:
        verify(ctx, learner, session_id, forged)
    short = fake.pay(mine.order_id, amount=100)
    with pytest.raises(PaymentRejected) as wrong_amount:
        verify(ctx, learner, session_id, short)

    assert other_order.value.code == "wrong_order"
    assert bad_signature.value.code == "bad_signature"
    assert wrong_amount.value.code == "wrong_amount"
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "held"
    assert ledger.balance(GATEWAY_CLEARING) == 0
    assert list(PaymentItem.all_payments.query("PAYMENTS")) == []


def test_an_authorized_payment_not_yet_captured_is_processing_until_the_webhook(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    result = fake.pay(order.order_id, status="authorized")

    assert verify(ctx, learner, session_id, result).status == "processing"

    fake.payments[result["razorpay_payment_id"]].update(status="captured", captured=True)
    deliver(
        ctx,
        "payment.authorized",
        payment=fake.payments[result["razorpay_payment_id"]] | {"status": "authorized"},
    )
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "confirmed"


# ---------------------------------------------------------------- webhooks converge on the same confirmation
def test_the_same_capture_five_times_out_of_order_and_with_verify_confirms_once(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    result = fake.pay(order.order_id)
    payment = fake.payments[result["razorpay_payment_id"]]
    paid_order = fake.orders[order.order_id]

    # order.paid first, payment.captured five times, the older payment.authorized last, verify between
    deliver(ctx, "order.paid", order=paid_order, payment=payment)
    for _ in range(5):
        deliver(ctx, "payment.captured", payment=payment)
    assert verify(ctx, learner, session_id, result).status == "confirmed"
    deliver(ctx, "payment.authorized", payment=payment | {"status": "authorized"})

    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "confirmed"
    assert captures_posted(payment["id"]) == 1
    assert ledger.balance(GATEWAY_CLEARING) == -PRICE
    assert len(list(PaymentItem.all_payments.query("PAYMENTS"))) == 1
    stored = order_for(booking.id)
    assert stored is not None
    assert stored.status == "paid"
    assert stored.payment_id == payment["id"]


def test_a_webhook_alone_confirms_when_the_tab_was_closed(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    result = fake.pay(order.order_id)

    deliver(ctx, "payment.captured", payment=fake.payments[result["razorpay_payment_id"]])

    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "confirmed"


def test_a_failed_payment_leaves_the_hold_and_says_why(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    failed = fake.pay(order.order_id, status="failed")

    deliver(ctx, "payment.failed", payment=fake.payments[failed["razorpay_payment_id"]])
    with pytest.raises(PaymentRejected) as refused:
        verify(ctx, learner, session_id, failed)

    assert refused.value.code == "payment_failed"
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "held"
    stored = order_for(booking.id)
    assert stored is not None
    assert stored.last_error == "Payment was declined by the bank"
    # and a retry on the same order succeeds
    assert verify(ctx, learner, session_id, fake.pay(order.order_id)).status == "confirmed"


def test_a_second_payment_on_a_paid_order_is_refunded_not_credited(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    first = fake.pay(order.order_id)
    second = fake.pay(order.order_id)

    deliver(ctx, "payment.captured", payment=fake.payments[first["razorpay_payment_id"]])
    deliver(ctx, "payment.captured", payment=fake.payments[second["razorpay_payment_id"]])

    duplicate = get_payment(second["razorpay_payment_id"])
    assert duplicate is not None
    assert duplicate.outcome == "refund_duplicate"
    [refund] = refunds_of(duplicate.payment_id)
    assert refund.amount_paise == PRICE
    assert refund.status == "pending"
    assert fake.payments[second["razorpay_payment_id"]]["amount_refunded"] == PRICE


# ---------------------------------------------------------------- captures after the hold ran out
def test_a_late_capture_takes_the_seat_back_when_one_is_free(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str], clock: Clock
) -> None:
    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    clock.advance(minutes=11)
    from peerlearn import jobs

    jobs.sweep(ctx)  # the hold expires, the seat goes back
    result = fake.pay(order.order_id)

    deliver(ctx, "payment.captured", payment=fake.payments[result["razorpay_payment_id"]])

    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "confirmed"
    from peerlearn.catalog.lookup import get_session_item

    assert int(get_session_item(session_id, consistent=True).seats_left) == 0


def test_a_late_capture_with_no_seat_left_is_refunded_in_full_and_the_learner_told(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str], clock: Clock, outbox: Any
) -> None:
    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    clock.advance(minutes=11)
    late_comer = person()
    hold(late_comer, session_id)  # expires the stale hold on the way and takes the only seat
    result = fake.pay(order.order_id)
    stream = Stream(ctx)

    for _ in range(3):  # redelivered: still one refund
        deliver(ctx, "payment.captured", payment=fake.payments[result["razorpay_payment_id"]])
    stream.flush()
    stream.replay()

    payment = get_payment(result["razorpay_payment_id"])
    assert payment is not None
    assert payment.outcome == "refund_no_seat"
    [refund] = refunds_of(payment.payment_id)
    assert (refund.amount_paise, refund.kind, refund.status) == (PRICE, "no_seat", "pending")
    assert len(fake.refunds) == 1
    assert fake.payments[payment.payment_id]["amount_refunded"] == PRICE
    booking = get_booking(session_id, learner.user_id)
    assert booking is not None
    assert booking.status == "expired"
    # Told once, from the refund's change (the email follows from delivery's own channels).
    [told] = [n for n in NotificationItem.query(f"USER#{learner.user_id}") if n.kind.startswith("refund")]
    assert told.kind == "refund_issued"
    assert "no seat was left" in told.body
    # The refund settles: the capture is reversed exactly, the mentor keeps nothing.
    rfnd = next(iter(fake.refunds))
    deliver(ctx, "refund.processed", refund=fake.settle_refund(rfnd))
    deliver(ctx, "refund.processed", refund=fake.settle_refund(rfnd))
    assert ledger.balance(GATEWAY_CLEARING) == 0
    assert ledger.balance(mentor_pending(payment.mentor_id)) == 0
    assert get_payment(payment.payment_id).status == "refunded"  # type: ignore[union-attr]


def test_stored_events_are_dispatched_from_the_stream_as_json(ctx: Context, fake: FakeRazorpay) -> None:
    body, headers = webhook("payment.failed", payment={"id": "pay_x", "order_id": "order_none"})
    webhooks.receive(
        raw_body=body,
        signature=headers["X-Razorpay-Signature"],
        event_id=headers["x-razorpay-event-id"],
        secret=WEBHOOK_SECRET,
    )
    stored = RazorpayEventItem.get(razorpay_event_pk(headers["x-razorpay-event-id"]), EVENT_SK)
    assert json.loads(stored.body)["event"] == "payment.failed"
    events.handle_record(ctx, stream_record(new=stored))  # no order of ours: ignored, no error


def test_razorpays_fee_is_booked_once_as_the_platforms_expense(
    ctx: Context, fake: FakeRazorpay, seat: tuple[seats.Booker, str]
) -> None:
    from peerlearn.ledger.accounts import GATEWAY_FEE

    learner, session_id = seat
    order = order_for_seat(ctx, learner, session_id)
    result = fake.pay(order.order_id, fee=1178)  # 2 % + 18 % GST on it

    verify(ctx, learner, session_id, result)
    deliver(ctx, "payment.captured", payment=fake.payments[result["razorpay_payment_id"]])

    assert ledger.balance(GATEWAY_FEE) == -1178  # an expense: debit-normal
    assert ledger.balance(GATEWAY_CLEARING) == -(PRICE - 1178)  # what Razorpay will settle
    payment = get_payment(result["razorpay_payment_id"])
    assert payment is not None
    assert ledger.balance(mentor_pending(payment.mentor_id)) == payment.mentor_share_paise  # not the mentor's
