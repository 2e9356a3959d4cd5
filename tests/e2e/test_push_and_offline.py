"""Web push and the installable app in Chromium: a push message delivered to the service worker
through the DevTools protocol (no push service is reachable from a test) shows a notification whose
click opens the session page; the app shell opens with the network cut and says it is offline; the
manifest makes the site installable; the push switch explains what this browser can't do.

CDP can't click a system notification: the test asks the service worker to run its own
`notificationclick` handler on the notification (a test hook in src/sw.js that can only open a page
of this site, as the click itself).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, CDPSession, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import Api, sign_in
from tests.e2e.test_first_visit import a_session

pytestmark = pytest.mark.e2e

NOTIFICATIONS = """async (tag) => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications(tag ? { tag } : {})).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, icon: n.icon, link: n.data && n.data.link,
  }));
}"""


def controlled(page: Page) -> None:
    """Waits until the service worker is installed (shell precached) and controls the page."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20_000)


def registration_id(cdp: CDPSession, scope: str) -> str:
    found: dict[str, str] = {}

    def seen(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while "id" not in found:
        assert time.monotonic() < deadline, f"no service worker registration for {scope}"
        cdp.send("Runtime.evaluate", {"expression": "1"})  # lets the session's events arrive
        time.sleep(0.05)
    return found["id"]


def poll(page: Page, script: str, arg: Any, until: Callable[[Any], bool], what: str) -> Any:
    deadline = time.monotonic() + 10
    while True:
        value = page.evaluate(script, arg)
        if until(value):
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}: last saw {value!r}"
        time.sleep(0.1)


def test_a_push_shows_a_notification_and_its_click_opens_the_session_page(
    context: BrowserContext,
    page: Page,
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
) -> None:
    # Given a learner signed in, with notifications allowed and the service worker running
    _, mentor_email = people("mentor")
    session = a_session(api_as(mentor_email), minutes_ahead=3 * 24 * 60)
    _, email = people("learner")
    context.grant_permissions(["notifications"], origin=stack.url)
    sign_in(page, email)
    controlled(page)
    page.goto("/discover")
    cdp = context.new_cdp_session(page)
    registration = registration_id(cdp, f"{stack.url}/")

    # When a push arrives (what pywebpush sends, as the browser decrypted it)
    tag = f"session:{session['id']}"
    payload = {
        "id": "01JNOTIFICATION",
        "kind": "session_moved",
        "title": "Your session moved",
        "body": f"{session['title']} is now an hour later.",
        "link": f"/sessions/{session['id']}",
        "tag": tag,
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": stack.url, "registrationId": registration, "data": json.dumps(payload)},
    )

    # Then the service worker shows it
    [shown] = poll(page, NOTIFICATIONS, tag, lambda found: len(found) == 1, "the notification")
    assert shown["title"] == "Your session moved"
    assert shown["body"] == payload["body"]
    assert shown["link"] == f"{stack.url}/sessions/{session['id']}"
    assert shown["icon"].endswith("/icons/icon-192.png")

    # And its click takes the open tab to the session page (and closes the notification)
    page.evaluate(
        "(tag) => navigator.serviceWorker.controller.postMessage({ type: 'click-notification', tag })", tag
    )
    expect(page).to_have_url(f"{stack.url}/sessions/{session['id']}")
    expect(page.get_by_role("heading", name=str(session["title"]))).to_be_visible()
    poll(page, NOTIFICATIONS, tag, lambda found: found == [], "the notification to close")


