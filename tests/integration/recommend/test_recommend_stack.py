"""Recommendations on the local stack (DynamoDB Local, the stream through the template's filters,
the build function on its schedule, models under MODELS_DIR): a learner's booking moves their picks
and trending within seconds with no rebuild, and a rebuild is picked up by the warm function."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn.accounts import service as accounts
from peerlearn.bookings.seats import Booker
from peerlearn.catalog import publishing
from peerlearn.catalog.schemas import SessionCreate
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from tests.support import local_in, stack_for, wait_until

pytestmark = pytest.mark.integration

PASSWORD = "mango-monsoon-42"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint,
        tmp_path_factory.mktemp("recommend"),
        "recommend",
        # A warm function looks for a newer build every second here (60 s in the template).
        overrides={"POWERTOOLS_LOG_LEVEL": "WARNING", "RECOMMEND_REFRESH_SECONDS": "1"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


def someone(role: str, **profile: Any) -> Booker:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    name = f"{role.title()} {email[:10]}"
    user_id = accounts.create_account(
        name=name, email=email, password=PASSWORD, role=role, verified=True, **profile
    )
    return Booker(user_id=user_id, name=name, role=role, email_verified=True)


def publish(ctx: Context, mentor: Booker, title: str, tags: list[str], hours: float) -> str:
    request = SessionCreate(
        early_join_minutes=30,
        title=title,
        description="Bring your questions.",
        tags=tags,
        level="beginner",
        language="English",
        starts_at_local=local_in(hours * 60),
        timezone="Asia/Kolkata",
        duration_minutes=60,
        capacity=4,
        price_paise=0,
    )
    return publishing.create_session(
        ctx, mentor_id=mentor.user_id, request=request, client=f"seed-{title}"
    ).id


def bearer(ctx: Context, who: Booker) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.sign_in_without_password(ctx, who.user_id).access_token}"}


def titles(reply: httpx.Response) -> list[str]:
    assert reply.status_code == 200, reply.text
    return [item["session"]["title"] for item in reply.json()["items"]]


def test_a_booking_moves_picks_and_trending_within_seconds_and_a_rebuild_is_picked_up(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    mentors = [someone("mentor", headline="Teaches", expertise=["Python"]) for _ in range(2)]
    for n, title in enumerate(["Python for data", "Django from zero", "FastAPI in a day", "Python testing"]):
        publish(ctx, mentors[n % 2], title, ["Python", title.split()[0]], hours=48 + n)
    pots = publish(ctx, mentors[1], "Throwing pots", ["Pottery"], hours=60)
    learner = someone("learner", interests=["Python"])
    headers = bearer(ctx, learner)

    # Before any build: interests, and no built_at.
    early = api.get("/api/recommendations/sessions/", headers=headers)
    assert early.json()["built_at"] is None
    assert "Throwing pots" not in titles(early)

    built = stack.run_schedule("RecommendBuildFunction")
    assert built["bytes"] > 0
    picks = wait_until(
        lambda: (r := api.get("/api/recommendations/sessions", headers=headers)).json()["built_at"] and r,
        timeout=15,
        what="the first build to be picked up",
    )
    assert picks.json()["build_id"] == built["build_id"]
    chosen_title = titles(picks)[0]
    chosen = picks.json()["items"][0]["session"]["id"]
    assert all(item["reason"]["text"] for item in picks.json()["items"])

    # The learner books the top pick: within seconds it leaves their picks and leads trending.
    booked = api.post(f"/api/sessions/{chosen}/book", headers=headers)
    assert booked.status_code in (200, 201), booked.text
    wait_until(
        lambda: chosen_title not in titles(api.get("/api/recommendations/sessions", headers=headers)),
        timeout=15,
        what="the booked session to leave for-you",
    )
    hot = wait_until(
        lambda: (r := api.get("/api/recommendations/trending")).json()["items"] and r,
        timeout=15,
        what="trending to show the booking",
    )
    assert titles(hot)[0] == chosen_title
    assert hot.json()["items"][0]["reason"]["kind"] == "trending"
    assert chosen_title not in titles(api.get("/api/recommendations/trending", headers=headers))  # theirs

    # Similar sessions answer publicly; a view counts once.
    similar = api.get(f"/api/recommendations/sessions/{chosen}/similar")
    assert chosen_title not in titles(similar)
    assert api.post("/api/recommendations/views", json={"session_id": pots}, headers=headers).json() == {
        "counted": True
    }

    # The job rebuilds; the warm function picks the new build up.
    rebuilt = stack.run_schedule("RecommendBuildFunction")
    assert rebuilt["build_id"] != built["build_id"]
    # (by build id: two builds within one second share a built_at)
    wait_until(
        lambda: (
            api.get("/api/recommendations/sessions", headers=headers).json()["build_id"]
            == rebuilt["build_id"]
        ),
        timeout=15,
        what="the rebuild to be picked up by for you",
    )
    assert api.get("/api/recommendations/trending").json()["build_id"] == rebuilt["build_id"]


def test_a_rating_moves_the_learners_picks_without_a_rebuild(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    # Given a learner who attended a Go session and a Rust session (two mentors), each mentor with a
    # next session, and a model built after that
    go_mentor = someone("mentor", headline="Teaches", expertise=["Go"])
    rust_mentor = someone("mentor", headline="Teaches", expertise=["Rust"])
    learner = someone("learner", interests=["Pottery"])
    headers = bearer(ctx, learner)
    attended = {
        publish(ctx, go_mentor, "Go basics", ["Go"], hours=0.25): go_mentor,
        publish(ctx, rust_mentor, "Rust basics", ["Rust"], hours=0.25): rust_mentor,
    }
    publish(ctx, go_mentor, "Go next steps", ["Go"], hours=72)
    publish(ctx, rust_mentor, "Rust next steps", ["Rust"], hours=72)
    for session_id, mentor in attended.items():
        assert api.post(f"/api/sessions/{session_id}/book", headers=headers).status_code in (200, 201)
        teacher = bearer(ctx, mentor)
        assert api.post(f"/api/sessions/{session_id}/start", headers=teacher).status_code == 200
        assert api.post(f"/api/sessions/{session_id}/end", headers=teacher).status_code == 200
        wait_until(
            lambda sid=session_id: (
                api.get(f"/api/sessions/{sid}/booking", headers=headers).json()["booking"]["status"]
                == "completed"
            ),
            timeout=15,
            what="the booking to complete",
        )
    stack.run_schedule("RecommendBuildFunction")
    stack.await_idle(30)
    before = wait_until(
        lambda: (
            (r := api.get("/api/recommendations/sessions", headers=headers, params={"limit": 50})).json()[
                "built_at"
            ]
            and {"Go next steps", "Rust next steps"} <= set(titles(r))
            and r
        ),
        timeout=15,
        what="the new build with both next sessions",
    )
    build_id = before.json()["build_id"]

    def ranked(reply: httpx.Response) -> list[tuple[str, float]]:
        return [(i["session"]["title"], i["score"]) for i in reply.json()["items"]]

    # When the learner rates the Rust session 5 stars (no rebuild follows)
    rust = next(sid for sid, mentor in attended.items() if mentor is rust_mentor)
    rated = api.post(f"/api/sessions/{rust}/reviews", json={"rating": 5}, headers=headers)
    assert rated.status_code == 201, rated.text

    # Then within seconds the Rust mentor's next session ranks above the Go one, on the same build
    def moved() -> httpx.Response | None:
        reply = api.get("/api/recommendations/sessions", headers=headers, params={"limit": 50})
        order = titles(reply)
        if ranked(reply) != ranked(before) and order.index("Rust next steps") < order.index("Go next steps"):
            return reply
        return None

    after = wait_until(moved, timeout=15, what="the rating to move the picks")
    assert after.json()["build_id"] == build_id
