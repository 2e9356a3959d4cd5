"""Items of the analytics rollups (peerlearn.analytics), and the counters request paths bump.

- ROLLUP: pk ROLLUP#<dimension>, sk <day>#<value>: one day's counters for one value of a dimension
  (`all`/`all`, `tag`/<tag key>, `mentor`/<mentor id>, `language`/<language key>); the day is India's
  calendar day (Asia/Kolkata). A report over a date range is one Query (`sk between`).
- ROLLUP (monthly): pk ROLLUP#month#<dimension>, sk <YYYY-MM>#<value>: one month's counters of one
  value of `tag`, `mentor` or `language`, moved in the same transaction as the day's, so a report by
  mentor over a year reads about 12 items per mentor instead of 365 (dimension attribute
  `month#mentor`, day attribute the month).
- FACT: pk FACT#<fact id>, sk FACT: the marker of a fact the rollups counted, written in the same
  transaction as the counters it moved, so a replayed stream record (or a backfill) counts nothing twice.
- ROLLUP#search_terms, sk <day>: the day's zero-result search terms and their counts (at most
  MAX_TERMS_PER_DAY of them).
- ACTIVE_DAY: pk USER#<id>, sk ACTIVE#<day>: the person was active that (India) day: put once a day by
  a sign-in or the first refresh of the day, gone a few days later (ttl). Its INSERT is the only user
  activity the stream receives (a user item's MODIFYs, every sign-in count and profile edit among
  them, are filtered out), and the rollups count it as one active user that day.

Searches and session views are GETs, not items the stream sees: the routes bump them here with one
UpdateItem (ADD) each on ROLLUP#all / <day>#requests (not the day's `all` item the stream transacts
on), so the backfill keeps those counters as they are (it cannot recount them).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError, PynamoDBException, UpdateError
from pynamodb.expressions.condition import size

from peerlearn import clock
from peerlearn.store.base import BaseItem
from peerlearn.store.keys import SEARCH_TERMS, rollup_pk, rollup_sk, user_pk

logger = logging.getLogger(__name__)

ALL = "all"
MAX_TERMS_PER_DAY = 500  # distinct zero-result terms kept per day: the rest are counted, not named
MAX_TERM_CHARS = 60

# The value dimensions also kept by month (a long report by one of them reads months, not days).
MONTHLY_DIMENSIONS: tuple[str, ...] = ("tag", "mentor", "language")


def monthly(dimension: str) -> str:
    """The dimension of `dimension`'s monthly items: `month#mentor`."""
    return f"month#{dimension}"


def rollup_periods(dimension: str, day: str) -> list[tuple[str, str]]:
    """(dimension, period) of the items a fact of `day` moves under `dimension`: the day's, and the
    month's for a value dimension."""
    if dimension in MONTHLY_DIMENSIONS:
        return [(dimension, day), (monthly(dimension), day[:7])]
    return [(dimension, day)]


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
    dimension = UnicodeAttribute()  # all, tag, mentor, language; month#tag, month#mentor, month#language
    day = UnicodeAttribute()  # YYYY-MM-DD; YYYY-MM on a monthly item
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


class ActiveDayItem(BaseItem, discriminator="ACTIVE_DAY"):
    user_id = UnicodeAttribute()
    day = UnicodeAttribute()  # India's calendar day


ACTIVE_DAY_KEPT_SECONDS = 3 * 86400  # long enough for the stream; the FACT marker is what lasts


def active_day_sk(day: str) -> str:
    return f"ACTIVE#{day}"


def india_day_of(epoch_seconds: int) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=ZoneInfo("Asia/Kolkata")).date().isoformat()


def mark_active(user_id: str, now: int) -> bool:
    """The person was active today: the day's item, put once (False when it was there already). A
    failure is logged and left: nobody's sign-in fails for a statistic."""
    day = india_day_of(now)
    item = ActiveDayItem(
        user_pk(user_id), active_day_sk(day), user_id=user_id, day=day, ttl=now + ACTIVE_DAY_KEPT_SECONDS
    )
    try:
        item.save(condition=ActiveDayItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            logger.warning("an active day was not marked", exc_info=True)
        return False
    except PynamoDBException:
        logger.warning("an active day was not marked", exc_info=True)
        return False
    return True


class SearchTermsItem(BaseItem, discriminator="SEARCH_TERMS"):
    day = UnicodeAttribute()
    terms = MapAttribute[str, Any](default=dict)


ANALYTICS_MODELS: tuple[type[BaseItem], ...] = (RollupItem, FactItem, SearchTermsItem, ActiveDayItem)


def india_today() -> str:
    """Today in India (Asia/Kolkata): the rollups' day."""
    return india_day_of(clock.now_seconds())


# Request paths count on the day's `requests` item, beside the day's `all` one: every booking's and
# payment's fact moves `all` in a stream transaction, and a plain update of an item inside an
# in-flight transaction fails that transaction, so busy searching would keep the rollups retrying. A
# report by day, week or month reads the day's items together (one Query), so it sums both.
REQUESTS = "requests"


def _bump(day: str, counts: dict[str, int]) -> None:
    item = RollupItem(rollup_pk(ALL), rollup_sk(day, REQUESTS))
    actions = [
        RollupItem.dimension.set(ALL),
        RollupItem.day.set(day),
        RollupItem.value.set(REQUESTS),
        *(getattr(RollupItem, metric).add(count) for metric, count in counts.items()),
    ]
    item.update(actions=RollupItem.upsert_actions(actions))


# Anyone may search (no sign-in), and the zero-result terms are shown to admins: a term that looks
# like an email address or a phone number is counted as a search but never named.
_EMAIL = re.compile(r"\S+@\S+")
_PHONE = re.compile(r"(?:\+?\d[\s().-]*){7,}")


def looks_personal(term: str) -> bool:
    return bool(_EMAIL.search(term) or _PHONE.search(term))


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
    if found or not cleaned or looks_personal(cleaned):
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
