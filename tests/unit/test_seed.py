"""The demo data `make dev` prints must actually sign in through the API (the first accounts and
sessions here; the whole community is seeded against DynamoDB Local in
tests/integration/infra/test_seed_community.py: moto copies the table on every transaction)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_PAST, DEMO_SESSIONS, seed
from peerlearn.accounts import service
from peerlearn.errors import BadRequest
from tests.support import call, load_function, rest_event


def test_every_demo_account_can_sign_in_and_seeding_twice_creates_nothing(
    ctx: Any, env: dict[str, str]
) -> None:
    first = seed(env, community=False)
    again = seed(env, community=False)
    auth = load_function("auth")

    assert f"({len(DEMO_ACCOUNTS)} created now)" in first[0]
    assert "(0 created now)" in again[0]
    assert f"Demo sessions: {len(DEMO_SESSIONS) + len(DEMO_PAST)} created now." in first
    assert "Demo sessions: 0 created now." in again
    for account in DEMO_ACCOUNTS:
        reply = call(
            auth,
            rest_event("POST", "/api/auth/login", {"email": account["email"], "password": DEMO_PASSWORD}),
        )
        assert reply.status == 200, (account["email"], reply.body)
        assert reply.body["user"]["role"] == account["role"]
        assert reply.body["user"]["email_verified"] is True


def test_accounts_made_outside_the_api_still_need_a_real_email(ctx: Any) -> None:
    with pytest.raises(BadRequest) as caught:
        service.create_admin(email="root@server.local", name="Root", password="admin-password-99")
    assert caught.value.field == "email"


def test_demo_data_fills_discovery_bookings_and_mentor_reviews(ctx: Any, env: dict[str, str]) -> None:
    from peerlearn.catalog import discovery
    from peerlearn.catalog.schemas import DiscoveryQuery
    from peerlearn.feedback.service import mentor_reviews

    seed(env, community=False)
    sessions = load_function("sessions")
    asha = service.find_user_by_email("asha@peerlearn.example")
    vikram = service.find_user_by_email("vikram@peerlearn.example")
    assert asha is not None
    assert vikram is not None

    upcoming = discovery.discover(ctx, DiscoveryQuery(limit=50)).items
    mine = call(sessions, rest_event("GET", "/api/me/bookings", identity={"user_id": asha.id}))
    past_event = rest_event("GET", "/api/me/bookings", identity={"user_id": asha.id})
    past_event["queryStringParameters"] = {"when": "past"}
    past = call(sessions, past_event)

    assert len(upcoming) == len(DEMO_SESSIONS)
    assert len(mine.body["items"]) == 1
    assert [b["status"] for b in past.body["items"]] == ["completed"]
    assert len(mentor_reviews(mentor_id=vikram.id, limit=10, cursor=None).items) == 2


def test_demo_past_sessions_are_what_publishing_booking_and_running_a_session_make(
    ctx: Any, env: dict[str, str]
) -> None:
    from peerlearn.store.keys import BOOKING_PREFIX, mentor_sessions_pk, session_pk
    from peerlearn.store.models import BookingItem, SessionItem

    seed(env, community=False)
    vikram = service.find_user_by_email("vikram@peerlearn.example")
    assert vikram is not None
    mine = list(SessionItem.by_mentor.query(mentor_sessions_pk(vikram.id)))
    upcoming = [s for s in mine if s.status == "scheduled"]
    past = [s for s in mine if s.status == "completed"]

    assert upcoming
    assert past
    for session in past:
        # Everything a published session carries, plus what starting and ending it adds.
        assert set(upcoming[0].attribute_values) - {"open"} <= set(session.attribute_values)
        assert session.started_at is not None
        assert session.completed_at is not None
        booked = list(BookingItem.query(session_pk(session.id), BookingItem.sk.startswith(BOOKING_PREFIX)))
        assert {b.status for b in booked} == {"completed"}
        assert all(b.created_at < session.starts_at for b in booked)  # booked before it began
        assert (session.booked_count, session.seats_left) == (len(booked), session.capacity - len(booked))