def test_a_push_link_to_another_site_opens_the_notifications_page_instead(
    context: BrowserContext, page: Page, stack: LocalStack, people: Callable[..., tuple[str, str]]
) -> None:
    _, email = people("learner")
    context.grant_permissions(["notifications"], origin=stack.url)
    sign_in(page, email)
    controlled(page)
    page.goto("/discover")  # settled on a page (the sign-in's own navigation is over)
    cdp = context.new_cdp_session(page)
    registration = registration_id(cdp, f"{stack.url}/")
    payload = {
        "id": "x",
        "kind": "announcement",
        "title": "Hi",
        "body": "b",
        "link": "https://evil.example/",
        "tag": "t1",
    }

    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": stack.url, "registrationId": registration, "data": json.dumps(payload)},
    )

    [shown] = poll(page, NOTIFICATIONS, "t1", lambda found: len(found) == 1, "the notification")
    assert shown["link"] == f"{stack.url}/notifications"
    page.evaluate(
        "() => navigator.serviceWorker.controller.postMessage({ type: 'click-notification', tag: 't1' })"
    )
    expect(page).to_have_url(f"{stack.url}/notifications")


def test_the_app_shell_opens_offline_and_says_so(context: BrowserContext, page: Page) -> None:
    # Given a visit that installed the service worker (and its precache)
    page.goto("/discover")
    controlled(page)
    expect(page.get_by_test_id("offline-banner")).to_be_hidden()

    # When the network is cut and the site is opened again
    context.set_offline(True)
    try:
        # (the cut reaches the service worker too: what it doesn't hold, it can't fetch)
        uncached = "() => fetch('/favicon.svg?not-precached').then(() => 'fetched', () => 'failed')"
        assert page.evaluate(uncached) == "failed"
        page.goto("/")
        # Then the cached shell opens and says it is offline
        expect(page.get_by_test_id("offline-banner")).to_be_visible()
        expect(page.get_by_test_id("offline-banner")).to_contain_text("You're offline")
        expect(page.get_by_test_id("nav-home-logo")).to_be_visible()
        # And a page never visited before still opens from the cache (its HTML was precached)
        page.goto("/login")
        expect(page.get_by_test_id("login-email")).to_be_visible()
        expect(page.get_by_test_id("page-failed")).to_have_count(0)
    finally:
        context.set_offline(False)

    # And the banner goes when the network comes back
    expect(page.get_by_test_id("offline-banner")).to_be_hidden()


