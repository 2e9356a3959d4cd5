"""The Checkout stand-in in Chromium, under a CSP stricter than the site's (no inline script or style
at all): the dialog, its focus trap and Esc, and handler / payment.failed / modal.ondismiss."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from tests.unit.infra.razorpay_harness import Harness

pytestmark = pytest.mark.e2e

PAGE = Path(__file__).parent / "checkout_page"
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'"
HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay</title></head>
<body><button id="pay" type="button">Pay now</button>
<script src="/_razorpay/checkout.js"></script><script src="/test/page.js"></script></body></html>"""


class TestPage:
    name = "test-page"

    def routes(self) -> list[BaseRoute]:
        favicon = Route("/favicon.ico", lambda request: Response(status_code=204))
        return [Route("/test/page", self.page), Route("/test/page.js", self.script), favicon]

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def await_idle(self, timeout: float) -> None: ...

    async def page(self, request: Request) -> Response:
        return HTMLResponse(HTML)

    async def script(self, request: Request) -> Response:
        return FileResponse(PAGE / "page.js", media_type="text/javascript")


class StrictCsp:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def with_csp(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", CSP.encode())]
            await send(message)

        await self.app(scope, receive, with_csp)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, str]]:
    harness = Harness(tmp_path_factory.mktemp("checkout"))
    from infra.local.gateway import DevResources, create_app
    from infra.local.triggers.razorpay import RazorpayTrigger

    root = tmp_path_factory.mktemp("site")
    resources = DevResources(root / "dist", root / "outbox", root / "uploads", "secret")
    app = StrictCsp(create_app([RazorpayTrigger(harness.sandbox), TestPage(), harness.receiver], resources))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(32)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    with harness:
        yield harness, f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def page(browser: Browser, served: tuple[Harness, str]) -> Iterator[Page]:
    context = browser.new_context(base_url=served[1])
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    yield tab
    context.close()
    assert problems == []


def open_checkout(page: Page, harness: Harness, **query: str) -> dict[str, Any]:
    order = harness.order(amount=49_900)
    params = "&".join(
        f"{k}={v}"
        for k, v in {"key": harness.keys.key_id, "amount": "49900", "order_id": order["id"], **query}.items()
    )
    page.goto(f"/test/page?{params}")
    page.get_by_role("button", name="Pay now").click()
    return order


def results(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate("window.results"))


def test_success_calls_the_handler_with_a_valid_signature_and_closes(
    page: Page, served: tuple[Harness, str]
) -> None:
    harness = served[0]
    order = open_checkout(page, harness)
    dialog = page.get_by_role("dialog", name="PeerLearn")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("₹499.00")

    dialog.get_by_role("radio", name="Card").check()
    dialog.get_by_role("button", name="Success").click()

    expect(dialog).to_be_hidden()
    [result] = results(page)
    assert result["kind"] == "handler"
    assert result["response"]["razorpay_order_id"] == order["id"]
    assert harness.client.utility.verify_payment_signature(result["response"])
    assert harness.client.payment.fetch(result["response"]["razorpay_payment_id"])["method"] == "card"
    expect(page.get_by_role("button", name="Pay now")).to_be_focused()


def test_failure_fires_payment_failed_and_keeps_the_modal_open_for_a_retry(
    page: Page, served: tuple[Harness, str]
) -> None:
    harness = served[0]
    order = open_checkout(page, harness)
    dialog = page.get_by_role("dialog", name="PeerLearn")

    dialog.get_by_role("button", name="Failure").click()
    expect(dialog.get_by_role("alert")).to_contain_text("try again")
    dialog.get_by_role("button", name="Success").click()
    expect(dialog).to_be_hidden()

    failed, handled = results(page)
    assert failed["kind"] == "failed"
    error = failed["response"]["error"]
    assert set(error) == {"code", "description", "source", "step", "reason", "metadata"}
    assert error["metadata"]["order_id"] == order["id"]
    assert handled["kind"] == "handler"


def test_with_retry_off_a_failure_shows_the_error_and_only_closing_is_left(
    page: Page, served: tuple[Harness, str]
) -> None:
    open_checkout(page, served[0], retry="off")
    dialog = page.get_by_role("dialog", name="PeerLearn")

    dialog.get_by_role("button", name="Failure").click()

    expect(dialog.get_by_role("alert")).not_to_be_empty()
    expect(dialog.get_by_role("button", name="Success")).to_be_disabled()
    expect(dialog.get_by_role("button", name="Close checkout")).to_be_focused()
    dialog.get_by_role("button", name="Close checkout").click()
    expect(dialog).to_be_hidden()
    assert [r["kind"] for r in results(page)] == ["failed", "dismiss"]


def test_escape_and_the_close_button_dismiss_and_focus_stays_inside_while_open(
    page: Page, served: tuple[Harness, str]
) -> None:
    open_checkout(page, served[0])
    dialog = page.get_by_role("dialog", name="PeerLearn")
    expect(dialog).to_have_attribute("aria-modal", "true")
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('[role=dialog]') !== null")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert [r["kind"] for r in results(page)] == ["dismiss"]
    expect(page.get_by_role("button", name="Pay now")).to_be_focused()

    page.get_by_role("button", name="Pay now").click()
    page.get_by_role("button", name="Close checkout").click()
    assert [r["kind"] for r in results(page)] == ["dismiss", "dismiss"]


def test_without_an_amount_option_the_modal_shows_the_orders(page: Page, served: tuple[Harness, str]) -> None:
    open_checkout(page, served[0], amount="")

    expect(page.get_by_role("dialog", name="PeerLearn")).to_contain_text("₹499.00")
