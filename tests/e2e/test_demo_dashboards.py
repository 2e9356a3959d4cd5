"""`make dev`'s demo data in Chromium: a stack of this module's own is seeded as `make dev` seeds it
(the community, its paid past sessions, then a recommendations build), and a demo learner, a demo
mentor and the demo admin each open their dashboard: every chart is drawn, every table and list has
rows, no section shows its empty state, and the money (the admin's revenue, the seed's gifts) is
not zero."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from infra.local.seed import DEMO_PASSWORD, seed_stack
from infra.local.stack import LocalStack
from tests.e2e.conftest import admin_page, sign_in
from tests.e2e.test_dashboards import charts_drawn_and_tables_filled
from tests.support import stack_for, wait_until

pytestmark = pytest.mark.e2e

LEARNER = "asha@peerlearn.example"  # sessions attended (one paid, with a gift) and rated; one ahead
MENTOR = "vikram@peerlearn.example"  # three paid past sessions, reviews; paid sessions ahead
ADMIN = "admin@peerlearn.example"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """This module's stack in place of the session's (conftest's `context` and `page` open it): the
    seed writes accounts and sessions with fixed names, which the other modules' stack must not hold.
    Seeded, and its model built, as `make dev` does; then its stream has counted everything."""
    if not (Path(__file__).resolve().parents[2] / "web" / "dist" / "admin" / "index.html").exists():
        pytest.fail("web/dist is missing the app or the admin site: build the web app first (make web)")
    with stack_for(dynamodb_endpoint, tmp_path_factory.mktemp("demo"), "demo") as running:
        started = time.monotonic()
        seed_stack(running, community=True)
        running.run_schedule("RecommendBuildFunction")
        running.await_idle(timeout=60)
        _rollups_caught_up(running)
        print(f"\nthe demo stack was seeded and settled in {time.monotonic() - started:.1f} s")
        yield running


def _rollups_caught_up(stack: LocalStack) -> None:
    """Waits until the admin's reports (rollups the stream keeps) hold every capture in the journal:
    the seed's payments all fall in the last two months, inside one report's 92 days."""
    from peerlearn.assistant import periods
    from peerlearn.ledger.accounts import GATEWAY_CLEARING
    from peerlearn.ledger.journal import all_entries

    today = datetime.now(periods.INDIA).date()
    query = f"metrics=gmv_paise&dimension=day&from={today - timedelta(days=91)}&to={today}"
    with httpx.Client(base_url=stack.url, timeout=30) as api:
        token = api.post("/api/auth/login", json={"email": ADMIN, "password": DEMO_PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}

        def counted() -> bool:
            gmv = sum(
                line.debit_paise
                for entry in all_entries()
                if entry.kind in ("booking_capture", "gift_capture")
                for line in entry.lines
                if line.account == GATEWAY_CLEARING
            )
            totals = api.get(f"/api/admin/reports?{query}", headers=headers).json()["totals"]
            return bool(gmv > 0 and totals["gmv_paise"] == gmv)

        wait_until(counted, timeout=60, interval=0.5, what="the rollups to count the seed's payments")


def _no_empty_states(page: Page) -> None:
    for empty in page.locator("[data-testid$='-empty']").all():
        expect(empty).to_be_hidden()


def paise_of(text: str) -> int:
    """₹1,23,456.50 (as the page writes money) -> 12345650."""
    return round(float(re.sub(r"[^\d.\-]", "", text)) * 100)


def test_a_demo_learner_sees_every_chart_and_table_of_their_dashboard_filled(page: Page) -> None:
    sign_in(page, LEARNER, DEMO_PASSWORD)

    expect(page.get_by_test_id("home-upcoming-item").first).to_be_visible()
    charts_drawn_and_tables_filled(
        page,
        "learner-dashboard",
        charts=["dash-spending-chart", "dash-topics-chart"],
        tables=["dash-spending-table", "dash-topics-table", "dash-history-table", "dash-receipts-table"],
    )
    board = page.get_by_test_id("learner-dashboard")
    assert paise_of(board.get_by_test_id("dash-spent").inner_text()) > 0
    expect(board.get_by_test_id("dash-spending")).to_contain_text(re.compile(r"₹[1-9][\d,]* on gifts"))
    expect(board.get_by_test_id("dash-rating-given").first).to_be_visible()
    for picks in ("home-for-you", "home-trending", "home-mentors"):
        expect(page.get_by_test_id(f"{picks}-list")).to_be_visible()
    _no_empty_states(page)


def test_a_demo_mentor_sees_every_chart_and_table_of_their_dashboard_filled(page: Page) -> None:
    sign_in(page, MENTOR, DEMO_PASSWORD)

    expect(page.get_by_test_id("home-upcoming-item").first).to_be_visible()
    charts_drawn_and_tables_filled(
        page,
        "mentor-dashboard",
        charts=["dash-earnings-chart", "dash-ratings-chart", "dash-trend-chart"],
        tables=["dash-earnings-table", "dash-ratings-table", "dash-trend-table"],
    )
    board = page.get_by_test_id("mentor-dashboard")
    expect(board.get_by_test_id("dash-review").first).to_be_visible()
    earned = paise_of(board.get_by_test_id("dash-pending").inner_text()) + paise_of(
        board.get_by_test_id("dash-available").inner_text()
    )
    assert earned > 0
    expect(page.get_by_test_id("home-demand-item").first).to_be_visible()
    _no_empty_states(page)


def test_the_demo_admin_sees_the_overview_and_revenue_filled(page: Page) -> None:
    admin_page(page, ADMIN, "/admin/", DEMO_PASSWORD)

    tiles = page.get_by_test_id("overview-tiles").locator("[data-testid^='stat-'][data-testid$='-value']")
    expect(tiles.first).to_be_visible(timeout=20_000)
    assert tiles.count() >= 4
    for tile in tiles.all():
        expect(tile).to_have_text(re.compile(r"\d"))
    for chart in ("overview-bookings-chart", "overview-revenue-chart"):
        expect(page.get_by_test_id(chart)).to_have_attribute("data-drawn", "true")
    page.get_by_text("Show as a table").click()
    expect(page.get_by_test_id("overview-trend-table").locator("tbody tr")).to_have_count(30)
    assert paise_of(page.get_by_test_id("overview-gmv-total").inner_text()) > 0
    assert paise_of(page.get_by_test_id("overview-revenue-total").inner_text()) > 0
    assert int(re.sub(r"\D", "", page.get_by_test_id("overview-bookings-total").inner_text())) > 0

    page.goto("/admin/money?tab=revenue")
    expect(page.get_by_test_id("money-revenue-report")).to_be_visible(timeout=30_000)
    for figure in (
        "money-balance-fees",
        "money-total-gmv_paise",
        "money-total-platform_revenue_paise",
        "money-total-gifts_paise",
    ):
        assert int(page.get_by_test_id(figure).get_attribute("data-paise") or 0) > 0, figure
    expect(page.get_by_test_id("money-revenue-chart")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_test_id("money-revenue-row").first).to_be_visible()
    _no_empty_states(page)