def test_the_site_is_installable_its_manifest_and_icons_served(page: Page, stack: LocalStack) -> None:
    page.goto("/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(f"{stack.url}{href}")
    assert manifest.ok
    body = manifest.json()
    assert body["display"] == "standalone"
    assert body["start_url"] == "/"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in body["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in body["icons"]:
        response = page.request.get(f"{stack.url}{icon['src']}")
        assert response.ok
        assert response.headers["content-type"] == "image/png"
    # Chromium itself finds nothing missing for installing the app
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # (Playwright's contexts are incognito-like: that says nothing about the site.)
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []


def test_the_push_switch_explains_a_browser_that_cannot_reach_its_push_service(
    context: BrowserContext, page: Page, stack: LocalStack, people: Callable[..., tuple[str, str]]
) -> None:
    # Headless Chromium without the internet can't reach FCM: subscribing fails, and says why.
    _, email = people("learner")
    context.grant_permissions(["notifications"], origin=stack.url)
    sign_in(page, email)
    page.goto("/settings/notifications")
    switch = page.get_by_test_id("push-device-switch")
    expect(switch).to_be_enabled()
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(page.get_by_test_id("push-device-permission")).to_contain_text("allowed")

    switch.click()

    expect(page.get_by_test_id("push-device-problem")).to_contain_text("couldn't reach its push service")
    expect(switch).to_have_attribute("aria-checked", "false")


# A PushManager that hands out subscriptions of the local stack's push-service stand-in, as the
# browser's own would hand out FCM's: the page's subscribe/unsubscribe path runs for real against the API.
FAKE_PUSH_MANAGER = """
(() => {
  const KEY = 'test.fakePushSubscription';  // kept across reloads, as a browser keeps its subscription
  const wrap = (json) => ({
    endpoint: json.endpoint,
    toJSON: () => ({ endpoint: json.endpoint, expirationTime: null, keys: json.keys }),
    unsubscribe: async () => { sessionStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.subscribe = async function () {
    const response = await fetch('/_dev/push/subscriptions', { method: 'POST' });
    const json = await response.json();
    sessionStorage.setItem(KEY, JSON.stringify(json));
    return wrap(json);
  };
  PushManager.prototype.getSubscription = async function () {
    const json = sessionStorage.getItem(KEY);
    return json ? wrap(JSON.parse(json)) : null;
  };
})();
"""


def test_the_push_switch_subscribes_this_device_and_unsubscribing_deletes_it(
    context: BrowserContext,
    page: Page,
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
) -> None:
    from peerlearn.notify import push_devices

    user_id, email = people("learner")
    context.grant_permissions(["notifications"], origin=stack.url)
    context.add_init_script(FAKE_PUSH_MANAGER)
    deletes: list[str] = []
    page.on("request", lambda r: deletes.append(r.url) if r.method == "DELETE" else None)
    sign_in(page, email)
    page.goto("/settings/notifications")
    switch = page.get_by_test_id("push-device-switch")

    switch.click()

    expect(switch).to_have_attribute("aria-checked", "true")
    expect(page.get_by_test_id("push-device-state")).to_contain_text("Chrome on Linux")
    [device] = push_devices.devices(user_id)
    assert device.device == "Chrome on Linux"

    # A device the server dropped (say after a 410) while the browser kept it is given back on the next visit
    push_devices.unsubscribe(user_id, device.subscription_id)
    page.reload()
    expect(switch).to_have_attribute("aria-checked", "true")
    poll(page, "() => 1", None, lambda _: len(push_devices.devices(user_id)) == 1, "the device to be re-sent")

    switch.click()

    expect(switch).to_have_attribute("aria-checked", "false")
    assert deletes == [f"{stack.url}/api/notifications/push/subscriptions/{device.subscription_id}"]
    assert push_devices.devices(user_id) == []


def test_signing_out_stops_this_devices_pushes_for_that_account(
    context: BrowserContext,
    page: Page,
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
) -> None:
    """On a shared computer the next person must not see the last one's receipts."""
    from peerlearn.notify import push_devices

    user_id, email = people("learner")
    context.grant_permissions(["notifications"], origin=stack.url)
    context.add_init_script(FAKE_PUSH_MANAGER)
    sign_in(page, email)
    page.goto("/settings/notifications")
    page.get_by_test_id("push-device-switch").click()
    expect(page.get_by_test_id("push-device-switch")).to_have_attribute("aria-checked", "true")
    assert len(push_devices.devices(user_id)) == 1

    page.get_by_test_id("nav-signout").click()

    expect(page).to_have_url(re.compile(r"/login"))
    assert push_devices.devices(user_id) == []


CACHE_STATE = """async () => {
  const names = await caches.keys();
  const urls = [];
  for (const name of names) {
    for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
  }
  return { names, urls };
}"""


def test_a_new_worker_keeps_only_its_own_cache_and_never_caches_the_api(page: Page) -> None:
    # Given the worker installed, and a cache an older build left behind
    page.goto("/discover")
    controlled(page)
    page.evaluate("() => caches.open('peerlearn-shell-0ldbu1ld').then(() => true)")

    # When another worker script takes over (as a new build's does: a new script, then activate)
    page.evaluate("() => navigator.serviceWorker.register('/sw.js?next-build').then(() => true)")

    # Then only its own cache remains, holding the shell, and no API answer is ever in it
    state = poll(page, CACHE_STATE, None, lambda s: len(s["names"]) == 1, "the old cache to go")
    [name] = state["names"]
    assert name.startswith("peerlearn-shell-")
    assert name != "peerlearn-shell-0ldbu1ld"
    assert any(url.endswith("/index.html") for url in state["urls"])
    assert any("/pages/login.html?v=" in url for url in state["urls"])
    assert not [url for url in state["urls"] if "/api/" in url]
