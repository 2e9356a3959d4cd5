"""Every page works under the production Content-Security-Policy without 'unsafe-eval': the app
runs Alpine's CSP build, has no inline scripts, and no expression falls outside what that build
can evaluate. Any CSP violation, page error or Alpine warning fails the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import ZONE, Api, pay_by_api, sign_in
from tests.support import local_in

pytestmark = pytest.mark.e2e

# template.yaml's policy with 'unsafe-eval' taken out (and the Razorpay hosts, unused here).
STRICT_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "script-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)


SESSION = {
    "title": "Lifetimes without tears",
    "tags": ["Rust"],
    "level": "beginner",
    "starts_at_local": local_in(3 * 24 * 60, ZONE),
    "timezone": ZONE,
    "duration_minutes": 60,
    "capacity": 2,
    "price_paise": 0,
}


class Problems(list[str]):
    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda error: self.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.append(f"console {message.type}: {message.text}")
                if message.type == "error" or (message.type == "warning" and "Alpine" in message.text)
                else None
            ),
        )
        # A violation report is an event in the page; surface it as a console error.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        return page


@pytest.fixture
def strict(browser: Browser, stack: LocalStack) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 800}, timezone_id=ZONE)
    ctx.set_default_timeout(10_000)

    def with_policy(route: Route) -> None:
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    ctx.route("**/*", with_policy)
    yield ctx
    ctx.close()


def visit(page: Page, path: str, ready_testid: str) -> None:
    page.goto(path)
    expect(page.get_by_test_id(ready_testid).first).to_be_visible()
    page.wait_for_load_state("networkidle")


def test_signed_out_pages_run_without_unsafe_eval(
    strict: BrowserContext, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _, mentor_email = people("mentor")
    api_as(mentor_email).call("POST", "/api/sessions", SESSION)
    problems = Problems()
    page = problems.watch(strict.new_page())
    visit(page, "/", "landing")
    visit(page, "/discover", "session-card")
    page.get_by_test_id("discover-filter-free").check()
    page.get_by_test_id("discover-apply").click()
    page.get_by_test_id("session-card").first.click()
    expect(page.get_by_test_id("session-title")).to_be_visible()
    page.get_by_test_id("session-mentor-link").click()
    expect(page.get_by_test_id("mentor-name")).to_be_visible()
    visit(page, "/register", "register-form")
    page.get_by_test_id("register-role-mentor").click()
    page.get_by_test_id("register-password").fill("short")
    page.get_by_test_id("register-password-toggle").click()
    page.get_by_test_id("register-submit").click()
    visit(page, "/login", "login-form")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-email-error")).to_be_visible()
    visit(page, "/forgot-password", "forgot-form")
    visit(page, "/no-such-page", "not-found")
    assert problems == [], "\n".join(problems)


def test_signed_in_pages_run_without_unsafe_eval(
    strict: BrowserContext, people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api]
) -> None:
    _, mentor_email = people("mentor")
    mentor = api_as(mentor_email)
    session = mentor.call("POST", "/api/sessions", SESSION)
    _, learner_email = people("learner")
    api_as(learner_email).call("POST", f"/api/sessions/{session['id']}/book", {})

    problems = Problems()
    page = problems.watch(strict.new_page())
    sign_in(page, learner_email)
    expect(page.get_by_test_id("home-welcome")).to_be_visible()
    visit(page, "/my/bookings", "booking-item")
    visit(page, f"/sessions/{session['id']}", "session-booked")
    visit(page, "/profile", "profile-form")
    page.get_by_test_id("profile-skills").fill("Rust")
    page.get_by_test_id("profile-skills").press("Enter")
    page.get_by_test_id("nav-signout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()

    sign_in(page, mentor_email)
    expect(page.get_by_test_id("home-welcome")).to_be_visible()
    visit(page, "/my/sessions", "my-session-item")
    page.get_by_test_id("my-session-attendees").first.click()
    expect(page.get_by_test_id("attendee-item").first).to_be_visible()
    visit(page, "/my/sessions/new", "session-form")
    page.get_by_test_id("session-form-submit").click()
    expect(page.get_by_test_id("session-form-title-error")).to_be_visible()
    visit(page, f"/my/sessions/{session['id']}/edit", "session-form")
    page.get_by_test_id("session-form-title").fill("Lifetimes, gently")
    page.get_by_test_id("session-form-cancel").click()
    expect(page.get_by_test_id("my-session-item").first).to_be_visible()
    assert problems == [], "\n".join(problems)


def test_payment_pages_run_without_unsafe_eval(
    strict: BrowserContext,
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
) -> None:
    _, mentor_email = people("mentor")
    mentor = api_as(mentor_email)
    session = mentor.call("POST", "/api/sessions", {**SESSION, "price_paise": 49_900})
    mentor.call(
        "PUT",
        "/api/me/payout-account",
        {
            "legal_name": "Vikram Iyer",
            "pan": "ABCDE1234F",
            "account_number": "50100123456789",
            "ifsc": "HDFC0001234",
        },
    )
    _, learner_email = people("learner")
    pay_by_api(stack, api_as(learner_email), session["id"])
    _, admin_email = people("admin")

    problems = Problems()
    page = problems.watch(strict.new_page())
    sign_in(page, learner_email)
    visit(page, "/my/payments", "payment")
    page.get_by_test_id("payment-receipt").click()
    expect(page.get_by_test_id("receipt-number")).to_be_visible()
    visit(page, f"/sessions/{session['id']}", "session-receipt")
    page.get_by_test_id("nav-signout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()

    sign_in(page, mentor_email)
    visit(page, "/my/earnings", "earnings-chart")  # Chart.js draws under the policy too
    expect(page.get_by_test_id("payout-account-masked")).to_be_visible()
    page.get_by_test_id("nav-signout").click()
    expect(page.get_by_test_id("login-form")).to_be_visible()

    sign_in(page, admin_email)
    visit(page, "/admin/money", "admin-payment")  # the admin site, under the same policy
    page.get_by_test_id("admin-books-check").click()
    expect(page.get_by_test_id("admin-books")).to_be_visible()
    page.get_by_test_id("admin-tab-refunds").click()
    expect(page.get_by_test_id("admin-refunds")).to_be_visible()
    page.get_by_test_id("admin-tab-withdrawals").click()
    expect(page.get_by_test_id("admin-withdrawals")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert problems == [], "\n".join(problems)
