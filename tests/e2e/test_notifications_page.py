"""The /notifications page: the list newest first with unread ones marked, opening one marks it read
and goes to its page, "Mark all read" clears the bell; the empty state links to the settings.

The list and read endpoints are the RECORDS branch's: until they are merged the page can't load, and
these tests skip (they say so) rather than fail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import ZONE, Api, sign_in
from tests.support import local_in

pytestmark = pytest.mark.e2e


def require_the_list(api: Api) -> None:
    response = api.request.fetch(f"{api.base}/api/notifications/?limit=1", headers=api.headers)
    # API Gateway answers a route it doesn't have with 403 "Missing Authentication Token".
    if response.status == 404 or "Missing Authentication Token" in response.text():
        pytest.skip("GET /api/notifications/ is not on this branch (RECORDS builds it)")


def test_a_new_person_sees_the_empty_state_with_a_link_to_the_settings(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _, email = people("learner")
    require_the_list(api_as(email))
    sign_in(page, email)
    page.get_by_test_id("nav-bell").click()
    expect(page.get_by_test_id("notifications-empty")).to_be_visible()
    page.get_by_test_id("notifications-settings").click()
    page.wait_for_url("**/settings/notifications")


def test_moves_are_listed_newest_first_opened_and_marked_read(
    page: Page,
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
) -> None:
    # Given a learner whose session was moved twice while they were away
    _, mentor_email = people("mentor")
    _, learner_email = people("learner")
    mentor, learner = api_as(mentor_email), api_as(learner_email)
    require_the_list(learner)
    session_id = mentor.call(
        "POST",
        "/api/sessions",
        {
            "title": "Lifetimes, gently",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_in(3 * 24 * 60, ZONE),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 3,
            "price_paise": 0,
        },
    )["id"]
    learner.call("POST", f"/api/sessions/{session_id}/book", {})
    for days in (4, 5):
        mentor.call(
            "PATCH",
            f"/api/sessions/{session_id}",
            {"starts_at_local": local_in(days * 24 * 60, ZONE), "timezone": ZONE},
        )
    # When they open the notifications page
    sign_in(page, learner_email)
    expect(page.get_by_test_id("nav-bell-count")).to_have_text("2", timeout=15_000)
    page.goto("/notifications")
    items = page.get_by_test_id("notification")
    expect(items).to_have_count(2)
    expect(items.first).to_have_attribute("data-read", "false")
    # Then marking one read lowers the bell; opening the other goes to the session and marks it read
    items.nth(1).get_by_test_id("notification-read").click()
    expect(items.nth(1)).to_have_attribute("data-read", "true")
    expect(page.get_by_test_id("nav-bell-count")).to_have_text("1")
    items.first.get_by_test_id("notification-open").click()
    page.wait_for_url(f"**/sessions/{session_id}")
    expect(page.get_by_test_id("nav-bell-count")).to_be_hidden()
    expect(page.get_by_test_id("nav-bell")).to_have_attribute("aria-label", "Notifications, none unread")


def test_mark_all_read_clears_the_bell(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _, mentor_email = people("mentor")
    _, learner_email = people("learner")
    mentor, learner = api_as(mentor_email), api_as(learner_email)
    require_the_list(learner)
    session_id = mentor.call(
        "POST",
        "/api/sessions",
        {
            "title": "Traits, gently",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_in(3 * 24 * 60, ZONE),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 3,
            "price_paise": 0,
        },
    )["id"]
    learner.call("POST", f"/api/sessions/{session_id}/book", {})
    mentor.call(
        "PATCH",
        f"/api/sessions/{session_id}",
        {"starts_at_local": local_in(4 * 24 * 60, ZONE), "timezone": ZONE},
    )
    sign_in(page, learner_email)
    page.goto("/notifications")
    expect(page.get_by_test_id("notification")).to_have_count(1, timeout=15_000)
    page.get_by_test_id("notifications-read-all").click()
    expect(page.get_by_test_id("notification")).to_have_attribute("data-read", "true")
    expect(page.get_by_test_id("nav-bell-count")).to_be_hidden()
