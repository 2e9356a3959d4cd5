"""The waitlist of a full session: joining, leaving, and offering a freed seat to the first in line."""

from __future__ import annotations

import logging

from pynamodb.exceptions import PutError

from peerlearn import clock, ids, store, timeutil
from peerlearn.bookings.schemas import WaitlistPosition
from peerlearn.bookings.seats import Booker, new_booking, require_seat_taker, take_seat
from peerlearn.bookings.states import LIVE_STATES, get_booking
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import BadRequest, Conflict, NotFound
from peerlearn.store.keys import WAITLIST_PREFIX, session_pk, waitlist_sk
from peerlearn.store.models import WaitlistItem

logger = logging.getLogger(__name__)


def _waiting(session_id: str) -> list[WaitlistItem]:
    entries = list(WaitlistItem.query(session_pk(session_id), WaitlistItem.sk.startswith(WAITLIST_PREFIX)))
    return sorted(entries, key=lambda e: e.joined_at)


def position(session_id: str, user_id: str) -> WaitlistPosition | None:
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
    place = position(session_id, booker.user_id)
    assert place is not None
    return place


def leave_waitlist(*, user_id: str, session_id: str) -> None:
    get_session_item(session_id)
    WaitlistItem(session_pk(session_id), waitlist_sk(user_id)).delete()


def offer_freed_seat(session_id: str) -> str | None:
    """Offers a free seat to the first learner waiting: a held booking (its insert tells them).

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
        booking = new_booking(session, booker, offered=True, now=now)

        refused = take_seat(session, booking, now=now, waitlist_entry=entry)
        if refused is not None and refused.seat:
            return None  # no seat any more: someone booked it first
        if refused is not None and not (refused.booking or refused.waitlist_entry):
            # Only a concurrent transaction got in the way: the stream retries the record.
            raise Conflict("The seat is being booked right now.", code="busy")
        if refused is not None:
            entry.delete()  # this learner can't take it (already booked, or left): next in line
            continue
        # The held booking's insert tells the learner (peerlearn.notices).
        logger.info("waitlist seat offered", extra={"session_id": session_id, "learner_id": entry.learner_id})
        return entry.learner_id
    return None
