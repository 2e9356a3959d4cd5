"""The room's panels in real browsers against the local stack: chat text (with a safe link) and an image
reach the other participants; a gift paid in the Checkout stand-in is announced exactly once to all
three; a recording is uploaded while the mentor records, and a learner downloads it afterwards from the
session page.

The room page is room-web's (`/sessions/<id>/room`): its device check ends with `room-join`, the
mentor admits with the socket's `admit {all: true}` (the same message its "Admit all" button sends),
and `Alpine.store('room')` carries `me` and `socket` (the panels' contract; the recording panel adds
`finishRecording()` for the page's End session to await). The panels' own test ids are `room-chat-*`,
`room-gift-*` and `room-recording-*`.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import ZONE, Api, Requests, sign_in
from tests.support import local_in

pytestmark = pytest.mark.e2e

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
ANNOUNCE_TIMEOUT_MS = 30_000  # a gift goes Checkout -> verify/webhook -> stream -> broadcast
RECORD_MS = 6_000
# The local signaling function handles one message at a time, and three browsers negotiating media
# keep it busy for a while after they join: a chat message can take several seconds to come round.
RELAY_TIMEOUT_MS = 30_000
IMAGE_DECODED = """() => {
  const image = document.querySelector('[data-testid=room-chat-image]');
  return Boolean(image && image.complete && image.naturalWidth === 8);
}"""
COUNT_GIFTS = """() => {
  window.__gifts = 0;
  Alpine.store('room').socket.on('gift', () => { window.__gifts += 1; });
}"""


def png(width: int = 8, height: int = 8) -> bytes:
    """A small valid PNG (solid orange), so the receivers' <img> really decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def make_live(session_id: str) -> None:
    """Set-up shortcut: the session's window moved around now and started, as a mentor opening it would."""
    from peerlearn import clock, timeutil
    from peerlearn.catalog import lifecycle
    from peerlearn.catalog.lookup import get_session_item
    from peerlearn.store.models import SessionItem

    now = clock.now_seconds()
    get_session_item(session_id, consistent=True).update(
        actions=[
            SessionItem.starts_at.set(timeutil.iso_from_epoch(now - 300)),
            SessionItem.ends_at.set(timeutil.iso_from_epoch(now + 3600)),
        ]
    )
    lifecycle.start(get_session_item(session_id, consistent=True))


class Room:
    def __init__(self, session_id: str, mentor: Page, learners: list[Page]) -> None:
        self.session_id, self.mentor, self.learners = session_id, mentor, learners

    @property
    def everyone(self) -> list[Page]:
        return [self.mentor, *self.learners]


@pytest.fixture
def browse(browser: Browser, stack: LocalStack) -> Iterator[Callable[..., Page]]:
    """`browse(email[, viewport])` -> a signed-in page of that person, in their own browser context."""
    opened: list[tuple[BrowserContext, Requests]] = []

    def open_as(email: str, viewport: ViewportSize = DESKTOP) -> Page:
        seen = Requests()
        ctx = browser.new_context(
            base_url=stack.url, viewport=viewport, timezone_id=ZONE, accept_downloads=True
        )
        ctx.set_default_timeout(15_000)
        ctx.on("request", lambda request: seen.urls.append(request.url))
        opened.append((ctx, seen))
        page = ctx.new_page()
        sign_in(page, email)
        return page

    yield open_as
    for ctx, seen in opened:
        ctx.close()
        assert seen.outside(stack.url) == [], "a page loaded something from outside the local stack"


def enter(page: Page, session_id: str) -> None:
    """Opens the room and passes the device check (room-web's page); ends in the room or its waiting room."""
    page.goto(f"/sessions/{session_id}/room")
    page.locator("[data-testid=room-join], [data-testid=room-chat]").first.wait_for()
    if page.get_by_test_id("room-join").is_visible():
        page.get_by_test_id("room-join").click()
    page.wait_for_function("() => Boolean(window.Alpine && Alpine.store('room') && Alpine.store('room').me)")


def my_status(page: Page) -> Any:
    return page.evaluate("() => Alpine.store('room').me && Alpine.store('room').me.status")


@pytest.fixture
def room(
    people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api], browse: Callable[..., Page]
) -> Callable[..., Room]:
    """A live free session with a mentor and two confirmed learners, all three in its room, admitted."""

    def make(title: str, learner_viewports: tuple[ViewportSize, ...] = (DESKTOP, DESKTOP)) -> Room:
        _, mentor_email = people("mentor", name="Meera Mentor")
        session = api_as(mentor_email).call(
            "POST",
            "/api/sessions",
            {
                "title": title,
                "tags": ["Rust"],
                "level": "beginner",
                "starts_at_local": local_in(3 * 24 * 60, ZONE),
                "timezone": ZONE,
                "duration_minutes": 60,
                "capacity": 3,
                "price_paise": 0,
            },
        )
        learner_emails = []
        for name in ("Lena Learner", "Arjun Learner"):
            _, email = people("learner", name=name)
            api_as(email).call("POST", f"/api/sessions/{session['id']}/book", {})
            learner_emails.append(email)
        make_live(session["id"])

        mentor = browse(mentor_email)
        enter(mentor, session["id"])
        learners = [
            browse(email, viewport) for email, viewport in zip(learner_emails, learner_viewports, strict=True)
        ]
        for learner in learners:
            enter(learner, session["id"])
        # The mentor admits everyone waiting (room-web's "Admit all" sends exactly this).
        mentor.evaluate("() => Alpine.store('room').socket.send('admit', { all: true })")
        for page in [mentor, *learners]:
            expect(page.get_by_test_id("room-chat-form")).to_be_attached()
            page.wait_for_function("() => Alpine.store('room').me.status === 'admitted'")
        return Room(session["id"], mentor, learners)

    return make


