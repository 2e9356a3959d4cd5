"""The marketplace in a real browser: a mentor publishes a free session, a learner finds it by filter
and books it, the session runs and ends, and the learner's rating shows on the mentor's profile."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from infra.local.stack import LocalStack
from peerlearn.accounts import service as accounts
from peerlearn.bookings.states import get_booking
from peerlearn.config import Settings
from peerlearn.context import build_context
from tests.support import wait_until

pytestmark = pytest.mark.e2e

PASSWORD = "mango-monsoon-42"
ZONE = "Asia/Kolkata"


def account(stack: LocalStack, role: str) -> tuple[str, str]:
    build_context(Settings.from_env(stack.settings_env))
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    extra = {"headline": "Rust mentor", "expertise": ["Rust"]} if role == "mentor" else {}
    user_id = accounts.create_account(
        name=f"{role.title()} {email[:6]}", email=email, password=PASSWORD, role=role, verified=True, **extra
    )
    return user_id, email


def signed_in(browser: Browser, stack: LocalStack, email: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(
        base_url=stack.url, timezone_id=ZONE, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("home-welcome")).to_be_visible()
    return context, page


def test_publish_find_book_complete_and_rate(browser: Browser, stack: LocalStack) -> None:
    mentor_id, mentor_email = account(stack, "mentor")
    learner_id, learner_email = account(stack, "learner")
    tag = f"Borrowck{uuid.uuid4().hex[:5]}"
    title = f"Rust borrow checker clinic {tag[-5:]}"
    starts = datetime.now(ZoneInfo(ZONE)) + timedelta(minutes=15)

    # The mentor publishes a free session starting in 15 minutes (the room opens 30 minutes early).
    mentor_context, mentor = signed_in(browser, stack, mentor_email)
    mentor.goto("/my/sessions/new")
    mentor.get_by_test_id("session-form-title").fill(title)
    mentor.get_by_test_id("session-form-description").fill("Bring code that won't compile.")
    mentor.get_by_test_id("session-form-tags").fill(tag)
    mentor.get_by_test_id("session-form-tags").press("Enter")
    mentor.get_by_test_id("session-form-language").fill("English")
    mentor.get_by_test_id("session-form-date").fill(starts.strftime("%Y-%m-%d"))
    mentor.get_by_test_id("session-form-time").fill(starts.strftime("%H:%M"))
    mentor.get_by_test_id("session-form-capacity").fill("2")
    mentor.get_by_test_id("session-form-free").check()
    mentor.get_by_test_id("session-form-early-join").fill("30")
    mentor.get_by_test_id("session-form-submit").click()
    expect(mentor).to_have_url(re.compile(r"/sessions/[0-9A-Z]{26}$"))
    expect(mentor.get_by_test_id("session-title")).to_have_text(title)
    session_id = mentor.url.rsplit("/", 1)[1]

    # The learner finds it by its tag, books it, and sees it in My bookings.
    learner_context, learner = signed_in(browser, stack, learner_email)
    learner.goto("/discover")
    learner.get_by_test_id("discover-filter-tag").fill(tag)
    learner.get_by_test_id("discover-apply").click()
    expect(learner).to_have_url(re.compile(f"tag={tag}"))
    expect(learner.get_by_test_id("session-card")).to_have_count(1)
    learner.get_by_test_id("session-card").first.get_by_text(title).click()
    learner.get_by_test_id("session-book").click()
    expect(learner.get_by_test_id("session-booked")).to_be_visible()
    learner.get_by_test_id("nav-my-bookings").click()
    expect(learner.get_by_test_id("booking-item").filter(has_text=title)).to_be_visible()

    # The mentor runs the session and ends it.
    mentor.get_by_test_id("nav-my-sessions").click()
    item = mentor.get_by_test_id("my-session-item").filter(has_text=title)
    item.get_by_test_id("my-session-start").click()
    item.get_by_test_id("my-session-end").click()
    mentor.get_by_test_id("confirm-ok").click()
    expect(item.get_by_test_id("my-session-status")).to_contain_text(re.compile("completed", re.I))

    # The learner rates it from My bookings once the stream consumer has completed the booking.
    wait_until(
        lambda: getattr(get_booking(session_id, learner_id), "status", None) == "completed", timeout=15
    )
    learner.goto("/my/bookings")
    learner.get_by_test_id("my-bookings-tab-past").click()
    booking = learner.get_by_test_id("booking-item").filter(has_text=title)
    expect(booking.get_by_test_id("booking-rate")).to_be_visible()
    booking.get_by_test_id("booking-rate").click()
    booking.get_by_test_id("feedback-star-5").click()
    booking.get_by_test_id("feedback-text").fill("Finally understood lifetimes.")
    booking.get_by_test_id("feedback-submit").click()
    expect(booking.get_by_test_id("feedback-done")).to_be_visible()

    # The rating appears on the mentor's profile once the stream has updated the aggregates.
    stack.await_idle()
    learner.goto(f"/mentors/{mentor_id}")
    expect(learner.get_by_test_id("mentor-rating-count")).to_contain_text("1")
    expect(learner.get_by_test_id("mentor-reviews")).to_contain_text("Finally understood lifetimes.")

    mentor_context.close()
    learner_context.close()
