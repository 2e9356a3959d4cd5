"""What a first-time user found in the web app (issue 6, section 2), each checked in a real browser:
no refresh call when signed out, local times and an honest Start button, rupees in Discover,
a first sign-in that says Welcome, where an admin lands, and the pages a signed-in person sees."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.e2e.conftest import ZONE, Api, sign_in
from tests.support import local_in

pytestmark = pytest.mark.e2e


def a_session(mentor: Api, *, minutes_ahead: float, **fields: object) -> dict[str, object]:
    body = {
        "title": f"Ownership clinic {uuid.uuid4().hex[:5]}",
        "tags": ["Rust"],
        "level": "beginner",
        "starts_at_local": local_in(minutes_ahead, ZONE),
        "timezone": ZONE,
        "duration_minutes": 60,
        "capacity": 3,
        "price_paise": 0,
        "early_join_minutes": 10,
        **fields,
    }
    session: dict[str, object] = mentor.call("POST", "/api/sessions", body)
    return session


def a_booked_session(
    people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api], *, days_ahead: int
) -> tuple[dict[str, object], str, Api]:
    """A new mentor's free session `days_ahead` away, booked by a new learner: (session, email, api)."""
    _, mentor_email = people("mentor")
    session = a_session(api_as(mentor_email), minutes_ahead=days_ahead * 24 * 60)
    _, email = people("learner")
    learner = api_as(email)
    learner.call("POST", f"/api/sessions/{session['id']}/book", {})
    return session, email, learner


