"""In-app notifications on the local stack: how long a change takes to reach the browser, next to the
bare `@connections` post that carries it.

1. Change to browser, p50/p95: a learner has the site open in Chromium; the mentor moves the booked
   session through the REST API, N times. Each figure runs from the moment the PATCH returns to the
   moment the page shows the toast (the store's `window.__peerlearnNotified` hook, read on the next
   animation frame, i.e. when the toast is painted). The path: the table's stream -> the streams
   function (the notice, the record, push_to_user) -> the gateway's `@connections` -> the page's
   user channel -> the store -> the toast. The time of the PATCH itself is printed beside it.
2. The raw post, p50/p95, in the same run: `post_to_connection` from this process to a user channel
   opened by a WebSocket client here, timed until the client has the message: the floor under (1).

Starts its own local stack (DynamoDB Local in memory). Prints figures; asserts none.
Run: .venv/bin/python benchmarks/notifications.py [--moves 20] [--posts 200]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from measure import local_stack, machine, percentile
from playwright.sync_api import Page
from rooms import ZONE, Person, call, chromium, make_people, signed_in_page
from websockets.sync.client import connect

from infra.local.stack import LocalStack

# Runs before the app: every notification the store shows is noted with the wall-clock time of the
# next frame (the toast is in the DOM by then), in ms since the epoch, comparable with time.time().
HOOK = """
window.__notified = [];
window.__peerlearnNotified = (item) => {
  const at = () => performance.timeOrigin + performance.now();
  const painted = () => window.__notified.push({ id: item.id, at: at() });
  requestAnimationFrame(painted);
};
"""


def local_time(days: float, hours: int = 0) -> str:
    moment = datetime.now(UTC) + timedelta(days=days, hours=hours)
    return moment.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M")


def booked_session(stack: LocalStack, mentor: Person, learner: Person) -> str:
    session = call(
        stack,
        mentor,
        "POST",
        "/api/sessions",
        {
            "title": "Benchmark session",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_time(3),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 1,
            "price_paise": 0,
        },
    )
    call(stack, learner, "POST", f"/api/sessions/{session['id']}/book", {})
    return str(session["id"])


def poll(page: Page, expression: str, timeout_s: float = 60) -> None:
    """Until `expression` is true in the page (evaluated through DevTools: the site's CSP forbids the
    string evaluation wait_for_function uses). The times measured are taken in the page itself."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_s} s: {expression}")
        time.sleep(0.01)


def wait_channel_open(page: Page) -> None:
    poll(page, "Boolean(window.Alpine) && Alpine.store('notifications').state === 'open'")


def change_to_browser(
    stack: LocalStack, page: Page, mentor: Person, session_id: str, moves: int
) -> tuple[list[float], list[float]]:
    """Milliseconds from each PATCH returning to the toast painted, and of the PATCH itself."""
    latency_ms, patch_ms = [], []
    for n in range(moves + 2):  # the first two warm the stream consumer's path
        seen = int(page.evaluate("window.__notified.length"))
        started = time.time()
        call(
            stack,
            mentor,
            "PATCH",
            f"/api/sessions/{session_id}",
            {"starts_at_local": local_time(3, hours=n + 1), "timezone": ZONE},
        )
        returned = time.time()
        poll(page, f"window.__notified.length > {seen}")
        shown_at_ms = float(page.evaluate(f"window.__notified[{seen}].at"))
        if n >= 2:
            latency_ms.append(shown_at_ms - returned * 1000)
            patch_ms.append((returned - started) * 1000)
    return latency_ms, patch_ms


def raw_posts(stack: LocalStack, learner: Person, posts: int) -> list[float]:
    """Milliseconds from `post_to_connection` to the message in a WebSocket client's hands."""
    from peerlearn.adapters import websocket
    from peerlearn.notify import channel

    before = set(channel.open_connections(learner.user_id))
    url = call(stack, learner, "POST", "/api/notifications/channel-ticket", {})["url"]
    samples = []
    with connect(url, open_timeout=30) as client:
        deadline = time.time() + 30
        mine: set[str] = set()
        while not mine and time.time() < deadline:
            mine = set(channel.open_connections(learner.user_id)) - before
        (connection_id,) = mine
        for n in range(posts + 10):
            data = json.dumps({"type": "unread", "unread": n}).encode()
            start = time.perf_counter()
            websocket.post(connection_id, data)
            client.recv(timeout=30)
            if n >= 10:
                samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()
    with local_stack() as (stack, _dynamodb), chromium() as browser:
        print(machine())
        mentor, (learner,) = make_people(stack, 1)
        session_id = booked_session(stack, mentor, learner)
        context, page = signed_in_page(browser, stack, learner)
        context.add_init_script(HOOK)
        page.reload()  # the hook is in place before the app starts
        wait_channel_open(page)
        latency_ms, patch_ms = change_to_browser(stack, page, mentor, session_id, args.moves)
        raw_ms = raw_posts(stack, learner, args.posts)
        context.close()
        print(f"\nchange to browser: a session moved -> the learner's toast ({args.moves} moves; ms)")
        for label, samples in (("from the PATCH returning", latency_ms), ("the PATCH itself", patch_ms)):
            print(f"  {label:<25} p50 {percentile(samples, 50):.0f}  p95 {percentile(samples, 95):.0f}")
        print(f"\nthe raw @connections post to a user channel ({args.posts} posts; ms)")
        print(
            f"  post -> client            p50 {percentile(raw_ms, 50):.1f}  p95 {percentile(raw_ms, 95):.1f}"
        )


if __name__ == "__main__":
    main()
