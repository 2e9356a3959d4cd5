"""Booking a seat: who may take one, and the one transaction that takes the seat and writes the booking."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError

from peerlearn import clock, ids, store, timeutil
from peerlearn import quotas as quotas_
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
from peerlearn.ratelimit import Limit
from peerlearn.store.keys import HOLD, booking_sk, hold_sk, learner_bookings_pk, session_pk
from peerlearn.store.models import BookingItem, SessionItem, WaitlistItem

logger = logging.getLogger(__name__)

PAYMENT_HOLD_SECONDS = 10 * 60
WAITLIST_OFFER_SECONDS = 2 * 3600
BOOKINGS_PER_ACCOUNT = Limit("book-account", max_hits=20, window_seconds=600)
# Generous: a campus or an office books from behind one address.
BOOKINGS_PER_CLIENT = Limit("book-client", max_hits=200, window_seconds=600)
# The first hold of a paid seat and three more a day after letting it lapse or cancelling it: enough
# for a changed mind, too few to keep a seat from others by book / cancel / re-book.
HOLDS_PER_SEAT = Limit("hold-seat", max_hits=4, window_seconds=86400)
_ATTEMPTS = 3  # a transaction cancelled only by a concurrent one on the same seat is tried again


@dataclass(frozen=True)
class Booker:
    """Who takes a seat. The name is optional: the authorizer's context doesn't carry it, and reading
    the profile for it would cost the booking a call (attendee lists read names from profiles)."""

    user_id: str
    name: str | None
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
        confirmed_at=timeutil.iso_from_epoch(now) if status == "confirmed" else None,
        gsi2pk=learner_bookings_pk(booker.user_id),
        gsi2sk=f"{session.starts_at}#{session.id}",
    )
    if expires is not None:
        item.gsi1pk = HOLD
        item.gsi1sk = hold_sk(expires, session.id, booker.user_id)
    return item


@dataclass(frozen=True)
class SeatRefused:
    """Which conditions cancelled a seat transaction; all False when only a concurrent transaction on
    the same items got in the way (worth trying again)."""

    seat: bool
    booking: bool
    waitlist_entry: bool
    quota: quotas_.Quota | None


def take_seat(
    session: SessionItem,
    booking: BookingItem,
    *,
    now: int,
    quotas: Sequence[quotas_.Quota] = (),
    waitlist_entry: WaitlistItem | None = None,
) -> SeatRefused | None:
    """One transaction: the seat (seats_left > 0, still bookable), the booking (no live one yet), one
    counter per quota, and the waitlist entry an offered seat removes. None when the seat is taken."""
    seat = SessionItem(session.pk, session.sk)
    try:
        with store.transaction() as tx:
            if waitlist_entry is not None:
                tx.delete(waitlist_entry, condition=WaitlistItem.pk.exists())
            tx.save(
                booking,
                condition=BookingItem.pk.does_not_exist() | BookingItem.status.is_in(*ENDED_STATES),
            )
            tx.update(
                seat,
                actions=[SessionItem.seats_left.add(-1), SessionItem.booked_count.add(1)],
                condition=(SessionItem.seats_left > 0)
                & (SessionItem.status == "scheduled")
                & SessionItem.open.exists()
                & (SessionItem.starts_at > timeutil.iso_from_epoch(now)),
            )
            for quota in quotas:
                quotas_.count(tx, quota, now)
    except TransactWriteError as exc:
        if exc.cause_response_code != "TransactionCanceledException":
            raise
        # pynamodb sends a transaction's deletes, then its puts, then its updates, whatever the
        # order they were added in: the reasons come back in that order.
        failed = [
            r is not None and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or []
        ]
        booking_at = 1 if waitlist_entry is not None else 0

        def at(index: int) -> bool:
            return 0 <= index < len(failed) and failed[index]

        return SeatRefused(
            seat=at(booking_at + 1),
            booking=at(booking_at),
            waitlist_entry=waitlist_entry is not None and at(0),
            quota=quotas_.exhausted(exc, list(quotas), first_index=booking_at + 2),
        )
    return None


def _quotas(booker: Booker, client: str, booking: BookingItem) -> list[quotas_.Quota]:
    counted = [(BOOKINGS_PER_ACCOUNT, booker.user_id), (BOOKINGS_PER_CLIENT, client)]
    if booking.status == "held":
        counted.append((HOLDS_PER_SEAT, f"{booking.session_id}#{booker.user_id}"))
    return counted


def _why_not_bookable(session_id: str) -> Conflict | None:
    session = get_session_item(session_id, consistent=True)
    if session.status != "scheduled" or not session.open or session.starts_at <= timeutil.now_iso():
        return Conflict("This session can no longer be booked.", code="session_not_bookable")
    if int(session.seats_left) <= 0:
        return Conflict(
            "This session is full. Join the waitlist to be offered a freed seat.", code="session_full"
        )
    return None  # a seat came free meanwhile


def _answer_refusal(
    refused: SeatRefused, session: SessionItem, booker: Booker, now: int
) -> tuple[BookingOut, bool] | None:
    """What a refused seat transaction means for the learner: an answer, an error, or None to try
    again (the state it met has changed since)."""
    if refused.booking:  # a live or attended booking is there: only now is it worth a read
        existing = get_booking(session.id, booker.user_id)
        if existing is None or existing.status in ENDED_STATES:
            return None
        if hold_expired(existing, now):
            expire_hold(existing, now)
            return None
        if existing.status == "held":
            if int(existing.price_paise) == 0 and confirm(existing):  # accepting an offered free seat
                existing.refresh(consistent_read=True)
            return to_out(existing), False
        raise Conflict("You already have a booking for this session.", code="already_booked")
    if refused.quota is not None and refused.quota[0] is HOLDS_PER_SEAT:
        message = f"You've held a seat in this session {HOLDS_PER_SEAT.max_hits} times today."
        raise quotas_.refusal(refused.quota, now, message, "too_many_holds")
    if refused.quota is not None:
        message = "That's a lot of bookings in a short time."
        raise quotas_.refusal(refused.quota, now, message, "too_many_bookings")
    if refused.seat:
        why = _why_not_bookable(session.id)
        if why is not None:
            raise why
    return None  # only a concurrent transaction on the same seat got in the way


def book(*, booker: Booker, session_id: str, client: str) -> tuple[BookingOut, bool]:
    """Books a seat; returns (booking, created). Booking again while holding an offered seat accepts it.

    The usual path is two calls: a consistent read of the session, then one transaction that takes the
    seat, writes the booking and counts the quotas. An earlier booking is read only when the
    transaction meets one.
    """
    require_seat_taker(booker)
    for _attempt in range(_ATTEMPTS):
        session = get_session_item(session_id, consistent=True)
        if session.mentor_id == booker.user_id:
            raise BadRequest("You can't book your own session.", code="own_session")
        now = clock.now_seconds()
        if int(session.seats_left) <= 0 and expire_stale_holds(session_id):
            session.refresh(consistent_read=True)
        booking = new_booking(session, booker, offered=False, now=now)
        counted = _quotas(booker, client, booking)
        refused = take_seat(session, booking, now=now, quotas=counted)
        if refused is not None:
            answer = _answer_refusal(refused, session, booker, now)
            if answer is None:
                continue
            return answer
        logger.info("seat booked", extra={"session_id": session_id, "status": booking.status})
        return to_out(booking), True
    raise Conflict("Many people are booking this session right now; please try again.", code="busy")
