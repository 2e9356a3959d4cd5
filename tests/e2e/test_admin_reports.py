"""The admin site's overview, reports and assistant in Chromium on the local stack: the overview's
live tiles move over the WebSocket when a booking is paid, and its charts and table have content;
a revenue report downloaded as CSV has the ledger's totals; the assistant, asked "how much revenue
did we make last week?", streams an answer whose figure is the ledger's for last week."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from infra.local.stack import LocalStack
from peerlearn import clock
from peerlearn.accounts import service as accounts
from peerlearn.analytics.facts import india_day
from peerlearn.assistant import periods
from peerlearn.assistant.figures import rupees
from peerlearn.bookings import seats
from peerlearn.bookings.seats import Booker
from peerlearn.catalog import publishing
from peerlearn.catalog.schemas import SessionCreate
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.ledger.accounts import GATEWAY_CLEARING, PLATFORM_FEE
from peerlearn.ledger.journal import all_entries
from peerlearn.payments import gateway, orders
from peerlearn.payments.schemas import BookingOrderRequest, BookingVerifyRequest
from tests.e2e.conftest import PASSWORD, ZONE, Api, admin_page, pay_by_api
from tests.payments_support import FakeRazorpay
from tests.support import local_in

pytestmark = pytest.mark.e2e

PRICE = 64_900
CAPTURES = ("booking_capture", "gift_capture")


@pytest.fixture
def ctx(stack: LocalStack) -> Context:
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def admin_email(ctx: Context) -> str:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    accounts.create_admin(email=email, name="Asha Admin", password=PASSWORD)
    return email


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda _ctx: stub)
    return stub


def someone(role: str = "learner") -> Booker:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    extra = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
    name = f"{role.title()} {email[:10]}"
    user_id = accounts.create_account(
        name=name, email=email, password=PASSWORD, role=role, verified=True, **extra
    )
    return Booker(user_id=user_id, name=name, role=role, email_verified=True)


def paid_at(ctx: Context, fake: FakeRazorpay, moment: datetime) -> None:
    """A booking paid at `moment` (this process's clock moved there), written to the stack's table:
    its journal entries carry that time, and the stack's stream counts them on that India day."""
    with clock.shifted(int(moment.timestamp()) - clock.now_seconds()):
        mentor, learner = someone("mentor"), someone()
        request = SessionCreate(
            title="Interview practice: system design",
            description="One hour, one problem.",
            tags=["System design"],
            level="advanced",
            language="English",
            starts_at_local=local_in(48 * 60),
            timezone=ZONE,
            duration_minutes=60,
            capacity=1,
            price_paise=PRICE,
        )
        session = publishing.create_session(
            ctx, mentor_id=mentor.user_id, request=request, client="192.0.2.9"
        )
        seats.book(booker=learner, session_id=session.id, client="192.0.2.9")
        order = orders.create_booking_order(
            ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session.id)
        )
        paid = fake.pay(order.order_id)
        verify = BookingVerifyRequest(session_id=session.id, **paid)
        assert orders.verify_booking(ctx, learner_id=learner.user_id, request=verify).status == "confirmed"


def ledger_figures(first: date, last: date) -> dict[str, int]:
    """The ledger's own figures for India's days first..last: a Scan of the journal (the test's only)."""
    revenue = gmv = 0
    for entry in all_entries():
        if entry.at is None or not first.isoformat() <= india_day(entry.at) <= last.isoformat():
            continue
        revenue += entry.net_paise().get(PLATFORM_FEE, 0)
        if entry.kind in CAPTURES:
            gmv += sum(line.debit_paise for line in entry.lines if line.account == GATEWAY_CLEARING)
    return {"platform_revenue_paise": revenue, "gmv_paise": gmv}


def report_totals(admin: Api, first: date, last: date) -> dict[str, int]:
    query = f"metrics=gmv_paise,platform_revenue_paise&dimension=day&from={first}&to={last}"
    return dict(admin.call("GET", f"/api/admin/reports?{query}")["totals"])


