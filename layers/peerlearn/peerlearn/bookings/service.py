"""Bookings: the seat transaction, holds and their expiry, cancellation, the waitlist, joining.

Booking states: held -> confirmed -> completed | cancelled | expired | no_show. Every change is one
conditional write (or one transaction with the session's seat count), through `transition()`,
which the payments issue uses to move held -> confirmed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from peerlearn import clock, ids, store, timeutil
from peerlearn.accounts.profiles import avatar_url
from peerlearn.bookings.schemas import (
    Attendee,
    AttendeeList,
    BookedSession,
    BookingOut,
    BookingPage,
    CancellationPolicy,
    JoinAnswer,
    MyBookingState,
    Room,
    WaitlistPosition,
)
from peerlearn.catalog.service import get_session_item, now_iso
from peerlearn.errors import BadRequest, Conflict, Forbidden, NotFound
from peerlearn.notify import inbox
from peerlearn.store import paging
from peerlearn.store.keys import (
    BOOKING_PREFIX,
    HOLD,
    USER_PROFILE_SK,
    WAITLIST_PREFIX,
    booking_sk,
    hold_sk,
    learner_bookings_pk,
    session_pk,
    user_pk,
    waitlist_sk,
)
from peerlearn.store.models import BaseItem, BookingItem, SessionItem, UserItem, WaitlistItem

logger = logging.getLogger(__name__)

PAYMENT_HOLD_SECONDS = 10 * 60
WAITLIST_OFFER_SECONDS = 2 * 3600
LIVE_STATES = ("held", "confirmed")
ENDED_STATES = ("cancelled", "expired")


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


# ---------------------------------------------------------------- shapes
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


def _hold_expired(item: BookingItem, now: int) -> bool:
    return item.status == "held" and item.hold_expires_at is not None and int(item.hold_expires_at) <= now


# ---------------------------------------------------------------- the one way state changes
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
    actions = [BookingItem.status.set(to), BookingItem.updated_at.set(now_iso()), *extra]
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


# ---------------------------------------------------------------- booking
def _new_booking(session: SessionItem, booker: Booker, *, offered: bool, now: int) -> BookingItem:
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


def _take_seat(session: SessionItem, booking: BookingItem, *, now_iso_text: str, extra: Any = None) -> None:
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
    if session.status != "scheduled" or not session.open or session.starts_at <= now_iso():
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
    if existing is not None and _hold_expired(existing, now):
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
    booking = _new_booking(session, booker, offered=False, now=now)
    try:
        _take_seat(session, booking, now_iso_text=timeutil.iso_from_epoch(now))
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise _why_not_bookable(session_id) from exc
        raise
    logger.info("seat booked", extra={"session_id": session_id, "status": booking.status})
    return to_out(booking), True


def my_booking_state(*, user_id: str, session_id: str, cutoff_hours: int) -> MyBookingState:
    session = get_session_item(session_id)
    booking = get_booking(session_id, user_id)
    if booking is not None and _hold_expired(booking, clock.now_seconds()):
        expire_hold(booking)
        booking = get_booking(session_id, user_id)
    return MyBookingState(
        booking=to_out(booking) if booking else None,
        waitlist=_position(session_id, user_id),
        cancellation_policy=policy(session, cutoff_hours),
    )


def policy(session: SessionItem, cutoff_hours: int) -> CancellationPolicy:
    until = timeutil.iso_from_epoch(timeutil.epoch(session.starts_at) - cutoff_hours * 3600)
    return CancellationPolicy(
        cutoff_hours=cutoff_hours,
        cancellable_until=until,
        summary=f"Cancel up to {cutoff_hours} hours before the start and your seat goes back to others "
        "(paid bookings are refunded in full). After that, bookings can't be cancelled.",
    )


# ---------------------------------------------------------------- cancelling
def _cancel(booking: BookingItem, *, reason: str) -> BookingOut:
    """A live booking -> cancelled, giving the seat back (the stream then offers it to the waitlist)."""
    if not transition(
        booking,
        allowed_from=LIVE_STATES,
        to="cancelled",
        release_seat=True,
        extra=[BookingItem.cancelled_at.set(now_iso()), BookingItem.cancel_reason.set(reason)],
    ):
        raise Conflict("This booking changed meanwhile; reload.", code="changed_meanwhile")
    booking.refresh(consistent_read=True)
    return to_out(booking)


def cancel_by_learner(*, user_id: str, session_id: str, cutoff_hours: int) -> BookingOut:
    booking = get_booking(session_id, user_id)
    if booking is None or booking.status not in LIVE_STATES:
        raise NotFound("You have no booking for this session.")
    session = get_session_item(session_id)
    deadline = timeutil.epoch(session.starts_at) - cutoff_hours * 3600
    if booking.status == "confirmed" and clock.now_seconds() > deadline:
        raise Conflict(
            f"Bookings can be cancelled up to {cutoff_hours} hours before the start.",
            code="cancellation_closed",
        )
    return _cancel(booking, reason="learner")


def cancel_by_mentor(*, mentor_id: str, session_id: str, learner_id: str) -> BookingOut:
    session = get_session_item(session_id)
    if session.mentor_id != mentor_id:
        raise Forbidden("Only the session's mentor can cancel its bookings.")
    booking = get_booking(session_id, learner_id)
    if booking is None or booking.status not in LIVE_STATES:
        raise NotFound("This learner has no booking for this session.")
    cancelled = _cancel(booking, reason="mentor")
    inbox.notify(
        learner_id,
        kind="booking_cancelled",
        title=f"Your booking for “{session.title}” was cancelled by the mentor",
        body="Any payment is refunded in full. Find another session on Discover.",
        link=f"/sessions/{session_id}",
    )
    return cancelled


NO_SHOW_WINDOW_SECONDS = 7 * 86400


def mark_no_show(*, mentor_id: str, session_id: str, learner_id: str) -> BookingOut:
    """completed -> no_show, by the mentor, within 7 days of the end (until the room records attendance)."""
    session = get_session_item(session_id)
    if session.mentor_id != mentor_id:
        raise Forbidden("Only the session's mentor can mark who didn't come.")
    if session.status != "completed":
        raise Conflict(
            f"This session is {session.status}; no-shows are marked after it ends.", code="invalid_transition"
        )
    if clock.now_seconds() > timeutil.epoch(session.completed_at or session.ends_at) + NO_SHOW_WINDOW_SECONDS:
        raise Conflict("No-shows can be marked for 7 days after the session.", code="no_show_window_closed")
    booking = get_booking(session_id, learner_id)
    if booking is None or not transition(booking, allowed_from=["completed"], to="no_show"):
        raise Conflict(
            "Only an attended (completed) booking can be marked as a no-show.", code="invalid_transition"
        )
    booking.refresh(consistent_read=True)
    return to_out(booking)


# ---------------------------------------------------------------- the waitlist
def _waiting(session_id: str) -> list[WaitlistItem]:
    entries = list(WaitlistItem.query(session_pk(session_id), WaitlistItem.sk.startswith(WAITLIST_PREFIX)))
    return sorted(entries, key=lambda e: e.joined_at)


def _position(session_id: str, user_id: str) -> WaitlistPosition | None:
    for number, entry in enumerate(_waiting(session_id), start=1):
        if entry.learner_id == user_id:
            return WaitlistPosition(position=number)
    return None


def join_waitlist(*, booker: Booker, session_id: str) -> WaitlistPosition:
    require_seat_taker(booker)
    session = get_session_item(session_id, consistent=True)
    if session.mentor_id == booker.user_id:
        raise BadRequest("You can't book your own session.", code="own_session")
    if session.status != "scheduled" or not session.open:
        raise Conflict("This session can no longer be booked.", code="session_not_bookable")
    if int(session.seats_left) > 0:
        raise Conflict("There are seats left: book one instead.", code="seats_available")
    booking = get_booking(session_id, booker.user_id)
    if booking is not None and booking.status in LIVE_STATES:
        raise Conflict("You already have a booking for this session.", code="already_booked")
    entry = WaitlistItem(
        session_pk(session_id),
        waitlist_sk(booker.user_id),
        learner_id=booker.user_id,
        learner_name=booker.name,
        joined_at=ids.new_id(),
    )
    try:
        entry.save(condition=WaitlistItem.pk.does_not_exist())
    except PutError as exc:
        if not store.condition_failed(exc):  # failed: already waiting, which is what was asked
            raise
    position = _position(session_id, booker.user_id)
    assert position is not None
    return position


def leave_waitlist(*, user_id: str, session_id: str) -> None:
    get_session_item(session_id)
    WaitlistItem(session_pk(session_id), waitlist_sk(user_id)).delete()


def offer_freed_seat(session_id: str) -> str | None:
    """Offers a free seat to the first learner waiting: a held booking plus a notification.

    Called by the stream consumer when a live booking ends; returns the learner offered, if any.
    """
    try:
        session = get_session_item(session_id, consistent=True)
    except NotFound:
        return None
    now = clock.now_seconds()
    if session.status != "scheduled" or not session.open or int(session.seats_left) <= 0:
        return None
    if timeutil.epoch(session.starts_at) <= now:
        return None
    for entry in _waiting(session_id):
        booker = Booker(
            user_id=entry.learner_id, name=entry.learner_name, role="learner", email_verified=True
        )
        booking = _new_booking(session, booker, offered=True, now=now)

        def leave_queue(tx: Any, entry: WaitlistItem = entry) -> None:
            tx.delete(entry, condition=WaitlistItem.pk.exists())

        try:
            _take_seat(session, booking, now_iso_text=timeutil.iso_from_epoch(now), extra=leave_queue)
        except TransactWriteError as exc:
            reasons = [r.code if r else None for r in exc.cancellation_reasons]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return None  # no seat any more (someone booked it first)
            entry.delete()  # this learner can't take it (already booked, or left): next in line
            continue
        inbox.notify(
            entry.learner_id,
            kind="waitlist_offer",
            title=f"A seat opened in “{session.title}”",
            body=f"It's held for you until {timeutil.iso_from_epoch(int(booking.hold_expires_at))}. "
            "Confirm it from My bookings.",
            link=f"/sessions/{session_id}",
            dedupe_key=f"offer#{booking.id}",
        )
        logger.info("waitlist seat offered", extra={"session_id": session_id, "learner_id": entry.learner_id})
        return entry.learner_id
    return None


# ---------------------------------------------------------------- joining the room
def join(*, user_id: str, role: str, session_id: str) -> JoinAnswer:
    session = get_session_item(session_id)
    opens = timeutil.epoch(session.starts_at) - int(session.early_join_minutes) * 60
    opens_at, closes_at = timeutil.iso_from_epoch(opens), session.ends_at
    now = clock.now_seconds()

    def answer(reason: str | None, room_role: str | None = None) -> JoinAnswer:
        room = Room(session_id=session.id, role=room_role, title=session.title) if room_role else None
        return JoinAnswer(
            can_join=room is not None, opens_at=opens_at, closes_at=closes_at, reason=reason, room=room
        )

    if session.mentor_id == user_id:
        who = "mentor"
    elif role == "admin":
        who = "observer"
    else:
        booking = get_booking(session_id, user_id)
        if booking is None or booking.status != "confirmed":
            raise Forbidden(
                "Only the mentor and learners with a confirmed booking can join.", code="not_booked"
            )
        who = "learner"
    if session.status in ("cancelled", "completed"):
        return answer(f"This session is {session.status}.")
    if now < opens and session.status != "live":
        return answer(f"The room opens at {opens_at}.")
    if now > timeutil.epoch(session.ends_at) and session.status != "live":
        return answer("This session has ended.")
    return answer(None, who)


# ---------------------------------------------------------------- lists
def my_bookings(*, user_id: str, when: str, limit: int, cursor: str | None) -> BookingPage:
    key, ascending = paging.upcoming_or_past(BookingItem.gsi2sk, when, now_iso())

    def run(start: dict[str, Any] | None) -> Any:
        return BookingItem.by_learner.query(
            learner_bookings_pk(user_id),
            key,
            scan_index_forward=ascending,
            limit=limit,
            last_evaluated_key=start,
        )

    items, next_cursor = paging.page(run, cursor)
    now_seconds = clock.now_seconds()
    for item in items:
        if _hold_expired(item, now_seconds) and expire_hold(item, now_seconds):
            item.refresh(consistent_read=True)
    return BookingPage(items=[to_out(i) for i in items], next_cursor=next_cursor)


def attendees(*, user_id: str, role: str, session_id: str, media_base_url: str) -> AttendeeList:
    session = get_session_item(session_id)
    if session.mentor_id != user_id and role != "admin":
        raise Forbidden("Only the session's mentor can see who booked.")
    bookings = list(BookingItem.query(session_pk(session_id), BookingItem.sk.startswith(BOOKING_PREFIX)))
    users = {
        u.id: u
        for u in BaseItem.batch_get([(user_pk(b.learner_id), USER_PROFILE_SK) for b in bookings])
        if isinstance(u, UserItem)
    }
    return AttendeeList(
        items=[
            Attendee(
                learner_id=b.learner_id,
                name=b.learner_name,
                avatar_url=avatar_url(users[b.learner_id].avatar_key, media_base_url)
                if b.learner_id in users
                else None,
                status=b.status,
                booked_at=b.created_at,
            )
            for b in sorted(bookings, key=lambda b: b.created_at)
        ]
    )
