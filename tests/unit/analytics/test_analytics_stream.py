"""The rollups the stream keeps from a real story (sign-ups, two paid bookings, a cancellation refunded
through Razorpay's webhook): each figure, equal to the ledger's; a replay counts nothing twice; the
backfill rebuilds exactly what the stream kept; the reports (JSON and CSV) and today's figures."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from types import ModuleType
from typing import Any

import pytest

from peerlearn import ledger
from peerlearn.accounts import service as accounts
from peerlearn.analytics import backfill, reports
from peerlearn.context import Context
from peerlearn.errors import BadRequest
from peerlearn.ledger.accounts import GATEWAY_CLEARING, PLATFORM_FEE
from peerlearn.store.analytics import RollupItem, india_today
from tests.analytics_support import PRICE, Story, fake_razorpay, tell_story, totals
from tests.payments_support import FakeRazorpay
from tests.support import LambdaContextStub, load_function, rest_event
from tests.unit.sessions_support import person, publish


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    return fake_razorpay(monkeypatch)


@pytest.fixture
def story(ctx: Context, fake: FakeRazorpay) -> Story:
    return tell_story(ctx, fake)


def test_the_stream_keeps_every_figure_and_money_equals_the_ledger(story: Story) -> None:
    kept = totals()
    assert kept["gmv_paise"] == 2 * PRICE == -ledger.balance(GATEWAY_CLEARING) + PRICE
    assert kept["refunds_paise"] == PRICE
    assert kept["platform_revenue_paise"] == ledger.balance(PLATFORM_FEE) > 0
    assert (kept["bookings"], kept["funnel_payments"], kept["funnel_bookings"]) == (2, 2, 2)
    assert kept["cancellations"] == 1
    assert kept["signups"] == 3
    assert kept["active_users"] == 3  # each signed up today
    assert kept["gifts_paise"] == 0


def test_the_same_figures_by_tag_mentor_and_language(story: Story) -> None:
    by_value: dict[tuple[str, str], dict[str, int]] = {}
    for dimension in ("tag", "mentor", "language"):
        for item in RollupItem.query(f"ROLLUP#{dimension}"):
            key = (dimension, item.value)
            row = by_value.setdefault(key, {})
            for metric, count in item.counters().items():
                row[metric] = row.get(metric, 0) + count
    assert set(by_value) == {
        ("tag", "python"),
        ("tag", "code review"),
        ("mentor", story.mentor_id),
        ("language", "english"),
    }
    for row in by_value.values():
        assert (row["bookings"], row["cancellations"], row["gmv_paise"], row["refunds_paise"]) == (
            2,
            1,
            2 * PRICE,
            PRICE,
        )
        assert row["signups"] == 0  # a sign-up has no tag, mentor or language


def test_a_replayed_stream_changes_no_rollup(story: Story) -> None:
    before = backfill.snapshot()
    story.stream.replay()
    story.stream.replay()
    assert backfill.snapshot() == before


def test_the_backfill_rebuilds_exactly_what_the_stream_kept(story: Story) -> None:
    kept = backfill.snapshot()
    for item in RollupItem.scan():  # rollups lost (or wrong): the backfill starts from the items
        item.delete()
    assert backfill.snapshot() == {}

    report = backfill.backfill()

    assert backfill.snapshot() == kept
    assert report.rollups_written == len(kept)
    backfill.backfill()  # run again: nothing changes
    assert backfill.snapshot() == kept
    story.stream.replay()  # and the stream after a backfill counts nothing again
    assert backfill.snapshot() == kept


def test_the_backfill_function_runs_the_backfill_on_demand(story: Story) -> None:
    kept = backfill.snapshot()
    for item in RollupItem.scan():
        item.delete()

    report = load_function("backfill").lambda_handler({}, LambdaContextStub())

    assert report["rollups_written"] == len(kept)
    assert backfill.snapshot() == kept


def test_the_backfill_removes_counters_no_fact_supports_and_keeps_what_routes_counted(story: Story) -> None:
    kept = backfill.snapshot()
    day = india_today()
    wrong = RollupItem("ROLLUP#all", f"{day}#all")
    wrong.update(actions=[RollupItem.bookings.add(5), RollupItem.searches.add(3)])
    RollupItem(
        "ROLLUP#tag", "2020-01-01#stale", dimension="tag", day="2020-01-01", value="stale", bookings=1
    ).save()

    backfill.backfill()

    after = backfill.snapshot()
    assert after[("all", day, "all")]["searches"] == 3  # a GET's count: kept as it was
    del after[("all", day, "all")]["searches"]
    assert after == kept


def test_a_report_by_day_and_by_tag_and_its_csv_totals_equal_the_ledgers(story: Story) -> None:
    today = date.fromisoformat(india_today())
    metrics = "gmv_paise,refunds_paise,platform_revenue_paise,bookings"
    span = {
        "from_date": (today - timedelta(days=1)).isoformat(),
        "to_date": (today + timedelta(days=7)).isoformat(),
    }
    by_day = reports.report(reports.parse_query(metrics=metrics, dimension="day", **span))
    by_tag = reports.report(reports.parse_query(metrics=metrics, dimension="tag", **span))
    by_month = reports.report(reports.parse_query(metrics=metrics, dimension="month", **span))

    ledger_figures = {
        "gmv_paise": 2 * PRICE,
        "refunds_paise": PRICE,
        "platform_revenue_paise": ledger.balance(PLATFORM_FEE),
        "bookings": 2,
    }
    assert by_day.totals == by_tag.totals == by_month.totals == ledger_figures
    assert [row.key for row in by_tag.rows] == ["code review", "python"]
    assert sum(row.values["gmv_paise"] for row in by_day.rows) == 2 * PRICE
    lines = list(csv.reader(io.StringIO(reports.to_csv(by_tag))))
    assert lines[0] == ["tag", "gmv_paise", "refunds_paise", "platform_revenue_paise", "bookings"]
    assert lines[-1] == ["total", *(str(ledger_figures[m]) for m in metrics.split(","))]


def test_a_range_without_activity_reports_zeros(story: Story) -> None:
    out = reports.report(
        reports.parse_query(
            metrics="bookings", dimension="week", from_date="2020-01-01", to_date="2020-03-01"
        )
    )
    assert (out.rows, out.totals) == ([], {"bookings": 0})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"metrics": "gmv_paise,password"}, "metrics"),
        ({"metrics": ""}, "metrics"),
        ({"dimension": "country"}, "dimension"),
        ({"from_date": "2026-13-01"}, "from"),
        ({"to_date": "2025-01-01"}, "to"),
        ({"to_date": "2028-01-01"}, "to"),
    ],
)
def test_bad_report_inputs_are_refused_naming_the_field(fields: dict[str, str], field: str) -> None:
    query = {
        "metrics": "bookings",
        "dimension": "day",
        "from_date": "2026-01-01",
        "to_date": "2026-01-31",
        **fields,
    }
    with pytest.raises(BadRequest) as refused:
        reports.parse_query(**query)
    assert refused.value.field == field


# ---------------------------------------------------------------- the API
def admin_get(fn: ModuleType, path: str, user_id: str, role: str, query: dict[str, str] | None = None) -> Any:
    event = rest_event("GET", path, identity={"user_id": user_id, "role": role})
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} or None
    return fn.lambda_handler(event, LambdaContextStub())


def test_admins_get_reports_as_json_and_csv_and_todays_figures(story: Story) -> None:
    fn = load_function("admin")
    admin_id = accounts.create_admin(email="root@example.com", name="Root", password="admin-password-99")
    story.stream.flush()
    today = india_today()
    query = {"metrics": "gmv_paise,bookings", "dimension": "mentor", "from": today, "to": today}

    as_json = admin_get(fn, "/api/admin/reports", admin_id, "admin", query)
    as_csv = admin_get(fn, "/api/admin/reports", admin_id, "admin", {**query, "format": "csv"})
    today_reply = admin_get(fn, "/api/admin/stats/today", admin_id, "admin")

    assert as_json["statusCode"] == 200, as_json
    body = json.loads(as_json["body"])
    assert body["rows"] == [{"key": story.mentor_id, "values": {"gmv_paise": 2 * PRICE, "bookings": 2}}]
    assert body["totals"] == {"gmv_paise": 2 * PRICE, "bookings": 2}
    assert as_csv["statusCode"] == 200
    headers = {
        **(as_csv.get("headers") or {}),
        **{k: v[-1] for k, v in (as_csv.get("multiValueHeaders") or {}).items()},
    }
    assert headers["Content-Type"].startswith("text/csv")
    assert headers["Content-Disposition"].startswith("attachment; filename=")
    assert list(csv.reader(io.StringIO(as_csv["body"])))[-1] == ["total", str(2 * PRICE), "2"]
    figures = json.loads(today_reply["body"])
    assert (figures["day"], figures["bookings"], figures["active_users"]) == (today, 2, 4)  # + the admin
    assert figures["gmv_paise"] == 2 * PRICE


@pytest.mark.parametrize("role", ["learner", "mentor"])
@pytest.mark.parametrize("path", ["/api/admin/reports", "/api/admin/stats/today"])
def test_learners_and_mentors_get_403_from_the_report_routes(ctx: Context, role: str, path: str) -> None:
    fn = load_function("admin")
    query = {"metrics": "bookings", "dimension": "day", "from": "2026-01-01", "to": "2026-01-02"}
    reply = admin_get(fn, path, "someone", role, query)
    assert reply["statusCode"] == 403
    assert json.loads(reply["body"])["error"]["code"] == "forbidden"


def test_a_bad_metric_through_the_api_is_a_400_naming_the_field(ctx: Context) -> None:
    fn = load_function("admin")
    query = {"metrics": "bookings,nope", "dimension": "day", "from": "2026-01-01", "to": "2026-01-02"}
    reply = admin_get(fn, "/api/admin/reports", "root", "admin", query)
    assert reply["statusCode"] == 400
    assert json.loads(reply["body"])["error"]["field"] == "metrics"


# ---------------------------------------------------------------- searches (GETs, counted by the route)
def test_searches_are_counted_and_zero_result_terms_kept_bounded(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peerlearn.catalog import discovery
    from peerlearn.catalog.schemas import DiscoveryQuery
    from peerlearn.store import analytics as counters

    monkeypatch.setattr(counters, "MAX_TERMS_PER_DAY", 2)
    publish(ctx, person("mentor"), tags=["Python"])
    discovery.discover(ctx, DiscoveryQuery(q="python"))  # found
    discovery.discover(ctx, DiscoveryQuery(q="Rust  Lang"))
    discovery.discover(ctx, DiscoveryQuery(q="rust lang"))
    discovery.discover(ctx, DiscoveryQuery(q="haskell"))
    discovery.discover(ctx, DiscoveryQuery(q="cobol"))  # a third distinct term: counted, not named
    discovery.discover(ctx, DiscoveryQuery())  # browsing, not a search

    today = india_today()
    out = reports.report(
        reports.parse_query(
            metrics="searches,zero_result_searches", dimension="day", from_date=today, to_date=today
        )
    )
    assert out.totals == {"searches": 5, "zero_result_searches": 4}
    assert [(t.term, t.searches) for t in out.zero_result_terms] == [("rust lang", 2), ("haskell", 1)]
