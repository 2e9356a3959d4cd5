"""Recommendations in a real browser on the real stack: a newcomer picks interests at sign-up, verifies,
signs in and finds sessions on those topics on their home page, each with its reason; on the first
pick's page the similar sessions show, and after booking one that both lists showed it leaves both."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.conftest import PASSWORD, ZONE, Api
from tests.support import local_in, wait_until

pytestmark = pytest.mark.e2e

REFRESH_SECONDS = 1.1


def publish(mentor: Api, title: str, tags: list[str], days_ahead: float) -> str:
    session = mentor.call(
        "POST",
        "/api/sessions",
        {
            "title": title,
            "tags": tags,
            "level": "beginner",
            "starts_at_local": local_in(days_ahead * 24 * 60, ZONE),
            "timezone": ZONE,
            "duration_minutes": 60,
            "capacity": 4,
            "price_paise": 0,
        },
    )
    session_id: str = session["id"]
    return session_id


def picks(page: Page, testid: str) -> list[dict[str, str]]:
    """The session picks a list shows: id, reason kind and the reason as the page reads it."""
    expect(page.get_by_test_id(testid)).to_have_attribute("data-status", "ready")
    shown = page.get_by_test_id(f"{testid}-pick")
    return [
        {
            "id": shown.nth(n).get_attribute("data-session-id") or "",
            "kind": shown.nth(n).get_attribute("data-reason-kind") or "",
            "reason": shown.nth(n).get_by_test_id(f"{testid}-pick-reason").inner_text().strip(),
        }
        for n in range(shown.count())
    ]


def ids_after_reload(page: Page, testid: str, leaves: str, timeout: float = 15) -> list[str]:
    """Reloads until `leaves` is no longer among the list's sessions (the stream updates the learner's
    taste within seconds); returns the ids then shown."""

    def gone() -> list[str] | None:
        page.reload()
        ids = [pick["id"] for pick in picks(page, testid)]
        return ids if leaves not in ids else None

    shown: list[str] = wait_until(gone, timeout=timeout, what=f"{leaves} to leave {testid}")
    return shown


def test_interests_at_sign_up_give_picks_with_reasons_and_booking_one_changes_them(
    stack: LocalStack,
    context: BrowserContext,
    page: Page,
    people: Callable[..., tuple[str, str]],
    api_as: Callable[[str], Api],
) -> None:
    # Given two mentors' sessions on a topic nobody else uses, one on another topic, and a model built.
    topic = f"Zig{uuid.uuid4().hex[:5]}"
    _, first_mentor = people("mentor", expertise=[topic])
    _, second_mentor = people("mentor", expertise=[topic])
    first, second = api_as(first_mentor), api_as(second_mentor)
    on_topic = {
        publish(first, f"{topic} from zero", [topic, "Systems"], 2),
        publish(first, f"{topic} memory, hands on", [topic, "Systems"], 3),
        publish(first, f"{topic} build system", [topic], 4),
        publish(second, f"Testing in {topic}", [topic, "Testing"], 5),
    }
    publish(second, "Watercolour basics", [f"Paint{topic[-5:]}"], 2)
    stack.run_schedule("RecommendBuildFunction")
    time.sleep(REFRESH_SECONDS)  # the function looks for a newer build once a second (conftest)

    # A newcomer joins as a learner and types the topic as an interest.
    email = f"picks-{uuid.uuid4().hex[:8]}@example.com"
    page.goto("/register")
    page.get_by_test_id("register-name").fill("Nandini Rao")
    page.get_by_test_id("register-email").fill(email)
    page.get_by_test_id("register-password").fill(PASSWORD)
    expect(page.get_by_test_id("register-popular-tag").first).to_be_visible()
    page.get_by_test_id("register-interests").fill(topic)
    page.get_by_test_id("register-interests").press("Enter")
    expect(page.get_by_test_id("register-interests-tag")).to_contain_text([topic])
    with page.expect_request("**/api/auth/register") as sent:
        page.get_by_test_id("register-submit").click()
    assert sent.value.post_data_json["interests"] == [topic]
    expect(page.get_by_test_id("register-success")).to_contain_text(email)

    # They confirm the email from the outbox and sign in.
    wait_until(
        lambda: bool(page.request.get(f"{stack.url}/_dev/outbox.json", params={"to": email}).json()),
        timeout=10,
        what="the verification email",
    )
    page.goto(f"/_dev/outbox?to={email}")
    with context.expect_page() as opened:
        page.frame_locator("iframe").first.get_by_role("link", name="Confirm my email").click()
    expect(opened.value.get_by_test_id("verify-status")).to_have_attribute("data-status", "verified")
    page.goto("/login")
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()

    # Home: sessions on their topic, each with the reason as text; trending and mentors answer too.
    expect(page.get_by_test_id("home-welcome")).to_be_visible()
    for_you = picks(page, "home-for-you")
    matching = [pick for pick in for_you if pick["id"] in on_topic]
    assert matching, for_you
    assert for_you[0] == matching[0], for_you  # their topic comes first
    assert all(pick["reason"] for pick in for_you), for_you
    assert any(topic in pick["reason"] for pick in matching), for_you  # "Because you follow <topic>"
    expect(page.get_by_test_id("home-trending")).to_have_attribute("data-status", "ready")
    expect(page.get_by_test_id("home-mentors")).to_have_attribute("data-status", "ready")

    # Discover shows the same picks in a row above the search results, and Trending.
    page.goto("/discover")
    assert {pick["id"] for pick in picks(page, "discover-for-you")} & on_topic
    expect(page.get_by_test_id("discover-trending")).to_have_attribute("data-status", "ready")

    # The first pick's page lists similar sessions (and tells the recommender about the view).
    start = for_you[0]["id"]
    with page.expect_request("**/api/recommendations/views") as viewed:
        page.goto(f"/sessions/{start}")
    assert viewed.value.post_data_json == {"session_id": start}
    shown = {p["id"] for p in for_you}
    tried = []
    # The learner opens a similar session that For you also shows, and books it. Which pick's page
    # has one depends on the ranking (a mentor's third session may wait for the next page of For
    # you), so they look on their topic's pages in turn, as a person browsing would.
    for start in [pick["id"] for pick in for_you if pick["id"] in on_topic]:
        if page.url != f"{stack.url}/sessions/{start}":
            page.goto(f"/sessions/{start}")
        similar = picks(page, "session-similar")
        assert similar, "no similar sessions"
        assert start not in {pick["id"] for pick in similar}
        assert all(pick["reason"] for pick in similar), similar
        in_both = [pick["id"] for pick in similar if pick["id"] in shown]
        tried.append((start, similar))
        if in_both:
            break
    assert in_both, (tried, for_you)
    booked = in_both[0]
    page.locator(f'[data-testid="session-similar-pick"][data-session-id="{booked}"] a').first.click()
    expect(page).to_have_url(f"{stack.url}/sessions/{booked}")
    page.get_by_test_id("session-book").click()
    expect(page.get_by_test_id("session-booked")).to_be_visible()

    # It leaves the similar sessions of the first page, and For you at home: both lists change.
    page.goto(f"/sessions/{start}")
    after = ids_after_reload(page, "session-similar", leaves=booked)
    assert after != [pick["id"] for pick in similar]
    page.goto("/")
    home_after = ids_after_reload(page, "home-for-you", leaves=booked)
    assert home_after != [pick["id"] for pick in for_you]


def test_a_mentor_sees_what_learners_want_and_can_publish_for_it(
    stack: LocalStack, page: Page, people: Callable[..., tuple[str, str]]
) -> None:
    # Given learners who follow a mentor's topic, and no session on it yet.
    topic = f"Wasm{uuid.uuid4().hex[:5]}"
    for _ in range(3):
        people("learner", interests=[topic])
    _, mentor_email = people("mentor", expertise=[topic])
    stack.run_schedule("RecommendBuildFunction")
    time.sleep(REFRESH_SECONDS)  # the function looks for a newer build once a second (conftest)

    page.goto("/login")
    page.get_by_test_id("login-email").fill(mentor_email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()

    # Their home says so, in words and numbers, and "Publish one" starts a session on that topic.
    expect(page.get_by_test_id("home-demand")).to_have_attribute("data-status", "ready")
    item = page.locator(f'[data-testid="home-demand-item"][data-tag="{topic}"]')
    expect(item.get_by_test_id("home-demand-text")).to_contain_text(topic)
    expect(item.get_by_test_id("home-demand-learners")).to_have_text("3")
    item.get_by_test_id("home-demand-publish").click()
    expect(page.get_by_test_id("session-form-tags-tag")).to_contain_text([topic])
