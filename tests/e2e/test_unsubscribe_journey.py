"""An email's unsubscribe link, in a real browser on a phone-sized screen: it says what it stops,
stops that category's email once confirmed, and only that one."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from infra.local.stack import LocalStack
from peerlearn.config import Settings
from peerlearn.context import build_context
from peerlearn.notify import mail
from peerlearn.notify.notice import Notice
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_an_unsubscribe_link_stops_that_category_and_only_that_one(
    stack: LocalStack, context: BrowserContext, people: Callable[..., tuple[str, str]]
) -> None:
    ctx = build_context(Settings.from_env(stack.settings_env))
    user_id, email = people("learner")
    user = UserItem.get(user_pk(user_id), USER_PROFILE_SK)

    def send(kind: str) -> bool:
        notice = Notice(
            user_id=user_id,
            kind=kind,
            title=f"{kind} {uuid.uuid4().hex[:6]}",
            body="Rust ownership, gently starts in 1 hour.",
            dedupe_key=uuid.uuid4().hex,
            link="/my-bookings",
            data={"session_title": "Rust ownership, gently", "starts_at": "2026-12-01T14:00:00Z"},
        )
        return mail.send_notice_email(ctx, notice, user)

    def emails() -> list[str]:
        reply = context.request.get(f"{stack.url}/_dev/outbox.json", params={"to": email})
        return [e["subject"].split()[0] for e in reply.json()]

    # Given a reminder email in the outbox
    assert send("session_reminder") is True
    page = context.new_page()
    page.goto(f"/_dev/outbox?to={email}")

    # When its visible unsubscribe link is opened on a phone and confirmed
    with context.expect_page() as opened:
        page.frame_locator("iframe").first.get_by_role(
            "link", name="Unsubscribe from reminders emails"
        ).click()
    phone = opened.value
    phone.set_viewport_size({"width": 375, "height": 700})
    question = phone.get_by_test_id("unsubscribe-question")
    expect(question).to_have_text("Stop emails about reminders?")
    expect(phone.get_by_test_id("unsubscribe-page")).to_contain_text("l•••@example.com")
    button = phone.get_by_test_id("unsubscribe-confirm")
    expect(button).to_be_in_viewport()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    button.click()

    # Then it says so, offers the settings (no undo: nobody is signed in), ...
    expect(phone.get_by_test_id("unsubscribe-status")).to_have_attribute("data-status", "done")
    expect(phone.get_by_test_id("unsubscribe-settings")).to_have_attribute("href", "/settings/notifications")
    expect(phone.get_by_test_id("unsubscribe-undo")).to_have_count(0)

    # ... reminders email no more, bookings still do
    assert send("session_reminder") is False
    assert send("booking_confirmed") is True
    assert emails() == ["booking_confirmed", "session_reminder"]

    # And opening the link again says it's already done
    phone.reload()
    expect(phone.get_by_test_id("unsubscribe-status")).to_have_attribute("data-status", "done")


def test_the_outboxs_one_click_button_posts_as_a_mail_client_does(
    stack: LocalStack, context: BrowserContext, people: Callable[..., tuple[str, str]]
) -> None:
    ctx = build_context(Settings.from_env(stack.settings_env))
    user_id, email = people("mentor")
    user = UserItem.get(user_pk(user_id), USER_PROFILE_SK)
    gift = Notice(user_id=user_id, kind="gift_received", title="A gift", body="Thanks!", dedupe_key="g1")
    assert mail.send_notice_email(ctx, gift, user) is True

    page = context.new_page()
    page.goto(f"/_dev/outbox?to={email}")
    with context.expect_page() as opened:
        page.get_by_role("button", name="Unsubscribe (one-click, as a mail client does)").click()
    expect(opened.value.locator("body")).to_contain_text('"unsubscribed":true')

    assert mail.send_notice_email(ctx, gift, user) is False
    assert (
        mail.send_notice_email(ctx, Notice(user_id, "review_new", "A review", "5 stars", "r1"), user) is True
    )


def test_signed_in_the_same_person_can_turn_the_emails_back_on(
    stack: LocalStack, context: BrowserContext, people: Callable[..., tuple[str, str]]
) -> None:
    ctx = build_context(Settings.from_env(stack.settings_env))
    user_id, email = people("learner")
    user = UserItem.get(user_pk(user_id), USER_PROFILE_SK)
    review = Notice(user_id=user_id, kind="review_reply", title="A reply", body="Thanks!", dedupe_key="r1")
    assert mail.send_notice_email(ctx, review, user) is True
    reply = context.request.get(f"{stack.url}/_dev/outbox.json", params={"to": email})
    link = next(w for w in reply.json()[0]["text"].split() if "/unsubscribe?token=" in w)

    page = context.new_page()
    sign_in(page, email)
    page.goto(link.removeprefix(stack.url))
    page.get_by_test_id("unsubscribe-confirm").click()
    expect(page.get_by_test_id("unsubscribe-status")).to_have_attribute("data-status", "done")
    assert mail.send_notice_email(ctx, review, user) is False

    page.get_by_test_id("unsubscribe-undo").click()
    expect(page.get_by_test_id("unsubscribe-status")).to_have_attribute("data-status", "resubscribed")
    assert mail.send_notice_email(ctx, review, user) is True


def test_a_broken_link_says_so(context: BrowserContext) -> None:
    page = context.new_page()
    page.goto("/unsubscribe?token=u1.01ABC.reminders.forged")
    expect(page.get_by_test_id("unsubscribe-status")).to_have_attribute("data-status", "failed")
    expect(page.get_by_test_id("unsubscribe-problem")).to_contain_text("isn't valid")
    page.goto("/unsubscribe")
    expect(page.get_by_test_id("unsubscribe-problem")).to_contain_text("missing its code")
