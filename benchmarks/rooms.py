"""Live rooms on the local stack: how fast a room starts, what the signaling relay costs next to the
gateway's own WebSocket echo, and what a participant costs the machine.

1. Join to first remote frame, p50/p95, with 2 and 4 participants in Chromium (fake camera and
   microphone): from the moment a participant is in the call (its first `welcome` saying `admitted`)
   to the first decoded video frame from someone else (`requestVideoFrameCallback`). Each round one
   participant leaves and comes back while the others stay.
2. The relay: a `signal` from one participant's socket to another's (through the gateway, the
   signaling function and the `@connections` API), p50/p95, next to the gateway's bare echo
   (`/_dev/echo`, no function) measured in the same run, alternately, and the ratio of the p50s.
3. CPU per participant with 2, 4 and 8 participants in one Chromium, media flowing under the page's
   quality caps: Chromium's CPU time over a window / wall time / participants (100% = one core).

Starts its own local stack (DynamoDB Local in memory). Prints figures; asserts none.
Run: .venv/bin/python benchmarks/rooms.py [--rounds 6] [--messages 300] [--cpu-seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import websockets
from measure import local_stack, machine, percentile
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from infra.local.stack import LocalStack

PASSWORD = "bench-password-123"
ZONE = "Asia/Kolkata"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
]
VISIBLE_TEST_IDS = (
    "[...document.querySelectorAll('[data-testid]')].filter((e) => e.offsetParent)"
    ".map((e) => e.dataset.testid).join(' ')"
)
PACE_SECONDS = 0.06
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host generation 0",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}

# Runs in every page before the app: notes when this page is let into the call (its first `welcome`
# that says `admitted`) and when the first video frame from any peer is decoded. Reads the app's own
# socket and peer connections from outside, so the figure doesn't depend on the app's internals.
PAGE_PROBE = """
(() => {
  const probe = (window.__roomProbe = { admittedAt: null, firstFrameAt: null });
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        let message;
        try { message = JSON.parse(event.data); } catch { return; }
        const admitted = (message.type === 'welcome' && message.you && message.you.status === 'admitted')
          || message.type === 'admitted';
        if (admitted && probe.admittedAt === null) probe.admittedAt = performance.now();
      });
    }
  };
  const NativePeer = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeer {
    constructor(...args) {
      super(...args);
      this.addEventListener('track', (event) => {
        if (event.track.kind !== 'video') return;
        const video = document.createElement('video');
        video.muted = true;
        video.srcObject = new MediaStream([event.track]);
        video.play().catch(() => {});
        const seen = () => {
          if (probe.firstFrameAt !== null) return;
          if (probe.admittedAt !== null) probe.firstFrameAt = performance.now();
          else video.requestVideoFrameCallback(seen);
        };
        video.requestVideoFrameCallback(seen);
      });
    }
  };
})();
"""


@dataclass
class Person:
    user_id: str
    email: str
    token: str
    address: str  # the loopback address its requests come from (sign-in limits are per client)


# ---------------------------------------------------------------------- the scene
def make_people(stack: LocalStack, learners: int) -> tuple[Person, list[Person]]:
    """A mentor and `learners` verified learners, each signed in from its own loopback address."""
    from peerlearn.accounts import service as accounts
    from peerlearn.config import Settings
    from peerlearn.context import build_context

    build_context(Settings.from_env(stack.settings_env))
    people = []
    for n, role in enumerate(["mentor"] + ["learner"] * learners):
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
        profile: dict[str, Any] = (
            {"headline": "Rust mentor", "expertise": ["Rust"]} if role == "mentor" else {}
        )
        user_id = accounts.create_account(
            name=f"{role.title()} {n}", email=email, password=PASSWORD, role=role, verified=True, **profile
        )
        address = f"127.0.{n // 200 + 1}.{n % 200 + 1}"
        with httpx.Client(
            base_url=stack.url, transport=httpx.HTTPTransport(local_address=address), timeout=60
        ) as client:
            reply = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            reply.raise_for_status()
        people.append(Person(user_id, email, reply.json()["access_token"], address))
    return people[0], people[1:]


def call(stack: LocalStack, person: Person, method: str, path: str, body: Any = None) -> Any:
    transport = httpx.HTTPTransport(local_address=person.address)
    with httpx.Client(base_url=stack.url, transport=transport, timeout=60) as client:
        reply = client.request(method, path, json=body, headers={"Authorization": f"Bearer {person.token}"})
    if reply.is_error:
        raise RuntimeError(f"{method} {path}: {reply.status_code} {reply.text}")
    return reply.json() if reply.content else None


def open_room(stack: LocalStack, mentor: Person, learners: list[Person]) -> str:
    """A free session whose room is open now (it starts in 12 minutes, the room 30 minutes early),
    booked by every learner."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    starts = (datetime.now(UTC) + timedelta(minutes=12)).astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M")
    session = call(
        stack,
        mentor,
        "POST",
        "/api/sessions",
        {
            "title": "Benchmark room",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": starts,
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": max(1, len(learners)),
            "price_paise": 0,
            "early_join_minutes": 30,
        },
    )
    for learner in learners:
        call(stack, learner, "POST", f"/api/sessions/{session['id']}/book", {})
    return str(session["id"])


