"""A mentor who didn't come: an admin says so and every paid seat of the session is refunded in full,
as the refund policy promises. Idempotent: each booking's refund is keyed by the booking, so asking
again (or after a cancellation's refund) refunds nobody twice."""

from __future__ import annotations

import logging

from peerlearn import clock, timeutil
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.errors import Conflict
from peerlearn.ledger import DISPUTE_WINDOW_SECONDS
from peerlearn.payments import refunds
from peerlearn.payments.records import order_for, refund_out
from peerlearn.payments.schemas import MentorNoShowOut
from peerlearn.store.keys import BOOKING_PREFIX, session_pk
from peerlearn.store.models import BookingItem

logger = logging.getLogger(__name__)

# A mentor may be a few minutes late; after this they count as not having come.
GRACE_SECONDS = 10 * 60
PAID_STATES = ("confirmed", "completed", "no_show")  # a learner's own no-show doesn't excuse the mentor's


def refund_mentor_no_show(ctx: Context, *, admin_id: str, session_id: str, reason: str) -> MentorNoShowOut:
    """From the session's start (plus a grace) to the end of the dispute window after it ended."""
    session = get_session_item(session_id, consistent=True)
    now = clock.now_seconds()
    if now < timeutil.epoch(session.starts_at) + GRACE_SECONDS:
        raise Conflict("The session hasn't started yet (or only just).", code="session_not_started")
    if now > timeutil.epoch(session.ends_at) + DISPUTE_WINDOW_SECONDS:
        raise Conflict(
            "The dispute window for this session has closed; refund payments one by one instead.",
            code="dispute_window_closed",
        )
    made = []
    bookings = BookingItem.query(
        session_pk(session_id),
        BookingItem.sk.startswith(BOOKING_PREFIX),
        filter_condition=BookingItem.status.is_in(*PAID_STATES) & (BookingItem.price_paise > 0),
    )
    for booking in bookings:
        order = order_for(booking.id)
        if order is None or order.payment_id is None:
            continue
        refund = refunds.refund_the_rest_once(
            ctx,
            order.payment_id,
            key=f"mentor-no-show-{booking.id}",
            kind="policy",
            reason=f"The mentor didn't come: {reason}",
            by=admin_id,
        )
        if refund is not None:  # None: refunded in full already (a cancellation, an admin)
            made.append(refund_out(refund))
    logger.info("mentor no-show refunded", extra={"session_id": session_id, "refunds": len(made)})
    return MentorNoShowOut(session_id=session_id, refunds=made)
