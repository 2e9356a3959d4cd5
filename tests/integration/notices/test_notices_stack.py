"""Notices on the local stack (DynamoDB Local, the stream through the template's filter, the
schedules): moving the stack's clock forward fires each reminder once, a cancelled booking gets none,
a replayed stream batch notifies nobody twice, and an admin's broadcast goes out with progress."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.local.gateway import read_outbox
from infra.local.stack import LocalStack
from peerlearn import timeutil
from peerlearn.accounts import service as accounts
from peerlearn.bookings import cancelling, seats
from peerlearn.bookings.seats import Booker
from peerlearn.catalog import publishing
from peerlearn.catalog.schemas import SessionCreate, SessionUpdate
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import NotificationItem, UserItem
from tests.stream_records import stream_records
from tests.support import local_in, stack_for, wait_until

pytestmark = pytest.mark.integration

PASSWORD = "mango-monsoon-42"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint,
        tmp_path_factory.mktemp("notices"),
        "notices",
        overrides={"POWERTOOLS_LOG_LEVEL": "WARNING"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    """This process bound to the stack's table, to set up and inspect (on the real clock)."""
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


def someone(role: str = "learner") -> Booker:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
    name = f"{role.title()} {email[:10]}"
    user_id = accounts.create_account(
        name=name, email=email, password=PASSWORD, role=role, verified=True, **extra
    )
    return Booker(user_id=user_id, name=name, role=role, email_verified=True)


def notices(user_id: str, kind: str) -> list[NotificationItem]:
    found = NotificationItem.query(
        user_pk(user_id), NotificationItem.sk.startswith("NOTIF#"), consistent_read=True
    )
    return [n for n in found if n.kind == kind]


def publish(ctx: Context, mentor: Booker, hours: float, capacity: int = 2) -> tuple[str, int]:
    request = SessionCreate(
        title="Python code review",
        description="Bring a pull request.",
        tags=["Python"],
        level="intermediate",
        language="English",
        starts_at_local=local_in(hours * 60),
        timezone="Asia/Kolkata",
        duration_minutes=60,
        capacity=capacity,
        price_paise=0,
    )
    out = publishing.create_session(ctx, mentor_id=mentor.user_id, request=request, client="192.0.2.1")
    return out.id, timeutil.epoch(out.starts_at)


def stack_now(api: httpx.Client) -> int:
    clock = api.get("/_dev/clock").json()
    return int(time.time()) + int(clock["offset_seconds"])


def test_the_dev_clock_moves_only_forward_and_says_why_not(api: httpx.Client) -> None:
    before = api.get("/_dev/clock").json()

    backwards = api.post("/_dev/clock", json={"advance_seconds": -60})
    too_far = api.post("/_dev/clock", json={"advance_seconds": 61 * 86400})
    not_a_number = api.post("/_dev/clock", json={"advance_seconds": "soon"})
    not_json = api.post("/_dev/clock", content=b"{", headers={"Content-Type": "application/json"})

    for refused in (backwards, too_far, not_a_number, not_json):
        assert refused.status_code == 400
        assert refused.json()["error"]["code"]
    assert api.get("/_dev/clock").json()["offset_seconds"] == before["offset_seconds"]


def test_a_replayed_stream_batch_notifies_nobody_twice(stack: LocalStack, ctx: Context) -> None:
    # Given changes that tell people things (a booking confirmed, a session moved), delivered
    mentor, learner = someone("mentor"), someone()
    session_id, _ = publish(ctx, mentor, hours=72)
    seats.book(booker=learner, session_id=session_id, client="192.0.2.1")
    publishing.update_session(
        ctx,
        mentor_id=mentor.user_id,
        session_id=session_id,
        changes=SessionUpdate(starts_at_local=local_in(96 * 60), timezone="Asia/Kolkata"),
    )
    wait_until(lambda: notices(learner.user_id, "session_moved"), timeout=30, what="the move told")
    stack.await_idle(30)
    told_before = sorted(
        n.kind for who in (learner.user_id, mentor.user_id) for n in NotificationItem.query(user_pk(who))
    )

    # When the whole stream is delivered to the streams function again, as after a failure
    assert stack.template is not None
    records = stream_records(stack.dynamodb_endpoint, stack.table_name, stack.template)
    assert records
    for start in range(0, len(records), 25):
        answer = stack.invoke("StreamsFunction", {"Records": records[start : start + 25]})
        assert answer == {"batchItemFailures": []}
    stack.await_idle(30)

    # Then nobody was told anything twice
    told_after = sorted(
        n.kind for who in (learner.user_id, mentor.user_id) for n in NotificationItem.query(user_pk(who))
    )
    assert told_after == told_before
    assert told_before.count("session_moved") == 1
    assert told_before.count("booking_confirmed") == 2  # the learner and the mentor