def ticket_url(stack: LocalStack, person: Person, session_id: str) -> str:
    answer = call(stack, person, "POST", f"/api/sessions/{session_id}/room-ticket", {})
    return str(answer["url"])  # the ticket rides in its query string


# ---------------------------------------------------------------------- 2. the relay
async def _next(socket: Any, kind: str, timeout_s: float = 30) -> dict[str, Any]:
    async with asyncio.timeout(timeout_s):
        while True:
            message = json.loads(await socket.recv())
            if message.get("type") == kind:
                return dict(message)
            if message.get("type") == "error":
                raise RuntimeError(f"the room refused a message: {message}")


async def relay_against_echo(stack: LocalStack, messages: int) -> tuple[list[float], list[float]]:
    """Milliseconds of a `signal` from the mentor's socket to a learner's, and of an echo round trip
    through the gateway alone, taken alternately."""
    mentor, (learner,) = make_people(stack, 1)
    session_id = open_room(stack, mentor, [learner])
    echo_url = stack.url.replace("http://", "ws://") + "/_dev/echo"
    async with (
        websockets.connect(ticket_url(stack, mentor, session_id)) as mentor_socket,
        websockets.connect(ticket_url(stack, learner, session_id)) as learner_socket,
        websockets.connect(echo_url) as echo,
    ):
        await mentor_socket.send(json.dumps({"action": "hello"}))
        await _next(mentor_socket, "welcome")
        await mentor_socket.send(json.dumps({"action": "admit", "user_id": learner.user_id}))
        await _next(learner_socket, "admitted")
        signal = json.dumps({"action": "signal", "to": learner.user_id, "data": {"candidate": CANDIDATE}})
        relay_ms, echo_ms = [], []
        for n in range(messages + 10):  # the first 10 warm both paths
            # Paced under the room's per-connection limit (20 a second), which drops what exceeds it.
            await asyncio.sleep(PACE_SECONDS)
            start = time.perf_counter()
            await mentor_socket.send(signal)
            await _next(learner_socket, "signal")
            relayed = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            await echo.send(signal)
            await echo.recv()
            echoed = (time.perf_counter() - start) * 1000
            if n >= 10:
                relay_ms.append(relayed)
                echo_ms.append(echoed)
    return relay_ms, echo_ms


