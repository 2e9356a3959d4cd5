"""Discovery: upcoming, bookable sessions, filtered, searched, sorted and paginated - Query only.

Access patterns (each served by one Query; filters that are not part of the key are a
FilterExpression on the same Query):

| sort       | index               | key condition                                | range filters in the key |
|------------|---------------------|----------------------------------------------|--------------------------|
| soonest    | open_by_start       | open = OPEN and starts_at between from/to    | date range               |
| price      | open_by_price       | open = OPEN and price_paise between min/max  | price range, free only   |
| rating     | open_by_rating      | open = OPEN (descending)                     | -                        |
| popularity | open_by_popularity  | open = OPEN (descending)                     | -                        |
| (mentor)   | gsi2                | gsi2pk = MENTOR#<id> and gsi2sk > now        | -                        |

Only bookable sessions carry `open`, so the indexes hold nothing else (and a page reads only the
attributes its cards show, as DynamoDB sends them: see peerlearn.catalog.reading). Tag, language, level and
text search filter on lower-cased copies (`tag_keys`, `language_key`, `search_text`).
"""

from __future__ import annotations

from typing import Any

from peerlearn import timeutil
from peerlearn.catalog.reading import SESSION_CARD_ATTRIBUTES, stored_outs
from peerlearn.catalog.schemas import DiscoveryQuery, SessionPage
from peerlearn.context import Context
from peerlearn.errors import BadRequest
from peerlearn.store import analytics as analytics_counters
from peerlearn.store import paging
from peerlearn.store.keys import OPEN, mentor_sessions_pk
from peerlearn.store.models import SessionItem

_MAX_SEARCH_WORDS = 6


def _date_bounds(query: DiscoveryQuery) -> tuple[str, str | None]:
    """(lower, upper) ISO bounds on starts_at: never before now."""
    lower = timeutil.now_iso()
    if query.date_from:
        lower = max(lower, timeutil.day_start_iso(query.date_from, field="date_from"))
    upper = None
    if query.date_to:
        upper = timeutil.plus_minutes(timeutil.day_start_iso(query.date_to, field="date_to"), 24 * 60)
        if upper <= lower:
            raise BadRequest("The date range ends before it starts (or is in the past).", field="date_to")
    return lower, upper


def _price_bounds(query: DiscoveryQuery) -> tuple[int | None, int | None]:
    if query.free:
        return 0, 0
    if query.min_price is not None and query.max_price is not None and query.min_price > query.max_price:
        raise BadRequest("min_price is above max_price.", field="min_price")
    return query.min_price, query.max_price


def _filters(query: DiscoveryQuery, *, skip_dates: bool = False, skip_price: bool = False) -> Any:
    conditions: list[Any] = []
    if not skip_dates:
        lower, upper = _date_bounds(query)
        conditions.append(SessionItem.starts_at > lower)
        if upper:
            conditions.append(SessionItem.starts_at < upper)
    if not skip_price:
        low, high = _price_bounds(query)
        if low is not None:
            conditions.append(SessionItem.price_paise >= low)
        if high is not None:
            conditions.append(SessionItem.price_paise <= high)
    if query.tag:
        conditions.append(SessionItem.tag_keys.contains(query.tag.lower()))
    if query.language:
        conditions.append(SessionItem.language_key == query.language.lower())
    if query.level:
        conditions.append(SessionItem.level == query.level)
    if query.q:
        words = [w for w in query.q.lower().split() if w][:_MAX_SEARCH_WORDS]
        conditions += [SessionItem.search_text.contains(w) for w in words]
    if query.mentor:
        conditions.append(SessionItem.open == OPEN)  # the mentor index also holds past and closed sessions
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def _run(query: DiscoveryQuery, start_key: dict[str, Any] | None) -> Any:
    common: dict[str, Any] = {
        "limit": query.limit,
        "last_evaluated_key": start_key,
        "attributes": SESSION_CARD_ATTRIBUTES,
    }
    if query.mentor:  # a mentor's partition of gsi2 holds only their sessions
        return paging.stored_query(
            SessionItem.by_mentor,
            mentor_sessions_pk(query.mentor),
            SessionItem.gsi2sk > timeutil.now_iso(),
            filter_condition=_filters(query),
            **common,
        )
    if query.sort == "soonest":
        lower, upper = _date_bounds(query)
        when: Any = SessionItem.starts_at.between(lower, upper) if upper else SessionItem.starts_at > lower
        return paging.stored_query(
            SessionItem.open_by_start, OPEN, when, filter_condition=_filters(query, skip_dates=True), **common
        )
    if query.sort == "price":
        low, high = _price_bounds(query)
        price: Any = None
        if low is not None and high is not None:
            price = SessionItem.price_paise.between(low, high)
        elif low is not None:
            price = SessionItem.price_paise >= low
        elif high is not None:
            price = SessionItem.price_paise <= high
        return paging.stored_query(
            SessionItem.open_by_price,
            OPEN,
            price,
            filter_condition=_filters(query, skip_price=True),
            **common,
        )
    index = SessionItem.open_by_rating if query.sort == "rating" else SessionItem.open_by_popularity
    return paging.stored_query(
        index, OPEN, filter_condition=_filters(query), scan_index_forward=False, **common
    )


def discover(ctx: Context, query: DiscoveryQuery) -> SessionPage:
    items, next_cursor = paging.page(lambda start: _run(query, start), query.cursor)
    if query.q and query.cursor is None:  # a search (its first page): one ADD on today's rollup
        analytics_counters.count_search(term=query.q, found=bool(items))
    return SessionPage(items=stored_outs(ctx, items), next_cursor=next_cursor)
