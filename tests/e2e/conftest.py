"""Browser tests: Debian's Chromium through Playwright against the real local stack.

Playwright never downloads a browser here: it drives /usr/bin/chromium (CHROMIUM_PATH overrides).
Every request the page makes is recorded, and a test fails if any leaves the local stack.
`people` makes verified accounts (through the domain, as the CLI does) and `api_as` calls the REST
API as one of them, so a test can set the scene without clicking through it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    APIRequestContext,
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from infra.local.stack import LocalStack
from tests.support import fresh_dynamodb, stack_for

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    # A document a test fulfils itself (route.fulfill, as the strict-CSP test does) has no address, so
    # Chromium counts it as public and blocks its socket to the stack on 127.0.0.1 (every signed-in
    # page keeps one: the user channel). Pages the stack serves are loopback to loopback either way.
    "--disable-features=LocalNetworkAccessChecks",
]
PASSWORD = "mango-monsoon-42"
ZONE = "Asia/Kolkata"


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """A DynamoDB Local of the browser tests' own: the integration suite before them leaves every
    table it made in the shared one's memory, and requests there grow slower."""
    with fresh_dynamodb() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    if not (Path(__file__).resolve().parents[2] / "web" / "dist" / "index.html").exists():
        pytest.fail("web/dist is missing: build the web app first (make web)")
    # A warm recommendations function looks for a newer model every second here (the template says
    # 60): a test that builds one sees it at once, whatever earlier tests loaded.
    with stack_for(
        dynamodb_endpoint, tmp_path_factory.mktemp("e2e"), "e2e", overrides={"RECOMMEND_REFRESH_SECONDS": "1"}
    ) as running:
        yield running


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    yield launched
    launched.close()


class Requests:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def outside(self, origin: str) -> list[str]:
        return [
            u for u in self.urls if not (u.startswith(origin) or u.startswith(("data:", "blob:", "about:")))
        ]


@pytest.fixture
def requests_seen() -> Requests:
    return Requests()


@pytest.fixture
def context(browser: Browser, stack: LocalStack, requests_seen: Requests) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 800}, timezone_id=ZONE)
    ctx.set_default_timeout(10_000)
    ctx.on("request", lambda request: requests_seen.urls.append(request.url))
    yield ctx
    ctx.close()
    assert requests_seen.outside(stack.url) == [], "the page loaded something from outside the local stack"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def people(stack: LocalStack) -> Callable[..., tuple[str, str]]:
    """`people("mentor")` -> (user_id, email) of a new verified account with PASSWORD."""
    from peerlearn.accounts import service as accounts
    from peerlearn.config import Settings
    from peerlearn.context import build_context

    build_context(Settings.from_env(stack.settings_env))

    def make(role: str, **profile: Any) -> tuple[str, str]:
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        if role == "mentor":
            profile = {"headline": "Rust mentor", "expertise": ["Rust"], **profile}
        name = profile.pop("name", f"{role.title()} {email[:6]}")
        user_id = accounts.create_account(
            name=name, email=email, password=PASSWORD, role=role, verified=True, **profile
        )
        return user_id, email

    return make


class Api:
    """The REST API as one signed-in person (bearer token from a real sign-in)."""

    def __init__(self, request: APIRequestContext, base: str, token: str) -> None:
        self.request, self.base, self.headers = request, base, {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.request.fetch(f"{self.base}{path}", method=method, data=body, headers=self.headers)
        assert response.ok, f"{method} {path} -> {response.status} {response.text()}"
        return response.json()


@pytest.fixture
def api_as(playwright: Playwright, stack: LocalStack) -> Iterator[Callable[[str], Api]]:
    request = playwright.request.new_context()

    def signed_in(email: str) -> Api:
        response = request.post(f"{stack.url}/api/auth/login", data={"email": email, "password": PASSWORD})
        assert response.ok, response.text()
        return Api(request, stack.url, response.json()["access_token"])

    yield signed_in
    request.dispose()


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login" not in url)


def admin_page(page: Page, email: str, path: str = "/admin/", password: str = PASSWORD) -> Page:
    """Signs the admin `email` in through the app (which sends an admin to the admin site by a full
    page load) and opens the admin site at `path`, its shell and menu drawn."""
    sign_in(page, email, password)
    page.wait_for_url(lambda url: "/admin/" in url)
    page.goto(path)
    expect(page.get_by_test_id("admin-menu")).to_be_attached()
    return page


def pay_by_api(stack: LocalStack, learner: Api, session_id: str) -> None:
    """What the browser does, without one: hold, order, Checkout's success, verify."""
    learner.call("POST", f"/api/sessions/{session_id}/book", {})
    order = learner.call("POST", "/api/payments/create/", {"session_id": session_id})
    response = learner.request.post(
        f"{stack.url}/_dev/razorpay/pay",
        data={"order_id": order["order_id"], "method": "upi", "outcome": "success"},
    )
    assert response.ok, response.text()
    answer = learner.call("POST", "/api/payments/verify/", {"session_id": session_id, **response.json()})
    assert answer["status"] == "confirmed", answer
