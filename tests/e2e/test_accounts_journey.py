"""A newcomer's first visit, in a real browser: sign up, confirm the email, sign in, edit, sign out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from infra.local.stack import LocalStack
from tests.support import wait_until

pytestmark = pytest.mark.e2e

PASSWORD = "mango-monsoon-42"


def outbox_has_mail_to(stack: LocalStack, page: Page, email: str) -> bool:
    response = page.request.get(f"{stack.url}/_dev/outbox.json", params={"to": email})
    return bool(response.json())


def test_sign_up_verify_sign_in_edit_profile_and_sign_out(stack: LocalStack, context: BrowserContext) -> None:
    page = context.new_page()
    email = "newcomer@example.com"

    # Sign up.
    page.goto("/register")
    page.get_by_test_id("register-name").fill("Nisha Kapoor")
    page.get_by_test_id("register-email").fill(email)
    page.get_by_test_id("register-password").fill(PASSWORD)
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-success")).to_contain_text(email)

    # The stream consumer emails the link; open the outbox and click it.
    wait_until(lambda: outbox_has_mail_to(stack, page, email), timeout=10, what="the verification email")
    page.goto("/_dev/outbox")
    with context.expect_page() as opened:
        page.frame_locator("iframe").first.get_by_role("link", name="Confirm my email").click()
    verify = opened.value
    expect(verify.get_by_test_id("verify-status")).to_have_attribute("data-status", "verified")

    # Sign in.
    page.goto("/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("home-welcome")).to_be_visible()
    expect(page.get_by_test_id("verify-banner")).to_be_hidden()

    # Edit the profile; it survives a reload (the refresh cookie restores the session).
    page.get_by_test_id("nav-profile").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    page.get_by_test_id("profile-headline").fill("Backend developer learning system design")
    page.get_by_test_id("profile-bio").fill("Pune. Coffee. Distributed systems.")
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_test_id("toast").first).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("profile-headline")).to_have_value("Backend developer learning system design")

    # Sign out: the session is gone, a protected page sends us to sign in.
    page.get_by_test_id("nav-signout").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto("/profile")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_shows_an_error_and_lockout_shows_when_to_retry(stack: LocalStack, page: Page) -> None:
    page.request.post(
        f"{stack.url}/api/auth/register",
        data={"name": "Lock Test", "email": "lock@example.com", "password": PASSWORD, "role": "learner"},
    )
    page.goto("/login")
    page.get_by_test_id("login-email").fill("lock@example.com")
    for _ in range(5):
        page.get_by_test_id("login-password").fill("wrong-password-1")
        with page.expect_response("**/api/auth/login") as answer:
            page.get_by_test_id("login-submit").click()
        assert answer.value.status == 401
        expect(page.get_by_test_id("login-error")).to_be_visible()
    page.get_by_test_id("login-password").fill(PASSWORD)
    with page.expect_response("**/api/auth/login") as answer:
        page.get_by_test_id("login-submit").click()
    assert answer.value.status == 429

    expect(page.get_by_test_id("login-lockout")).to_contain_text("Try again at")
    expect(page.get_by_test_id("login-submit")).to_be_disabled()


def test_the_sign_in_page_fits_a_phone_screen(browser_phone: Page) -> None:
    page = browser_phone
    page.goto("/login")
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.fixture
def browser_phone(context: BrowserContext) -> Page:
    page = context.new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    return page
