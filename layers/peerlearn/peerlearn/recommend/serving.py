"""The answers of /api/recommendations/*: the model in memory ranks, the table says what is still
true. Each page's candidates are read live (one BatchGetItem per chunk); those no longer bookable
(started, cancelled, full) are dropped and the page refills from further down the ranking, so a
page is always `limit` live sessions while the ranking lasts. The cursor is where the next page
starts in the ranking.

Before the first build (no model) every route still answers: trending from the live TRENDING index,
"for you" from the learner's interests against open sessions then trending, similar from shared tags;
mentors and demand are empty. `built_at` says which build answered (null: none).

| pattern                         | key condition                                   | index  |
|---------------------------------|-------------------------------------------------|--------|
| a learner's profile and taste   | GetItem USER#<id> PROFILE / TASTE               | -      |
| trending sessions               | gsi1pk = TRENDING, newest-heaviest first        | gsi1   |
| open sessions (no model yet)    | open = OPEN, soonest first                      | open_by_start |
| candidates, live                | BatchGetItem SESSION#<id> SESSION               | -      |
| a mentor's sessions (demand)    | gsi2pk = MENTOR#<id>                            | gsi2   |
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, ratelimit, timeutil
from peerlearn.catalog import reading
from peerlearn.catalog.bookable import is_bookable
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.encoding import b64url_decode, b64url_encode
from peerlearn.errors import BadRequest, Forbidden, TooManyRequests
from peerlearn.recommend import signals, trending
from peerlearn.recommend.artefacts import ModelCache
from peerlearn.recommend.build import COUNTED_BOOKINGS
from peerlearn.recommend.model import Demand, Learner, MentorPick, Reason
from peerlearn.recommend.schemas import (
    DemandOut,
    DemandPage,
    MentorPickOut,
    MentorPicksPage,
    ReasonOut,
    SessionPickOut,
    SessionPicksPage,
)
from peerlearn.recommend.weights import BOOKING_WEIGHT
from peerlearn.store.keys import (
    OPEN,
    SESSION_SK,
    USER_PROFILE_SK,
    learner_bookings_pk,
    mentor_sessions_pk,
    session_pk,
    user_pk,
)
from peerlearn.store.models import BaseItem, BookingItem, SessionItem, UserItem
from peerlearn.store.recommend import TRENDING, PopularityItem

logger = logging.getLogger(__name__)

RANK_DEPTH = 200  # how far down a ranking the pages go
TRENDING_DEPTH = 100
PER_MENTOR = 2  # at most this many sessions of one mentor in ten
OPEN_SCAN = 200  # open sessions looked at for interests (no model yet, or published since the build)
NEW_EVERY = 3
UPCOMING_SEATS = ("held", "confirmed")  # a learner's seats that keep a session out of their lists
VIEWS_PER_LEARNER = ratelimit.Limit("rec-views", max_hits=120, window_seconds=3600)
POPULAR = Reason("trending", "Popular this week")

Stored = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Ranked:
    item_id: str
    score: float
    reason: Reason


# ---------------------------------------------------------------- cursors
def encode_cursor(position: int) -> str:
    return b64url_encode(json.dumps({"p": position}).encode())


def decode_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    try:
        position = json.loads(b64url_decode(cursor))["p"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequest("The cursor is not valid; start again without it.", field="cursor") from exc
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= RANK_DEPTH:
        raise BadRequest("The cursor is not valid; start again without it.", field="cursor")
    return position


# ---------------------------------------------------------------- live sessions
_LIVE_ATTRIBUTES = [*reading.SESSION_CARD_ATTRIBUTES, "open"]


def live_items(session_ids: Iterable[str]) -> dict[str, Stored]:
    """The sessions' stored cards, by id (missing ones absent): BatchGetItem, 100 keys at a time."""
    table = BaseItem._get_connection()
    unique = list(dict.fromkeys(session_ids))
    found: dict[str, Stored] = {}
    for start in range(0, len(unique), 100):
        keys: list[Any] = [{"pk": session_pk(s), "sk": SESSION_SK} for s in unique[start : start + 100]]
        while keys:
            answer = table.batch_get_item(keys, attributes_to_get=_LIVE_ATTRIBUTES)
            for item in answer["Responses"].get(table.table_name, []):
                found[item["id"]["S"]] = item
            keys = answer.get("UnprocessedKeys", {}).get(table.table_name, {}).get("Keys", [])
    return found


def is_live(item: Stored, now_iso: str) -> bool:
    """Bookable now: scheduled, open, a seat left, not started."""
    return is_bookable(
        item.get("status", {}).get("S", "scheduled"),
        "S" in item.get("open", {}),
        int(item.get("seats_left", {}).get("N", "0")),
        item["starts_at"]["S"],
        now_iso,
    )


