"""From the table to a published model: one paged Scan (a batch job may; a projection of the
attributes a build reads, a filter on the item types) into the engine's inputs, `model.build`, and
the artefact store (peerlearn.recommend.artefacts). Run by the recommend job every 15 minutes.

What goes in: sessions of the past 180 days and every upcoming one (the catalogue); confirmed and
completed bookings and ratings of those sessions (the interactions); mentors' profiles, rating stats
and the hours they teach at; how many learners follow each tag and wait for a seat (demand).
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.operand import Path

from peerlearn import clock, ids, timeutil
from peerlearn.catalog.bookable import is_bookable
from peerlearn.recommend import artefacts
from peerlearn.recommend.model import (
    BuildInput,
    Catalogue,
    Interactions,
    MentorProfile,
    build,
)
from peerlearn.recommend.weights import BOOKING_WEIGHT, rating_weight
from peerlearn.store.models import BaseItem

logger = logging.getLogger(__name__)

HISTORY_DAYS = 180
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

Stored = dict[str, dict[str, Any]]


def _s(item: Stored, name: str, default: str = "") -> str:
    value = item.get(name)
    return str(value["S"]) if value and "S" in value else default


def _n(item: Stored, name: str, default: float = 0) -> float:
    value = item.get(name)
    return float(value["N"]) if value and "N" in value else default


def _strings(item: Stored, name: str) -> list[str]:
    value = item.get(name)
    if not value or "L" not in value:
        return []
    return [str(entry["S"]) for entry in value["L"] if "S" in entry]


def scan_items() -> Iterator[Stored]:
    """Every item a build reads, a page at a time (projected to ATTRIBUTES, filtered by type)."""
    table = BaseItem._get_connection()
    start: Any = None
    while True:
        page = table.scan(
            filter_condition=Path("entity").is_in(*ENTITIES),
            attributes_to_get=ATTRIBUTES,
            exclusive_start_key=start,
        )
        yield from page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return


@dataclass
class Read:
    sessions: list[Stored]
    bookings: list[Stored]
    reviews: list[Stored]
    waitlists: list[Stored]
    users: list[Stored]
    mentor_stats: dict[str, Stored]


def read_table(items: Iterator[Stored]) -> Read:
    read = Read([], [], [], [], [], {})
    for item in items:
        entity = _s(item, "entity")
        if entity == "SESSION":
            read.sessions.append(item)
        elif entity == "BOOKING":
            read.bookings.append(item)
        elif entity == "REVIEW":
            read.reviews.append(item)
        elif entity == "WAITLIST":
            read.waitlists.append(item)
        elif entity == "USER":
            read.users.append(item)
        elif entity == "MENTOR_STATS":
            read.mentor_stats[_s(item, "pk").removeprefix("USER#")] = item
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
    """The engine's inputs from the table's items, as of `now` (epoch seconds)."""
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

    for booking in read.bookings:
        session_id = _s(booking, "session_id")
        if session_id in known and _s(booking, "status") in COUNTED_BOOKINGS:
            when = _s(booking, "confirmed_at") or _s(booking, "created_at")
            add(_s(booking, "learner_id"), session_id, timeutil.epoch(when), BOOKING_WEIGHT, "booking")
    for review in read.reviews:
        session_id = _s(review, "session_id")
        weight = rating_weight(int(_n(review, "rating")))  # added to the booking's (may be negative)
        if session_id in known and weight != 0:
            when = _s(review, "edited_at") or _s(review, "created_at")
            add(_s(review, "learner_id"), session_id, timeutil.epoch(when), weight, "rating")

    interest_counts: Counter[str] = Counter()
    for user in read.users:
        if _s(user, "role") == "learner":
            interest_counts.update(set(_strings(user, "interests")))
    waitlist_counts: Counter[str] = Counter()
    for entry in read.waitlists:
        session = known.get(_s(entry, "pk").removeprefix("SESSION#"))
        if session is not None:
            waitlist_counts.update(set(_strings(session, "tags")))

    return BuildInput(
        catalogue=catalogue,
        interactions=interactions,
        mentors=_mentors(read, sessions),
        interest_counts=dict(interest_counts),
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
    for user in sorted(read.users, key=lambda u: _s(u, "id")):
        if _s(user, "role") != "mentor":
            continue
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
    data = build_input(read_table(scan_items()), now)
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
