"""From the table to a published model: a paged Scan in SEGMENTS parallel segments (a batch job
may; a projection of the attributes a build reads, a filter on the item types and booking status),
each page compacted at once (read_table), into the engine's inputs, `model.build`, and the artefact
store (peerlearn.recommend.artefacts). Run by the recommend job every 15 minutes.

What goes in: sessions of the past 180 days and every upcoming one (the catalogue); confirmed and
completed bookings and ratings of those sessions (the interactions); mentors' profiles, rating stats
and the hours they teach at; how many learners follow each tag and wait for a seat (demand).
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pynamodb.expressions.operand import Path

from peerlearn import clock, ids, timeutil
from peerlearn.catalog.bookable import is_bookable
from peerlearn.recommend import artefacts, stored
from peerlearn.recommend.model import (
    BuildInput,
    Catalogue,
    Interactions,
    MentorProfile,
    build,
)
from peerlearn.recommend.stored import Stored
from peerlearn.recommend.weights import BOOKING_WEIGHT, rating_weight
from peerlearn.store.models import BaseItem

logger = logging.getLogger(__name__)

HISTORY_DAYS = 180
SEGMENTS = 3  # parallel Scan segments (2 vCPUs; DynamoDB serves each segment on its own)
ENTITIES = ("SESSION", "BOOKING", "REVIEW", "WAITLIST", "USER", "MENTOR_STATS")
ATTRIBUTES = [
    "pk",
    "sk",
    "entity",
    "id",
    # sessions
    "mentor_id",
    "mentor_name",
    "title",
    "tags",
    "level",
    "language",
    "starts_at",
    "price_paise",
    "status",
    "open",
    "seats_left",
    # bookings, reviews, waitlists
    "session_id",
    "session_starts_at",
    "learner_id",
    "confirmed_at",
    "created_at",
    "edited_at",
    "rating",
    # people
    "role",
    "name",
    "interests",
    "expertise",
    "languages",
    "timezone",
    "rating_sum",
    "rating_count",
    "sessions_taught",
]
COUNTED_BOOKINGS = ("confirmed", "completed")

_s, _n, _strings = stored.text, stored.number, stored.strings


def _filter() -> Any:
    """The item types a build reads, and of bookings only the counted ones (filtered by DynamoDB)."""
    entity = Path("entity")
    return entity.is_in(*ENTITIES) & ((entity != "BOOKING") | Path("status").is_in(*COUNTED_BOOKINGS))


def scan_items(segment: int = 0, segments: int = 1, capacity: list[float] | None = None) -> Iterator[Stored]:
    """Every item a build reads in one Scan segment, a page at a time (projected to ATTRIBUTES,
    filtered by type and booking status); the capacity consumed is added to `capacity`."""
    table = BaseItem._get_connection()
    start: Any = None
    while True:
        page = table.scan(
            filter_condition=_filter(),
            attributes_to_get=ATTRIBUTES,
            exclusive_start_key=start,
            segment=segment if segments > 1 else None,
            total_segments=segments if segments > 1 else None,
            return_consumed_capacity="TOTAL",
        )
        if capacity is not None:
            capacity.append(float(page.get("ConsumedCapacity", {}).get("CapacityUnits", 0)))
        yield from page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return


@dataclass
class Read:
    """What a build keeps of the table: small tuples, taken as each page arrives (a raw item is
    dropped at once), and only what the window (HISTORY_DAYS before now, and upcoming) can use."""

    sessions: list[Stored] = field(default_factory=list)  # in the window
    bookings: list[tuple[str, str, int]] = field(default_factory=list)  # learner, session, at
    reviews: list[tuple[str, str, int, int]] = field(default_factory=list)  # learner, session, at, stars
    waitlisted: Counter[str] = field(default_factory=Counter)  # session id -> learners waiting
    interest_counts: Counter[str] = field(default_factory=Counter)  # tag -> learners following it
    mentors: list[Stored] = field(default_factory=list)  # mentors' profiles
    mentor_stats: dict[str, Stored] = field(default_factory=dict)

    def merge(self, other: Read) -> Read:
        self.sessions += other.sessions
        self.bookings += other.bookings
        self.reviews += other.reviews
        self.waitlisted.update(other.waitlisted)
        self.interest_counts.update(other.interest_counts)
        self.mentors += other.mentors
        self.mentor_stats.update(other.mentor_stats)
        return self


def read_table(items: Iterable[Stored], now: int) -> Read:
    """Keeps of `items` what a build as of `now` uses (see Read)."""
    since = timeutil.iso_from_epoch(now - HISTORY_DAYS * 86400)
    read = Read()
    for item in items:
        entity = _s(item, "entity")
        if entity == "SESSION":
            if _s(item, "starts_at") >= since:
                read.sessions.append(item)
        elif entity == "BOOKING":
            starts = _s(item, "session_starts_at")
            if _s(item, "status") in COUNTED_BOOKINGS and (not starts or starts >= since):
                when = _s(item, "confirmed_at") or _s(item, "created_at")
                read.bookings.append((_s(item, "learner_id"), _s(item, "session_id"), timeutil.epoch(when)))
        elif entity == "REVIEW":
            when = _s(item, "edited_at") or _s(item, "created_at")
            if when >= since:  # a review comes after its session: an older one's session is older too
                stars = int(_n(item, "rating"))
                read.reviews.append(
                    (_s(item, "learner_id"), _s(item, "session_id"), timeutil.epoch(when), stars)
                )
        elif entity == "WAITLIST":
            read.waitlisted[_s(item, "pk").removeprefix("SESSION#")] += 1
        elif entity == "USER":
            role = _s(item, "role")
            if role == "learner":
                read.interest_counts.update(set(_strings(item, "interests")))
            elif role == "mentor":
                read.mentors.append(item)
        elif entity == "MENTOR_STATS":
            read.mentor_stats[_s(item, "pk").removeprefix("USER#")] = item
    return read


def read_segments(now: int, segments: int = SEGMENTS) -> Read:
    """The table read in `segments` parallel Scan segments, each compacted as it pages."""
    capacity: list[float] = []
    with ThreadPoolExecutor(max_workers=segments) as pool:
        parts = list(pool.map(lambda n: read_table(scan_items(n, segments, capacity), now), range(segments)))
    read = Read()
    for part in parts:
        read.merge(part)
    logger.info("recommendations build read the table", extra={"capacity_units": sum(capacity)})
    return read


def _bookable(session: Stored, now: int) -> bool:
    return is_bookable(
        _s(session, "status"),
        _s(session, "open"),
        _n(session, "seats_left"),
        _s(session, "starts_at"),
        timeutil.iso_from_epoch(now),
    )


def build_input(read: Read, now: int) -> BuildInput:
    """The engine's inputs from what was read, as of `now` (epoch seconds)."""
    since = now - HISTORY_DAYS * 86400
    sessions = sorted(
        (s for s in read.sessions if timeutil.epoch(_s(s, "starts_at")) >= since), key=lambda s: _s(s, "id")
    )
    known = {_s(s, "id"): s for s in sessions}
    catalogue = Catalogue(
        ids=[_s(s, "id") for s in sessions],
        tags=[_strings(s, "tags") for s in sessions],
        titles=[_s(s, "title") for s in sessions],
        mentor_ids=[_s(s, "mentor_id") or None for s in sessions],
        levels=[_s(s, "level") or None for s in sessions],
        languages=[_s(s, "language") or None for s in sessions],
        starts_at=[timeutil.epoch(_s(s, "starts_at")) for s in sessions],
        price_paise=[int(_n(s, "price_paise")) for s in sessions],
        bookable=[_bookable(s, now) for s in sessions],
        seats_left=[int(_n(s, "seats_left")) for s in sessions],
    )
    interactions = Interactions(user_ids=[], item_ids=[], at=[], weight=[], kind=[])

    def add(user: str, item: str, at: int, weight: float, kind: str) -> None:
        interactions.user_ids.append(user)
        interactions.item_ids.append(item)
        interactions.at.append(at)
        interactions.weight.append(weight)
        interactions.kind.append(kind)

    for learner_id, session_id, at in read.bookings:
        if session_id in known:
            add(learner_id, session_id, at, BOOKING_WEIGHT, "booking")
    for learner_id, session_id, at, stars in read.reviews:
        weight = rating_weight(stars)  # added to the booking's (may be negative)
        if session_id in known and weight != 0:
            add(learner_id, session_id, at, weight, "rating")
    # Views stay out of the model for now: the engine would count them as a learner's interactions
    # (collaborative filtering, support), not as popularity only; the live TRENDING index has them.

    waitlist_counts: Counter[str] = Counter()
    for session_id in read.waitlisted:
        session = known.get(session_id)
        if session is not None:
            waitlist_counts.update(set(_strings(session, "tags")))

    return BuildInput(
        catalogue=catalogue,
        interactions=interactions,
        mentors=_mentors(read, sessions),
        interest_counts=dict(read.interest_counts),
        waitlist_counts=dict(waitlist_counts),
        now=now,
    )


