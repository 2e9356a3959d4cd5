"""Answers that need no model (before the first build, or for what the build has not seen): open
sessions matched on tags, and the live TRENDING index the stream keeps."""

from __future__ import annotations

import math
from collections.abc import Callable

from peerlearn.recommend import trending
from peerlearn.recommend.model import Reason
from peerlearn.recommend.paging import Ranked
from peerlearn.store.keys import OPEN
from peerlearn.store.models import SessionItem
from peerlearn.store.recommend import TRENDING, PopularityItem

TRENDING_DEPTH = 100
OPEN_SCAN = 200  # open sessions looked at for interests (no model yet, or published since the build)
POPULAR = Reason("trending", "Popular this week")


def open_sessions(now_iso: str) -> list[SessionItem]:
    """The soonest open sessions, ids and tags only (what matching tags needs)."""
    return list(
        SessionItem.open_by_start.query(
            OPEN, SessionItem.starts_at > now_iso, limit=OPEN_SCAN, attributes_to_get=["id", "tags"]
        )
    )


def by_tags(
    tags: list[str], now_iso: str, exclude: set[str], reason: Callable[[str], Reason]
) -> list[Ranked]:
    """Open sessions sharing tags with `tags`, most shared first, then soonest (named as the session
    spells them)."""
    wanted = {tag.lower() for tag in tags}
    if not wanted:
        return []
    found = []
    for session in open_sessions(now_iso):
        shared = [str(tag) for tag in session.tags if str(tag).lower() in wanted]
        if shared and session.id not in exclude:
            found.append(Ranked(session.id, float(len(shared)), reason(shared[0])))
    return sorted(found, key=lambda r: -r.score)


def trending_index(now: int) -> list[Ranked]:
    ranked = []
    for item in PopularityItem.trending.query(TRENDING, scan_index_forward=False, limit=TRENDING_DEPTH):
        trend = float(item.trend_log2) if item.trend_log2 is not None else -math.inf
        ranked.append(Ranked(item.session_id, trending.trend_at(trend, now), POPULAR))
    return ranked
