"""Watching live sessions in Chromium on the local stack: the mentor's dashboard lists who is in the
room (polled); an admin finds the live session on the admin site with its counts and people, enters
the room as an observer who receives the mentor's video and sends none, and ends the session for
everyone with a reason; the mentor's room says an admin ended it, and the session moves to Ended."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import ZONE, Api, admin_page, sign_in
from tests.e2e.test_room_journey import (
    MEDIA_TIMEOUT,
    Person,
    a_free_session_starting_soon,
    frames_from,
    media_flows,
)
from tests.support import wait_until

pytestmark = pytest.mark.e2e

SLOW = 30_000  # ms: a page's first call may wake a function that starts cold on a loaded machine


@pytest.fixture
def open_pages(browser: Browser, stack: LocalStack) -> Iterator[Callable[[str, str, bool], Person]]:
    contexts: list[BrowserContext] = []

    def open_page(user_id: str, email: str, signed_in: bool = True) -> Person:
        context = browser.new_context(
            base_url=stack.url, viewport={"width": 1280, "height": 800}, timezone_id=ZONE
        )
        context.set_default_timeout(30_000)  # functions start cold on a loaded 2-core machine
        contexts.append(context)
        page = context.new_page()
        if signed_in:
            sign_in(page, email)
        return Person(user_id, email, context, page)

    yield open_page
    for context in contexts:
        context.close()


def test_an_admin_sees_a_live_room_observes_it_and_ends_it(
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
    open_pages: Callable[..., Person],
) -> None:
    # Given a mentor in the open room of a free session, with a learner booked who hasn't come
    mentor_id, mentor_email = people("mentor", name="Meera Mentor")
    _, learner_email = people("learner", name="Asha Learner")
    admin_id, admin_email = people("admin", name="Ops Admin")
    session_id = a_free_session_starting_soon(api_as(mentor_email))
    api_as(learner_email).call("POST", f"/api/sessions/{session_id}/book", {})
    mentor = open_pages(mentor_id, mentor_email)
    mentor.page.goto(f"/sessions/{session_id}")
    mentor.page.get_by_test_id("session-room-join").click()
    expect(mentor.page.get_by_test_id("room-lobby")).to_be_visible(timeout=SLOW)
    expect(mentor.page.get_by_test_id("room-open-now")).to_be_visible(timeout=60_000)  # signaling starts cold
    mentor.page.get_by_test_id("room-open-now").click()
    mentor.page.get_by_test_id("room-join").click()
    expect(mentor.page.get_by_test_id("room-call")).to_be_visible(timeout=SLOW)

    # The mentor's dashboard (another tab) lists who is in the room
    dashboard = mentor.context.new_page()
    dashboard.goto("/")
    monitor = dashboard.get_by_test_id("room-monitor")
    expect(monitor).to_be_visible(timeout=SLOW)
    expect(monitor.get_by_test_id("room-monitor-row")).to_have_count(1, timeout=SLOW)
    expect(monitor.get_by_test_id("room-monitor-summary")).to_have_text("1 in the room", timeout=SLOW)

    # When an admin opens the live sessions on the admin site
    admin = open_pages(admin_id, admin_email, signed_in=False)
    admin_page(admin.page, admin_email, "/admin/sessions")
    row = admin.page.locator(f'[data-testid="admin-session"][data-session-id="{session_id}"]')
    expect(row.get_by_test_id("admin-session-counts")).to_have_text("1 in the room", timeout=SLOW)
    row.get_by_test_id("admin-session-people").click()
    expect(row.get_by_test_id("room-monitor-row")).to_have_count(1, timeout=SLOW)
    expect(row.get_by_test_id("room-monitor-row")).to_contain_text("Meera Mentor", timeout=SLOW)

    # ...and observes the room: the mentor's video reaches them, nothing of theirs reaches the mentor
    watcher = Person(admin_id, admin_email, admin.context, admin.context.new_page())
    watcher.page.goto(f"/sessions/{session_id}/room")
    watcher.page.get_by_test_id("room-join").click()
    expect(watcher.page.get_by_test_id("room-call")).to_be_visible(timeout=SLOW)
    wait_until(
        lambda: media_flows(watcher, mentor), timeout=MEDIA_TIMEOUT, what="the mentor's video at the observer"
    )
    assert frames_from(mentor, watcher) == 0
    expect(monitor).to_contain_text("Observer (admin)", timeout=15_000)  # the next poll

    # Then the admin ends the session for everyone, with a reason and a confirmation
    admin.page.get_by_test_id("admin-sessions-refresh").click()
    expect(row.get_by_test_id("admin-session-counts")).to_have_text(
        "1 in the room · 1 watching", timeout=SLOW
    )
    row.get_by_test_id("admin-session-end-open").click()
    row.get_by_test_id("admin-session-end-reason").fill("Ending the test session")
    row.get_by_test_id("admin-session-end-submit").click()
    admin.page.get_by_test_id("confirm-ok").click()
    expect(mentor.page.get_by_test_id("room-ended")).to_be_visible(timeout=SLOW)
    expect(mentor.page.get_by_test_id("room-alert")).to_have_text(
        "A PeerLearn admin ended this session.", timeout=SLOW
    )
    expect(row).to_have_count(0, timeout=SLOW)  # off the live list (other tests' sessions may still be live)
    admin.page.get_by_test_id("admin-sessions-tab-ended").click()
    ended = admin.page.locator(f'[data-testid="admin-session"][data-session-id="{session_id}"]')
    expect(ended.get_by_test_id("admin-session-status")).to_be_visible(timeout=SLOW)
    expect(ended.get_by_test_id("admin-session-running")).to_contain_text("ran", timeout=SLOW)
