"""Who is asking: the learner as of now (their profile read live, so a change of interests counts at
once; their taste as the stream keeps it) and the sessions they hold a seat in, from the bookings
themselves (the taste lags the stream, and may hold none of the seats booked before it began)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, timeutil
from peerlearn.recommend import signals
from peerlearn.recommend.build import COUNTED_BOOKINGS
from peerlearn.recommend.model import Learner
from peerlearn.recommend.weights import BOOKING_WEIGHT
from peerlearn.store.keys import USER_PROFILE_SK, learner_bookings_pk, user_pk
from peerlearn.store.models import BookingItem, UserItem

UPCOMING_SEATS = ("held", "confirmed")  # a learner's seats that keep a session out of their lists
# The learner's three reads (profile, taste, upcoming seats) go out together: one after another they
# were half of a For you request (six sequential round trips, 87% of its time waiting on DynamoDB).
_READERS: ThreadPoolExecutor | None = None


def _readers() -> ThreadPoolExecutor:
    global _READERS
    if _READERS is None:
        _READERS = ThreadPoolExecutor(max_workers=3, thread_name_prefix="viewer-read")
    return _READERS


def _profile(user_id: str) -> UserItem | None:
    try:
        return UserItem.get(user_pk(user_id), USER_PROFILE_SK)
    except DoesNotExist:
        return None


def _taste(user_id: str) -> tuple[list[tuple[str, float, int]], set[str]]:
    return signals.taste_of(user_id) or bookings_taste(user_id)


def learner(user_id: str) -> Learner:
    """The learner as of now: their profile read live (so a change of interests counts at once),
    their taste as the stream keeps it, and the seats they hold (the three reads at once)."""
    pool = _readers()
    reading_profile = pool.submit(_profile, user_id)
    reading_taste = pool.submit(_taste, user_id)
    reading_seats = pool.submit(upcoming_seats, user_id)
    profile = reading_profile.result()
    history, booked = reading_taste.result()
    return Learner(
        user_id=user_id,
        interests=[str(t) for t in profile.interests] if profile else [],
        skills=[str(t) for t in profile.skills] if profile else [],
        languages=[str(t) for t in profile.languages] if profile else [],
        timezone=str(profile.timezone) if profile else None,
        history=history,
        booked=booked | reading_seats.result(),
    )


def booked_by(user_id: str | None) -> set[str]:
    """The sessions a viewer holds a seat in (nothing for a viewer who is not signed in): the table's
    upcoming seats (the truth, held ones too) and what the stream kept."""
    if user_id is None:
        return set()
    return (signals.taste_of(user_id) or bookings_taste(user_id))[1] | upcoming_seats(user_id)


def upcoming_seats(user_id: str) -> set[str]:
    """The upcoming sessions the learner holds a seat in, held or confirmed, read from the bookings
    themselves (one Query): the taste lags the stream and may predate none of their earlier seats."""
    now_iso = timeutil.iso_from_epoch(clock.now_seconds())
    return {
        str(booking.session_id)
        for booking in BookingItem.by_learner.query(
            learner_bookings_pk(user_id),
            BookingItem.gsi2sk >= now_iso,
            filter_condition=BookingItem.status.is_in(*UPCOMING_SEATS),
            attributes_to_get=["session_id"],
        )
    }


def bookings_taste(user_id: str) -> tuple[list[tuple[str, float, int]], set[str]]:
    """A taste from the learner's own bookings, for one the stream has kept none for (bookings made
    before recommendations began): their newest HISTORY_CAP seats, each a booking's weight."""
    history, booked = [], set()
    for booking in BookingItem.by_learner.query(
        learner_bookings_pk(user_id),
        scan_index_forward=False,
        limit=signals.HISTORY_CAP,
        filter_condition=BookingItem.status.is_in(*COUNTED_BOOKINGS),
    ):
        at = timeutil.epoch(booking.confirmed_at or booking.created_at)
        history.append((booking.session_id, BOOKING_WEIGHT, at))
        booked.add(booking.session_id)
    return sorted(history, key=lambda entry: entry[2]), booked
