"""The admin site in Chromium (web/admin/, served at /admin/): who gets in, the users pages (search,
an account's page, its actions with reasons and confirmations, its audit entries), the audit log,
data requests, the phone-sized menu, and the ban journey: an admin bans a signed-in learner, whose
open page ends on the sign-in page saying why."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, ViewportSize, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import PASSWORD, ZONE, admin_page, sign_in

PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture
def second_browser(browser: Browser, stack: LocalStack) -> Iterator[Callable[..., Page]]:
    """Another person's browser (their own cookies), at a viewport."""
    opened: list[BrowserContext] = []

    def open_one(viewport: ViewportSize = DESKTOP) -> Page:
        ctx = browser.new_context(base_url=stack.url, viewport=viewport, timezone_id=ZONE)
        ctx.set_default_timeout(10_000)
        opened.append(ctx)
        return ctx.new_page()

    yield open_one
    for ctx in opened:
        ctx.close()


def open_user(page: Page, name: str) -> None:
    page.get_by_test_id("admin-user").filter(has_text=name).get_by_test_id("admin-user-open").click()


# ------------------------------------------------------------------------------ who gets in
def test_signed_out_visitors_sign_in_first_and_come_back_and_others_are_told_it_is_for_admins(
    page: Page, people: Callable[..., tuple[str, str]], second_browser: Callable[..., Page]
) -> None:
    # A signed-out visitor is sent to the app's sign-in, and back to the admin page after it
    _, admin_email = people("admin")
    page.goto("/admin/audit")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fadmin%2Faudit$"))
    page.get_by_test_id("login-email").fill(admin_email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page).to_have_title("Audit log · PeerLearn Admin")
    # ...the admin site's menu leads to each admin page; the app is one link away
    page.get_by_test_id("nav-users").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_test_id("nav-users")).to_have_attribute("aria-current", "page")
    page.get_by_test_id("admin-to-app").click()
    expect(page).to_have_url(re.compile(r"/discover$"))
    expect(page.get_by_test_id("nav-admin-site")).to_have_attribute("href", "/admin/")

    # A learner who opens the admin site is told it isn't for them, with the way home
    _, learner_email = people("learner")
    learner = second_browser()
    sign_in(learner, learner_email)
    learner.goto("/admin/users")
    expect(learner.get_by_test_id("admin-forbidden")).to_contain_text("This site is for PeerLearn admins")
    expect(learner.get_by_test_id("admin-menu")).to_have_count(0)
    learner.get_by_test_id("admin-forbidden-home").click()
    expect(learner).to_have_url(re.compile(r"/$"))
    expect(learner.get_by_test_id("nav-admin-site")).to_have_count(0)


# ------------------------------------------------------------------------------ the users pages
USER: dict[str, Any] = {
    "id": "01USER0000000000000000000A",
    "name": "Meera Pillai",
    "email": "meera@example.com",
    "role": "mentor",
    "email_verified": True,
    "banned": False,
    "ban_reason": None,
    "banned_at": None,
    "deactivated": False,
    "deactivation_reason": None,
    "created_at": "2026-10-01T10:00:00Z",
    "avatar_url": None,
    "headline": "Designer",
}
CHANGED = "Someone changed this account."


def test_an_admin_finds_someone_and_bans_them_with_a_reason_after_confirming(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    # The admin users API answered by the test, so the pages are checked on their own
    _, email = people("admin")
    user = dict(USER)
    seen: list[str] = []

    def users_api(route: Route) -> None:
        request = route.request
        seen.append(f"{request.method} {request.url.split('/api/admin/users', 1)[1]}")
        if request.method == "GET" and "/api/admin/users?" in request.url:
            route.fulfill(json={"items": [user], "next_cursor": None})
        elif request.method == "GET" and user["id"] in request.url:
            route.fulfill(json=user)
        elif request.method == "PUT" and seen.count(f"PUT /{user['id']}/ban") == 1:
            route.fulfill(
                status=409,
                json={"error": {"code": "conflict", "message": CHANGED, "field": None}},
            )
        elif request.method == "PUT":
            reason = json.loads(request.post_data or "{}")["reason"]
            user.update(banned=True, ban_reason=reason, banned_at="2026-11-29T10:00:00Z")
            route.fulfill(json=user)
        else:
            route.continue_()

    page.route("**/api/admin/users**", users_api)
    admin_page(page, email, "/admin/users")
    page.get_by_test_id("admin-users-q").fill("meera")
    page.get_by_test_id("admin-users-search").click()
    expect(page).to_have_url(re.compile(r"/admin/users\?q=meera$"))
    open_user(page, "Meera Pillai")
    expect(page).to_have_url(re.compile(rf"/admin/users/{user['id']}$"))
    expect(page.get_by_test_id("admin-user-name")).to_have_text("Meera Pillai")

    # No reason: refused before anything is sent
    page.get_by_test_id("user-action-ban").click()
    expect(page.get_by_test_id("user-action-reason")).to_be_focused()
    page.get_by_test_id("user-action-submit").click()
    expect(page.get_by_test_id("user-action-error")).to_contain_text("reason")
    # Cancelling the confirmation sends nothing
    page.get_by_test_id("user-action-reason").fill("Spam in session descriptions")
    page.get_by_test_id("user-action-submit").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text("Ban Meera Pillai?")
    page.get_by_test_id("confirm-cancel").click()
    assert not any(call.startswith("PUT") for call in seen)
    # The API's refusal is shown where it was asked; the second try bans
    page.get_by_test_id("user-action-submit").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("user-action-error")).to_have_text(CHANGED)
    page.get_by_test_id("user-action-submit").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("admin-user-banned")).to_be_visible()
    expect(page.get_by_test_id("admin-user-ban-reason")).to_contain_text("Spam in session descriptions")
    expect(page.get_by_test_id("user-action-unban")).to_be_visible()
    expect(page.get_by_test_id("toast").filter(has_text="is banned and signed out")).to_be_visible()
    assert seen.count(f"PUT /{user['id']}/ban") == 2