def test_an_admins_broadcast_reaches_the_learners_with_progress(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    admin_id = accounts.create_admin(
        email=f"admin-{uuid.uuid4().hex[:8]}@example.com", name="Root Admin", password="admin-password-99"
    )
    token = accounts.sign_in_without_password(ctx, admin_id).access_token
    headers = {"Authorization": f"Bearer {token}"}
    learners = [someone() for _ in range(3)]
    learner_token = accounts.sign_in_without_password(ctx, learners[0].user_id).access_token

    refused = api.post(
        "/api/admin/broadcasts",
        json={"audience": "learners", "title": "Hi", "body": "x", "request_id": uuid.uuid4().hex},
        headers={"Authorization": f"Bearer {learner_token}"},
    )
    made = api.post(
        "/api/admin/broadcasts",
        json={
            "audience": "learners",
            "title": "Diwali break",
            "body": "No sessions on 1 Nov.",
            "link": "/discover",
            "request_id": uuid.uuid4().hex,
        },
        headers=headers,
    )

    assert refused.status_code == 403
    assert made.status_code == 202, made.text
    broadcast_id = made.json()["id"]

    def finished() -> dict[str, Any] | None:
        out = api.get(f"/api/admin/broadcasts/{broadcast_id}", headers=headers).json()
        return out if out["status"] == "done" else None

    done = wait_until(finished, timeout=60, what="the broadcast done")
    assert done["sent"] == done["recipients"] >= 3
    for who in learners:
        [note] = notices(who.user_id, "broadcast")
        assert (note.title, note.link) == ("Diwali break", "/discover")
    listed = api.get("/api/admin/broadcasts", headers=headers).json()
    assert listed["items"][0]["id"] == broadcast_id


def test_a_bulk_email_to_a_tag_is_previewed_tested_and_sent_once_to_each_reachable_person(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    # Given three learners interested in a new tag, one of them banned, and an admin
    tag = f"Tag{uuid.uuid4().hex[:6]}"
    keen = [someone() for _ in range(3)]
    for who in keen:
        UserItem(user_pk(who.user_id), USER_PROFILE_SK).update(actions=[UserItem.interests.set([tag])])
    UserItem(user_pk(keen[2].user_id), USER_PROFILE_SK).update(actions=[UserItem.banned.set(True)])
    admin_email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    admin_id = accounts.create_admin(email=admin_email, name="Root Admin", password="admin-password-99")
    headers = {"Authorization": f"Bearer {accounts.sign_in_without_password(ctx, admin_id).access_token}"}
    learner_token = accounts.sign_in_without_password(ctx, keen[0].user_id).access_token
    request = {
        "audience": "tag",
        "tag": tag,
        "template": "new_sessions",
        "channels": "email",
        "title": "Hi {{first_name}}",
        "body": "New sessions this week.",
    }

    # When the admin previews it, sends a test, and sends it (a learner may do none of it)
    refused = [
        api.post(
            f"/api/admin/broadcasts/{what}",
            json=request,
            headers={"Authorization": f"Bearer {learner_token}"},
        )
        for what in ("preview", "test")
    ]
    shown = api.post("/api/admin/broadcasts/preview", json=request, headers=headers)
    tested = api.post("/api/admin/broadcasts/test", json=request, headers=headers)
    queued = {**request, "request_id": uuid.uuid4().hex}
    made = api.post("/api/admin/broadcasts", json=queued, headers=headers)

    # Then the preview counts the two reachable, the test went to the admin only, and each of the
    # two gets exactly one email (the banned one none)
    assert [r.status_code for r in refused] == [403, 403]
    assert shown.status_code == 200, shown.text
    assert shown.json()["audience_size"] == 2
    assert shown.json()["subject"] == f"New in {tag}: Hi Learner"
    assert tested.status_code == 200, tested.text
    assert made.status_code == 202, made.text

    def finished() -> dict[str, Any] | None:
        out = api.get(f"/api/admin/broadcasts/{made.json()['id']}", headers=headers).json()
        return out if out["status"] == "done" else None

    done = wait_until(finished, timeout=60, what="the bulk email sent")
    assert (done["recipients"], done["sent"], done["failed"]) == (2, 2, 0)
    emails = [e for e in read_outbox(Path(stack.env["OUTBOX_DIR"])) if tag in e["subject"]]
    assert sorted(e["to"] for e in emails) == sorted([admin_email, email_of(keen[0]), email_of(keen[1])])
    assert [e["subject"] for e in emails if e["to"] == admin_email] == [f"[Test] New in {tag}: Hi Root"]
    assert notices(keen[0].user_id, "broadcast") == []  # email only: no in-app record


# Last: it moves the stack's clock two days on (tokens issued here before would read as expired).
def test_advancing_the_clock_sends_each_reminder_once_and_none_for_a_cancelled_booking(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    # Given a session two days ahead with one learner booked and one who cancelled
    mentor, stays, leaves = someone("mentor"), someone(), someone()
    session_id, start = publish(ctx, mentor, hours=48)
    for who in (stays, leaves):
        seats.book(booker=who, session_id=session_id, client="192.0.2.1")
    cancelling.cancel_by_learner(user_id=leaves.user_id, session_id=session_id, cutoff_hours=24)
    stack.await_idle(30)

    # When the stack's clock passes each reminder's time (through the dev endpoint, twice each)
    sweeps = []
    for offset in (86400, 3600, 600):
        step = start - offset + 20 - stack_now(api)
        moved = api.post("/_dev/clock", json={"advance_seconds": step})
        assert moved.status_code == 200, moved.text
        sweeps.append(moved.json()["sweep"])
        again = stack.advance_clock(1)  # the job runs again a second later: nothing new
        assert again["sweep"]["reminders_sent"] == 0
        stack.await_idle(30)

    # Then the learner and the mentor got 24 h, 1 h and 10 min once each; the one who left, none
    assert [s["reminders_sent"] for s in sweeps] == [2, 2, 2]
    for who in (stays, mentor):
        leads = sorted(n.title.rsplit(" in ", 1)[1] for n in notices(who.user_id, "session_reminder"))
        assert leads == ["1 hour", "10 minutes", "24 hours"]
    assert notices(leaves.user_id, "session_reminder") == []
    # and the outbox holds the same three emails per person, each unsubscribable (reminders may be
    # turned off, unlike account emails); the one who left got none
    for who in (stays, mentor, leaves):
        emails = [e for e in stack_outbox(stack, email_of(who)) if "starts in" in str(e["subject"])]
        leads = sorted(str(e["subject"]).rsplit(" in ", 1)[1] for e in emails)
        assert leads == ([] if who is leaves else ["1 hour", "10 minutes", "24 hours"]), who.role
        for email in emails:
            headers = email["headers"]
            assert "/api/notifications/unsubscribe?token=" in headers["List-Unsubscribe"]
            assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def stack_outbox(stack: LocalStack, to: str) -> list[dict[str, Any]]:
    return read_outbox(Path(stack.env["OUTBOX_DIR"]), to=to)


def email_of(who: Booker) -> str:
    return str(UserItem.get(user_pk(who.user_id), USER_PROFILE_SK).email)