def test_a_signed_out_visit_makes_no_refresh_call_and_logs_no_error(page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    refreshes: list[str] = []
    page.on(
        "request",
        lambda request: refreshes.append(request.url) if "/api/auth/refresh" in request.url else None,
    )

    page.goto("/discover")
    expect(page.get_by_test_id("discover-count")).to_have_attribute("data-status", "ready")
    page.goto("/login")
    expect(page.get_by_test_id("login-form")).to_be_visible()

    assert refreshes == []
    assert errors == []
    expect(page.get_by_test_id("app-loading")).to_have_count(0)


def test_start_waits_until_the_session_can_start_and_says_when_in_local_time(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _, email = people("mentor")
    session = a_session(api_as(email), minutes_ahead=2 * 24 * 60 + 30)

    sign_in(page, email)
    page.goto("/my/sessions")
    item = page.get_by_test_id("my-session-item").filter(has_text=str(session["title"]))
    expect(item.get_by_test_id("my-session-start")).to_be_disabled()
    hint = item.get_by_test_id("my-session-start-hint")
    expect(hint).to_contain_text("You can start at")
    expect(hint).to_contain_text("IST")
    expect(hint).to_contain_text("in 2 days")
    expect(hint).not_to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}T"))


def test_a_session_that_can_start_has_start_enabled(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _, email = people("mentor")
    session = a_session(api_as(email), minutes_ahead=12, early_join_minutes=30)

    sign_in(page, email)
    page.goto("/my/sessions")
    item = page.get_by_test_id("my-session-item").filter(has_text=str(session["title"]))
    expect(item.get_by_test_id("my-session-start")).to_be_enabled()


def test_discover_urls_and_inputs_speak_rupees(page: Page) -> None:
    page.goto("/discover")
    page.get_by_test_id("discover-filter-min-price").fill("400")
    with page.expect_request(re.compile(r"/api/sessions\?")) as sent:
        page.get_by_test_id("discover-apply").click()
    expect(page).to_have_url(re.compile(r"min_price=400(&|$)"))
    assert "min_price=40000" in sent.value.url

    page.goto("/discover?max_price=499.5")
    expect(page.get_by_test_id("discover-filter-max-price")).to_have_value("499.5")
    expect(page.get_by_test_id("discover-chips")).to_contain_text("Up to ₹499.50")


@pytest.mark.parametrize("query", ["level=expert", "min_price=abc", "from=tomorrow", "sort=cheapest"])
def test_an_invalid_filter_in_the_url_gets_a_friendly_message(page: Page, query: str) -> None:
    page.goto(f"/discover?{query}")
    notice = page.get_by_test_id("discover-url-problem")
    expect(notice).to_be_visible()
    expect(notice).not_to_contain_text(re.compile("validation|literal_error|Input should", re.I))
    expect(page.get_by_test_id("discover-count")).to_have_attribute("data-status", "ready")


def test_a_price_with_more_than_two_decimals_is_refused_not_rounded(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    _, email = people("mentor")
    sign_in(page, email)
    expect(page.get_by_test_id("home-welcome")).to_be_visible()
    page.goto("/my/sessions/new")
    page.get_by_test_id("session-form-price").fill("499.999")
    page.get_by_test_id("session-form-submit").click()
    expect(page.get_by_test_id("session-form-price-error")).to_contain_text("paise")
    expect(page.get_by_test_id("session-form-price")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/my/sessions/new$"))


def test_a_first_sign_in_says_welcome_and_the_next_says_welcome_back(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    _, email = people("learner", name="Asha Rao")
    sign_in(page, email)
    expect(page.get_by_test_id("toast").first).to_have_text(re.compile(r"^\s*Welcome to PeerLearn, Asha"))
    page.get_by_test_id("nav-signout").click()
    # Signing out finishes with the sign-in form; loading /login before that finds a live session.
    expect(page.get_by_test_id("login-form")).to_be_visible()
    sign_in(page, email)
    expect(page.get_by_test_id("toast").filter(has_text="Welcome back, Asha")).to_be_visible()


def test_an_admin_lands_on_the_users_page_and_is_never_offered_a_booking(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _, mentor_email = people("mentor")
    session = a_session(api_as(mentor_email), minutes_ahead=3 * 24 * 60)
    _, email = people("admin")

    sign_in(page, email)
    expect(page).to_have_url(re.compile(r"/admin/users$"))  # the admin site (tests/e2e/test_admin_site.py)
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_test_id("admin-site")).to_be_visible()
    expect(page.get_by_test_id("home-next-steps")).to_have_count(0)

    page.goto(f"/sessions/{session['id']}")
    expect(page.get_by_test_id("session-title")).to_be_visible()
    expect(page.get_by_test_id("nav-admin-site")).to_have_attribute("href", "/admin/")
    expect(page.get_by_test_id("session-admin")).to_be_visible()
    expect(page.get_by_test_id("session-book")).to_have_count(0)


def test_a_429_on_sign_in_says_try_again_at_a_local_time(page: Page) -> None:
    retry_at = (datetime.now(UTC) + timedelta(minutes=7)).replace(second=0, microsecond=0)
    body = {
        "error": {
            "code": "too_many_attempts",
            "message": "Too many sign-in attempts.",
            "field": None,
            "retry_after_seconds": 420,
            "retry_at": retry_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    }

    def refuse(route: Route) -> None:
        route.fulfill(status=429, content_type="application/json", body=json.dumps(body))

    page.route("**/api/auth/login", refuse)
    page.goto("/login")
    page.get_by_test_id("login-email").fill("someone@example.com")
    page.get_by_test_id("login-password").fill("whatever-it-is-1")
    page.get_by_test_id("login-submit").click()

    local = retry_at.astimezone(__import__("zoneinfo").ZoneInfo(ZONE))
    expected = local.strftime("%-I:%M ") + ("am" if local.hour < 12 else "pm") + " IST"
    expect(page.get_by_test_id("login-lockout")).to_contain_text(f"Try again at {expected}")
    expect(page.get_by_test_id("login-submit")).to_be_disabled()


def test_discover_cards_are_h2_under_the_h1_and_a_skip_link_reaches_the_results(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _, mentor_email = people("mentor")
    a_session(api_as(mentor_email), minutes_ahead=24 * 60)
    page.goto("/discover")
    expect(page.get_by_test_id("session-card").first).to_be_visible()
    results = page.get_by_test_id("discover-results")
    assert results.locator("[data-testid=session-card] h3").count() == 0
    assert results.locator("[data-testid=session-card] h2").count() > 0
    # The Trending row above them is an h2 with its cards as h3.
    expect(page.get_by_test_id("discover-trending")).to_have_attribute("data-status", "ready")
    assert page.get_by_test_id("discover-trending").locator("h2").count() == 1
    assert page.get_by_test_id("discover-trending").locator("[data-testid=session-card] h2").count() == 0

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_test_id("discover-skip-to-results")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('[data-testid=session-card]') !== null")
    assert focused


def test_on_a_phone_the_search_has_a_visible_button_and_an_uncut_placeholder(context: BrowserContext) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/discover")
    expect(page.get_by_test_id("discover-search-submit")).to_be_visible()
    field = page.get_by_test_id("discover-search")
    fits = field.evaluate(
        """input => {
        const style = getComputedStyle(input);
        const canvas = document.createElement('canvas').getContext('2d');
        canvas.font = `${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return canvas.measureText(input.placeholder).width <= room;
    }"""
    )
    assert fits


def test_a_cancelled_booking_leaves_upcoming_and_offers_book_again(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    session, email, learner = a_booked_session(people, api_as, days_ahead=3)
    learner.call("POST", f"/api/sessions/{session['id']}/booking/cancel", {})

    sign_in(page, email)
    expect(page.get_by_test_id("home-welcome")).to_be_visible()
    page.goto("/my/bookings")
    active = page.get_by_test_id("my-bookings-list").get_by_test_id("booking-item")
    expect(active.filter(has_text=str(session["title"]))).to_have_count(0)
    cancelled = page.get_by_test_id("my-bookings-cancelled").get_by_test_id("booking-item")
    item = cancelled.filter(has_text=str(session["title"]))
    expect(item.get_by_test_id("booking-book-again")).to_have_attribute("href", f"/sessions/{session['id']}")


def test_a_learners_home_shows_upcoming_bookings_and_a_way_to_discover(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    session, email, _ = a_booked_session(people, api_as, days_ahead=2)

    sign_in(page, email)
    expect(page.get_by_test_id("home-upcoming")).to_contain_text(str(session["title"]))
    expect(page.get_by_test_id("home-discover")).to_have_attribute("href", "/discover")


def test_a_mentors_home_suggests_mentor_steps_not_what_to_learn(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    _, email = people("mentor")
    sign_in(page, email)
    steps = page.get_by_test_id("home-next-steps")
    expect(steps).to_be_visible()
    expect(steps).not_to_contain_text("Add what you want to learn")
    expect(page.get_by_test_id("home-new-session")).to_have_attribute("href", "/my/sessions/new")


def test_the_room_opening_copy_is_the_same_on_the_session_page_and_in_my_bookings(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    session, email, _ = a_booked_session(people, api_as, days_ahead=2)

    sign_in(page, email)
    expect(page.get_by_test_id("home-welcome")).to_be_visible()
    page.goto(f"/sessions/{session['id']}")
    expect(page.get_by_test_id("room-opens")).to_contain_text("The room opens at ")
    on_session = page.get_by_test_id("room-opens").inner_text()
    page.goto("/my/bookings")
    item = page.get_by_test_id("booking-item").filter(has_text=str(session["title"]))
    expect(item.get_by_test_id("room-opens")).to_have_text(on_session)


def test_the_welcome_follows_first_sign_in_in_the_answer(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    # The web side of contract 3, whatever the API of this branch says: the answer decides the words.
    _, email = people("learner", name="Ravi Menon")

    def first(route: Route) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, json={**answer.json(), "first_sign_in": True})

    page.route("**/api/auth/login", first)
    sign_in(page, email)
    expect(page.get_by_test_id("toast").first).to_have_text(re.compile(r"^\s*Welcome to PeerLearn, Ravi!"))