def test_an_admin_edits_verifies_and_changes_a_role_and_the_accounts_audit_entries_say_so(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    _, email = people("admin")
    user_id, user_email = people("learner", name="Kiran Rao")
    admin_page(page, email, f"/admin/users/{user_id}")
    expect(page.get_by_test_id("admin-user-email")).to_have_text(user_email)
    expect(page.get_by_test_id("user-audit-empty")).to_be_visible()

    # Edit the name (confirmed): the audit entry names the field, not the values
    page.get_by_test_id("user-edit-name").fill("Kiran R. Rao")
    page.get_by_test_id("user-edit-reason").fill("Asked by email")
    page.get_by_test_id("user-edit-save").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("admin-user-name")).to_have_text("Kiran R. Rao")
    entry = page.get_by_test_id("user-audit-entry").first
    expect(entry).to_contain_text("Edited a profile")
    expect(entry).to_contain_text("Changed: name")
    expect(entry).to_contain_text("by you")

    # An emptied name is refused under the field, before anything is sent
    page.get_by_test_id("user-edit-name").fill("   ")
    page.get_by_test_id("user-edit-save").click()
    expect(page.locator("#user-edit-name")).to_have_attribute("aria-invalid", "true")

    # Make them a mentor, with a reason
    page.get_by_test_id("user-action-role").click()
    page.get_by_test_id("user-action-role-select").select_option("mentor")
    page.get_by_test_id("user-action-reason").fill("Passed the mentor review")
    page.get_by_test_id("user-action-submit").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text("mentor")
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("admin-user-role")).to_have_text("mentor")
    expect(page.get_by_test_id("user-audit-entry").first).to_contain_text("Changed a role")
    expect(page.get_by_test_id("user-audit-entry").first.get_by_test_id("user-audit-reason")).to_have_text(
        "Reason: Passed the mentor review"
    )

    # Deactivate, then activate again
    page.get_by_test_id("user-action-deactivate").click()
    page.get_by_test_id("user-action-reason").fill("Asked us to close it")
    page.get_by_test_id("user-action-submit").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("admin-user-state")).to_have_text("deactivated")
    page.get_by_test_id("user-action-activate").click()
    page.get_by_test_id("user-action-reason").fill("Changed their mind")
    page.get_by_test_id("user-action-submit").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("admin-user-state")).to_have_text("active")
    expect(page.get_by_test_id("user-audit-entry")).to_have_count(4)

    # The audit log, filtered by action, shows the role change with its target by name
    page.get_by_test_id("nav-audit").click()
    page.get_by_test_id("audit-action").select_option("user.role_change")
    page.get_by_test_id("audit-apply").click()
    expect(page).to_have_url(re.compile(r"/admin/audit\?action=user\.role_change$"))
    entry = page.get_by_test_id("audit-entry").filter(has_text="Kiran R. Rao")
    expect(entry).to_have_count(1)
    expect(entry.get_by_test_id("audit-entry-action")).to_have_text("Changed a role")
    expect(entry.get_by_test_id("audit-entry-reason")).to_have_text("Reason: Passed the mentor review")
    entry.get_by_test_id("audit-entry-target").click()
    expect(page).to_have_url(re.compile(rf"/admin/users/{user_id}$"))


# ------------------------------------------------------------------------------ data requests
WAITING = {
    "id": "01REQ00000000000000000000A",
    "user_id": "01USER0000000000000000000B",
    "kind": "deletion",
    "status": "waiting_admin",
    "requested_at": "2026-11-28T09:00:00Z",
    "waiting_for": "a withdrawal of ₹1,200 to be paid",
}
OPEN = "A withdrawal is still open."


