"""The answers of /api/recommendations/*: the model in memory ranks, the table says what is still
true (pages of live sessions: peerlearn.recommend.paging; who is asking: viewers; answers with no
model: fallback). Trending, for you and similar never show the viewer a session they hold a seat in or
teach.

Before the first build (no model) every route still answers: trending from the live TRENDING index,
"for you" from the learner's interests against open sessions then trending, similar from shared tags;
mentors and demand are empty. `built_at` and `build_id` say which build answered (null: none).

| pattern                         | key condition                                   | index  |
|---------------------------------|-------------------------------------------------|--------|
| a learner's profile and taste   | GetItem USER#<id> PROFILE / TASTE               | -      |
| a learner's upcoming seats      | gsi2pk = LEARNER#<id>, gsi2sk >= now            | gsi2   |
| trending sessions               | gsi1pk = TRENDING, newest-heaviest first        | gsi1   |
| open sessions (no model yet)    | open = OPEN, soonest first                      | open_by_start |
| published since the build       | gsi2pk = FRESH, gsi2sk > built_at, newest first | gsi2   |
| candidates, live                | BatchGetItem SESSION#<id> SESSION               | -      |
| a mentor's sessions (demand)    | gsi2pk = MENTOR#<id>                            | gsi2   |
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, ratelimit, timeutil
from peerlearn.catalog import reading
from peerlearn.catalog.lookup import get_session_item
from peerlearn.context import Context
from peerlearn.errors import Forbidden, TooManyRequests
from peerlearn.recommend import diversity, signals
from peerlearn.recommend.artefacts import ModelCache
from peerlearn.recommend.fallback import TRENDING_DEPTH, by_tags, fresh_by_tags, trending_index
from peerlearn.recommend.model import Demand, MentorPick, Reason
from peerlearn.recommend.paging import (
    RANK_DEPTH,
    Ranked,
    built_at,
    decode_cursor,
    encode_cursor,
    guarded,
    interleave,
    is_live,
    live_items,
    mentor_of,
    page_of,
    picks,
)
from peerlearn.recommend.schemas import (
    DemandOut,
    DemandPage,
    MentorPickOut,
    MentorPicksPage,
    SessionPicksPage,
)
from peerlearn.recommend.stored import Stored, strings
from peerlearn.recommend.viewers import booked_by, learner
from peerlearn.store import analytics as analytics_counters
from peerlearn.store.keys import USER_PROFILE_SK, mentor_sessions_pk, user_pk
from peerlearn.store.models import BaseItem, SessionItem, UserItem

logger = logging.getLogger(__name__)

NEW_EVERY = 3  # a session the build has not seen: one in every NEW_EVERY places of for you
VIEWS_PER_LEARNER = ratelimit.Limit("rec-views", max_hits=120, window_seconds=3600)


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
    ranking = trending_index(now)
    items = live_items(r.item_id for r in ranking)
    booked = booked_by(viewer)
    live = [
        (r, items[r.item_id])
        for r in ranking
        if r.item_id in items
        and r.item_id not in booked
        and is_live(items[r.item_id], now_iso)
        and mentor_of(items[r.item_id]) != viewer
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
            and mentor_of(items[r.item_id]) != viewer
        ]
    ordered = diversity.diversify(live, lambda candidate: mentor_of(candidate[1]))
    chosen = ordered[position : position + limit]
    next_position = position + len(chosen)
    return SessionPicksPage(
        items=picks(ctx, chosen),
        next_cursor=encode_cursor(next_position) if next_position < len(ordered) else None,
        built_at=built_at(cache),
        build_id=cache.build_id,
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
        # interests join the ranking (one in every NEW_EVERY) until the next build knows them. The
        # build reads the table after stamping built_at, so one published meanwhile may be known.
        since = timeutil.iso_from_epoch(model.built_at)
        fresh = [
            r
            for r in fresh_by_tags(who.interests, since, who.booked, followed)
            if not model.has_item(r.item_id)
        ]
        ranking = interleave(ranking, fresh, every=NEW_EVERY)
    else:
        ranking = by_tags(who.interests, now_iso, who.booked, followed)
        seen = {r.item_id for r in ranking} | who.booked
        ranking += [r for r in trending_index(now) if r.item_id not in seen]
    ranking = [r for r in ranking if r.item_id not in who.booked]
    items, next_cursor = page_of(ctx, ranking, position, limit, now_iso, viewer=user_id)
    return SessionPicksPage(
        items=items, next_cursor=next_cursor, built_at=built_at(cache), build_id=cache.build_id
    )


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
    tags = [str(tag) for tag in session.tags]

    def also_about(tag: str) -> Reason:
        return Reason("similar", f"Also about {tag}", tag)

    if model is not None and neighbours is not None:
        # Sessions on its tags published since the build (minutes old): every other place from the
        # first, until the next build knows them.
        since = timeutil.iso_from_epoch(model.built_at)
        fresh = [
            r for r in fresh_by_tags(tags, since, {session_id}, also_about) if not model.has_item(r.item_id)
        ]
        ranking = interleave(neighbours, fresh, every=1)
    else:
        ranking = by_tags(tags, now_iso, {session_id}, also_about)
    booked = booked_by(viewer)
    ranking = [r for r in ranking if r.item_id != session_id and r.item_id not in booked]
    items, next_cursor = page_of(ctx, ranking, position, limit, now_iso, viewer=viewer)
    return SessionPicksPage(
        items=items, next_cursor=next_cursor, built_at=built_at(cache), build_id=cache.build_id
    )


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
            expertise=strings(profile, "expertise"),
            languages=strings(profile, "languages"),
            reasons=list(pick.reasons),
            score=round(float(pick.score), 6),
        )
        for pick, profile in chosen
    ]
    more = position < min(len(picks), RANK_DEPTH) and bool(chosen)
    return MentorPicksPage(
        items=items,
        next_cursor=encode_cursor(position) if more else None,
        built_at=built_at(cache),
        build_id=cache.build_id,
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
    return DemandPage(items=items, built_at=built_at(cache), build_id=cache.build_id)


def record_view(user_id: str, session_id: str) -> bool:
    """A learner looked at a session: a small weight on its popularity, once a day (rate-limited)."""
    wait = ratelimit.acquire(VIEWS_PER_LEARNER, user_id)
    if wait:
        raise TooManyRequests("Too many views recorded. Please wait a moment.", retry_after_seconds=wait)
    get_session_item(session_id)  # 404 for an unknown session
    counted = signals.add_view(user_id, session_id)
    if counted:  # once a learner a session a day, as popularity counts it: the funnel's first step
        analytics_counters.count_view()
    return counted
