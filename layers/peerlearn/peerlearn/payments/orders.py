"""Orders for held seats (and, through `open_order`, gifts) and Checkout's verify.

The amount always comes from the server's booking, never the browser. One order per hold: the order
and an ORDER_FOR#<booking id> claim are written together, on condition the claim is new, so creating
again returns the same order. Razorpay's automatic-capture window can't be shorter than 12 minutes,
our hold is 10: the window is max(12, the hold's minutes left), and a capture that lands after the hold
ran out is the late-capture case `settle` handles (seat if free, else a full refund).
"""

from __future__ import annotations

import logging
import math

from pynamodb.exceptions import TransactWriteError

from peerlearn import clock, ratelimit, store, timeutil
from peerlearn.accounts.lookups import get_user
from peerlearn.bookings.states import get_booking, hold_expired
from peerlearn.context import Context
from peerlearn.errors import Conflict, NotFound, PaymentRejected, TooManyRequests
from peerlearn.payments import gateway
from peerlearn.payments.records import get_order, order_for, payment_out
from peerlearn.payments.schemas import (
    BookingOrderRequest,
    BookingVerifyRequest,
    CheckoutResult,
    OrderOut,
    Prefill,
    VerifyOut,
)
from peerlearn.payments.settle import settle_payment
from peerlearn.store.keys import ORDER_SK, ORDERS_OPEN, order_for_pk, order_pk
from peerlearn.store.models import OrderItem, OrderRefItem

logger = logging.getLogger(__name__)

MIN_CAPTURE_MINUTES = 12  # Razorpay's minimum automatic-capture window
CREATES_PER_USER = ratelimit.Limit("pay-create", max_hits=20, window_seconds=600)
VERIFIES_PER_USER = ratelimit.Limit("pay-verify", max_hits=30, window_seconds=600)


def limit(rule: ratelimit.Limit, user_id: str) -> None:
    wait = ratelimit.acquire(rule, user_id)
    if wait:
        raise TooManyRequests(
            "That's a lot of payment attempts in a short time.",
            retry_after_seconds=wait,
            code="too_many_payments",
        )


def order_out(ctx: Context, order: OrderItem, *, description: str, expires_at: str | None) -> OrderOut:
    """What Checkout is opened with; the payer's name and email prefilled (theirs: they are the caller)."""
    adapter = gateway.of(ctx)
    payer = get_user(order.learner_id)
    return OrderOut(
        order_id=order.order_id,
        amount_paise=int(order.amount_paise),
        currency=order.currency,
        key_id=adapter.key_id,
        checkout_url=adapter.checkout_url,
        name="PeerLearn",
        description=description,
        reference=order.reference,
        expires_at=expires_at,
        prefill=Prefill(name=payer.name, email=payer.email),
    )


def open_order(
    ctx: Context,
    *,
    purpose: str,
    reference: str,
    session_id: str,
    learner_id: str,
    mentor_id: str,
    amount_paise: int,
    capture_minutes: int,
) -> OrderItem:
    """The order for `reference` (a booking hold, a gift): the one made before, or a new one."""
    existing = order_for(reference)
    if existing is not None:
        return existing
    notes = {f"{purpose}_id": reference, "session_id": session_id, "learner_id": learner_id}
    try:
        with gateway.on_request_path():
            created = gateway.of(ctx).create_order(
                amount_paise=amount_paise, receipt=reference, notes=notes, capture_minutes=capture_minutes
            )
    except PaymentRejected:
        # A concurrent request made the order first (the receipt is unique at Razorpay): use it.
        raced = order_for(reference)
        if raced is not None:
            return raced
        # Or an earlier invocation died after Razorpay made the order and before our write: without
        # adopting that order, the receipt would refuse every retry and the hold could never be paid.
        with gateway.on_request_path():
            made = gateway.of(ctx).order_by_receipt(reference)
        if made is None or int(made.get("amount", -1)) != amount_paise:
            raise
        created = made
    now = clock.now_seconds()
    order = OrderItem(
        order_pk(created["id"]),
        ORDER_SK,
        order_id=str(created["id"]),
        purpose=purpose,
        reference=reference,
        session_id=session_id,
        learner_id=learner_id,
        mentor_id=mentor_id,
        amount_paise=amount_paise,
        created_at=timeutil.iso_from_epoch(now),
        gsi1pk=ORDERS_OPEN,
        gsi1sk=f"{now:012d}#{created['id']}",
    )
    try:
        with store.transaction() as tx:
            tx.save(
                OrderRefItem(order_for_pk(reference), ORDER_SK, order_id=order.order_id),
                condition=OrderRefItem.pk.does_not_exist(),
            )
            tx.save(order)
    except TransactWriteError as exc:
        raced = order_for(reference) if store.condition_failed(exc) else None
        if raced is None:
            raise
        return raced  # ours was never shown to anyone, so it is never paid
    logger.info("order created", extra={"order_id": order.order_id, "purpose": purpose})
    return order


