"""Notifications live in the browser: a learner has the site open in two tabs (one at phone width);
the mentor moves the session through the API; both tabs' bells and a toast update within 2 seconds,
without a reload. Then the toast opens the session page. A waitlist offer arrives the same way: a
booked learner cancels, and the open tab of the learner first in line counts the offer at once.

The path is the real one: the change on the table's stream -> peerlearn.notices.changes -> deliver
(the record and the unread count) -> push_to_user on the user channel."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import ZONE, Api, sign_in
from tests.support import local_in, wait_until

pytestmark = pytest.mark.e2e

LIVE_WITHIN_MS = 2_000  # the promise: the bell and a toast within 2 s of the change


def channel_open(page: Page) -> bool:
    return bool(page.evaluate("window.Alpine && Alpine.store('notifications').state === 'open'"))


def unread(person: Api) -> int:
    return int(person.call("GET", "/api/notifications/unread")["unread"])


def test_a_moved_session_reaches_both_open_tabs_within_two_seconds(
    context: BrowserContext,
    page: Page,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
) -> None:
    # Given a learner booked on a mentor's session, signed in with two tabs open (one phone-sized)
    _, mentor_email = people("mentor", name="Meera Mentor")
    _, learner_email = people("learner", name="Asha Learner")
    mentor = api_as(mentor_email)
    session_id = mentor.call(
        "POST",
        "/api/sessions",
        {
            "title": "Ownership, slowly",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_in(3 * 24 * 60, ZONE),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 3,
            "price_paise": 0,
        },
    )["id"]
    learner = api_as(learner_email)
    learner.call("POST", f"/api/sessions/{session_id}/book", {})
    # The booking's own confirmation is a notification too: let it land before the tabs open, so
    # the count the move adds is the only change they see
    wait_until(lambda: unread(learner) == 1, timeout=20, what="the booking's confirmation recorded")
    sign_in(page, learner_email)
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 800})
    phone.goto("/my/bookings")
    tabs = (page, phone)
    for tab in tabs:
        expect(tab.get_by_test_id("nav-bell")).to_be_visible()
        expect(tab.get_by_test_id("nav-bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
        expect(tab.get_by_test_id("nav-bell-count")).to_have_text("1")
        wait_until(lambda tab=tab: channel_open(tab), timeout=20, what="the tab's user channel open")
        tab.evaluate("window.__notReloaded = true")

    # When the mentor moves the session
    mentor.call(
        "PATCH",
        f"/api/sessions/{session_id}",
        {"starts_at_local": local_in(4 * 24 * 60, ZONE), "timezone": ZONE},
    )

    # Then, within 2 s and without a reload, both tabs' bells count it and a toast says so
    for tab in tabs:
        expect(tab.get_by_test_id("nav-bell-count")).to_have_text("2", timeout=LIVE_WITHIN_MS)
        toast = tab.get_by_test_id("toast").filter(has_text="has a new time")
        expect(toast).to_be_visible(timeout=LIVE_WITHIN_MS)
    for tab in tabs:
        expect(tab.get_by_test_id("nav-bell")).to_have_attribute("aria-label", "Notifications, 2 unread")
        assert tab.evaluate("window.__notReloaded === true")
        expect(tab.get_by_test_id("nav-bell-count")).to_be_in_viewport()

    # The toast opens the session page; the bell links to the notifications page
    page.get_by_test_id("toast-link").filter(has_text="has a new time").click()
    page.wait_for_url(f"**/sessions/{session_id}")
    phone.get_by_test_id("nav-bell").focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/notifications")
    expect(phone.get_by_test_id("notifications-page")).to_be_visible()


def test_a_waitlist_offer_reaches_the_open_tab_within_two_seconds(
    page: Page,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
) -> None:
    # Given a full session (one seat, booked) and a learner first on its waitlist with the site open
    _, mentor_email = people("mentor", name="Meera Mentor")
    _, booked_email = people("learner", name="Bela Booked")
    _, waiting_email = people("learner", name="Chitra Waiting")
    session_id = api_as(mentor_email).call(
        "POST",
        "/api/sessions",
        {
            "title": "Lifetimes, gently",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_in(3 * 24 * 60, ZONE),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 1,
            "price_paise": 0,
        },
    )["id"]
    booked, waiting = api_as(booked_email), api_as(waiting_email)
    booked.call("POST", f"/api/sessions/{session_id}/book", {})
    assert waiting.call("POST", f"/api/sessions/{session_id}/waitlist", {}) == {"position": 1}
    sign_in(page, waiting_email)
    page.goto("/my/bookings")
    expect(page.get_by_test_id("nav-bell")).to_have_attribute("aria-label", "Notifications, none unread")
    wait_until(lambda: channel_open(page), timeout=20, what="the tab's user channel open")
    page.evaluate("window.__notReloaded = true")

    # When the booked learner cancels (the freed seat is offered to the first in line)
    booked.call("POST", f"/api/sessions/{session_id}/booking/cancel", {})

    # Then, within 2 s and without a reload, the waiting learner's bell counts the offer and a toast says so
    expect(page.get_by_test_id("nav-bell-count")).to_have_text("1", timeout=LIVE_WITHIN_MS)
    expect(page.get_by_test_id("toast").filter(has_text="A seat opened in")).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    expect(page.get_by_test_id("nav-bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    assert page.evaluate("window.__notReloaded === true")
    assert waiting.call("GET", f"/api/sessions/{session_id}/booking")["booking"]["status"] == "held"