def open_chat(page: Page) -> None:
    """The room page may keep the chat behind its Chat tab (on phones): select it when it is there."""
    tab = page.get_by_test_id("room-tab-chat")
    if tab.is_visible() and tab.get_attribute("aria-selected") != "true":
        tab.click()
    expect(page.get_by_test_id("room-chat-log")).to_be_visible()


def test_chat_text_and_an_image_reach_the_other_participants(room: Callable[..., Room]) -> None:
    live = room("Chat in the room", learner_viewports=(DESKTOP, PHONE))
    lena, arjun = live.learners

    # When Lena sends a message with a link (Enter sends; markup stays text)
    open_chat(lena)
    lena.get_by_test_id("room-chat-input").fill("Notes: https://doc.rust-lang.org/book/ <b>bold?</b>")
    lena.get_by_test_id("room-chat-input").press("Enter")

    # Then Arjun, on a phone with the chat out of sight, is told, and one tap brings it back
    new_messages = arjun.get_by_test_id("room-chat-new")
    expect(new_messages).to_contain_text("1 new message in chat", timeout=RELAY_TIMEOUT_MS)
    new_messages.click()
    expect(arjun.get_by_test_id("room-chat-log")).to_be_visible()
    expect(new_messages).to_be_hidden()

    # And everyone sees it once, with a safe link and no HTML
    for page in live.everyone:
        open_chat(page)
        message = page.get_by_test_id("room-chat-message").filter(has_text="Notes:")
        expect(message).to_have_count(1, timeout=RELAY_TIMEOUT_MS)
        link = message.get_by_role("link", name="https://doc.rust-lang.org/book/")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(link).to_have_attribute("target", "_blank")
        expect(message).to_contain_text("<b>bold?</b>")
        assert message.locator("b").count() == 0

    # When Lena attaches an image
    lena.get_by_test_id("room-chat-file-input").set_input_files(
        {"name": "diagram.png", "mimeType": "image/png", "buffer": png()}
    )

    # Then it shows inline for the mentor and Arjun (fetched with their own sign-in)
    for page in [live.mentor, arjun]:
        open_chat(page)
        image = page.get_by_test_id("room-chat-image")
        expect(image).to_be_visible(timeout=RELAY_TIMEOUT_MS)
        expect(image).to_have_attribute("alt", "diagram.png")
        page.wait_for_function(IMAGE_DECODED)

    # A file the room doesn't take is refused in words, before any upload
    lena.get_by_test_id("room-chat-file-input").set_input_files(
        {"name": "page.html", "mimeType": "text/html", "buffer": b"<script>alert(1)</script>"}
    )
    expect(lena.get_by_test_id("room-chat-file-error")).to_contain_text("can't be shared")

    # And a newcomer's history (a reload is a reconnect) has both messages, once each
    arjun.reload()
    enter(arjun, live.session_id)
    open_chat(arjun)
    expect(arjun.get_by_test_id("room-chat-message")).to_have_count(2, timeout=RELAY_TIMEOUT_MS)


def test_a_gift_paid_in_checkout_is_announced_once_to_everyone(room: Callable[..., Room]) -> None:
    live = room("Gifts in the room")
    lena = live.learners[0]
    for page in live.everyone:  # count the socket's gift messages, not just what is drawn
        page.evaluate(COUNT_GIFTS)
    expect(live.mentor.get_by_test_id("room-gift-open")).to_be_hidden()  # only learners give

    # When Lena gifts ₹100 with a message and pays by UPI in the Checkout stand-in
    lena.get_by_test_id("room-gift-open").click()
    lena.get_by_text("₹100", exact=True).click()
    lena.get_by_test_id("room-gift-message").fill("Thank you, this helped!")
    expect(lena.get_by_test_id("room-gift-pay")).to_have_text("Pay ₹100")
    lena.get_by_test_id("room-gift-pay").click()
    dialog = lena.get_by_role("dialog")
    dialog.get_by_label("UPI").check()
    dialog.locator("[data-outcome=success]").click()
    expect(lena.get_by_test_id("room-gift-sent")).to_be_visible(timeout=ANNOUNCE_TIMEOUT_MS)

    # Then all three see the banner (sender, amount, message) and one entry in the chat
    for page in live.everyone:
        banner = page.get_by_test_id("room-gift-banner")
        # The sender's name comes from the gift's booking, and bookings made through the API keep none
        # yet (routes/sessions.py books with name=None: the server says "A learner"), so not checked here.
        expect(banner).to_contain_text("sent ₹100", timeout=ANNOUNCE_TIMEOUT_MS)
        expect(banner).to_contain_text("Thank you, this helped!")
        expect(page.get_by_test_id("room-chat-gift")).to_have_count(1)

    # And once only: the webhook confirms the same payment after verify did, and nothing is said again
    live.mentor.wait_for_timeout(4000)
    for page in live.everyone:
        assert page.evaluate("() => window.__gifts") == 1
        expect(page.get_by_test_id("room-chat-gift")).to_have_count(1)