def rollups_caught_up(admin: Api, first: date, last: date, wait_for: Callable[..., Any]) -> dict[str, int]:
    """Waits until the stack's stream has counted every journal entry of the range (it runs apart from
    the test); returns the ledger's figures then."""

    def equal() -> dict[str, int] | None:
        expected = ledger_figures(first, last)
        return expected if report_totals(admin, first, last) == expected else None

    return wait_for(equal, timeout=60, interval=0.5, what="the rollups to count the ledger's entries")  # type: ignore[no-any-return]


def paise_of(text: str) -> int:
    """₹1,23,456.50 (as the page writes money) -> 12345650."""
    digits = re.sub(r"[^\d.\-]", "", text)
    return round(float(digits) * 100)


# ---------------------------------------------------------------- the overview
def test_the_overview_moves_live_when_a_booking_is_paid_and_its_charts_have_content(
    stack: LocalStack,
    page: Page,
    admin_email: str,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    fake: FakeRazorpay,
    ctx: Context,
    wait_for: Any,
) -> None:
    # Given some money in the last 30 days, counted by the stack's stream
    paid_at(ctx, fake, datetime.now(UTC) - timedelta(days=3))
    today = datetime.now(periods.INDIA).date()
    rollups_caught_up(api_as(admin_email), today - timedelta(days=29), today, wait_for)
    admin_page(page, admin_email, "/admin/")
    bookings = page.get_by_test_id("stat-bookings-today-value")
    expect(page.get_by_test_id("overview-live-state")).to_have_text(re.compile(r"^Live"), timeout=20_000)
    expect(bookings).to_have_text(re.compile(r"^\d[\d,]*$"))
    before = int(bookings.inner_text().replace(",", ""))
    expect(page.get_by_test_id("stat-active-now-value")).not_to_have_text("0")  # this admin, at least

    # Every chart is drawn and the table has the 30 days
    for chart in ("overview-bookings-chart", "overview-revenue-chart"):
        expect(page.get_by_test_id(chart)).to_have_attribute("data-drawn", "true")
    page.get_by_text("Show as a table").click()
    expect(page.get_by_test_id("overview-trend-table").locator("tbody tr")).to_have_count(30)
    assert paise_of(page.get_by_test_id("overview-gmv-total").inner_text()) > 0

    # When a learner books and pays (through the stack, as the browser would)
    _, mentor_email = people("mentor")
    _, learner_email = people("learner")
    mentor, learner = api_as(mentor_email), api_as(learner_email)
    session = mentor.call(
        "POST",
        "/api/sessions",
        {
            "title": f"Rust ownership clinic {uuid.uuid4().hex[:5]}",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_in(2 * 24 * 60, ZONE),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 3,
            "price_paise": 49_900,
            "early_join_minutes": 10,
        },
    )
    pay_by_api(stack, learner, str(session["id"]))

    # Then the tile moves without a reload (the stream's push over the admin's channel)
    expect(bookings).not_to_have_text(str(before), timeout=30_000)
    assert int(bookings.inner_text().replace(",", "")) > before


