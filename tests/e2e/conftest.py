"""Browser tests: Debian's Chromium through Playwright against the real local stack.

Playwright never downloads a browser here: it drives /usr/bin/chromium (CHROMIUM_PATH overrides).
Every request the page makes is recorded, and a test fails if any leaves the local stack.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from infra.local.stack import LocalStack
from tests.support import stack_for

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
]


@pytest.fixture(scope="session")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    if not (Path(__file__).resolve().parents[2] / "web" / "dist" / "index.html").exists():
        pytest.fail("web/dist is missing: build the web app first (make web)")
    with stack_for(dynamodb_endpoint, tmp_path_factory.mktemp("e2e"), "e2e") as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
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
    ctx = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(10_000)
    ctx.on("request", lambda request: requests_seen.urls.append(request.url))
    yield ctx
    ctx.close()
    assert requests_seen.outside(stack.url) == [], "the page loaded something from outside the local stack"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()