def test_a_recording_is_uploaded_and_a_learner_downloads_it_from_the_session_page(
    room: Callable[..., Room],
) -> None:
    live = room("Recorded in the room")
    lena = live.learners[0]

    # When the mentor starts recording, after the consent notice
    live.mentor.get_by_test_id("room-recording-toggle").click()
    expect(live.mentor.get_by_test_id("confirm-dialog")).to_contain_text("Everyone in the room will be told")
    live.mentor.get_by_test_id("confirm-ok").click()

    # Then everyone sees (and hears announced) that it is recording
    for page in live.everyone:
        expect(page.get_by_test_id("room-recording-indicator")).to_be_visible(timeout=RELAY_TIMEOUT_MS)
        announcement = page.get_by_test_id("room-recording-announcement")
        expect(announcement).to_have_text("This session is now being recorded.")

    # When the mentor stops a few seconds later
    live.mentor.wait_for_timeout(RECORD_MS)
    live.mentor.get_by_test_id("room-recording-toggle").click()
    progress = live.mentor.get_by_test_id("room-recording-progress")
    expect(progress).to_contain_text("Recording saved", timeout=30_000)
    for page in live.everyone:
        expect(page.get_by_test_id("room-recording-indicator")).to_be_hidden(timeout=RELAY_TIMEOUT_MS)

    # Then Lena finds it on the session page and downloads a WebM file
    lena.goto(f"/sessions/{live.session_id}")
    recordings = lena.get_by_test_id("session-recordings")
    expect(recordings.get_by_test_id("session-recording")).to_have_count(1)
    with lena.expect_download() as started:
        recordings.get_by_test_id("session-recording-download").click()
    path = started.value.path()
    with open(path, "rb") as saved:
        head = saved.read(4)
    assert head == b"\x1a\x45\xdf\xa3", "a WebM (EBML) file"


def test_the_session_page_says_when_there_are_no_recordings_yet(
    people: Callable[..., tuple[str, str]], api_as: Callable[[str], Api], browse: Callable[..., Page]
) -> None:
    _, mentor_email = people("mentor")
    session = api_as(mentor_email).call(
        "POST",
        "/api/sessions",
        {
            "title": "Not recorded",
            "tags": ["Rust"],
            "level": "beginner",
            "starts_at_local": local_in(3 * 24 * 60, ZONE),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 3,
            "price_paise": 0,
        },
    )
    _, learner_email = people("learner")
    _, outsider_email = people("learner")
    api_as(learner_email).call("POST", f"/api/sessions/{session['id']}/book", {})

    learner = browse(learner_email)
    learner.goto(f"/sessions/{session['id']}")
    expect(learner.get_by_test_id("session-recordings-empty")).to_be_visible()

    # Someone without a seat doesn't see the section at all
    outsider = browse(outsider_email)
    outsider.goto(f"/sessions/{session['id']}")
    expect(outsider.get_by_test_id("session-title")).to_be_visible()
    expect(outsider.get_by_test_id("session-recordings")).to_be_hidden()


def test_ending_the_session_while_recording_keeps_the_recording(room: Callable[..., Room]) -> None:
    """The server completes an open upload when the session ends (aborting one with no part), so the
    room page's "End session" first awaits `Alpine.store('room').finishRecording()` (the recorder's
    last part and `complete`)."""
    live = room("Recorded to the end")
    lena = live.learners[0]
    live.mentor.get_by_test_id("room-recording-toggle").click()
    live.mentor.get_by_test_id("confirm-ok").click()
    expect(lena.get_by_test_id("room-recording-indicator")).to_be_visible(timeout=RELAY_TIMEOUT_MS)
    live.mentor.wait_for_timeout(RECORD_MS)

    # When the mentor ends the session while still recording (under 5 MB: no part uploaded yet)
    live.mentor.get_by_test_id("room-end").click()
    live.mentor.get_by_test_id("confirm-ok").click()
    expect(lena.get_by_test_id("room-rating")).to_be_visible(timeout=RELAY_TIMEOUT_MS)

    # Then the recording is there for the learners afterwards
    lena.goto(f"/sessions/{live.session_id}")
    recordings = lena.get_by_test_id("session-recordings")
    expect(recordings.get_by_test_id("session-recording-download")).to_have_count(1)
