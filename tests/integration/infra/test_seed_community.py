"""`make dev`'s demo community against DynamoDB Local and the running stack: every account signs in,
learners have interests and histories (past sessions booked, run and rated; some paid for "days ago",
a few with a gift, the dashboards' money figures matching the ledger), thirty upcoming sessions span
a dozen topics, one is full with a waitlist, and seeding again changes nothing."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import httpx
import pytest

from infra.local.seed import (
    COMMUNITY_ACCOUNTS,
    COMMUNITY_SESSIONS,
    DEMO_ACCOUNTS,
    DEMO_LEARNERS,
    DEMO_PASSWORD,
    DEMO_PAST,
    DEMO_SESSIONS,
    FULL_WITH_WAITLIST,
    MORE_PAST,
    PAST_GIFTS,
    PAST_PRICES,
    seed_stack,
)
from infra.local.stack import LocalStack
from tests.support import stack_for

pytestmark = pytest.mark.integration

ACCOUNTS = DEMO_ACCOUNTS + COMMUNITY_ACCOUNTS


@pytest.fixture(scope="module")
def seeded(
    dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalStack, list[str]]]:
    with stack_for(dynamodb_endpoint, tmp_path_factory.mktemp("seed"), "seed") as stack:
        started = time.monotonic()
        lines = seed_stack(stack)
        # Printed, not asserted: `make dev` waits for this (aim: under ~20 s on 2 cores).
        print(f"\nseeding the demo community took {time.monotonic() - started:.1f} s")
        yield stack, lines


def test_every_account_is_there_the_demo_ones_sign_in_and_seeding_again_creates_nothing(
    seeded: tuple[LocalStack, list[str]],
) -> None:
    from peerlearn.accounts import service

    stack, first = seeded
    again = seed_stack(stack)

    assert f"({len(ACCOUNTS)} created now)" in first[0]
    sessions = len(DEMO_SESSIONS) + len(COMMUNITY_SESSIONS) + len(DEMO_PAST) + len(MORE_PAST)
    assert f"Demo sessions: {sessions} created now." in first
    assert "(0 created now)" in again[0]
    assert "Demo sessions: 0 created now." in again
    for account in ACCOUNTS:
        user = service.find_user_by_email(account["email"])
        assert user is not None, account["email"]
        assert (user.role, user.email_verified) == (account["role"], True), account["email"]
    # Every account is made by the same call with the same password, and a sign-in costs a scrypt
    # (~0.3 s on 2 cores): the accounts people and tests use, and one community account of each
    # role, sign in through the API.
    signing_in = DEMO_ACCOUNTS + [
        next(a for a in COMMUNITY_ACCOUNTS if a["role"] == role) for role in ("mentor", "learner")
    ]
    with httpx.Client(base_url=stack.url, timeout=30) as api:
        for account in signing_in:
            reply = api.post("/api/auth/login", json={"email": account["email"], "password": DEMO_PASSWORD})
            assert reply.status_code == 200, (account["email"], reply.text)
            assert reply.json()["user"]["role"] == account["role"]


def test_learners_have_interests_and_most_have_a_rated_history(seeded: tuple[LocalStack, list[str]]) -> None:
    from peerlearn.accounts import service
    from peerlearn.feedback.service import mentor_reviews
    from peerlearn.store.keys import BOOKING_PREFIX, mentor_sessions_pk, session_pk
    from peerlearn.store.models import BookingItem, SessionItem

    learners = [a for a in ACCOUNTS if a["role"] == "learner"]
    mentors = [a for a in ACCOUNTS if a["role"] == "mentor"]
    attended: set[str] = set()
    for mentor in mentors:
        user = service.find_user_by_email(mentor["email"])
        assert user is not None
        past = [
            s for s in SessionItem.by_mentor.query(mentor_sessions_pk(user.id)) if s.status == "completed"
        ]
        assert past, mentor["email"]
        for session in past:
            booked = list(
                BookingItem.query(session_pk(session.id), BookingItem.sk.startswith(BOOKING_PREFIX))
            )
            assert booked, session.title
            assert {b.status for b in booked} == {"completed"}
            attended.update(b.learner_id for b in booked)
        assert mentor_reviews(mentor_id=user.id, limit=5, cursor=None).items, mentor["email"]

    assert (len(mentors), len(learners)) == (6, 40)
    for account in learners:
        user = service.find_user_by_email(account["email"])
        assert user is not None
        assert len(user.interests) >= 2, account["email"]
    assert len(attended) >= 30  # most learners have booked, attended and (mostly) rated something


def test_thirty_upcoming_sessions_over_a_dozen_topics_some_booked_one_full_with_a_waitlist(
    seeded: tuple[LocalStack, list[str]],
) -> None:
    from peerlearn.catalog import discovery
    from peerlearn.catalog.schemas import DiscoveryQuery
    from peerlearn.config import Settings
    from peerlearn.context import build_context
    from peerlearn.store.keys import WAITLIST_PREFIX, session_pk
    from peerlearn.store.models import WaitlistItem

    stack, _lines = seeded
    ctx = build_context(Settings.from_env(stack.settings_env))
    upcoming = discovery.discover(ctx, DiscoveryQuery(limit=50)).items
    full = next(s for s in upcoming if s.title == FULL_WITH_WAITLIST)
    waiting = list(WaitlistItem.query(session_pk(full.id), WaitlistItem.sk.startswith(WAITLIST_PREFIX)))

    assert len(upcoming) == 30
    assert len({tag for s in upcoming for tag in s.tags}) >= 12
    assert sum(s.booked_count for s in upcoming) >= len(DEMO_LEARNERS)  # each learner books one or two
    assert (full.seats_left, len(waiting)) == (0, 3)


def test_after_a_build_the_demo_has_picks_with_reasons_and_wanted_topics(
    seeded: tuple[LocalStack, list[str]],
) -> None:
    stack, _lines = seeded
    stack.run_schedule("RecommendBuildFunction")
    with httpx.Client(base_url=stack.url, timeout=30) as api:

        def signed_in(email: str) -> dict[str, str]:
            reply = api.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
            return {"Authorization": f"Bearer {reply.json()['access_token']}"}

        picks = api.get("/api/recommendations/sessions", headers=signed_in("asha@peerlearn.example")).json()
        demand = api.get("/api/recommendations/demand", headers=signed_in("vikram@peerlearn.example")).json()

    assert picks["built_at"] is not None
    assert len(picks["items"]) == 10
    assert all(pick["reason"]["text"] for pick in picks["items"])
    wanted = {item["tag"]: item for item in demand["items"]}
    assert wanted["Kubernetes"]["open_sessions"] == 0  # learners follow it next to AWS; nobody teaches it
    assert wanted["Kubernetes"]["learners"] > 0


def test_the_paid_past_sessions_were_paid_days_ago_and_the_books_balance(
    seeded: tuple[LocalStack, list[str]],
) -> None:
    from peerlearn import clock, ledger, timeutil
    from peerlearn.accounts import service
    from peerlearn.ledger.journal import all_entries
    from peerlearn.store.keys import BOOKING_PREFIX, mentor_sessions_pk, session_pk
    from peerlearn.store.models import BookingItem, SessionItem

    paid_seats = 0
    mentors_paid: set[str] = set()
    for mentor in {email for email, *_rest in DEMO_PAST + MORE_PAST if _rest[0] in PAST_PRICES}:
        user = service.find_user_by_email(mentor)
        assert user is not None
        for session in SessionItem.by_mentor.query(mentor_sessions_pk(user.id)):
            if session.status == "completed" and int(session.price_paise) > 0:
                assert int(session.price_paise) == PAST_PRICES[session.title]
                booked = BookingItem.query(session_pk(session.id), BookingItem.sk.startswith(BOOKING_PREFIX))
                paid_seats += sum(1 for b in booked if b.status == "completed")
                mentors_paid.add(user.id)
    entries = list(all_entries())
    captures = [e for e in entries if e.key.startswith("capture#")]
    two_days_ago = timeutil.iso_from_epoch(clock.now_seconds() - 2 * 86400)

    assert paid_seats >= 2 * len(PAST_PRICES)  # every paid session had learners, and each paid
    assert len(captures) == paid_seats + len(PAST_GIFTS)  # one per paid seat and gift, none twice
    assert all(e.at is not None and e.at < two_days_ago for e in captures)  # paid "days ago"...
    assert len({e.at[:10] for e in captures if e.at}) >= len(PAST_PRICES) - 1  # ...on many days
    assert ledger.check_books() == []
    for mentor_id in mentors_paid:  # their shares are pending or matured: earnings to show
        earned = ledger.balance(ledger.mentor_pending(mentor_id)) + ledger.balance(
            ledger.mentor_available(mentor_id)
        )
        assert earned > 0, mentor_id


def test_the_money_dashboards_show_what_the_ledger_holds(seeded: tuple[LocalStack, list[str]]) -> None:
    from infra.local.reconcile import reconcile_books
    from peerlearn import ledger
    from peerlearn.accounts import service

    stack, _lines = seeded
    vikram = service.find_user_by_email("vikram@peerlearn.example")
    assert vikram is not None
    with httpx.Client(base_url=stack.url, timeout=30) as api:

        def signed_in(email: str) -> dict[str, str]:
            reply = api.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
            return {"Authorization": f"Bearer {reply.json()['access_token']}"}

        earnings = api.get("/api/me/earnings", headers=signed_in("vikram@peerlearn.example")).json()
        revenue = api.get("/api/admin/revenue", headers=signed_in("admin@peerlearn.example")).json()

    assert earnings["pending_paise"] == ledger.balance(ledger.mentor_pending(vikram.id))
    assert earnings["available_paise"] == ledger.balance(ledger.mentor_available(vikram.id))
    assert earnings["pending_paise"] + earnings["available_paise"] > 0
    assert len([week for week in earnings["by_week"] if week["earned_paise"] > 0]) >= 2
    assert revenue["platform_fee_paise"] == ledger.balance(ledger.PLATFORM_FEE) > 0
    assert revenue["gateway_clearing_paise"] > 0
    # The books, and the journal against the sandbox's recon report (`python -m infra.local reconcile`).
    assert reconcile_books(stack.settings_env, out=io.StringIO()) == 0
