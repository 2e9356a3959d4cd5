"""The admins' reports: chosen metrics over a date range by day, week, month, tag, mentor or language,
as JSON or CSV, and today's figures. Queries on the rollups only (never a Scan).

| pattern | key condition | index |
|---|---|---|
| a dimension's counters over days | pk = ROLLUP#<dimension>, sk between <from># and <to>#\\uffff | table |
| whole months by tag, mentor, language | pk = ROLLUP#month#<dimension>, sk between <month>#… | table |
| the zero-result terms over days | pk = ROLLUP#search_terms, sk between <from> and <to> | table |
| today's figures | GetItem ROLLUP#all / <today>#all | table |
| the mentors' names of a report by mentor | BatchGetItem USER#<id> / PROFILE | table |
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from peerlearn import clock
from peerlearn.analytics.facts import INDIA
from peerlearn.analytics.schemas import ReportOut, ReportRow, TermCount, TodayOut
from peerlearn.errors import BadRequest
from peerlearn.shapes import Shape
from peerlearn.store.analytics import ALL, METRICS, RollupItem, SearchTermsItem, monthly
from peerlearn.store.base import BaseItem
from peerlearn.store.keys import SEARCH_TERMS, USER_PROFILE_SK, rollup_pk, rollup_sk, user_pk
from peerlearn.store.models import UserItem

TIME_DIMENSIONS = ("day", "week", "month")
VALUE_DIMENSIONS = ("tag", "mentor", "language")
MAX_DAYS = 400  # a report covers at most about a year and a month
# By tag, mentor or language a report reads the whole months of the range from the monthly items and
# only the days before the first and after the last whole month from the daily ones: at most 14
# months and 60 days per value, where a year of days was 365 per value (a year by mentor read 55k
# items in 22 s on DynamoDB Local, near API Gateway's 29 s).
TOP_TERMS = 20


class ReportQuery(Shape):
    metrics: list[str]
    dimension: str
    from_date: date
    to_date: date


def parse_query(*, metrics: str, dimension: str, from_date: str, to_date: str) -> ReportQuery:
    """The report's inputs checked (400 naming the field, never a 5xx)."""
    names = [m.strip() for m in metrics.split(",") if m.strip()]
    unknown = [m for m in names if m not in METRICS]
    if not names or unknown:
        raise BadRequest(f"Choose metrics among {', '.join(METRICS)}.", field="metrics")
    if dimension not in TIME_DIMENSIONS + VALUE_DIMENSIONS:
        raise BadRequest("The dimension is day, week, month, tag, mentor or language.", field="dimension")
    start, end = _date(from_date, "from"), _date(to_date, "to")
    if end < start:
        raise BadRequest("The range ends before it starts.", field="to")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadRequest(f"A report covers at most {MAX_DAYS} days.", field="to")
    return ReportQuery(metrics=list(dict.fromkeys(names)), dimension=dimension, from_date=start, to_date=end)


def _date(text: str, field: str) -> date:
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise BadRequest("Use a date like 2026-12-01.", field=field) from exc
    if not 2000 <= day.year <= 2100:
        raise BadRequest("Use a date between 2000 and 2100.", field=field)
    return day


def _read(pk: str, first: str, last: str, metrics: list[str]) -> list[RollupItem]:
    """Items of `pk` from period `first` to `last` (days or months), only the attributes a report uses."""
    condition = RollupItem.sk.between(f"{first}#", f"{last}#\uffff")
    wanted = ["pk", "sk", "entity", "day", "value", *metrics]
    return list(RollupItem.query(pk, condition, attributes_to_get=wanted))


def _rollups(dimension: str, start: date, end: date, metrics: list[str]) -> list[RollupItem]:
    return _read(rollup_pk(dimension), start.isoformat(), end.isoformat(), metrics)


