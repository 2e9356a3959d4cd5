"""The live room in real browsers: a mentor and two learners (three Chromium pages with fake devices)
go through the waiting room, are let in, and see each other (getStats' framesDecoded rising on
every pair); a screen share raises the receivers' resolution; a raised hand reaches the mentor's
queue; a learner's dropped socket comes back without a reload and without a ghost; the mentor ends
the session and the learners are asked for a rating."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import ZONE, Api, sign_in
from tests.support import local_in, wait_until

pytestmark = pytest.mark.e2e

MEDIA_TIMEOUT = 25.0  # seconds: ICE + DTLS + the first frames on a loaded 2-core machine


class Person:
    def __init__(self, user_id: str, email: str, context: BrowserContext, page: Page) -> None:
        self.user_id, self.email, self.context, self.page = user_id, email, context, page
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # The stack serves the production Content-Security-Policy: any violation fails the test.
        page.on(
            "console",
            lambda message: (
                self.errors.append(message.text) if message.text.startswith("CSP violation") else None
            ),
        )

    def stats(self) -> dict[str, dict[str, Any]]:
        stats: dict[str, dict[str, Any]] = self.page.evaluate(
            "window.__peerlearnRoom ? window.__peerlearnRoom.stats() : {}"
        )
        return stats

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.page.evaluate("window.__peerlearnRoom.state()")
        return state


@pytest.fixture
def open_pages(browser: Browser, stack: LocalStack) -> Iterator[Callable[[str, str], Person]]:
    contexts: list[BrowserContext] = []

    def open_page(user_id: str, email: str) -> Person:
        context = browser.new_context(
            base_url=stack.url, viewport={"width": 1280, "height": 800}, timezone_id=ZONE
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        sign_in(page, email)
        return Person(user_id, email, context, page)

    yield open_page
    for context in contexts:
        context.close()


def frames_from(receiver: Person, sender: Person) -> int:
    return int(receiver.stats().get(sender.user_id, {}).get("framesDecoded", 0))


def media_flows(receiver: Person, sender: Person) -> bool:
    """Frames from `sender` keep arriving at `receiver` (decoded, and more of them a moment later)."""
    before = frames_from(receiver, sender)
    if before == 0:
        return False
    receiver.page.wait_for_timeout(600)
    return frames_from(receiver, sender) > before


def a_free_session_starting_soon(mentor: Api) -> str:
    """A free session 12 minutes away whose room opens 30 minutes early (so it's open now)."""
    session = mentor.call(
        "POST",
        "/api/sessions",
        {
            "title": "Borrow checker, live",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_in(11, ZONE),
            "timezone": ZONE,
            "duration_minutes": 30,
            "capacity": 3,
            "price_paise": 0,
            "early_join_minutes": 30,
        },
    )
    return str(session["id"])


def test_mentor_and_two_learners_meet_share_recover_and_end(
    stack: LocalStack,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    open_pages: Callable[[str, str], Person],
) -> None:
    # Given a free session whose room is open and two learners with confirmed seats.
    mentor_id, mentor_email = people("mentor", name="Meera Mentor")
    asha_id, asha_email = people("learner", name="Asha Learner")
    ravi_id, ravi_email = people("learner", name="Ravi Learner")
    session_id = a_free_session_starting_soon(api_as(mentor_email))
    for email in (asha_email, ravi_email):
        api_as(email).call("POST", f"/api/sessions/{session_id}/book", {})

    mentor = open_pages(mentor_id, mentor_email)
    asha = open_pages(asha_id, asha_email)
    ravi = open_pages(ravi_id, ravi_email)
    everyone = (mentor, asha, ravi)

    # When each opens the session page, "Join the room" takes them to the room's lobby.
    for person in everyone:
        person.page.goto(f"/sessions/{session_id}")
        person.page.get_by_test_id("session-room-join").click()
        expect(person.page.get_by_test_id("room-lobby")).to_be_visible()
        expect(person.page.get_by_test_id("room-connection-check")).to_contain_text("round trip")
    expect(mentor.page.get_by_test_id("room-preview")).to_be_visible()

    # The learners ask to join and wait; the mentor hears them knock and sees them waiting.
    for learner in (asha, ravi):
        learner.page.get_by_test_id("room-join").click()
        expect(learner.page.get_by_test_id("room-join")).to_be_disabled()
        expect(learner.page.get_by_test_id("room-mentor-present")).to_contain_text("The mentor is here")
    expect(mentor.page.get_by_test_id("room-waiting-person")).to_have_count(2)

    # The mentor opens the room early, joins, and lets everyone in.
    mentor.page.get_by_test_id("room-open-now").click()
    mentor.page.get_by_test_id("room-join").click()
    expect(mentor.page.get_by_test_id("room-call")).to_be_visible()
    mentor.page.get_by_test_id("room-admit-all").click()
    for person in everyone:
        expect(person.page.get_by_test_id("room-call")).to_be_visible()
        expect(person.page.get_by_test_id("room-tile")).to_have_count(3)
        expect(person.page.get_by_test_id("room-timer")).to_be_visible()

    # Then media flows between every pair, both ways.
    for receiver in everyone:
        for sender in everyone:
            if receiver is not sender:
                wait_until(
                    lambda r=receiver, s=sender: media_flows(r, s),
                    timeout=MEDIA_TIMEOUT,
                    what=f"frames from {sender.email} at {receiver.email}",
                )

    # A screen share replaces Asha's camera: the others receive a bigger picture (the fake screen
    # is 1280x720, the fake camera 640x360 scaled down by the group's caps).
    camera_width = max(int(ravi.stats()[asha_id]["frameWidth"]), 1)
    asha.page.get_by_test_id("room-screen").click()
    expect(asha.page.get_by_test_id("room-screen")).to_have_attribute("aria-pressed", "true")
    for receiver in (mentor, ravi):
        wait_until(
            lambda r=receiver: int(r.stats()[asha_id]["frameWidth"]) >= max(2 * camera_width, 1280),
            timeout=MEDIA_TIMEOUT,
            what="the shared screen's resolution at the receivers",
        )

    # Stopping the share puts the camera back (replaceTrack again, no renegotiation).
    asha.page.get_by_test_id("room-screen").click()
    expect(asha.page.get_by_test_id("room-screen")).to_have_attribute("aria-pressed", "false")
    wait_until(
        lambda: 0 < int(ravi.stats()[asha_id]["frameWidth"]) < 1280,
        timeout=MEDIA_TIMEOUT,
        what="the camera's resolution back at the receivers",
    )

    # A raised hand appears in the mentor's queue.
    ravi.page.get_by_test_id("room-hand-toggle").click()
    mentor.page.get_by_test_id("room-tab-hands").click()
    expect(mentor.page.get_by_test_id("room-hand")).to_have_count(1)
    expect(mentor.page.get_by_test_id("room-hand")).to_have_attribute("data-user-id", ravi_id)

    # When Asha's socket drops, it comes back (a new ticket) without a reload, media flows again,
    # and the mentor still sees one Asha, connected.
    asha.page.evaluate("window.__peerlearnRoom.drop()")
    wait_until(lambda: asha.state()["connection"] == "reconnecting", timeout=5, what="the drop")
    wait_until(lambda: asha.state()["connection"] == "open", timeout=MEDIA_TIMEOUT, what="the reconnect")
    for receiver, sender in ((mentor, asha), (asha, mentor), (ravi, asha), (asha, ravi)):
        wait_until(
            lambda r=receiver, s=sender: media_flows(r, s),
            timeout=MEDIA_TIMEOUT,
            what=f"frames from {sender.email} at {receiver.email} after the drop",
        )
    mentor.page.get_by_test_id("room-tab-people").click()
    asha_rows = mentor.page.locator(f'[data-testid="room-person"][data-user-id="{asha_id}"]')
    expect(asha_rows).to_have_count(1)
    expect(asha_rows).to_have_attribute("data-connected", "true")
    expect(mentor.page.get_by_test_id("room-tile")).to_have_count(3)

    # When the mentor ends the session, the learners are asked for a rating.
    mentor.page.get_by_test_id("room-end").click()
    mentor.page.get_by_test_id("confirm-ok").click()
    expect(mentor.page.get_by_test_id("room-ended")).to_be_visible()
    for learner in (asha, ravi):
        expect(learner.page.get_by_test_id("room-ended")).to_be_visible()
        expect(learner.page.get_by_test_id("room-rating")).to_be_visible()
    expect(mentor.page.get_by_test_id("room-rating")).to_have_count(0)
    asha.page.get_by_test_id("room-rating-star-5").click()
    asha.page.get_by_test_id("room-rating-text").fill("Lifetimes finally clicked.")
    asha.page.get_by_test_id("room-rating-submit").click()
    expect(asha.page.get_by_test_id("room-rating-done")).to_be_visible(timeout=30_000)

    for person in everyone:
        assert person.errors == [], person.errors


def test_the_mentor_extends_mutes_asks_to_unmute_lowers_a_hand_and_removes(
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    open_pages: Callable[[str, str], Person],
) -> None:
    # Given a mentor in the room and a learner in its waiting room.
    mentor_id, mentor_email = people("mentor", name="Meera Mentor")
    lena_id, lena_email = people("learner", name="Lena Learner")
    session_id = a_free_session_starting_soon(api_as(mentor_email))
    api_as(lena_email).call("POST", f"/api/sessions/{session_id}/book", {})
    mentor = open_pages(mentor_id, mentor_email)
    lena = open_pages(lena_id, lena_email)
    mentor.page.goto(f"/sessions/{session_id}/room")
    expect(mentor.page.get_by_test_id("room-lobby")).to_be_visible()
    lena.page.goto(f"/sessions/{session_id}/room")
    lena.page.get_by_test_id("room-join").click()

    # The mentor hears the knock (announced too), lets Lena in and joins.
    expect(mentor.page.get_by_test_id("room-announcement")).to_contain_text("Lena Learner is waiting to join")
    mentor.page.get_by_test_id("room-admit").click()
    mentor.page.get_by_test_id("room-join").click()
    expect(lena.page.get_by_test_id("room-call")).to_be_visible()
    expect(mentor.page.get_by_test_id("room-call")).to_be_visible()
    wait_until(lambda: media_flows(mentor, lena), timeout=MEDIA_TIMEOUT, what="Lena's media at the mentor")

    # Extending by 5 minutes moves everyone's end by 5 minutes (the server's timer).
    ends = "Alpine.store('room').room.ends_at"
    before = lena.page.evaluate(f"Date.parse({ends})")
    mentor.page.get_by_test_id("room-extend-5").click()
    wait_until(lambda: lena.page.evaluate(f"Date.parse({ends})") == before + 5 * 60_000, what="the extension")
    expect(mentor.page.get_by_test_id("room-extend-15")).to_have_count(0)  # 5 + 15 > 15

    # Muting turns Lena's microphone off; asking her to unmute asks, and she chooses to.
    mic = lena.page.get_by_test_id("room-mic")
    expect(mic).to_have_attribute("aria-pressed", "true")
    mentor.page.get_by_test_id("room-mute").click()
    expect(mic).to_have_attribute("aria-pressed", "false")
    mentor.page.get_by_test_id("room-ask-unmute").click()
    expect(lena.page.get_by_test_id("room-mute-ask")).to_contain_text("asks you to unmute")
    lena.page.get_by_test_id("room-mute-ask-yes").click()
    expect(mic).to_have_attribute("aria-pressed", "true")
    expect(mentor.page.get_by_test_id("room-mute")).to_be_visible()

    # A hand goes up and the mentor lowers it; a reaction floats on the mentor's screen.
    lena.page.get_by_test_id("room-hand-toggle").click()
    expect(lena.page.get_by_test_id("room-hand-toggle")).to_have_attribute("aria-pressed", "true")
    mentor.page.get_by_test_id("room-tab-hands").click()
    mentor.page.get_by_test_id("room-lower-hand").click()
    expect(mentor.page.get_by_test_id("room-hand")).to_have_count(0)
    expect(lena.page.get_by_test_id("room-hand-toggle")).to_have_attribute("aria-pressed", "false")
    lena.page.get_by_test_id("room-react-👏").click()
    expect(mentor.page.get_by_test_id("room-reaction")).to_have_count(1)

    # Lena opens the room in a second tab: the first one says so and stays out (no reconnect loop);
    # the second resumes her seat, and the mentor still sees one Lena.
    first = lena
    lena = Person(lena_id, lena_email, first.context, first.context.new_page())
    lena.page.goto(f"/sessions/{session_id}/room")
    expect(first.page.get_by_test_id("room-replaced")).to_be_visible()
    lena.page.get_by_test_id("room-join").click()
    expect(lena.page.get_by_test_id("room-call")).to_be_visible()
    wait_until(
        lambda: media_flows(mentor, lena), timeout=MEDIA_TIMEOUT, what="Lena's second tab at the mentor"
    )
    expect(first.page.get_by_test_id("room-replaced")).to_be_visible()
    expect(mentor.page.locator(f'[data-testid="room-person"][data-user-id="{lena_id}"]')).to_have_count(1)

    # Removing Lena (confirmed) sends her out, and she can't come back in.
    mentor.page.get_by_test_id("room-tab-people").click()
    mentor.page.get_by_test_id("room-remove").click()
    mentor.page.get_by_test_id("confirm-ok").click()
    expect(lena.page.get_by_test_id("room-removed")).to_be_visible()
    expect(mentor.page.get_by_test_id("room-person")).to_have_count(0)
    expect(mentor.page.get_by_test_id("room-tile")).to_have_count(1)
    lena.page.goto(f"/sessions/{session_id}/room")
    expect(lena.page.get_by_test_id("room-refused")).to_be_visible()

    for person in (mentor, first, lena):
        assert person.errors == [], person.errors
