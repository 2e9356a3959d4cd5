"""Booking a seat: who may take one, and the one transaction that takes the seat and writes the booking."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError

from peerlearn import clock, ids, store, timeutil
from peerlearn.bookings.schemas import BookingOut
from peerlearn.bookings.states import (
    ENDED_STATES,
    confirm,
    expire_hold,
    expire_stale_holds,
    get_booking,
    hold_expired,
    to_out,
)
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import BadRequest, Conflict, Forbidden
from peerlearn.store.keys import HOLD, booking_sk, hold_sk, learner_bookings_pk, session_pk
from peerlearn.store.models import BookingItem, SessionItem

logger = logging.getLogger(__name__)

PAYMENT_HOLD_SECONDS = 10 * 60
WAITLIST_OFFER_SECONDS = 2 * 3600


@dataclass(frozen=True)
class Booker:
    user_id: str
    name: str
    role: str
    email_verified: bool


def require_seat_taker(booker: Booker) -> None:
    """Who may hold a seat, by booking or through the waitlist: verified learners and mentors."""
    if booker.role == "admin":
        raise Forbidden("Admins can't book sessions.", code="admins_cannot_book")
    if not booker.email_verified:
        raise Forbidden("Verify your email before booking sessions.", code="email_not_verified")


def new_booking(session: SessionItem, booker: Booker, *, offered: bool, now: int) -> BookingItem:
    free = int(session.price_paise) == 0
    hold_seconds = WAITLIST_OFFER_SECONDS if offered else PAYMENT_HOLD_SECONDS
    # An offered seat of a free session is held too: the learner accepts it (or lets it lapse).
    status = "confirmed" if free and not offered else "held"
    expires = min(now + hold_seconds, timeutil.epoch(session.starts_at)) if status == "held" else None
    item = BookingItem(
        session_pk(session.id),
        booking_sk(booker.user_id),
        id=ids.new_id(),
        session_id=session.id,
        learner_id=booker.user_id,
        learner_name=booker.name,
        mentor_id=session.mentor_id,
        mentor_name=session.mentor_name,
        session_title=session.title,
        session_starts_at=session.starts_at,
        session_ends_at=session.ends_at,
        status=status,
        price_paise=int(session.price_paise),
        hold_expires_at=expires,
        offered_from_waitlist=offered,
        created_at=timeutil.iso_from_epoch(now),
        updated_at=timeutil.iso_from_epoch(now),
        gsi2pk=learner_bookings_pk(booker.user_id),
        gsi2sk=f"{session.starts_at}#{session.id}",
    )
    if expires is not None:
        item.gsi1pk = HOLD
        item.gsi1sk = hold_sk(expires, session.id, booker.user_id)
    return item


def take_seat(session: SessionItem, booking: BookingItem, *, now_iso_text: str, extra: Any = None) -> None:
    """One transaction: the seat (seats_left > 0, still bookable) and the booking (no live one yet)."""
    seat = SessionItem(session.pk, session.sk)
    with store.transaction() as tx:
        tx.update(
            seat,
            actions=[SessionItem.seats_left.add(-1), SessionItem.booked_count.add(1)],
            condition=(SessionItem.seats_left > 0)
            & (SessionItem.status == "scheduled")
            & SessionItem.open.exists()
            & (SessionItem.starts_at > now_iso_text),
        )
        tx.save(
            booking,
            condition=BookingItem.pk.does_not_exist() | BookingItem.status.is_in(*ENDED_STATES),
        )
        if extra is not None:
            extra(tx)


def _why_not_bookable(session_id: str) -> Conflict:
    session = get_session_item(session_id, consistent=True)
    if session.status != "scheduled" or not session.open or session.starts_at <= timeutil.now_iso():
        return Conflict("This session can no longer be booked.", code="session_not_bookable")
    if int(session.seats_left) <= 0:
        return Conflict(
            "This session is full. Join the waitlist to be offered a freed seat.", code="session_full"
        )
    return Conflict("You already have a booking for this session.", code="already_booked")


def book(*, booker: Booker, session_id: str) -> tuple[BookingOut, bool]:
    """Books a seat; returns (booking, created). Booking again while holding an offered seat accepts it."""
    require_seat_taker(booker)
    session = get_session_item(session_id, consistent=True)
    if session.mentor_id == booker.user_id:
        raise BadRequest("You can't book your own session.", code="own_session")
    now = clock.now_seconds()
    existing = get_booking(session_id, booker.user_id)
    if existing is not None and hold_expired(existing, now):
        expire_hold(existing, now)
        existing = get_booking(session_id, booker.user_id)
    if existing is not None and existing.status == "held":
        if int(existing.price_paise) == 0 and confirm(existing):
            existing.refresh(consistent_read=True)
        return to_out(existing), False
    if existing is not None and existing.status in ("confirmed", "completed"):
        raise Conflict("You already have a booking for this session.", code="already_booked")

    if int(session.seats_left) <= 0 and expire_stale_holds(session_id):
        session.refresh(consistent_read=True)
    booking = new_booking(session, booker, offered=False, now=now)
    try:
        take_seat(session, booking, now_iso_text=timeutil.iso_from_epoch(now))
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise _why_not_bookable(session_id) from exc
        raise
    logger.info("seat booked", extra={"session_id": session_id, "status": booking.status})
    return to_out(booking), True