def _mentor(item: Stored) -> str:
    return str(item["mentor_id"]["S"])


def _picks(ctx: Context, chosen: list[tuple[Ranked, Stored]]) -> list[SessionPickOut]:
    outs = reading.stored_outs(ctx, [item for _, item in chosen])
    return [
        SessionPickOut(
            session=out,
            reason=ReasonOut(kind=ranked.reason.kind, text=ranked.reason.text),
            score=round(float(ranked.score), 6),
        )
        for (ranked, _), out in zip(chosen, outs, strict=True)
    ]


def page_of(
    ctx: Context,
    ranking: list[Ranked],
    position: int,
    limit: int,
    now_iso: str,
    viewer: str | None = None,
) -> tuple[list[SessionPickOut], str | None]:
    """`limit` live sessions from `position` down the ranking (none the viewer teaches), and where
    the next page starts."""
    chosen: list[tuple[Ranked, Stored]] = []
    chunk = max(2 * limit, 20)
    while len(chosen) < limit and position < len(ranking):
        candidates = ranking[position : position + chunk]
        items = live_items(c.item_id for c in candidates)
        for candidate in candidates:
            position += 1
            item = items.get(candidate.item_id)
            if item is not None and is_live(item, now_iso) and _mentor(item) != viewer:
                chosen.append((candidate, item))
                if len(chosen) == limit:
                    break
    more = position < min(len(ranking), RANK_DEPTH)
    return _picks(ctx, chosen), encode_cursor(position) if more and chosen else None


def diversify(
    ranked: list[tuple[Ranked, Stored]], per_mentor: int = PER_MENTOR
) -> list[tuple[Ranked, Stored]]:
    """Keeps the order but lets no mentor have more than `per_mentor` in any ten in a row: the rest
    wait for the next ten (and fill the end when nothing else is left)."""
    waiting = list(ranked)
    placed: list[tuple[Ranked, Stored]] = []
    while waiting:
        window_start = len(placed) - len(placed) % 10
        counts = Counter(_mentor(item) for _, item in placed[window_start:])
        index = next((i for i, (_, item) in enumerate(waiting) if counts[_mentor(item)] < per_mentor), 0)
        placed.append(waiting.pop(index))
    return placed


def interleave(ranking: list[Ranked], extra: list[Ranked], *, every: int) -> list[Ranked]:
    """`extra` placed one in every `every` places of `ranking` (from the `every`th on), the rest after."""
    merged: list[Ranked] = []
    waiting = list(extra)
    for item in ranking:
        if waiting and len(merged) % every == every - 1:
            merged.append(waiting.pop(0))
        merged.append(item)
    return merged + waiting


T = TypeVar("T")


def guarded(what: str, compute: Callable[[], T], fallback: T) -> T:
    """The model's answer, or `fallback` if the model fails: logged as an error, never a 5xx (the
    answers without a model are still true, only less personal)."""
    try:
        return compute()
    except Exception:
        logger.exception("the recommendations model failed; answering without it", extra={"answer": what})
        return fallback


def _built_at(cache: ModelCache) -> str | None:
    return clock.iso(cache.built_at) if cache.built_at is not None else None


