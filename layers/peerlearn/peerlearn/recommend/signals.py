"""Real time between model builds, kept by the stream consumer (peerlearn.events) and the views route:
each session's popularity (counts and a decayed trend on the TRENDING index while it is bookable) and
each learner's taste (recent history, sessions booked), so recommendations move within seconds.

| change (entity, images)               | popularity                     | taste                        |
|---------------------------------------|--------------------------------|------------------------------|
| BOOKING -> confirmed                  | bookings +1, trend +1.0        | history +(session, 1.0), booked |
| BOOKING confirmed -> cancelled        | bookings -1, trend -1.0        | session dropped              |
| REVIEW INSERT / MODIFY (rating)       | ratings, trend +weight (new)   | history +(session, weight)   |
| SESSION INSERT                        | tags, on FRESH while bookable  | -                            |
| SESSION bookable <-> not, tags changed | on / off TRENDING and FRESH, tags | -                          |
| a view (POST /api/recommendations/views) | views +1, trend +0.1        | -                            |

Each change is applied once: a marker written in the same transaction as the items it changes
(a replayed record finds the marker and changes nothing); the items are read, changed and written
back on condition their `version` is still the one read (a concurrent change makes us read again).
A session's changes need no marker: the indexes and tags are set from the session as it is now (read
again), so a replayed or late record writes nothing new.
math only: the streams function must not pay numpy's import at its cold start.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, cast

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import clock, store, timeutil
from peerlearn.catalog.bookable import is_bookable
from peerlearn.recommend import trending
from peerlearn.recommend.weights import BOOKING_WEIGHT, VIEW_WEIGHT, rating_weight, trend_weight
from peerlearn.store.keys import SESSION_SK, processed_pk, session_pk, user_pk
from peerlearn.store.models import ProcessedEventItem, SessionItem
from peerlearn.store.recommend import (
    FRESH,
    POPULARITY_SK,
    TASTE_SK,
    TRENDING,
    VIEW_SK,
    HistoryEntry,
    PopularityItem,
    TasteItem,
    ViewMarkerItem,
    fresh_gsi2sk,
    trending_gsi1sk,
    view_pk,
)

logger = logging.getLogger(__name__)

HISTORY_CAP = 200  # the newest entries a taste keeps (the model weighs recent ones most anyway)
MARKER_DAYS = 30
VIEW_MARKER_SECONDS = 2 * 86400
_ATTEMPTS = 5


def add_log2(current: float | None, weight: float, at: int) -> float | None:
    """The stored trend with one more event (trending.add_log2); None for nothing (DynamoDB has no -inf)."""
    total = trending.add_log2(current, weight, at)
    return None if math.isinf(total) else total


# ---------------------------------------------------------------- applying one change once
@dataclass
class _Popularity:
    bookings: int = 0
    ratings: int = 0
    rating_sum: int = 0
    views: int = 0
    trend_weight: float = 0.0


@dataclass
class _Taste:
    add: list[tuple[str, float, int]]
    drop: str | None = None  # a session no longer booked: out of booked and history
    book: str | None = None


def _session(session_id: str) -> SessionItem | None:
    try:
        return SessionItem.get(session_pk(session_id), SESSION_SK, consistent_read=True)
    except DoesNotExist:
        return None


def _session_bookable(session: SessionItem | None) -> bool:
    if session is None:
        return False
    return is_bookable(session.status, session.open, int(session.seats_left), session.starts_at, _now_iso())


def _bookable(session_id: str) -> bool:
    return _session_bookable(_session(session_id))


def _now_iso() -> str:
    return timeutil.iso_from_epoch(clock.now_seconds())


def _image_bookable(image: dict[str, Any]) -> bool:
    return is_bookable(
        image.get("status"),
        image.get("open"),
        int(image.get("seats_left") or 0),
        str(image.get("starts_at") or ""),
        _now_iso(),
    )


def _popularity_item(session_id: str) -> tuple[PopularityItem, int | None]:
    try:
        item = PopularityItem.get(session_pk(session_id), POPULARITY_SK, consistent_read=True)
        return item, int(item.version)
    except DoesNotExist:
        return PopularityItem(session_pk(session_id), POPULARITY_SK, session_id=session_id), None


def _taste_item(user_id: str) -> tuple[TasteItem, int | None]:
    try:
        item = TasteItem.get(user_pk(user_id), TASTE_SK, consistent_read=True)
        return item, int(item.version)
    except DoesNotExist:
        return TasteItem(user_pk(user_id), TASTE_SK, user_id=user_id), None


def _set_trending(item: PopularityItem, bookable: bool) -> None:
    if bookable and item.trend_log2 is not None:
        item.gsi1pk, item.gsi1sk = TRENDING, trending_gsi1sk(float(item.trend_log2), item.session_id)
    else:
        item.gsi1pk = item.gsi1sk = None


def _set_fresh(item: PopularityItem, session: SessionItem | None, bookable: bool) -> None:
    if bookable and session is not None:
        item.gsi2pk, item.gsi2sk = FRESH, fresh_gsi2sk(session.created_at, item.session_id)
    else:
        item.gsi2pk = item.gsi2sk = None


def _change_popularity(item: PopularityItem, change: _Popularity, at: int, bookable: bool | None) -> None:
    """`bookable` None: the index stays as read (on it, the new trend; off it, off)."""
    item.bookings = max(0, int(item.bookings) + change.bookings)
    item.ratings = max(0, int(item.ratings) + change.ratings)
    item.rating_sum = max(0, int(item.rating_sum) + change.rating_sum)
    item.views = int(item.views) + change.views
    if change.trend_weight:
        current = None if item.trend_log2 is None else float(item.trend_log2)
        item.trend_log2 = add_log2(current, change.trend_weight, at)
    item.updated_at = max(int(item.updated_at), at)
    _set_trending(item, item.gsi1pk is not None if bookable is None else bookable)
    if bookable is False:  # on FRESH only from the session's own records (they carry created_at, tags)
        item.gsi2pk = item.gsi2sk = None


def _change_taste(item: TasteItem, change: _Taste) -> None:
    history = [(str(e.session_id), float(e.weight), int(e.at)) for e in item.history]
    booked = [str(session) for session in item.booked]
    if change.drop is not None:
        history = [entry for entry in history if entry[0] != change.drop]
        booked = [session for session in booked if session != change.drop]
    history += change.add
    history.sort(key=lambda entry: entry[2])
    item.history = [HistoryEntry(session_id=s, weight=w, at=a) for s, w, a in history[-HISTORY_CAP:]]
    if change.book is not None and change.book not in booked:
        booked.append(change.book)
    item.booked = cast(Any, booked)  # pynamodb types a list of strings as a list of attributes


def _versioned(model: type[PopularityItem] | type[TasteItem], read: int | None) -> Any:
    return model.pk.does_not_exist() if read is None else model.version == read


def _apply_once(
    marker: ProcessedEventItem | ViewMarkerItem,
    *,
    session_id: str,
    at: int,
    popularity: _Popularity | None = None,
    learner_id: str | None = None,
    taste: _Taste | None = None,
    index_from_session: bool = True,
) -> bool:
    """Writes the marker and the changed items in one transaction; False if the marker was there.
    `index_from_session` False (views, which the stream does not order with the session's changes):
    the TRENDING index stays as read, so a stale read can never put a closed session back on it."""
    for _ in range(_ATTEMPTS):
        # read again on each attempt: a retry after a race must not reuse what the race changed
        bookable = _bookable(session_id) if popularity is not None and index_from_session else None
        marker_model = type(marker)
        try:
            with store.transaction() as tx:
                tx.save(marker, condition=marker_model.pk.does_not_exist())
                if popularity is not None:
                    item, read = _popularity_item(session_id)
                    _change_popularity(item, popularity, at, bookable)
                    item.version = (read or 0) + 1
                    tx.save(item, condition=_versioned(PopularityItem, read))
                if taste is not None and learner_id is not None:
                    liked, read_taste = _taste_item(learner_id)
                    _change_taste(liked, taste)
                    liked.version = (read_taste or 0) + 1
                    tx.save(liked, condition=_versioned(TasteItem, read_taste))
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                return False  # the marker exists: applied before
            if store.condition_failed(exc) or store.transaction_conflicted(exc):
                continue  # another change got there between our read and write: read again
            raise
        return True
    raise RuntimeError(f"popularity or taste kept changing under us ({session_id}); the stream retries")


def _marker(name: str, key: str) -> ProcessedEventItem:
    return ProcessedEventItem(
        processed_pk(name, key), "PROCESSED", ttl=clock.now_seconds() + MARKER_DAYS * 86400
    )


def _epoch(image: dict[str, Any], *names: str) -> int:
    for name in names:
        value = image.get(name)
        if value:
            return timeutil.epoch(str(value))
    return clock.now_seconds()


# ---------------------------------------------------------------- the stream's changes
def on_booking_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    if not new:
        return False
    was, now = old.get("status"), new.get("status")
    session_id, learner_id, booking_id = str(new["session_id"]), str(new["learner_id"]), str(new["id"])
    if now == "confirmed" and was != "confirmed":
        at = _epoch(new, "confirmed_at", "updated_at", "created_at")
        return _apply_once(
            _marker("rec-booking", f"{booking_id}#confirmed"),
            session_id=session_id,
            at=at,
            popularity=_Popularity(bookings=1, trend_weight=BOOKING_WEIGHT),
            learner_id=learner_id,
            taste=_Taste(add=[(session_id, BOOKING_WEIGHT, at)], book=session_id),
        )
    if was == "confirmed" and now == "cancelled":
        at = _epoch(new, "cancelled_at", "updated_at")
        return _apply_once(
            _marker("rec-booking", f"{booking_id}#cancelled"),
            session_id=session_id,
            at=_epoch(new, "confirmed_at", "updated_at"),  # takes back what the booking added
            popularity=_Popularity(bookings=-1, trend_weight=-BOOKING_WEIGHT),
            learner_id=learner_id,
            taste=_Taste(add=[], drop=session_id),
        )
    return False


def on_review_changed(event: str, old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A new or changed rating: the learner's history gains what it adds to their booking of the
    session (weights.rating_weight; a changed rating, the difference), a good first rating lifts the
    session's trend."""
    if not new or old.get("rating") == new.get("rating"):
        return False
    rating = int(new["rating"])
    session_id, learner_id = str(new["session_id"]), str(new["learner_id"])
    version = int(new.get("version", 1))
    at = _epoch(new, "edited_at", "created_at")
    first = not old or old.get("rating") is None
    added = rating_weight(rating) - (0.0 if first else rating_weight(int(old["rating"])))
    return _apply_once(
        _marker("rec-review", f"{session_id}#{learner_id}#v{version}#{event}"),
        session_id=session_id,
        at=at,
        popularity=_Popularity(
            ratings=1 if first else 0,
            rating_sum=rating - (0 if first else int(old["rating"])),
            # on the model's scale (weights.trend_weight): a poor rating takes nothing away
            trend_weight=trend_weight(rating_weight(rating)) if first else 0.0,
        ),
        learner_id=learner_id,
        taste=_Taste(add=[(session_id, added, at)] if added else []),
    )


def on_session_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A session published, opening or closing for booking, or retagged: its popularity carries its
    tags and sits on FRESH (and TRENDING, once counted) exactly while it is bookable."""
    # a seat taken or freed (seats_left) reaches us as a SESSION MODIFY too: full leaves the indexes
    if old and _image_bookable(new) == _image_bookable(old) and old.get("tags") == new.get("tags"):
        return False
    session_id = str(new["id"])
    for _ in range(_ATTEMPTS):
        # the session as it is now, not as the image says: a replayed or late record sets what is
        # true already, so it writes nothing
        session = _session(session_id)
        bookable = _session_bookable(session)
        item, read = _popularity_item(session_id)
        if session is None and read is None:
            return False  # gone, and never counted: nothing to keep
        before = _kept_from_session(item)
        if session is not None:
            item.tags = cast(Any, [str(tag) for tag in session.tags])  # a list of strings (see _change_taste)
        _set_trending(item, bookable)
        _set_fresh(item, session, bookable)
        if read is not None and _kept_from_session(item) == before:
            return False
        item.version = (read or 0) + 1
        try:
            with store.failed_condition_raises(_Raced()):
                item.save(condition=_versioned(PopularityItem, read))
        except _Raced:
            continue
        return True
    raise RuntimeError(f"popularity of {session_id} kept changing; the stream retries")


def _kept_from_session(item: PopularityItem) -> tuple[object, ...]:
    return (list(item.tags), item.gsi1pk, item.gsi1sk, item.gsi2pk, item.gsi2sk)


class _Raced(Exception):
    pass


# ---------------------------------------------------------------- views (the API, not the stream)
def add_view(learner_id: str, session_id: str, now: int | None = None) -> bool:
    """Counts a learner's view of a session, once a day; False when already counted today."""
    now = clock.now_seconds() if now is None else now
    day = timeutil.iso_from_epoch(now)[:10]
    marker = ViewMarkerItem(view_pk(learner_id, session_id, day), VIEW_SK, ttl=now + VIEW_MARKER_SECONDS)
    return _apply_once(
        marker,
        session_id=session_id,
        at=now,
        popularity=_Popularity(views=1, trend_weight=VIEW_WEIGHT),
        index_from_session=False,  # a view never ADDS a session to TRENDING (S7)
    )


# ---------------------------------------------------------------- reading (serving)
def taste_of(user_id: str) -> tuple[list[tuple[str, float, int]], set[str]] | None:
    """A learner's history (session, weight, at), oldest first, and the sessions they booked; None
    when the stream has kept no taste for them (nothing since recommendations began)."""
    try:
        item = TasteItem.get(user_pk(user_id), TASTE_SK)
    except DoesNotExist:
        return None
    return [(str(e.session_id), float(e.weight), int(e.at)) for e in item.history], {
        str(session) for session in item.booked
    }