# ---------------------------------------------------------------------- the browser
@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(browser: Browser, stack: LocalStack, person: Person) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        base_url=stack.url, viewport={"width": 640, "height": 480}, timezone_id=ZONE
    )
    context.set_default_timeout(30_000)
    context.add_init_script(PAGE_PROBE)
    page = context.new_page()
    page.goto("/login")
    page.get_by_test_id("login-email").fill(person.email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def enter_room(page: Page, session_id: str, *, mentor: bool = False) -> None:
    """The room page, its device check passed with the fake camera and microphone, then Join (the
    mentor opens the room first: the session starts in 12 minutes)."""
    page.goto(f"/sessions/{session_id}/room")
    if mentor:
        page.get_by_test_id("room-open-now").click()
        page.get_by_test_id("room-open-now").wait_for(state="hidden")
    page.get_by_test_id("room-join").click()


def admit_waiting(mentor_page: Page, knocks: int, timeout_s: float = 60) -> None:
    """Waits until `knocks` learners are waiting, then lets them in until nobody waits."""
    waiting = mentor_page.locator("[data-testid=room-waiting-person]:visible")
    waiting.nth(knocks - 1).wait_for()
    deadline = time.monotonic() + timeout_s
    while waiting.count() and time.monotonic() < deadline:
        everyone = mentor_page.locator("[data-testid=room-admit-all]:visible")
        one = mentor_page.locator("[data-testid=room-admit]:visible")
        # Presence re-renders the list as people arrive: a click may land on a row being replaced.
        with contextlib.suppress(PlaywrightError):
            (everyone if everyone.count() else one).first.click(timeout=5000)
        mentor_page.wait_for_timeout(300)


def let_in_again(mentor_page: Page, joiner: Page, timeout_s: float = 30) -> None:
    """A learner who comes back resumes their seat; if the room sent them to wait, the mentor admits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if joiner.evaluate("window.__roomProbe.admittedAt") is not None:
            return
        if mentor_page.locator("[data-testid=room-admit]:visible").count():
            mentor_page.locator("[data-testid=room-admit]:visible").first.click()
            return
        joiner.wait_for_timeout(20)


def wait_for_probe(page: Page, field: str, timeout_s: float = 60) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = page.evaluate(f"window.__roomProbe && window.__roomProbe.{field}")
        if value is not None:
            return float(value)
        page.wait_for_timeout(20)
    raise TimeoutError(f"no {field} within {timeout_s} s")


def join_to_first_frame(stack: LocalStack, participants: int, rounds: int) -> list[float]:
    """Milliseconds from being let in to the first remote frame, for the participant who (re)joins
    while the others are in the call; each learner takes turns."""
    mentor, learners = make_people(stack, participants - 1)
    session_id = open_room(stack, mentor, learners)
    samples = []
    with chromium() as browser:
        pages = {p.user_id: signed_in_page(browser, stack, p)[1] for p in [mentor, *learners]}
        enter_room(pages[mentor.user_id], session_id, mentor=True)
        wait_for_probe(pages[mentor.user_id], "admittedAt")
        for learner in learners:
            enter_room(pages[learner.user_id], session_id)
        admit_waiting(pages[mentor.user_id], len(learners))
        for learner in learners:
            wait_for_probe(pages[learner.user_id], "firstFrameAt")
        for n in range(rounds):
            joiner = pages[learners[n % len(learners)].user_id]
            joiner.goto("/")  # leaves the call
            try:
                enter_room(joiner, session_id)
            except PlaywrightError:  # say what the page showed, then try once more
                shown = joiner.evaluate(VISIBLE_TEST_IDS)
                print(f"  (a rejoin found no Join button at {joiner.url}: {shown}; retried)")
                joiner.goto("/")
                enter_room(joiner, session_id)
            let_in_again(pages[mentor.user_id], joiner)
            admitted = wait_for_probe(joiner, "admittedAt")
            samples.append(wait_for_probe(joiner, "firstFrameAt") - admitted)
    return samples


# ---------------------------------------------------------------------- 3. CPU
def _chromium_pids() -> set[int]:
    """Chromium's processes by their command name (renderers rewrite their command line)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name.startswith(("chromium", "chrome")):
            pids.add(int(entry.name))
    return pids


def _cpu_seconds(pids: set[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_per_participant(stack: LocalStack, participants: int, window_s: float) -> float:
    """Percent of one core per participant while every pair exchanges media."""
    mentor, learners = make_people(stack, participants - 1)
    session_id = open_room(stack, mentor, learners)
    before = _chromium_pids()
    with chromium() as browser:
        pages = {p.user_id: signed_in_page(browser, stack, p)[1] for p in [mentor, *learners]}
        enter_room(pages[mentor.user_id], session_id, mentor=True)
        wait_for_probe(pages[mentor.user_id], "admittedAt")
        for learner in learners:
            enter_room(pages[learner.user_id], session_id)
        admit_waiting(pages[mentor.user_id], len(learners))
        for page in pages.values():
            wait_for_probe(page, "firstFrameAt", timeout_s=120)
        pages[mentor.user_id].wait_for_timeout(5000)  # negotiation settles, caps apply
        ours = _chromium_pids() - before
        start_cpu, start = _cpu_seconds(ours), time.monotonic()
        pages[mentor.user_id].wait_for_timeout(window_s * 1000)
        used = _cpu_seconds(ours) - start_cpu
        return used / (time.monotonic() - start) / participants * 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--cpu-seconds", type=float, default=10.0)
    args = parser.parse_args()
    with local_stack() as (stack, _dynamodb):
        print(machine())
        print("\njoin to first remote frame (ms)")
        for participants in (2, 4):
            samples = join_to_first_frame(stack, participants, args.rounds)
            print(
                f"  {participants} participants: p50 {percentile(samples, 50):.0f}, "
                f"p95 {percentile(samples, 95):.0f} ({len(samples)} joins)"
            )
        relay_ms, echo_ms = asyncio.run(relay_against_echo(stack, args.messages))
        relay_p50, echo_p50 = percentile(relay_ms, 50), percentile(echo_ms, 50)
        print(f"\nsignal relay vs the gateway's bare echo ({args.messages} messages each, alternately; ms)")
        print(f"  relay  p50 {relay_p50:.2f}  p95 {percentile(relay_ms, 95):.2f}")
        print(f"  echo   p50 {echo_p50:.2f}  p95 {percentile(echo_ms, 95):.2f}")
        print(f"  relay/echo p50 ratio: {relay_p50 / echo_p50:.1f}")
        print(
            f"\nCPU per participant, media flowing under the quality caps ({args.cpu_seconds:.0f} s window)"
        )
        for participants in (2, 4, 8):
            share = cpu_per_participant(stack, participants, args.cpu_seconds)
            print(f"  {participants} participants: {share:.0f}% of a core each")


if __name__ == "__main__":
    main()
