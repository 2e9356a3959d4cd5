"""Gifts to the mentor during a live session: ₹50 / ₹100 / ₹200 or a custom amount within bounds.

Only a confirmed learner of the session, while it is live (its status, and now inside its time window).
The gift is a GiftItem under the session (pending -> paid by `settle`, through the same order -> verify
/ webhook path as bookings); the live-room issue announces it from the stream (GIFT, status paid).
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, ids, ratelimit, timeutil
from peerlearn.accounts.lookups import get_user
from peerlearn.bookings.states import get_booking
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.errors import Conflict, Forbidden, NotFound
from peerlearn.payments.orders import (
    MIN_CAPTURE_MINUTES,
    VERIFIES_PER_USER,
    check_and_settle,
    limit,
    open_order,
    order_out,
)
from peerlearn.payments.records import order_for
from peerlearn.payments.schemas import GiftRequest, GiftVerifyRequest, OrderOut, VerifyOut
from peerlearn.store.keys import gift_sk, session_pk
from peerlearn.store.models import GiftItem

# The mentor may extend a session by up to this much (peerlearn.live.timer); gifts may come until then.
MAX_EXTENSION_MINUTES = 15
GIFTS_PER_USER = ratelimit.Limit("gift-create", max_hits=10, window_seconds=600)


def create_gift_order(ctx: Context, *, learner_id: str, request: GiftRequest) -> OrderOut:
    limit(GIFTS_PER_USER, learner_id)
    session = get_session_item(request.session_id, consistent=True)
    booking = get_booking(request.session_id, learner_id)
    if booking is None or booking.status != "confirmed":
        raise Forbidden("Only the session's confirmed learners can send gifts.", code="not_a_participant")
    # While the room is open: from an early opening until the end of the longest extension.
    now = timeutil.iso_from_epoch(clock.now_seconds())
    if session.status != "live" or now > timeutil.plus_minutes(session.ends_at, MAX_EXTENSION_MINUTES):
        raise Conflict("Gifts can be sent while the session is live.", code="session_not_live")
    gift_id = ids.new_id()
    gift = GiftItem(
        session_pk(session.id),
        gift_sk(gift_id),
        gift_id=gift_id,
        session_id=session.id,
        learner_id=learner_id,
        # The room announces it by this name; bookings made through the API carry none.
        learner_name=booking.learner_name or get_user(learner_id).name,
        mentor_id=session.mentor_id,
        amount_paise=request.amount_paise,
        message=(request.message or "").strip() or None,
        created_at=now,
    )
    gift.save()
    order = open_order(
        ctx,
        purpose="gift",
        reference=gift_id,
        session_id=session.id,
        learner_id=learner_id,
        mentor_id=session.mentor_id,
        amount_paise=request.amount_paise,
        capture_minutes=MIN_CAPTURE_MINUTES,
    )
    return order_out(ctx, order, description=f"A gift for “{session.title}”", expires_at=None)


def verify_gift(ctx: Context, *, learner_id: str, request: GiftVerifyRequest) -> VerifyOut:
    limit(VERIFIES_PER_USER, learner_id)
    if not ids.is_id(request.gift_id):
        raise NotFound("No such gift.")
    order = order_for(request.gift_id)
    if order is not None and order.learner_id != learner_id:
        order = None
    try:
        if order is not None:
            GiftItem.get(session_pk(order.session_id), gift_sk(request.gift_id))
    except DoesNotExist:
        order = None
    answer = check_and_settle(ctx, order, request)
    if answer.status == "confirmed":
        answer.message = "Thank you! Your gift is on its way to the mentor."
    return answer