def test_an_admin_completes_a_waiting_deletion_and_sees_a_refusal_where_it_happened(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    _, email = people("admin")
    answers = [
        (409, {"error": {"code": "withdrawal_open", "message": OPEN, "field": None}}),
        (200, {**WAITING, "status": "completed", "completed_at": "2026-11-29T10:00:00Z"}),
    ]

    def requests_api(route: Route) -> None:
        if route.request.method == "GET":
            status = "waiting_admin" if "status=waiting_admin" in route.request.url else "all"
            route.fulfill(json={"items": [WAITING] if status == "waiting_admin" else []})
        else:
            code, body = answers.pop(0)
            route.fulfill(status=code, json=body)

    page.route("**/api/admin/data-requests**", requests_api)
    admin_page(page, email, "/admin/data-requests")
    item = page.get_by_test_id("data-request")
    expect(item.get_by_test_id("data-request-waiting")).to_contain_text("withdrawal of ₹1,200")
    item.get_by_test_id("data-request-complete").click()
    expect(page.get_by_test_id("confirm-details")).to_contain_text("withdrawal of ₹1,200")
    page.get_by_test_id("confirm-ok").click()
    expect(item.get_by_test_id("data-request-error")).to_have_text(OPEN)
    item.get_by_test_id("data-request-complete").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("data-requests-empty")).to_have_text("Nothing is waiting for an admin.")
    page.get_by_test_id("data-requests-tab-all").click()
    expect(page).to_have_url(re.compile(r"/admin/data-requests\?status=all$"))
    expect(page.get_by_test_id("data-requests-empty")).to_have_text("No requests yet.")


# ------------------------------------------------------------------------------ a phone
def test_on_a_phone_the_menu_opens_from_a_button_and_nothing_scrolls_sideways(
    people: Callable[..., tuple[str, str]], second_browser: Callable[..., Page]
) -> None:
    _, email = people("admin")
    phone = second_browser(PHONE)
    admin_page(phone, email, "/admin/users")
    expect(phone.get_by_test_id("admin-menu")).to_be_hidden()
    toggle = phone.get_by_test_id("admin-menu-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_test_id("nav-audit")).to_be_visible()
    phone.get_by_test_id("nav-audit").click()
    expect(phone).to_have_url(re.compile(r"/admin/audit$"))
    expect(phone.get_by_test_id("admin-menu")).to_be_hidden()  # a chosen link closes the menu
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    toggle.focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_test_id("nav-users")).to_be_visible()
    phone.keyboard.press("Escape")
    expect(phone.get_by_test_id("admin-menu")).to_be_hidden()


# ------------------------------------------------------------------------------ the ban journey
def test_a_banned_learners_open_page_ends_on_the_sign_in_page_saying_why(
    page: Page,
    people: Callable[..., tuple[str, str]],
    second_browser: Callable[..., Page],
) -> None:
    # Given a learner signed in with the app open
    _, learner_email = people("learner", name="Rohit Banned")
    learner = second_browser()
    sign_in(learner, learner_email)
    learner.goto("/my/bookings")
    expect(learner.get_by_test_id("nav-my-bookings")).to_be_visible()

    # When an admin bans them from the admin site
    _, admin_email = people("admin")
    admin_page(page, admin_email, "/admin/users")
    page.get_by_test_id("admin-users-q").fill("Rohit Banned")
    page.get_by_test_id("admin-users-search").click()
    open_user(page, "Rohit Banned")
    page.get_by_test_id("user-action-ban").click()
    page.get_by_test_id("user-action-reason").fill("Harassing mentors in chat")
    page.get_by_test_id("user-action-submit").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("admin-user-banned")).to_be_visible()

    # Then the learner's open page, untouched, ends on the sign-in page saying why: the ban closed
    # their user channel, and its reconnect's ticket call is refused (the local authorizer caches
    # nothing, as the cloud's: ReauthorizeEvery 0), which signs the tab out
    expect(learner).to_have_url(re.compile(r"/login$"), timeout=20_000)
    expect(learner.get_by_test_id("toast").filter(has_text="suspended")).to_be_visible()
    expect(learner.get_by_test_id("nav-signin")).to_be_visible()
    # ...signing in again is refused with the same words, and the ban is in the audit log
    learner.get_by_test_id("login-email").fill(learner_email)
    learner.get_by_test_id("login-password").fill(PASSWORD)
    learner.get_by_test_id("login-submit").click()
    expect(learner.get_by_role("alert").filter(has_text="suspended")).to_be_visible()
    page.get_by_test_id("nav-audit").click()
    page.get_by_test_id("audit-action").select_option("user.ban")
    page.get_by_test_id("audit-apply").click()
    expect(page.get_by_test_id("audit-entry").filter(has_text="Rohit Banned")).to_contain_text(
        "Harassing mentors in chat"
    )