def _month_after(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _value_rollups(dimension: str, start: date, end: date, metrics: list[str]) -> list[RollupItem]:
    """The range by value: its whole months from the monthly items, the days around them from the
    daily ones (a range inside one month is days only)."""
    first_whole = start if start.day == 1 else _month_after(start)
    following = end + timedelta(days=1)
    after_last_whole = following if following.day == 1 else end.replace(day=1)
    if first_whole >= after_last_whole:
        return _rollups(dimension, start, end, metrics)
    items = _read(
        rollup_pk(monthly(dimension)),
        first_whole.isoformat()[:7],
        (after_last_whole - timedelta(days=1)).isoformat()[:7],
        metrics,
    )
    if start < first_whole:
        items += _rollups(dimension, start, first_whole - timedelta(days=1), metrics)
    if after_last_whole <= end:
        items += _rollups(dimension, after_last_whole, end, metrics)
    return items


def _period(day: str, dimension: str) -> str:
    if dimension == "day":
        return day
    if dimension == "month":
        return day[:7]
    moment = date.fromisoformat(day)
    return (moment - timedelta(days=moment.weekday())).isoformat()  # the week's Monday


def report(query: ReportQuery) -> ReportOut:
    everything = _rollups(ALL, query.from_date, query.to_date, query.metrics)
    totals = dict.fromkeys(query.metrics, 0)
    for item in everything:
        for metric in query.metrics:
            totals[metric] += int(getattr(item, metric) or 0)
    by_time = query.dimension in TIME_DIMENSIONS
    items = (
        everything
        if by_time
        else _value_rollups(query.dimension, query.from_date, query.to_date, query.metrics)
    )

    def key_of(item: RollupItem) -> str:
        return _period(item.day, query.dimension) if by_time else str(item.value)

    grouped: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(query.metrics, 0))
    for item in items:
        row = grouped[key_of(item)]
        for metric in query.metrics:
            row[metric] += int(getattr(item, metric) or 0)
    rows = [ReportRow(key=key, values=values) for key, values in sorted(grouped.items())]
    terms = _terms(query) if "zero_result_searches" in query.metrics else []
    labels = _mentor_names([row.key for row in rows]) if query.dimension == "mentor" else {}
    return ReportOut(
        metrics=query.metrics,
        dimension=query.dimension,
        from_date=query.from_date.isoformat(),
        to_date=query.to_date.isoformat(),
        rows=rows,
        totals=totals,
        zero_result_terms=terms,
        labels=labels,
    )


def _mentor_names(mentor_ids: list[str]) -> dict[str, str]:
    """The rows' mentors by their current profile name (BatchGetItem; a gone profile has no label)."""
    keys = [(user_pk(mentor_id), USER_PROFILE_SK) for mentor_id in mentor_ids if mentor_id]
    if not keys:
        return {}
    return {item.id: item.name for item in BaseItem.batch_get(keys) if isinstance(item, UserItem)}


def _terms(query: ReportQuery) -> list[TermCount]:
    condition = SearchTermsItem.sk.between(query.from_date.isoformat(), query.to_date.isoformat())
    counts: Counter[str] = Counter()
    for item in SearchTermsItem.query(rollup_pk(SEARCH_TERMS), condition):
        for term, searches in (item.terms.as_dict() if item.terms else {}).items():
            counts[str(term)] += int(searches)
    return [TermCount(term=t, searches=n) for t, n in counts.most_common(TOP_TERMS)]


def to_csv(out: ReportOut) -> str:
    """The report as CSV: a header, one line per row, and a last `total` line equal to the JSON's totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([out.dimension, *out.metrics])
    for row in out.rows:
        writer.writerow([_safe(row.key), *(row.values[m] for m in out.metrics)])
    writer.writerow(["total", *(out.totals[m] for m in out.metrics)])
    return buffer.getvalue()


def _safe(cell: str) -> str:
    """A tag typed by a mentor could start like a spreadsheet formula: it is quoted as text instead."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def csv_filename(out: ReportOut) -> str:
    return f"peerlearn-{out.dimension}-{out.from_date}-{out.to_date}.csv"


def today_in_india() -> str:
    return datetime.fromtimestamp(clock.now_seconds(), tz=INDIA).date().isoformat()


def today() -> TodayOut:
    """Today's figures (India's day): one GetItem on the `all` rollup."""
    day = today_in_india()
    try:
        item = RollupItem.get(rollup_pk(ALL), rollup_sk(day, ALL))
        counters = item.counters()
    except RollupItem.DoesNotExist:
        counters = dict.fromkeys(METRICS, 0)
    return TodayOut(
        day=day,
        bookings=counters["bookings"],
        active_users=counters["active_users"],
        gmv_paise=counters["gmv_paise"],
        platform_revenue_paise=counters["platform_revenue_paise"],
    )
