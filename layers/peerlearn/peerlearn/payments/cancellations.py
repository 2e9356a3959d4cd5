"""A paid booking cancelled -> its refund, by the policy, from the stream (peerlearn.events).

Every cancellation that can reach a confirmed paid booking refunds in full: a learner can cancel a
confirmed booking only before the cut-off (bookings.cancelling refuses after it), and a mentor's
cancellation (of the booking or the whole session) always refunds. The refund key is the booking id,
so a redelivered stream record refunds once.
"""

from __future__ import annotations

import logging
from typing import Any

from peerlearn.context import Context
from peerlearn.payments import refunds
from peerlearn.payments.records import get_payment, get_refund, order_for

logger = logging.getLogger(__name__)

_REASONS = {
    "learner": "Cancelled by the learner before the cut-off",
    "mentor": "Booking cancelled by the mentor",
    "session_cancelled": "Session cancelled by the mentor",
}


def on_booking_cancelled(ctx: Context, booking: dict[str, Any]) -> None:
    """`booking`: the stream's new image of a booking that went confirmed -> cancelled."""
    if int(booking.get("price_paise", 0)) <= 0:
        return
    order = order_for(str(booking["id"]))
    if order is None or order.payment_id is None:
        logger.info("cancelled booking had no payment", extra={"booking_id": booking["id"]})
        return
    key = f"cancel-{booking['id']}"
    payment = get_payment(order.payment_id)
    left = 0 if payment is None else int(payment.amount_paise) - int(payment.refund_requested_paise)
    if left <= 0 and get_refund(order.payment_id, key) is None:
        # An admin refunded it all before the cancellation: nothing is owed, and raising would only
        # make the stream retry this record until it is dead-lettered.
        logger.info("cancelled booking already refunded in full", extra={"booking_id": booking["id"]})
        return
    reason = str(booking.get("cancel_reason") or "")
    refunds.request_refund(
        ctx,
        order.payment_id,
        key=key,
        amount_paise=None,
        kind="policy",
        reason=_REASONS.get(reason, "Booking cancelled"),
    )
