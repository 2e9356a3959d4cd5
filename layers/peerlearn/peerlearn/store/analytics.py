"""Items of the analytics rollups (peerlearn.analytics), and the counters request paths bump.

- ROLLUP: pk ROLLUP#<dimension>, sk <day>#<value>: one day's counters for one value of a dimension
  (`all`/`all`, `tag`/<tag key>, `mentor`/<mentor id>, `language`/<language key>); the day is India's
  calendar day (Asia/Kolkata). A report over a date range is one Query (`sk between`).
- FACT: pk FACT#<fact id>, sk FACT: the marker of a fact the rollups counted, written in the same
  transaction as the counters it moved, so a replayed stream record (or a backfill) counts nothing twice.
- ROLLUP#search_terms, sk <day>: the day's zero-result search terms and their counts (at most
  MAX_TERMS_PER_DAY of them).

Searches and session views are GETs, not items the stream sees: the routes bump them here with one
UpdateItem (ADD) each, so the backfill keeps those counters as they are (it cannot recount them).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, UpdateError
from pynamodb.expressions.condition import size

from peerlearn import clock
from peerlearn.store.base import BaseItem
from peerlearn.store.keys import SEARCH_TERMS, rollup_pk, rollup_sk

logger = logging.getLogger(__name__)

ALL = "all"
MAX_TERMS_PER_DAY = 500  # distinct zero-result terms kept per day: the rest are counted, not named
MAX_TERM_CHARS = 60

# Every counter a rollup item holds: integers (minutes, paise, counts), never floats.
METRICS: tuple[str, ...] = (
    "bookings",
    "cancellations",
    "no_shows",
    "completed_minutes",
    "gmv_paise",
    "platform_revenue_paise",
    "refunds_paise",
    "gifts_paise",
    "signups",
    "active_users",
    "searches",
    "zero_result_searches",
    "funnel_views",
    "funnel_bookings",
    "funnel_payments",
    "funnel_attended",
)
# Counted by request paths, not derived from items: the backfill carries them over unchanged.
COUNTED_ON_REQUEST: tuple[str, ...] = ("searches", "zero_result_searches", "funnel_views")


class RollupItem(BaseItem, discriminator="ROLLUP"):
    dimension = UnicodeAttribute()
    day = UnicodeAttribute()
    value = UnicodeAttribute()
    bookings = NumberAttribute(default=0)
    cancellations = NumberAttribute(default=0)
    no_shows = NumberAttribute(default=0)
    completed_minutes = NumberAttribute(default=0)
    gmv_paise = NumberAttribute(default=0)
    platform_revenue_paise = NumberAttribute(default=0)
    refunds_paise = NumberAttribute(default=0)
    gifts_paise = NumberAttribute(default=0)
    signups = NumberAttribute(default=0)
    active_users = NumberAttribute(default=0)
    searches = NumberAttribute(default=0)
    zero_result_searches = NumberAttribute(default=0)
    funnel_views = NumberAttribute(default=0)
    funnel_bookings = NumberAttribute(default=0)
    funnel_payments = NumberAttribute(default=0)
    funnel_attended = NumberAttribute(default=0)

    def counters(self) -> dict[str, int]:
        return {metric: int(getattr(self, metric) or 0) for metric in METRICS}


class FactItem(BaseItem, discriminator="FACT"):
    fact_id = UnicodeAttribute()
    day = UnicodeAttribute()


class SearchTermsItem(BaseItem, discriminator="SEARCH_TERMS"):
    day = UnicodeAttribute()
    terms = MapAttribute[str, Any](default=dict)


ANALYTICS_MODELS: tuple[type[BaseItem], ...] = (RollupItem, FactItem, SearchTermsItem)


def india_today() -> str:
    """Today in India (Asia/Kolkata): the rollups' day."""
    return datetime.fromtimestamp(clock.now_seconds(), tz=ZoneInfo("Asia/Kolkata")).date().isoformat()


def _bump(day: str, counts: dict[str, int]) -> None:
    item = RollupItem(rollup_pk(ALL), rollup_sk(day, ALL))
    actions = [
        RollupItem.dimension.set(ALL),
        RollupItem.day.set(day),
        RollupItem.value.set(ALL),
        *(getattr(RollupItem, metric).add(count) for metric, count in counts.items()),
    ]
    item.update(actions=RollupItem.upsert_actions(actions))


def count_search(*, term: str | None, found: bool, day: str | None = None) -> None:
    """A search (the discovery's first page): one ADD; a search that found nothing also names its term
    in the day's bounded list (two small updates: the map is made, then the term counted in it).
    A counter that cannot be written is logged and left: a search never fails for its statistics."""
    try:
        _count_search(term=term, found=found, day=day or india_today())
    except PynamoDBException:
        logger.warning("a search was not counted", exc_info=True)


def _count_search(*, term: str | None, found: bool, day: str) -> None:
    _bump(day, {"searches": 1} if found else {"searches": 1, "zero_result_searches": 1})
    cleaned = " ".join((term or "").lower().split())[:MAX_TERM_CHARS]
    if found or not cleaned:
        return
    terms = SearchTermsItem(rollup_pk(SEARCH_TERMS), day)
    terms.update(
        actions=SearchTermsItem.upsert_actions(
            [SearchTermsItem.day.set(day), SearchTermsItem.terms.set(SearchTermsItem.terms | {})]
        )
    )
    path = SearchTermsItem.terms[cleaned]
    try:
        terms.update(
            actions=[path.set((path | 0) + 1)],
            condition=path.exists() | (size(SearchTermsItem.terms) < MAX_TERMS_PER_DAY),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise  # a full day's list keeps its terms; the count above still saw the search


def count_view(day: str | None = None) -> None:
    """A learner's first look at a session that day (peerlearn.recommend counts it once): the funnel's top."""
    try:
        _bump(day or india_today(), {"funnel_views": 1})
    except PynamoDBException:
        logger.warning("a view was not counted", exc_info=True)
