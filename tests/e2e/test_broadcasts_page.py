"""The admins' bulk email page (/admin/email) in Chromium: write, preview, confirm, and watch it go out."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, Route, expect

from infra.local.gateway import read_outbox
from infra.local.stack import LocalStack
from tests.e2e.conftest import admin_page, sign_in
from tests.support import wait_until


def test_an_admin_previews_confirms_and_watches_a_broadcast_go_out(
    page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    people("learner")
    _, email = people("admin")
    sign_in(page, email)
    page.goto("/admin/email")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk email")

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


def test_on_a_phone_an_admin_previews_a_tag_segment_and_sends_a_test_to_themselves(
    page: Page, stack: LocalStack, people: Callable[..., tuple[str, str]]
) -> None:
    # Given two learners interested in a new tag, the first named Asha, and an admin on a phone
    tag = f"Tag{uuid.uuid4().hex[:6]}"
    people("learner", name="Asha Rao", interests=[tag])
    people("learner", interests=[tag])
    _, email = people("admin")
    page.set_viewport_size({"width": 360, "height": 740})
    admin_page(page, email, "/admin/email")

    # When they pick the tag's people and a template that needs the tag, and preview it
    page.get_by_test_id("broadcast-audience-tag").check()
    page.get_by_test_id("broadcast-tag").fill(tag)
    template = page.get_by_test_id("broadcast-template")
    expect(template).to_be_enabled(timeout=30_000)  # the templates come from the API (maybe cold)
    template.select_option("new_sessions")
    page.get_by_test_id("broadcast-title").fill("Hi {{first_name}}")
    page.get_by_test_id("broadcast-body").fill("Two new sessions this week.")
    page.get_by_test_id("broadcast-preview-button").click()

    # Then the email is shown as Asha would get it, with the audience's size
    expect(page.get_by_test_id("broadcast-audience-size")).to_have_text("2 people", timeout=30_000)
    expect(page.get_by_test_id("broadcast-email-subject")).to_have_text(f"New in {tag}: Hi Asha")
    expect(page.get_by_test_id("broadcast-email-text")).to_contain_text("Two new sessions this week.")

    # A template this segment can't fill is refused on the template's field
    template.select_option("we_miss_you")
    expect(page.get_by_test_id("broadcast-email-preview")).to_be_hidden()  # the old preview is stale
    page.get_by_test_id("broadcast-preview-button").click()
    expect(page.locator("#broadcast-template-error")).to_contain_text("inactive")

    # A test goes to the admin alone, filled in with their own name
    template.select_option("new_sessions")
    page.get_by_test_id("broadcast-test").click()
    expect(page.get_by_test_id("toast").filter(has_text=f"Test sent to {email}")).to_be_visible(
        timeout=30_000
    )
    [test_email] = read_outbox(Path(stack.env["OUTBOX_DIR"]), to=email)
    assert test_email["subject"] == f"[Test] New in {tag}: Hi Admin"
    assert [e for e in read_outbox(Path(stack.env["OUTBOX_DIR"])) if tag in e["subject"]] == [test_email]

    # And nothing on the page is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
