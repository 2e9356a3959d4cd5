"""Admins' broadcasts: admins only, to the audience picked, a page at a time from the stream, paced,
and resumed after a failure without telling anyone twice."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from peerlearn import ids
from peerlearn.bookings import seats
from peerlearn.context import Context
from peerlearn.notices import broadcasts
from peerlearn.notices.schemas import BroadcastCreate
from peerlearn.notify import deliver as delivery
from peerlearn.store.keys import user_pk
from peerlearn.store.models import NotificationItem
from tests.support import call, rest_event
from tests.unit.notices.conftest import at_rate
from tests.unit.sessions_support import CLIENT, person, publish
from tests.unit.stream_support import Stream


def announcements(user_id: str) -> list[NotificationItem]:
    found = NotificationItem.query(user_pk(user_id), NotificationItem.sk.startswith("NOTIF#"))
    return [n for n in found if n.kind == "broadcast"]


def send(admin_id: str, **fields: Any) -> str:
    request = BroadcastCreate(
        **{"title": "Hello", "body": "News from PeerLearn.", "request_id": ids.new_id(), **fields}
    )
    return broadcasts.create(admin_id=admin_id, request=request).id


def test_a_broadcast_to_learners_reaches_each_learner_once_a_page_at_a_time(
    ctx: Context, admin_id: str, monkeypatch: pytest.MonkeyPatch, no_pauses: list[float]
) -> None:
    learners = [person() for _ in range(7)]
    mentor = person("mentor")
    monkeypatch.setattr(broadcasts, "PAGE_SECONDS", 1)
    stream = Stream(at_rate(ctx, 3))

    broadcast_id = send(admin_id, audience="learners", link="/discover")
    stream.flush()
    stream.replay()

    out = broadcasts.get_broadcast(broadcast_id)
    assert (out.status, out.recipients, out.sent) == ("done", 7, 7)
    assert all(len(announcements(who.user_id)) == 1 for who in learners)
    assert announcements(mentor.user_id) == []
    assert announcements(admin_id) == []
    assert announcements(learners[0].user_id)[0].link == "/discover"
    # Three a second: pages of three, one second each, the last (one learner) a third of a second.
    assert sum(no_pauses) == pytest.approx(1 + 1 + 1 / 3, abs=0.01)


def test_a_session_broadcast_reaches_its_confirmed_learners_only(ctx: Context, admin_id: str) -> None:
    mentor, booked, other = person("mentor"), person(), person()
    session_id = publish(ctx, mentor, capacity=2)
    seats.book(booker=booked, session_id=session_id, client=CLIENT)
    stream = Stream(ctx)

    broadcast_id = send(admin_id, audience="session", session_id=session_id, title="Room changed")
    stream.flush()

    assert broadcasts.get_broadcast(broadcast_id).sent == 1
    assert len(announcements(booked.user_id)) == 1
    assert announcements(other.user_id) == announcements(mentor.user_id) == []


def test_a_broadcast_that_fails_midway_resumes_without_telling_anyone_twice(
    ctx: Context, admin_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    learners = [person() for _ in range(5)]
    monkeypatch.setattr(broadcasts, "PAGE_SECONDS", 1)
    real = delivery.deliver
    calls = {"n": 0}

    def flaky(ctx: Context, notice: Any) -> bool:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("SES throttled")
        return real(ctx, notice)

    monkeypatch.setattr("peerlearn.notify.deliver.deliver", flaky)
    stream = Stream(at_rate(ctx, 5))
    broadcast_id = send(admin_id, audience="learners")

    stream.flush()  # the third delivery fails: the page is tried again (its attempts counted)
    stream.replay()  # and a replayed record changes nothing

    out = broadcasts.get_broadcast(broadcast_id)
    assert (out.status, out.sent, out.failed) == ("done", 5, 0)
    assert calls["n"] == 5 + 5  # the page again: the four reached are skipped by their markers
    assert [len(announcements(who.user_id)) for who in learners] == [1] * 5


def test_only_admins_broadcast_and_bad_requests_are_refused(
    ctx: Context, admin_fn: ModuleType, admin_id: str
) -> None:
    learner = person()

    def post(body: Any, role: str = "admin", who: str = admin_id) -> Any:
        if isinstance(body, dict):
            body = {"request_id": ids.new_id(), **body}
        event = rest_event("POST", "/api/admin/broadcasts", body, identity={"user_id": who, "role": role})
        return call(admin_fn, event)

    refused = post({"audience": "everyone", "title": "Hi", "body": "x"}, role="learner", who=learner.user_id)
    no_session = post({"audience": "session", "title": "Hi", "body": "x"})
    elsewhere = post({"audience": "everyone", "title": "Hi", "body": "x", "link": "https://evil.example"})
    protocol_relative = post({"audience": "everyone", "title": "Hi", "body": "x", "link": "//evil.example/x"})
    unknown = post({"audience": "session", "session_id": "nope", "title": "Hi", "body": "x"})
    made = post({"audience": "everyone", "title": "Hi", "body": "Hello all"})
    listed = call(
        admin_fn, rest_event("GET", "/api/admin/broadcasts", identity={"user_id": admin_id, "role": "admin"})
    )
    one = call(
        admin_fn,
        rest_event(
            "GET",
            f"/api/admin/broadcasts/{made.body['id']}",
            resource="/api/admin/broadcasts/{id}",
            path_parameters={"id": made.body["id"]},
            identity={"user_id": admin_id, "role": "admin"},
        ),
    )

    assert refused.status == 403
    assert (no_session.status, elsewhere.status, unknown.status) == (400, 400, 404)
    assert protocol_relative.status == 400  # "//host" would leave the site
    assert "error" in no_session.body
    assert made.status == 202
    assert (made.body["status"], made.body["recipients"], made.body["sent"]) == ("queued", 2, 0)
    assert [b["id"] for b in listed.body["items"]] == [made.body["id"]]
    assert one.status == 200
    assert one.body["title"] == "Hi"
