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
from peerlearn.payments.records import order_for

logger = logging.getLogger(__name__)

_REASONS = {
    "learner": "Cancelled by the learner before the cut-off",
    "mentor": "Booking cancelled by the mentor",
    "session_cancelled": "Session cancelled by the mentor",
    "account_deleted": "The learner deleted their account",
}


def on_booking_cancelled(ctx: Context, booking: dict[str, Any]) -> None:
    """`booking`: the stream's new image of a booking that went confirmed -> cancelled."""
    if int(booking.get("price_paise", 0)) <= 0:
        return
    order = order_for(str(booking["id"]))
    if order is None or order.payment_id is None:
        logger.info("cancelled booking had no payment", extra={"booking_id": booking["id"]})
        return
    reason = _REASONS.get(str(booking.get("cancel_reason") or ""), "Booking cancelled")
    made = refunds.refund_the_rest_once(
        ctx, order.payment_id, key=f"cancel-{booking['id']}", kind="policy", reason=reason
    )
    if made is None:  # an admin refunded it all before the cancellation: nothing is owed
        logger.info("cancelled booking already refunded in full", extra={"booking_id": booking["id"]})
