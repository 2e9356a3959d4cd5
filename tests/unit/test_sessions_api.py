"""The sessions function through its handler: status codes, query parsing, error bodies."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from peerlearn.context import Context
from tests.support import call, load_function, local_in, rest_event
from tests.unit.sessions_support import NEW_SESSION, person, who


@pytest.fixture
def sessions(ctx: Context) -> ModuleType:
    return load_function("sessions")


def create(sessions: ModuleType, mentor: Any, **fields: Any) -> dict[str, Any]:
    body = {**NEW_SESSION, "starts_at_local": local_in(48 * 60), **fields}
    reply = call(
        sessions, rest_event("POST", "/api/sessions/", body, resource="/api/sessions", identity=who(mentor))
    )
    assert reply.status == 201, reply
    return reply.body


def on(
    session_id: str, method: str, suffix: str = "", body: Any = None, identity: Any = None, **kw: Any
) -> dict[str, Any]:
    path = f"/api/sessions/{session_id}{suffix}"
    return rest_event(
        method,
        path,
        body,
        resource="/api/sessions/{id}" + suffix,
        path_parameters={"id": session_id},
        identity=identity,
        **kw,
    )


def test_publish_book_and_see_it_in_my_bookings(sessions: ModuleType) -> None:
    mentor, learner = person("mentor"), person()
    session = create(sessions, mentor)

    booked = call(sessions, on(session["id"], "POST", "/book", identity=who(learner)))
    again = call(sessions, on(session["id"], "POST", "/book", identity=who(learner)))
    mine = call(sessions, rest_event("GET", "/api/me/bookings", identity=who(learner)))

    assert booked.status == 201
    assert booked.body["status"] == "confirmed"
    assert again.status == 409
    assert again.body["error"]["code"] == "already_booked"
    assert [b["session"]["title"] for b in mine.body["items"]] == ["Python code review"]


def test_learners_cannot_publish_and_mentors_must_be_verified(sessions: ModuleType) -> None:
    body = {**NEW_SESSION, "starts_at_local": local_in(48 * 60)}
    learner = call(sessions, rest_event("POST", "/api/sessions", body, identity=who(person())))
    unverified = call(
        sessions, rest_event("POST", "/api/sessions", body, identity=who(person("mentor", verified=False)))
    )
    assert learner.status == 403
    assert unverified.status == 403
    assert unverified.body["error"]["code"] == "email_not_verified"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"capacity": 9}, "capacity"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"price_paise": 100}, "price_paise"),
        ({"price_paise": 10.5}, "price_paise"),
        ({"tags": []}, "tags"),
        ({"level": "expert"}, "level"),
        ({"starts_at_local": "tomorrow"}, "starts_at_local"),
        ({"timezone": "Moon/Base"}, "timezone"),
        ({"seats_left": 100}, "seats_left"),
    ],
)
def test_bad_sessions_get_a_400_naming_the_field(
    sessions: ModuleType, fields: dict[str, Any], field: str
) -> None:
    body = {**NEW_SESSION, "starts_at_local": local_in(48 * 60), **fields}
    reply = call(sessions, rest_event("POST", "/api/sessions", body, identity=who(person("mentor"))))
    assert reply.status == 400
    assert reply.body["error"]["field"] == field


def test_discovery_reads_filters_from_the_query_string(sessions: ModuleType) -> None:
    mentor = person("mentor")
    create(sessions, mentor, tags=["Rust"], price_paise=49_900)
    free = create(sessions, mentor, tags=["Python"])

    event = rest_event("GET", "/api/sessions/", resource="/api/sessions")
    event["queryStringParameters"] = {"free": "true", "sort": "price", "limit": "5"}
    reply = call(sessions, event)

    assert reply.status == 200
    assert [s["id"] for s in reply.body["items"]] == [free["id"]]
    assert reply.body["items"][0]["mentor"]["name"] == mentor.name


@pytest.mark.parametrize(
    "query",
    [{"sort": "cheapest"}, {"limit": "500"}, {"min_price": "-1"}, {"from": "someday"}, {"cursor": "%%%"}],
)
def test_bad_discovery_queries_are_400s(sessions: ModuleType, query: dict[str, str]) -> None:
    event = rest_event("GET", "/api/sessions", resource="/api/sessions")
    event["queryStringParameters"] = query
    reply = call(sessions, event)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["message"]


def test_an_invalid_transition_is_a_409_naming_the_state(sessions: ModuleType) -> None:
    mentor = person("mentor")
    session = create(sessions, mentor)
    reply = call(sessions, on(session["id"], "POST", "/end", identity=who(mentor)))
    assert reply.status == 409
    assert reply.body["error"]["code"] == "invalid_transition"
    assert "scheduled" in reply.body["error"]["message"]


def test_a_full_session_suggests_the_waitlist(sessions: ModuleType) -> None:
    session = create(sessions, person("mentor"), capacity=1)
    call(sessions, on(session["id"], "POST", "/book", identity=who(person())))
    full = call(sessions, on(session["id"], "POST", "/book", identity=who(person())))
    waiting = call(sessions, on(session["id"], "POST", "/waitlist", identity=who(person())))
    assert full.status == 409
    assert full.body["error"]["code"] == "session_full"
    assert waiting.status == 201
    assert waiting.body == {"position": 1}


def test_the_booking_state_shows_the_cancellation_policy(sessions: ModuleType) -> None:
    session = create(sessions, person("mentor"))
    reply = call(sessions, on(session["id"], "GET", "/booking", identity=who(person())))
    assert reply.status == 200
    assert reply.body["booking"] is None
    assert reply.body["cancellation_policy"]["cutoff_hours"] == 24


def test_unknown_sessions_are_json_404s(sessions: ModuleType) -> None:
    reply = call(sessions, on("01JCZ0000000000000000000AA", "GET"))
    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"