# ---------------------------------------------------------------- who is asking
def learner(user_id: str) -> Learner:
    """The learner as of now: their profile read live (so a change of interests counts at once) and
    their taste as the stream keeps it."""
    try:
        profile = UserItem.get(user_pk(user_id), USER_PROFILE_SK)
        interests, skills = [str(t) for t in profile.interests], [str(t) for t in profile.skills]
        languages, timezone = [str(t) for t in profile.languages], str(profile.timezone)
    except DoesNotExist:
        interests, skills, languages, timezone = [], [], [], None
    history, booked = signals.taste_of(user_id) or bookings_taste(user_id)
    return Learner(
        user_id=user_id,
        interests=interests,
        skills=skills,
        languages=languages,
        timezone=timezone,
        history=history,
        booked=booked | upcoming_seats(user_id),
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


# ---------------------------------------------------------------- without a model
def _open_sessions(now_iso: str) -> list[SessionItem]:
    """The soonest open sessions, ids and tags only (what matching tags needs)."""
    return list(
        SessionItem.open_by_start.query(
            OPEN, SessionItem.starts_at > now_iso, limit=OPEN_SCAN, attributes_to_get=["id", "tags"]
        )
    )


def _by_tags(
    tags: list[str], now_iso: str, exclude: set[str], reason: Callable[[str], Reason]
) -> list[Ranked]:
    """Open sessions sharing tags with `tags`, most shared first, then soonest (named as the session
    spells them)."""
    wanted = {tag.lower() for tag in tags}
    if not wanted:
        return []
    found = []
    for session in _open_sessions(now_iso):
        shared = [str(tag) for tag in session.tags if str(tag).lower() in wanted]
        if shared and session.id not in exclude:
            found.append(Ranked(session.id, float(len(shared)), reason(shared[0])))
    return sorted(found, key=lambda r: -r.score)


def _trending_index(now: int) -> list[Ranked]:
    ranked = []
    for item in PopularityItem.trending.query(TRENDING, scan_index_forward=False, limit=TRENDING_DEPTH):
        trend = float(item.trend_log2) if item.trend_log2 is not None else -math.inf
        ranked.append(Ranked(item.session_id, trending.trend_at(trend, now), POPULAR))
    return ranked


# ---------------------------------------------------------------- the routes' answers
def trending_page(
    ctx: Context, cache: ModelCache, *, limit: int, cursor: str | None, viewer: str | None = None
) -> SessionPicksPage:
    """Live popularity from the TRENDING index, bookable only, at most two per mentor in ten; the
    model's decayed popularity when the index has nothing bookable. A signed-in viewer's own
    bookings are left out."""
    position = decode_cursor(cursor)
    now = clock.now_seconds()
    now_iso = timeutil.iso_from_epoch(now)
    model = cache.get()
    ranking = _trending_index(now)
    items = live_items(r.item_id for r in ranking)
    booked = booked_by(viewer)
    live = [
        (r, items[r.item_id])
        for r in ranking
        if r.item_id in items
        and r.item_id not in booked
        and is_live(items[r.item_id], now_iso)
        and _mentor(items[r.item_id]) != viewer
    ]
    if not live and model is not None:
        ranking = guarded(
            "trending",
            lambda: [Ranked(p.item_id, p.score, p.reason) for p in model.trending(TRENDING_DEPTH, now)],
            [],
        )
        items = live_items(r.item_id for r in ranking)
        live = [
            (r, items[r.item_id])
            for r in ranking
            if r.item_id in items
            and r.item_id not in booked
            and is_live(items[r.item_id], now_iso)
            and _mentor(items[r.item_id]) != viewer
        ]
    ordered = diversify(live)
    chosen = ordered[position : position + limit]
    next_position = position + len(chosen)
    return SessionPicksPage(
        items=_picks(ctx, chosen),
        next_cursor=encode_cursor(next_position) if next_position < len(ordered) else None,
        built_at=_built_at(cache),
    )


def for_you(
    ctx: Context, cache: ModelCache, user_id: str, *, limit: int, cursor: str | None
) -> SessionPicksPage:
    """The learner's blend (the model), live; before any build, their interests then trending."""
    position = decode_cursor(cursor)
    now = clock.now_seconds()
    now_iso = timeutil.iso_from_epoch(now)
    who = learner(user_id)
    model = cache.get()

    def followed(tag: str) -> Reason:
        return Reason("interest", f"Because you follow {tag}", tag)

    blend = None
    if model is not None:
        blend = guarded(
            "for you",
            lambda: [Ranked(p.item_id, p.score, p.reason) for p in model.recommend(who, RANK_DEPTH, now)],
            None,
        )
    if model is not None and blend is not None:
        ranking = blend
        # Sessions published since the build are unknown to the model: those on the learner's
        # interests join the ranking (one in every NEW_EVERY) until the next build knows them.
        fresh = [
            r for r in _by_tags(who.interests, now_iso, who.booked, followed) if not model.has_item(r.item_id)
        ]
        ranking = interleave(ranking, fresh, every=NEW_EVERY)
    else:
        ranking = _by_tags(who.interests, now_iso, who.booked, followed)
        seen = {r.item_id for r in ranking} | who.booked
        ranking += [r for r in _trending_index(now) if r.item_id not in seen]
    ranking = [r for r in ranking if r.item_id not in who.booked]
    items, next_cursor = page_of(ctx, ranking, position, limit, now_iso, viewer=user_id)
    return SessionPicksPage(items=items, next_cursor=next_cursor, built_at=_built_at(cache))


def similar(
    ctx: Context,
    cache: ModelCache,
    session_id: str,
    *,
    limit: int,
    cursor: str | None,
    viewer: str | None = None,
) -> SessionPicksPage:
    """Sessions like this one (the model's neighbours, or shared tags before it knows the session);
    a signed-in viewer's own bookings are left out."""
    position = decode_cursor(cursor)
    session = get_session_item(session_id)  # 404 for an unknown id
    now = clock.now_seconds()
    now_iso = timeutil.iso_from_epoch(now)
    model = cache.get()
    neighbours = None
    if model is not None:
        neighbours = guarded(
            "similar",
            lambda: (
                [
                    Ranked(p.item_id, p.score, p.reason)
                    for p in model.similar(session_id, RANK_DEPTH, now, exclude={session_id})
                ]
                if model.has_item(session_id)
                else None
            ),
            None,
        )
    if neighbours is not None:
        ranking = neighbours
    else:
        ranking = _by_tags(
            [str(tag) for tag in session.tags],
            now_iso,
            {session_id},
            lambda tag: Reason("similar", f"Also about {tag}", tag),
        )
    booked = booked_by(viewer)
    ranking = [r for r in ranking if r.item_id != session_id and r.item_id not in booked]
    items, next_cursor = page_of(ctx, ranking, position, limit, now_iso, viewer=viewer)
    return SessionPicksPage(items=items, next_cursor=next_cursor, built_at=_built_at(cache))


def _profiles(user_ids: list[str]) -> dict[str, Stored]:
    table = BaseItem._get_connection()
    keys: list[Any] = [{"pk": user_pk(u), "sk": USER_PROFILE_SK} for u in dict.fromkeys(user_ids)]
    found: dict[str, Stored] = {}
    while keys:
        answer = table.batch_get_item(
            keys[:100], attributes_to_get=["id", "expertise", "languages", "role", "banned"]
        )
        for item in answer["Responses"].get(table.table_name, []):
            found[item["id"]["S"]] = item
        keys = keys[100:] + answer.get("UnprocessedKeys", {}).get(table.table_name, {}).get("Keys", [])
    return found


def _strings(item: Stored, name: str) -> list[str]:
    return [str(v["S"]) for v in item.get(name, {}).get("L", [])]


def mentors_for(
    ctx: Context, cache: ModelCache, user_id: str, *, limit: int, cursor: str | None
) -> MentorPicksPage:
    """Mentors for the learner (the model's match of expertise, language, level, hours, rating, price)."""
    position = decode_cursor(cursor)
    model = cache.get()
    if model is None:
        return MentorPicksPage(items=[], next_cursor=None, built_at=None)
    who = learner(user_id)
    nobody: list[MentorPick] = []
    matched = guarded("mentors", lambda: model.mentors_for(who, RANK_DEPTH), nobody)
    picks = [p for p in matched if p.mentor_id != user_id]
    chosen: list[tuple[MentorPick, Stored]] = []
    while len(chosen) < limit and position < len(picks):
        candidates = picks[position : position + 2 * limit]
        profiles = _profiles([p.mentor_id for p in candidates])
        for pick in candidates:
            position += 1
            profile = profiles.get(pick.mentor_id)
            banned = profile is not None and profile.get("banned", {}).get("BOOL", False)
            if profile is not None and not banned and profile.get("role", {}).get("S") == "mentor":
                chosen.append((pick, profile))
                if len(chosen) == limit:
                    break
    cards = reading.mentor_cards(ctx, [pick.mentor_id for pick, _ in chosen])
    items = [
        MentorPickOut(
            mentor=cards[pick.mentor_id],
            expertise=_strings(profile, "expertise"),
            languages=_strings(profile, "languages"),
            reasons=list(pick.reasons),
            score=round(float(pick.score), 6),
        )
        for pick, profile in chosen
    ]
    more = position < min(len(picks), RANK_DEPTH) and bool(chosen)
    return MentorPicksPage(
        items=items, next_cursor=encode_cursor(position) if more else None, built_at=_built_at(cache)
    )


def demand(cache: ModelCache, *, user_id: str, role: str, limit: int) -> DemandPage:
    """What learners want of the tags a mentor teaches (their expertise and their sessions' tags)."""
    if role != "mentor":
        raise Forbidden("Only mentors see what learners are asking for.")
    model = cache.get()
    if model is None:
        return DemandPage(items=[], built_at=None)
    try:
        tags = [str(tag) for tag in UserItem.get(user_pk(user_id), USER_PROFILE_SK).expertise]
    except DoesNotExist:
        tags = []
    for session in SessionItem.by_mentor.query(
        mentor_sessions_pk(user_id), scan_index_forward=False, limit=50
    ):
        tags += [str(tag) for tag in session.tags if str(tag) not in tags]
    unmet: list[Demand] = []
    items = [
        DemandOut(
            tag=d.tag,
            learners=d.learners,
            waitlisted=d.waitlisted,
            open_sessions=d.open_sessions,
            seats_left=d.seats_left,
            text=d.text,
        )
        for d in guarded("demand", lambda: model.demand_for(tags, limit), unmet)
    ]
    return DemandPage(items=items, built_at=_built_at(cache))


def record_view(user_id: str, session_id: str) -> bool:
    """A learner looked at a session: a small weight on its popularity, once a day (rate-limited)."""
    wait = ratelimit.acquire(VIEWS_PER_LEARNER, user_id)
    if wait:
        raise TooManyRequests("Too many views recorded. Please wait a moment.", retry_after_seconds=wait)
    get_session_item(session_id)  # 404 for an unknown session
    return signals.add_view(user_id, session_id)
