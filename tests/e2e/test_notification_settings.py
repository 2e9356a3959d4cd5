"""The notification settings page in a real browser: reached from the profile, a channel turned off
and quiet hours set survive a reload, locked account channels can't be turned off, on a phone too."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import ZONE, Api, sign_in

pytestmark = pytest.mark.e2e


def test_a_learner_turns_off_booking_emails_and_sets_quiet_hours(
    page: Page, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _user_id, email = people("learner")
    sign_in(page, email)

    page.goto("/profile")
    page.get_by_test_id("profile-notification-settings").click()
    expect(page).to_have_url(re.compile(r"/settings/notifications$"))

    booking_email = page.get_by_role("checkbox", name="Bookings: email", exact=True)
    expect(booking_email).to_be_checked()
    receipts = page.get_by_role("checkbox", name="Payments and refunds: email (always on)")
    expect(receipts).to_be_checked()
    expect(receipts).to_be_disabled()
    expect(page.get_by_test_id("quiet-hours-zone")).to_have_text(ZONE.replace("_", " "))

    booking_email.uncheck()
    page.get_by_test_id("quiet-hours-enabled").check()
    page.get_by_test_id("quiet-hours-start").fill("21:30")
    page.get_by_test_id("quiet-hours-end").fill("06:45")
    expect(page.get_by_test_id("notification-settings-status")).to_have_text("Unsaved changes")
    page.get_by_test_id("notification-settings-save").click()
    expect(page.get_by_test_id("notification-settings-status")).to_have_text("Saved.")

    me = api_as(email)
    assert me.call("GET", "/api/notifications/") == {"items": [], "next_cursor": None, "unread": 0}
    stored = me.call("GET", "/api/notifications/preferences")
    bookings = next(c for c in stored["categories"] if c["name"] == "bookings")
    assert bookings["channels"] == {"in_app": True, "email": False, "push": True}
    assert stored["quiet_hours"] == {"enabled": True, "start": "21:30", "end": "06:45"}

    page.reload()
    expect(page.get_by_role("checkbox", name="Bookings: email", exact=True)).not_to_be_checked()
    expect(page.get_by_test_id("quiet-hours-start")).to_have_value("21:30")


def test_the_settings_fit_a_phone_and_work_from_the_keyboard(
    browser: Browser, stack: LocalStack, people: Callable[..., tuple[str, str]]
) -> None:
    _user_id, email = people("mentor")
    phone: BrowserContext = browser.new_context(
        base_url=stack.url, viewport={"width": 375, "height": 740}, timezone_id=ZONE, is_mobile=True
    )
    try:
        page = phone.new_page()
        sign_in(page, email)
        page.goto("/settings/notifications")
        table = page.get_by_test_id("notification-settings-table")
        expect(table).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways on a phone ({width} px)"

        push = page.get_by_role("checkbox", name="Reviews: push", exact=True)
        expect(push).not_to_be_checked()  # reviews come in-app and by email unless chosen
        push.focus()
        page.keyboard.press("Space")
        expect(push).to_be_checked()
        page.get_by_test_id("notification-settings-save").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("notification-settings-status")).to_have_text("Saved.")
    finally:
        phone.close()
