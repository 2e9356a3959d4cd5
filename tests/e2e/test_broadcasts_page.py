"""The admins' broadcasts page in Chromium: write, preview, confirm, and watch it go out."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import sign_in
from tests.support import wait_until


def test_an_admin_previews_confirms_and_watches_a_broadcast_go_out(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    people("learner")
    _, email = people("admin")
    sign_in(page, email)
    page.goto("/admin/email")
    expect(page.get_by_role("heading", level=1)).to_have_text("Broadcasts")

    # A link elsewhere is refused on the page, naming the field
    page.get_by_test_id("broadcast-audience-learners").check()
    page.get_by_test_id("broadcast-title").fill("Diwali break")
    page.get_by_test_id("broadcast-body").fill("No sessions on 1 November.")
    page.get_by_test_id("broadcast-link").fill("https://example.com")
    expect(page.get_by_test_id("broadcast-preview")).to_contain_text("Diwali break")
    page.get_by_test_id("broadcast-send").click()
    expect(page.get_by_text("Use a page of this site")).to_be_visible()

    # Sending asks first; cancelling sends nothing, confirming queues it and shows its progress
    page.get_by_test_id("broadcast-link").fill("/discover")
    page.get_by_test_id("broadcast-send").click()
    expect(page.get_by_test_id("confirm-dialog")).to_contain_text("learners")
    page.get_by_test_id("confirm-cancel").click()
    page.get_by_test_id("broadcast-send").click()
    page.get_by_test_id("confirm-ok").click()

    item = page.get_by_test_id("broadcast").filter(has_text="Diwali break")
    expect(item).to_have_count(1, timeout=30_000)  # the admin function may be starting cold
    expect(item.get_by_test_id("broadcast-status")).to_have_text("Sent", timeout=30_000)
    expect(item.get_by_test_id("broadcast-progress")).to_have_attribute(
        "aria-valuetext", re.compile(r"^Sent to \d+")
    )
    expect(page.get_by_test_id("broadcast-title")).to_have_value("")


def test_progress_shows_when_the_first_list_answers_after_the_broadcast_was_queued(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    # Given a busy stack: the page's first list answers late, with the broadcast still queued then
    people("learner")
    _, email = people("admin")
    sign_in(page, email)
    held: list[Route] = []

    def hold_the_first_list(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/admin/broadcasts?*", hold_the_first_list)
    page.goto("/admin/email")
    page.get_by_test_id("broadcast-audience-learners").check()
    page.get_by_test_id("broadcast-title").fill("Holi break")
    page.get_by_test_id("broadcast-body").fill("No sessions on 14 March.")
    page.get_by_test_id("broadcast-send").click()
    page.get_by_test_id("confirm-ok").click()
    item = page.get_by_test_id("broadcast").filter(has_text="Holi break")
    expect(item.get_by_test_id("broadcast-status")).to_have_text("Queued", timeout=30_000)

    # When the list answers after that, as it would have while the broadcast was queued
    wait_until(lambda: held, what="the page's first list request")
    answer = held[0].fetch()
    held[0].fulfill(response=answer, body=answer.text().replace('"status":"done"', '"status":"queued"'))

    # Then the page still polls it to the end (the list's polling reaches the screen)
    expect(item.get_by_test_id("broadcast-status")).to_have_text("Sent", timeout=30_000)
