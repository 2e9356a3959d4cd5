"""The one confirmation every path converges on: Checkout's verify, the payment.captured / order.paid
webhooks and the recovery job all call `settle_payment` with Razorpay's payment object.

It is idempotent and forward-only: the PaymentItem (written once, on condition it doesn't exist) and
the ledger's capture entry (keyed `capture#<payment id>`) are in the same transaction as the state
change, so a payment is credited exactly once whatever the order and number of deliveries. What a
captured payment becomes:
- the booking's hold is still there -> confirmed, the mentor's share scheduled to mature;
- the hold expired but a seat is free -> the seat taken back and confirmed, in the same transaction;
- no seat (or the booking is gone, or the order was paid by another payment) -> recorded, posted, and
  refunded in full (the refund item in the same transaction; its change tells the learner);
- a gift still pending -> paid (the room announces it from the stream).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import clock, ledger, store, timeutil
from peerlearn.bookings.states import confirm_in
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.payments import refunds
from peerlearn.payments.records import get_order, get_payment
from peerlearn.store.keys import PAYMENTS, booking_sk, gift_sk, payer_pk, payment_pk, session_pk
from peerlearn.store.models import BookingItem, GiftItem, OrderItem, PaymentItem, RefundItem, SessionItem

logger = logging.getLogger(__name__)

_ATTEMPTS = 4
_REFUND_REASONS = {
    "refund_no_seat": "The payment arrived after the seat hold ran out and no seat was left.",
    "refund_duplicate": "This order was already paid by another payment.",
}


@dataclass
class _Plan:
    payment: PaymentItem
    pays_order: bool
    credit: Callable[[Any], None] | None  # the booking / gift / seat writes when the money is credited
    refund: RefundItem | None


def settle_payment(ctx: Context, payment: dict[str, Any]) -> PaymentItem | None:
    """Credits a captured Razorpay payment once; returns its record (None: not captured, or not ours)."""
    if payment.get("status") != "captured":
        return None
    payment_id = str(payment["id"])
    order = get_order(str(payment.get("order_id") or ""))
    if order is None:
        logger.warning("captured payment of no order of ours", extra={"payment_id": payment_id})
        return None
    if int(payment.get("amount", -1)) != int(order.amount_paise) or payment.get("currency") != order.currency:
        # Razorpay can't capture another amount on an order; a mismatch is worth an alarm, not money.
        logger.error("captured payment does not match its order", extra={"payment_id": payment_id})
        return None
    for _attempt in range(_ATTEMPTS):
        done = get_payment(payment_id)
        if done is not None:
            number_receipt(done)  # a crash may have come between the confirmation and its number
            book_gateway_fee(payment_id, int(payment.get("fee") or 0))  # or before the fee was booked
            return done
        plan = _plan(order, payment)
        try:
            with store.transaction() as tx:
                _write(tx, order, plan)
        except TransactWriteError as exc:
            if exc.cause_response_code != "TransactionCanceledException":
                raise
            order = get_order(order.order_id) or order  # another delivery, or the state moved: look again
            continue
        _after(ctx, plan, payment)
        return get_payment(payment_id)
    raise RuntimeError(f"settling {payment_id} kept conflicting")  # the caller retries (stream, job)


def _write(tx: Any, order: OrderItem, plan: _Plan) -> None:
    item = plan.payment
    tx.save(item, condition=PaymentItem.pk.does_not_exist())
    if plan.pays_order:
        tx.update(
            order,
            actions=[
                OrderItem.status.set("paid"),
                OrderItem.payment_id.set(item.payment_id),
                OrderItem.gsi1pk.remove(),
                OrderItem.gsi1sk.remove(),
            ],
            condition=OrderItem.payment_id.does_not_exist(),
        )
    kind = "gift_capture" if item.purpose == "gift" else "booking_capture"
    entry = ledger.capture_entry(
        f"capture#{item.payment_id}",  # one capture entry per payment, whatever the deliveries
        kind=kind,
        payment_id=item.payment_id,
        amount_paise=int(item.amount_paise),
        mentor_id=item.mentor_id,
        split=refunds.split_of(item),
        refs={"order_id": item.order_id, item.purpose + "_id": item.reference, "session_id": item.session_id},
    )
    ledger.post(tx, entry)
    if plan.credit is not None:
        plan.credit(tx)
    if plan.credit is not None and int(item.maturity_paise) > 0:
        ledger.schedule_maturity(
            tx,
            key=str(item.maturity_key),
            mentor_id=item.mentor_id,
            amount_paise=int(item.maturity_paise),
            due_at_epoch=int(item.matures_at or 0),
            refs={"payment_id": item.payment_id},
        )
    if plan.refund is not None:
        tx.save(plan.refund, condition=RefundItem.pk.does_not_exist())


def _payment_item(
    order: OrderItem, payment: dict[str, Any], *, title: str, ends_at: str, outcome: str
) -> PaymentItem:
    amount = int(order.amount_paise)
    split = ledger.split(amount)
    now = timeutil.now_iso()
    item = PaymentItem(
        payment_pk(str(payment["id"])),
        "PAYMENT",
        payment_id=str(payment["id"]),
        order_id=order.order_id,
        purpose=order.purpose,
        reference=order.reference,
        session_id=order.session_id,
        session_title=title,
        learner_id=order.learner_id,
        mentor_id=order.mentor_id,
        amount_paise=amount,
        currency=order.currency,
        method=str(payment.get("method") or "") or None,
        outcome=outcome,
        platform_fee_paise=split.platform_fee_paise,
        gst_paise=split.gst_paise,
        tcs_paise=split.tcs_paise,
        tds_paise=split.tds_paise,
        mentor_share_paise=split.mentor_share_paise,
        captured_at=now,
        gsi1pk=PAYMENTS,
        gsi1sk=f"{now}#{payment['id']}",
        gsi2pk=payer_pk(order.learner_id),
        gsi2sk=f"{now}#{payment['id']}",
    )
    if outcome in ("booking_confirmed", "gift_paid"):
        item.maturity_key = f"capture#{payment['id']}"  # the earning is named by its capture
        item.maturity_paise = split.mentor_share_paise
        item.matures_at = timeutil.epoch(ends_at) + ledger.DISPUTE_WINDOW_SECONDS
    else:
        item.refund_requested_paise = amount
        item.refund_count = 1
    return item


def _refund_plan(order: OrderItem, payment: dict[str, Any], outcome: str, title: str, ends_at: str) -> _Plan:
    item = _payment_item(order, payment, title=title, ends_at=ends_at, outcome=outcome)
    prefix = "noseat" if outcome == "refund_no_seat" else "dup"
    refund = refunds.new_refund_item(
        item.payment_id,
        key=f"{prefix}-{item.payment_id}",
        amount_paise=int(item.amount_paise),
        kind=outcome.removeprefix("refund_"),
        reason=_REFUND_REASONS[outcome],
        by="system",
        mentor_part_paise=int(item.mentor_share_paise),
    )
    return _Plan(payment=item, pays_order=outcome != "refund_duplicate", credit=None, refund=refund)


def _plan(order: OrderItem, payment: dict[str, Any]) -> _Plan:
    if order.purpose == "gift":
        return _gift_plan(order, payment)
    return _booking_plan(order, payment)


def _booking_plan(order: OrderItem, payment: dict[str, Any]) -> _Plan:
    try:
        booking: BookingItem | None = BookingItem.get(
            session_pk(order.session_id), booking_sk(order.learner_id), consistent_read=True
        )
    except DoesNotExist:
        booking = None
    session = get_session_item(order.session_id, consistent=True)
    title, ends_at = session.title, session.ends_at
    if order.payment_id is not None:
        return _refund_plan(order, payment, "refund_duplicate", title, ends_at)
    same_hold = booking is not None and booking.id == order.reference
    if booking is not None and same_hold and booking.status == "held":
        item = _payment_item(order, payment, title=title, ends_at=ends_at, outcome="booking_confirmed")
        return _Plan(item, pays_order=True, credit=lambda tx: confirm_in(tx, booking), refund=None)
    seat_free = (
        int(session.seats_left) > 0
        and session.status == "scheduled"
        and session.starts_at > timeutil.iso_from_epoch(clock.now_seconds())
    )
    if booking is not None and same_hold and booking.status == "expired" and seat_free:
        item = _payment_item(order, payment, title=title, ends_at=ends_at, outcome="booking_confirmed")
        return _Plan(item, pays_order=True, credit=lambda tx: _retake_seat(tx, booking, session), refund=None)
    return _refund_plan(order, payment, "refund_no_seat", title, ends_at)


def _retake_seat(tx: Any, booking: BookingItem, session: SessionItem) -> None:
    """A late capture for an expired hold: the seat back to this booking, if it is still free."""
    confirm_in(tx, booking, allowed_from=("expired",))
    tx.update(
        SessionItem(session.pk, session.sk),
        actions=[SessionItem.seats_left.add(-1), SessionItem.booked_count.add(1)],
        condition=(SessionItem.seats_left > 0) & (SessionItem.status == "scheduled"),
    )


def _gift_plan(order: OrderItem, payment: dict[str, Any]) -> _Plan:
    session = get_session_item(order.session_id)
    try:
        gift: GiftItem | None = GiftItem.get(
            session_pk(order.session_id), gift_sk(order.reference), consistent_read=True
        )
    except DoesNotExist:
        gift = None
    if order.payment_id is not None or gift is None or gift.status != "pending":
        return _refund_plan(order, payment, "refund_duplicate", session.title, session.ends_at)
    item = _payment_item(order, payment, title=session.title, ends_at=session.ends_at, outcome="gift_paid")

    def paid(tx: Any) -> None:
        tx.update(
            gift,
            actions=[
                GiftItem.status.set("paid"),
                GiftItem.payment_id.set(item.payment_id),
                GiftItem.paid_at.set(item.captured_at),
            ],
            condition=GiftItem.status == "pending",
        )

    return _Plan(item, pays_order=True, credit=paid, refund=None)


def _after(ctx: Context, plan: _Plan, payment: dict[str, Any]) -> None:
    """Outside the transaction, each step safe to repeat: the receipt number, Razorpay's fee booked,
    the refund request to Razorpay (the job retries it if this crashes first)."""
    item = plan.payment
    number_receipt(item)
    book_gateway_fee(item.payment_id, int(payment.get("fee") or 0))
    logger.info("payment settled", extra={"payment_id": item.payment_id, "outcome": item.outcome})
    if plan.refund is None:
        return
    refunds.send(ctx, plan.refund)  # the learner hears of it from the refund's change (peerlearn.notices)


def number_receipt(item: PaymentItem) -> None:
    """The payment's receipt number, dated by its capture; the ledger gives a payment the same
    number however often this runs, so a retry after a crash finishes the job."""
    if item.receipt_number:
        return
    number = ledger.document_number("receipt", item.payment_id, timeutil.epoch(item.captured_at))
    item.update(actions=[PaymentItem.receipt_number.set(number)])


def book_gateway_fee(payment_id: str, fee_paise: int) -> None:
    """Razorpay's fee on the payment (its `fee`, GST included), an expense of the platform. A separate
    transaction: it moves gateway clearing too, and one transaction can't touch an item twice."""
    if fee_paise <= 0:
        return
    entry = ledger.gateway_fee_entry(
        f"gateway_fee#{payment_id}", payment_id=payment_id, fee_paise=fee_paise, refs={}
    )
    try:
        with store.transaction() as tx:
            ledger.post(tx, entry)
    except TransactWriteError as exc:
        if not ledger.already_posted(exc, entry):
            raise