def _mentors(read: Read, sessions: list[Stored]) -> list[MentorProfile]:
    hours: dict[str, list[int]] = defaultdict(list)
    prices: dict[str, list[int]] = defaultdict(list)
    for session in sessions:
        mentor = _s(session, "mentor_id")
        hours[mentor].append(timeutil.from_iso(_s(session, "starts_at")).hour)
        prices[mentor].append(int(_n(session, "price_paise")))
    mentors = []
    for user in sorted(read.mentors, key=lambda u: _s(u, "id")):
        mentor_id = _s(user, "id")
        stats = read.mentor_stats.get(mentor_id, {})
        count = int(_n(stats, "rating_count"))
        mentors.append(
            MentorProfile(
                id=mentor_id,
                name=_s(user, "name"),
                expertise=_strings(user, "expertise"),
                languages=_strings(user, "languages"),
                timezone=_s(
                    user, "timezone"
                ),  # "" when unknown: no hidden default (matching reads UTC hours)
                usual_hours_utc=hours.get(mentor_id, []),
                rating_average=_n(stats, "rating_sum") / count if count else None,
                rating_count=count,
                median_price_paise=int(statistics.median(prices[mentor_id]))
                if prices.get(mentor_id)
                else None,
                sessions_taught=int(_n(stats, "sessions_taught")),
            )
        )
    return mentors


def rebuild(store: artefacts.ArtefactStore, now: int | None = None) -> artefacts.Pointer:
    """Reads the table, builds the model and publishes it (the file, then the pointer)."""
    now = clock.now_seconds() if now is None else now
    data = build_input(read_segments(now), now)
    build_id = ids.new_id()
    model = build(data, build_id=build_id)
    pointer = artefacts.publish(store, build_id, now, model.to_bytes())
    logger.info(
        "recommendations model built",
        extra={
            "build_id": build_id,
            "bytes": pointer.bytes,
            "sessions": len(data.catalogue.ids),
            "interactions": len(data.interactions.user_ids),
            "mentors": len(data.mentors),
        },
    )
    return pointer
