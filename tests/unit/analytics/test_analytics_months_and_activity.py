"""Monthly rollups by tag, mentor and language (kept with the days, in the same transaction; rebuilt
by the backfill; read by a long report, which equals the day-by-day sum), people kept signed in by
their refresh token counted active once a day (with their user item's changes kept off the stream),
and search terms that look personal never named."""

from __future__ import annotations

from datetime import date

import pytest

from peerlearn import clock, timeutil
from peerlearn.accounts import service as accounts
from peerlearn.analytics import backfill, reports, rollups
from peerlearn.analytics.facts import Fact
from peerlearn.context import Context
from peerlearn.store.analytics import ActiveDayItem, RollupItem, india_day_of, india_today
from peerlearn.store.keys import user_pk
from tests.analytics_support import fake_razorpay, tell_story
from tests.unit.sessions_support import person
from tests.unit.stream_support import Stream

METRICS = ["bookings", "gmv_paise"]


def a_booking_on(day: str, n: int, mentor: str, tag: str) -> None:
    fact = Fact(f"confirmed#b{day}{n}", day, {"bookings": 1, "gmv_paise": 100 * (n + 1)}, mentor_id=mentor)
    assert rollups.count(fact, [("all", "all"), ("mentor", mentor), ("tag", tag)]) == 1


@pytest.fixture
def a_year(ctx: Context) -> list[str]:
    """Bookings on days spread over 2025-12-30 .. 2026-12-02, by two mentors and tags."""
    days = ["2025-12-30", "2026-01-01", "2026-01-31", "2026-02-14", "2026-06-30", "2026-07-01", "2026-11-30"]
    days += ["2026-12-01", "2026-12-02"]
    for n, day in enumerate(days):
        a_booking_on(day, n, "m1" if n % 2 else "m2", "python" if n % 3 else "rust")
    return days


def by(dimension: str, start: str, end: str) -> reports.ReportOut:
    query = reports.ReportQuery(
        metrics=METRICS,
        dimension=dimension,
        from_date=date.fromisoformat(start),
        to_date=date.fromisoformat(end),
    )
    return reports.report(query)


def day_by_day(dimension: str, start: str, end: str) -> dict[str, dict[str, int]]:
    """What the daily items alone say: the old way of reading a value dimension."""
    summed: dict[str, dict[str, int]] = {}
    for item in RollupItem.query(f"ROLLUP#{dimension}", RollupItem.sk.between(f"{start}#", f"{end}#\uffff")):
        row = summed.setdefault(item.value, dict.fromkeys(METRICS, 0))
        for metric in METRICS:
            row[metric] += int(getattr(item, metric))
    return summed


def test_each_fact_moves_its_month_under_tag_and_mentor_once(a_year: list[str]) -> None:
    months = {(i.day, i.value): int(i.bookings) for i in RollupItem.query("ROLLUP#month#mentor")}
    assert months == {
        ("2025-12", "m2"): 1,
        ("2026-01", "m1"): 1,
        ("2026-01", "m2"): 1,
        ("2026-02", "m1"): 1,
        ("2026-06", "m2"): 1,
        ("2026-07", "m1"): 1,
        ("2026-11", "m2"): 1,
        ("2026-12", "m1"): 1,
        ("2026-12", "m2"): 1,
    }
    again = Fact("confirmed#b2026-01-011", "2026-01-01", {"bookings": 1, "gmv_paise": 200}, mentor_id="m1")
    assert rollups.count(again, [("all", "all"), ("mentor", "m1")]) == 0  # its marker: counted once
    assert not list(RollupItem.query("ROLLUP#month#all"))  # the platform's months are its days'


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-12-30", "2026-12-02"),  # days, eleven whole months, days
        ("2026-01-01", "2026-11-30"),  # whole months only
        ("2026-01-15", "2026-02-20"),  # no whole month: days only
        ("2026-06-30", "2026-07-01"),
        ("2025-12-31", "2026-12-01"),
    ],
)
@pytest.mark.parametrize("dimension", ["mentor", "tag"])
def test_a_long_report_by_value_equals_the_sum_of_its_days(
    a_year: list[str], dimension: str, start: str, end: str
) -> None:
    out = by(dimension, start, end)

    assert {row.key: row.values for row in out.rows} == day_by_day(dimension, start, end)
    assert out.totals == by("day", start, end).totals


