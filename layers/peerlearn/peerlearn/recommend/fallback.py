"""Answers that need no model (before the first build, or for what the build has not seen): open
sessions matched on tags, sessions published since the build (the live FRESH index the stream keeps)
matched on tags, and the live TRENDING index."""

from __future__ import annotations

import math
from collections.abc import Callable

from peerlearn.recommend import trending
from peerlearn.recommend.model import Reason
from peerlearn.recommend.paging import Ranked
from peerlearn.store.keys import OPEN
from peerlearn.store.models import SessionItem
from peerlearn.store.recommend import FRESH, TRENDING, PopularityItem

TRENDING_DEPTH = 100
OPEN_SCAN = 200  # open sessions looked at for interests before any build
FRESH_DEPTH = 50  # sessions published since the build looked at for interests, newest first
POPULAR = Reason("trending", "Popular this week")


def open_sessions(now_iso: str) -> list[SessionItem]:
    """The soonest open sessions, ids and tags only (what matching tags needs)."""
    return list(
        SessionItem.open_by_start.query(
            OPEN, SessionItem.starts_at > now_iso, limit=OPEN_SCAN, attributes_to_get=["id", "tags"]
        )
    )


def _matched(
    candidates: list[tuple[str, list[str]]],
    tags: list[str],
    exclude: set[str],
    reason: Callable[[str], Reason],
) -> list[Ranked]:
    """(session id, its tags) sharing tags with `tags`, most shared first, else in the given order
    (the reason names the tag as the session spells it)."""
    wanted = {tag.lower() for tag in tags}
    found = []
    for session_id, session_tags in candidates:
        shared = [tag for tag in session_tags if tag.lower() in wanted]
        if shared and session_id not in exclude:
            found.append(Ranked(session_id, float(len(shared)), reason(shared[0])))
    return sorted(found, key=lambda r: -r.score)


def by_tags(
    tags: list[str], now_iso: str, exclude: set[str], reason: Callable[[str], Reason]
) -> list[Ranked]:
    """Open sessions sharing tags with `tags`, most shared first, then soonest."""
    if not tags:
        return []
    candidates = [(s.id, [str(tag) for tag in s.tags]) for s in open_sessions(now_iso)]
    return _matched(candidates, tags, exclude, reason)


def published_since(since_iso: str) -> list[tuple[str, list[str]]]:
    """Bookable sessions published after `since_iso` (ISO UTC), newest first, with their tags: one
    Query of the FRESH index, however many sessions are open."""
    return [
        (str(item.session_id), [str(tag) for tag in item.tags])
        for item in PopularityItem.fresh.query(
            FRESH,
            PopularityItem.gsi2sk > since_iso,
            scan_index_forward=False,
            limit=FRESH_DEPTH,
            attributes_to_get=["session_id", "tags"],
        )
    ]


def fresh_by_tags(
    tags: list[str], since_iso: str, exclude: set[str], reason: Callable[[str], Reason]
) -> list[Ranked]:
    """Sessions published since `since_iso` sharing tags with `tags`, most shared first, then newest."""
    if not tags:
        return []
    return _matched(published_since(since_iso), tags, exclude, reason)


def trending_index(now: int) -> list[Ranked]:
    ranked = []
    for item in PopularityItem.trending.query(TRENDING, scan_index_forward=False, limit=TRENDING_DEPTH):
        trend = float(item.trend_log2) if item.trend_log2 is not None else -math.inf
        ranked.append(Ranked(item.session_id, trending.trend_at(trend, now), POPULAR))
    return ranked