def create_booking_order(ctx: Context, *, learner_id: str, request: BookingOrderRequest) -> OrderOut:
    """Checkout's order for the caller's held seat in a session."""
    limit(CREATES_PER_USER, learner_id)
    booking = get_booking(request.session_id, learner_id)
    if booking is None or booking.status not in ("held", "confirmed"):
        raise NotFound("You have no seat held in this session; book it first.", code="no_hold")
    if booking.status == "confirmed":
        raise Conflict("This booking is already confirmed.", code="already_confirmed")
    now = clock.now_seconds()
    if hold_expired(booking, now):
        raise Conflict("Your seat hold ran out; book again to hold a seat.", code="hold_expired")
    if int(booking.price_paise) <= 0:
        raise Conflict("This session is free: nothing to pay.", code="nothing_to_pay")
    expires = int(booking.hold_expires_at)
    order = open_order(
        ctx,
        purpose="booking",
        reference=booking.id,
        session_id=booking.session_id,
        learner_id=learner_id,
        mentor_id=booking.mentor_id,
        amount_paise=int(booking.price_paise),
        capture_minutes=max(MIN_CAPTURE_MINUTES, math.ceil((expires - now) / 60)),
    )
    return order_out(
        ctx, order, description=booking.session_title, expires_at=timeutil.iso_from_epoch(expires)
    )


def check_and_settle(ctx: Context, order: OrderItem | None, result: CheckoutResult) -> VerifyOut:
    """Checkout's result against the order stored on the server: the signature (over OUR order id, so
    another order's id is refused), then Razorpay's own record of the payment (order, amount,
    currency, status), then the one confirmation."""
    if order is None or result.razorpay_order_id != order.order_id:
        raise PaymentRejected("This payment is not for this order.", code="wrong_order")
    adapter = gateway.of(ctx)
    if not adapter.payment_signature_valid(
        order_id=order.order_id, payment_id=result.razorpay_payment_id, signature=result.razorpay_signature
    ):
        raise PaymentRejected("The payment's signature is not valid.", code="bad_signature")
    try:
        with gateway.on_request_path():
            payment = adapter.fetch_payment(result.razorpay_payment_id)
    except PaymentRejected as exc:
        raise PaymentRejected("Razorpay has no such payment.", code="unknown_payment") from exc
    if payment.get("order_id") != order.order_id:
        raise PaymentRejected("This payment is not for this order.", code="wrong_order")
    if int(payment.get("amount", -1)) != int(order.amount_paise) or payment.get("currency") != order.currency:
        raise PaymentRejected("The amount paid is not the amount due.", code="wrong_amount")
    status = payment.get("status")
    if status == "failed":
        raise PaymentRejected(
            str(payment.get("error_description") or "The payment failed."), code="payment_failed"
        )
    if status != "captured":  # authorized: Razorpay captures it in a moment, and the webhook settles it
        return VerifyOut(
            status="processing", message="Payment received; confirming it with the bank.", payment=None
        )
    settled = settle_payment(ctx, payment)
    if settled is None:  # can't happen for a captured payment of a known order, but never 200 by accident
        raise PaymentRejected("This payment could not be matched to your order.", code="unmatched")
    if settled.outcome == "refund_no_seat":
        message = "Your seat hold ran out and no seat was left, so the payment is refunded in full."
        return VerifyOut(status="refunding", message=message, payment=payment_out(settled))
    if settled.outcome == "refund_duplicate":
        message = "This was already paid; this second payment is refunded in full."
        return VerifyOut(status="refunding", message=message, payment=payment_out(settled))
    return VerifyOut(status="confirmed", message="Payment received: you're in.", payment=payment_out(settled))


def verify_booking(ctx: Context, *, learner_id: str, request: BookingVerifyRequest) -> VerifyOut:
    limit(VERIFIES_PER_USER, learner_id)
    booking = get_booking(request.session_id, learner_id)
    order = order_for(booking.id) if booking is not None else None
    if order is None:  # a hold replaced by a new one: the order the browser names must still be the caller's
        named = get_order(request.razorpay_order_id)
        mine = named is not None and named.learner_id == learner_id and named.session_id == request.session_id
        order = named if mine and named is not None and named.purpose == "booking" else None
    return check_and_settle(ctx, order, request)