def test_a_report_by_mentor_may_cover_a_year_now(ctx: Context) -> None:
    query = reports.parse_query(
        metrics="bookings", dimension="mentor", from_date="2026-01-01", to_date="2026-12-31"
    )
    assert (query.from_date, query.to_date) == (date(2026, 1, 1), date(2026, 12, 31))


def test_the_backfill_rebuilds_the_months_too(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a real story's rollups, as the stream kept them
    tell_story(ctx, fake_razorpay(monkeypatch))
    kept = backfill.snapshot()
    months = {key for key in kept if key[0].startswith("month#")}
    assert {dimension for dimension, _, _ in months} == {"month#mentor", "month#tag", "month#language"}
    for item in RollupItem.scan():
        item.delete()

    # When the rollups are rebuilt from the items
    backfill.backfill()

    # Then the months are back as the stream kept them
    assert backfill.snapshot() == kept


def test_someone_kept_signed_in_by_refresh_is_active_once_a_day_and_their_user_changes_skip_the_stream(
    ctx: Context,
) -> None:
    stream = Stream(ctx)
    learner = person()
    signed_in = accounts.sign_in_without_password(ctx, learner.user_id)
    stream.flush()
    filtered_before = stream.filtered_out

    with clock.shifted(86_400):  # the next day, still signed in: the app refreshes its token
        tomorrow = india_today()
        first = accounts.refresh(ctx, refresh_token=signed_in.refresh_token)
        accounts.refresh(ctx, refresh_token=first.refresh_token)
    stream.flush()

    marks = list(ActiveDayItem.query(user_pk(learner.user_id), ActiveDayItem.sk.startswith("ACTIVE#")))
    assert [m.day for m in marks] == [tomorrow]  # two refreshes, one mark
    day = RollupItem.get("ROLLUP#all", f"{tomorrow}#all")
    assert int(day.active_users) == 1
    assert stream.filtered_out > filtered_before  # the user item's MODIFY never reached the consumer
    last = accounts.get_user(learner.user_id).last_signed_in_at
    assert last is not None
    assert india_day_of(timeutil.epoch(last)) == tomorrow  # "inactive for N days" reads it


@pytest.mark.parametrize("term", ["asha.rao@example.com", "+91 98450 12345", "call 9845012345"])
def test_a_search_for_an_email_or_a_phone_number_is_counted_but_never_named(ctx: Context, term: str) -> None:
    from peerlearn.store import analytics as counters

    counters.count_search(term=term, found=False)

    today = india_today()
    out = reports.report(
        reports.parse_query(metrics="zero_result_searches", dimension="day", from_date=today, to_date=today)
    )
    assert out.totals == {"zero_result_searches": 1}
    assert out.zero_result_terms == []


def test_searches_and_views_are_counted_off_the_item_the_stream_transacts_on(ctx: Context) -> None:
    from peerlearn.store import analytics as counters

    today = india_today()
    a_booking_on(today, 0, "m1", "python")  # the stream's fact: the day's `all` item
    counters.count_search(term="python", found=True)
    counters.count_view()

    assert int(RollupItem.get("ROLLUP#all", f"{today}#all").searches) == 0
    assert int(RollupItem.get("ROLLUP#all", f"{today}#requests").searches) == 1
    out = by("day", today, today)
    assert out.totals == {"bookings": 1, "gmv_paise": 100}
    both = reports.report(
        reports.parse_query(
            metrics="bookings,searches,funnel_views", dimension="day", from_date=today, to_date=today
        )
    )
    assert [(row.key, row.values) for row in both.rows] == [
        (today, {"bookings": 1, "searches": 1, "funnel_views": 1})
    ]
