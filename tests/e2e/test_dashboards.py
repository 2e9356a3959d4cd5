"""The learner's and the mentor's dashboards in Chromium on the local stack: each opens their home
with a past (sessions attended, payments and a gift, reviews) and a future (a paid booking), and
every chart is drawn and every table has rows; the learner's also lists their latest notifications
and fits a phone's screen."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from infra.local.stack import LocalStack
from peerlearn import clock
from tests.dashboards_support import booking, days, payment, review, session
from tests.e2e.conftest import ZONE, Api, pay_by_api, sign_in
from tests.support import local_in

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Activity:
    mentor_email: str
    learner_email: str
    upcoming_title: str


@pytest.fixture
def activity(
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    wait_for: Callable[..., object],
) -> Activity:
    mentor_id, mentor_email = people("mentor", name="Meera Nair")
    learner_id, learner_email = people("learner")
    other_id, _ = people("learner")
    mentor, learner = api_as(mentor_email), api_as(learner_email)

    # The future, through the API: a paid session two days away, booked and paid for.
    title = f"Borrow checker clinic {uuid.uuid4().hex[:5]}"
    upcoming = mentor.call(
        "POST",
        "/api/sessions",
        {
            "title": title,
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
    pay_by_api(stack, learner, str(upcoming["id"]))

    # The past, written as the domain leaves it (the stack's clock stays where it is).
    now = clock.now_seconds()
    first = session(
        uuid.uuid4().hex[:12].upper(),
        days(-40, now=now),
        minutes=90,
        tags=("Rust", "Systems"),
        status="completed",
        mentor_id=mentor_id,
    )
    second = session(
        uuid.uuid4().hex[:12].upper(),
        days(-10, now=now),
        tags=("Rust",),
        status="completed",
        mentor_id=mentor_id,
    )
    for past in (first, second):
        booking(past, learner_id, status="completed")
        booking(past, other_id, status="completed")
    tag = uuid.uuid4().hex[:6]
    payment(f"pay_{tag}a", first, 59_900, days(-41, now=now), learner_id=learner_id)
    payment(f"pay_{tag}b", second, 49_900, days(-11, now=now), learner_id=learner_id)
    payment(f"pay_{tag}g", second, 10_000, days(-10, now=now), learner_id=learner_id, purpose="gift")
    review(first, learner_id, 5, days(-39, now=now))
    review(second, other_id, 4, days(-9, now=now))

    # The stream keeps the mentor's rating totals: wait for both reviews to count.
    def rated() -> bool:
        board = mentor.call("GET", "/api/mentor/dashboard")
        return bool(board["ratings"]["summary"]["rating_count"] >= 2)

    wait_for(rated, timeout=30, what="the stream to count both reviews")
    return Activity(mentor_email=mentor_email, learner_email=learner_email, upcoming_title=title)


def charts_drawn_and_tables_filled(page: Page, board: str, charts: list[str], tables: list[str]) -> None:
    root = page.get_by_test_id(board)
    expect(root).to_have_attribute("data-status", "ready")
    for chart in charts:
        expect(root.get_by_test_id(chart)).to_have_attribute("data-drawn", "true")
        expect(root.get_by_test_id(chart)).to_have_attribute("aria-label", re.compile(r"\S"))
    # Each chart's table opens from its "Show as a table" (keyboard: focus the summary, press Enter).
    for summary in root.locator("details > summary").all():
        summary.focus()
        summary.press("Enter")
    for table in tables:
        rows = root.get_by_test_id(table).locator("tbody tr")
        expect(rows.first).to_be_visible()
        assert rows.count() > 0, table
        expect(rows.first).not_to_have_text("")


def test_a_learner_sees_their_dashboard_with_every_chart_and_table_filled(
    page: Page, activity: Activity
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    sign_in(page, activity.learner_email)

    upcoming = page.get_by_test_id("home-upcoming")
    expect(upcoming).to_contain_text(activity.upcoming_title)
    expect(upcoming.get_by_test_id("home-join-later")).to_contain_text("Join opens in 2 days")
    charts_drawn_and_tables_filled(
        page,
        "learner-dashboard",
        charts=["dash-spending-chart", "dash-topics-chart"],
        tables=["dash-spending-table", "dash-topics-table", "dash-history-table", "dash-receipts-table"],
    )
    board = page.get_by_test_id("learner-dashboard")
    expect(board.get_by_test_id("dash-learned")).to_have_text("2.5 h")
    expect(board.get_by_test_id("dash-attended")).to_have_text("2")
    # ₹599 + ₹499 for the sessions attended, a ₹100 gift, ₹499 for the one paid for today.
    expect(board.get_by_test_id("dash-spent")).to_have_text("₹1,697")
    expect(board.get_by_test_id("dash-rating-given")).to_have_count(1)
    expect(board.get_by_test_id("dash-receipt-link").first).to_have_attribute(
        "href", re.compile(r"^/my/payments/.+/receipt$")
    )
    # The booking and payment just made reach the learner as notifications through the stream.
    notices = page.get_by_test_id("home-notifications")
    newest = notices.get_by_test_id("home-notification").first
    expect(newest).to_be_visible(timeout=30_000)
    # Unread, which a screen reader hears in the link's name too; the link leads into the site.
    expect(newest).to_have_attribute("data-read", "false")
    link = newest.get_by_role("link", name=re.compile(r"\(unread\)$"))
    expect(link).to_have_attribute("href", re.compile(r"^/"))
    see_all = notices.get_by_role("link", name="See all notifications")
    expect(see_all).to_have_attribute("href", "/notifications")
    # What was there stays: the picks for a learner.
    expect(page.get_by_test_id("home-for-you")).to_be_visible()
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the dashboard is wider than a phone's screen"


def test_a_mentor_sees_their_dashboard_with_every_chart_and_table_filled(
    page: Page, activity: Activity
) -> None:
    sign_in(page, activity.mentor_email)

    upcoming = page.get_by_test_id("home-upcoming")
    expect(upcoming).to_contain_text(activity.upcoming_title)
    expect(upcoming.get_by_test_id("home-upcoming-seats")).to_contain_text("1 of 3 booked")
    charts_drawn_and_tables_filled(
        page,
        "mentor-dashboard",
        charts=["dash-earnings-chart", "dash-ratings-chart", "dash-trend-chart"],
        tables=["dash-earnings-table", "dash-ratings-table", "dash-trend-table"],
    )
    board = page.get_by_test_id("mentor-dashboard")
    expect(board.get_by_test_id("dash-review")).to_have_count(2)
    expect(board.get_by_test_id("dash-fill-rate")).to_have_text("50%")  # 4 of 8 seats
    expect(board.get_by_test_id("dash-repeat")).to_have_text("2")
    # What was there stays: what learners want.
    expect(page.get_by_test_id("home-demand")).to_be_visible()
