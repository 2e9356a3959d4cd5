"""A booking's states and the one way they change: held -> confirmed -> completed | cancelled | expired |
no_show, each change one conditional write (or one transaction with the session's seat count).

`transition()` is what the payments issue uses to move held -> confirmed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import clock, ids, store, timeutil
from peerlearn.bookings.schemas import BookedSession, BookingOut
from peerlearn.store.keys import BOOKING_PREFIX, booking_sk, session_pk
from peerlearn.store.models import BookingItem, SessionItem

logger = logging.getLogger(__name__)

LIVE_STATES = ("held", "confirmed")
ENDED_STATES = ("cancelled", "expired")


def to_out(item: BookingItem) -> BookingOut:
    return BookingOut(
        id=item.id,
        session_id=item.session_id,
        learner_id=item.learner_id,
        status=item.status,
        price_paise=int(item.price_paise),
        hold_expires_at=timeutil.iso_from_epoch(int(item.hold_expires_at)) if item.status == "held" else None,
        offered_from_waitlist=bool(item.offered_from_waitlist),
        created_at=item.created_at,
        session=BookedSession(
            id=item.session_id,
            title=item.session_title,
            starts_at=item.session_starts_at,
            ends_at=item.session_ends_at,
            mentor_id=item.mentor_id,
            mentor_name=item.mentor_name,
            price_paise=int(item.price_paise),
        ),
    )


def get_booking(session_id: str, learner_id: str) -> BookingItem | None:
    if not ids.is_id(learner_id):  # a path parameter: too long or odd for a key is simply no booking
        return None
    try:
        return BookingItem.get(session_pk(session_id), booking_sk(learner_id), consistent_read=True)
    except DoesNotExist:
        return None


def hold_expired(item: BookingItem, now: int) -> bool:
    return item.status == "held" and item.hold_expires_at is not None and int(item.hold_expires_at) <= now


def transition(
    booking: BookingItem,
    *,
    allowed_from: Iterable[str],
    to: str,
    release_seat: bool = False,
    extra: Iterable[Any] = (),
    condition: Any = None,
) -> bool:
    """Moves a booking between states with a conditional write; returns False if its state had moved on.

    `release_seat` gives the seat back to the session in the same transaction.
    """
    allowed = tuple(allowed_from)
    actions = [BookingItem.status.set(to), BookingItem.updated_at.set(timeutil.now_iso()), *extra]
    if to != "held":
        actions += [BookingItem.gsi1pk.remove(), BookingItem.gsi1sk.remove()]
    guard = BookingItem.status.is_in(*allowed)
    if condition is not None:
        guard &= condition
    try:
        with store.transaction() as tx:
            tx.update(booking, actions=actions, condition=guard)
            if release_seat:
                seat = SessionItem(session_pk(booking.session_id), "SESSION")
                tx.update(
                    seat,
                    actions=[SessionItem.seats_left.add(1), SessionItem.booked_count.add(-1)],
                    condition=SessionItem.pk.exists(),
                )
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            return False
        raise
    logger.info("booking moved", extra={"session_id": booking.session_id, "to": to, "from": list(allowed)})
    return True


def confirm(booking: BookingItem) -> bool:
    """held -> confirmed (free seats now; paid ones once the payment is verified)."""
    return transition(
        booking,
        allowed_from=["held"],
        to="confirmed",
        extra=[BookingItem.hold_expires_at.remove()],
    )


def confirm_in(tx: Any, booking: BookingItem, *, allowed_from: Iterable[str] = ("held",)) -> None:
    """held -> confirmed inside the caller's open transaction, on condition the booking is still the
    same hold (its id): a paid seat is confirmed in the same transaction as the ledger entry that
    records the money. Payments pass `allowed_from=("expired",)` with the seat taken back in the tx."""
    tx.update(
        booking,
        actions=[
            BookingItem.status.set("confirmed"),
            BookingItem.updated_at.set(timeutil.now_iso()),
            BookingItem.confirmed_at.set(timeutil.now_iso()),
            BookingItem.hold_expires_at.remove(),
            BookingItem.gsi1pk.remove(),
            BookingItem.gsi1sk.remove(),
        ],
        condition=BookingItem.status.is_in(*allowed_from) & (BookingItem.id == booking.id),
    )


def expire_hold(booking: BookingItem, now: int | None = None) -> bool:
    """held -> expired when the hold has run out; the seat goes back. Safe to call from anywhere."""
    now = clock.now_seconds() if now is None else now
    return transition(
        booking,
        allowed_from=["held"],
        to="expired",
        release_seat=True,
        condition=BookingItem.hold_expires_at <= now,
    )


def expire_stale_holds(session_id: str) -> int:
    """The 'next read' half of hold expiry (the jobs function is the other half)."""
    now = clock.now_seconds()
    expired = 0
    for item in BookingItem.query(
        session_pk(session_id),
        BookingItem.sk.startswith(BOOKING_PREFIX),
        filter_condition=(BookingItem.status == "held") & (BookingItem.hold_expires_at <= now),
    ):
        expired += expire_hold(item, now)
    return expired