# ---------------------------------------------------------------- reports
def test_a_revenue_report_downloaded_as_csv_has_the_ledgers_totals(
    page: Page,
    admin_email: str,
    api_as: Callable[[str], Api],
    fake: FakeRazorpay,
    ctx: Context,
    wait_for: Any,
) -> None:
    # Given payments over the last days (and whatever earlier tests paid)
    today = datetime.now(periods.INDIA).date()
    first = today - timedelta(days=29)
    for days_ago in (1, 6):
        paid_at(ctx, fake, datetime.now(UTC) - timedelta(days=days_ago))
    admin = api_as(admin_email)
    expected = rollups_caught_up(admin, first, today, wait_for)
    assert expected["gmv_paise"] >= 2 * PRICE

    # When the admin asks for revenue by day over the last 30 days and downloads it
    admin_page(page, admin_email, "/admin/reports")
    for metric in ("bookings", "gmv_paise", "platform_revenue_paise", "refunds_paise"):
        box = page.get_by_test_id(f"report-metric-{metric}")
        box.set_checked(metric != "bookings")
    page.get_by_test_id("report-dimension").select_option("day")
    page.get_by_test_id("report-from").fill(first.isoformat())
    page.get_by_test_id("report-to").fill(today.isoformat())
    page.get_by_test_id("report-show").click()
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_test_id("report-row").first).to_be_visible()
    shown = paise_of(page.get_by_test_id("report-total-platform_revenue_paise").inner_text())
    with page.expect_download() as download:
        page.get_by_test_id("report-csv").click()

    # Then the file's total line is the ledger's, and so is the table's
    assert download.value.suggested_filename == f"peerlearn-day-{first}-{today}.csv"
    lines = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert lines[0] == ["day", "gmv_paise", "platform_revenue_paise", "refunds_paise"]
    total = dict(zip(lines[0][1:], (int(v) for v in lines[-1][1:]), strict=True))
    assert lines[-1][0] == "total"
    assert total["gmv_paise"] == expected["gmv_paise"]
    assert total["platform_revenue_paise"] == expected["platform_revenue_paise"]
    assert sum(int(row[2]) for row in lines[1:-1]) == expected["platform_revenue_paise"]
    assert shown == expected["platform_revenue_paise"]


def test_the_report_form_refuses_a_range_the_api_would(page: Page, admin_email: str) -> None:
    admin_page(page, admin_email, "/admin/reports")
    page.get_by_test_id("report-dimension").select_option("mentor")
    page.get_by_test_id("report-from").fill("2025-01-01")
    page.get_by_test_id("report-to").fill("2026-11-30")
    page.get_by_test_id("report-show").click()
    expect(page.get_by_test_id("report-problem")).to_contain_text("at most 400 days")


# ---------------------------------------------------------------- the assistant
def test_the_assistant_streams_last_weeks_revenue_and_it_is_the_ledgers(
    page: Page,
    admin_email: str,
    api_as: Callable[[str], Api],
    fake: FakeRazorpay,
    ctx: Context,
    wait_for: Any,
) -> None:
    # Given a booking paid last Tuesday at noon in India
    last_week = periods.named("last_week")
    tuesday = datetime.combine(last_week.first + timedelta(days=1), time(12), tzinfo=periods.INDIA)
    paid_at(ctx, fake, tuesday.astimezone(UTC))
    expected = rollups_caught_up(api_as(admin_email), last_week.first, last_week.last, wait_for)
    assert expected["platform_revenue_paise"] > 0

    # When the admin asks
    admin_page(page, admin_email, "/admin/assistant")
    expect(page.get_by_test_id("assistant-live")).to_have_text(
        "Answers stream as they are written.", timeout=20_000
    )
    page.get_by_test_id("assistant-input").fill("How much revenue did we make last week?")
    page.get_by_test_id("assistant-send").click()

    # Then the answer streams in, settles, names its tool, and its figure is the ledger's
    answer = page.get_by_test_id("assistant-answer").last
    expect(answer).to_have_attribute("data-streaming", "false", timeout=30_000)
    assert int(answer.get_attribute("data-parts") or 0) >= 1  # pieces came over the socket first
    expect(answer.get_by_test_id("assistant-answer-text")).to_contain_text(
        rupees(expected["platform_revenue_paise"])
    )
    expect(answer.get_by_test_id("assistant-tools")).to_have_text("Tools used: money_between")
    figure = answer.get_by_test_id("assistant-figure-money_between.platform_revenue_paise")
    assert paise_of(figure.inner_text()) == expected["platform_revenue_paise"]


# ---------------------------------------------------------------- a phone's screen
def test_the_overview_reports_and_assistant_fit_a_phone(page: Page, admin_email: str) -> None:
    admin_page(page, admin_email, "/admin/")
    page.set_viewport_size({"width": 360, "height": 740})
    for path, heading, ready in (
        ("/admin/", "Overview", "overview-tiles"),
        ("/admin/reports", "Reports", "report-form"),
        ("/admin/assistant", "Assistant", "assistant-input"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.get_by_test_id(ready)).to_be_visible(timeout=30_000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide on a 360 px screen"
