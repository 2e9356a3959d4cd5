"""Sessions and bookings against DynamoDB Local: races, holds, cut-offs, the waitlist, aggregates."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import botocore.client
import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn.accounts import service as accounts
from peerlearn.bookings import seats, states
from peerlearn.catalog import discovery, lookup, publishing
from peerlearn.catalog.schemas import DiscoveryQuery, SessionCreate
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.store.keys import booking_sk, session_pk
from tests.support import local_in, stack_for, wait_until

pytestmark = pytest.mark.integration
PASSWORD = "mango-monsoon-42"
CLIENT = "192.0.2.1"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint,
        tmp_path_factory.mktemp("sessions"),
        "sessions",
        overrides={"POWERTOOLS_LOG_LEVEL": "WARNING"},
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    """This process bound to the stack's table, for setting up people and inspecting state."""
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


class Person:
    def __init__(self, ctx: Context, role: str) -> None:
        self.email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
        extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
        self.id = accounts.create_account(
            name=f"{role.title()} {self.email[:12]}",
            email=self.email,
            password=PASSWORD,
            role=role,
            verified=True,
            **extra,
        )
        token = accounts.sign_in_without_password(ctx, self.id).access_token
        self.headers = {"Authorization": f"Bearer {token}"}


def publish(api: httpx.Client, mentor: Person, *, minutes: float = 48 * 60, **fields: Any) -> dict[str, Any]:
    body = {
        "title": "Python code review",
        "description": "Bring a pull request.",
        "tags": ["Python"],
        "level": "intermediate",
        "language": "English",
        "starts_at_local": local_in(minutes),
        "timezone": "Asia/Kolkata",
        "duration_minutes": 60,
        "capacity": 1,
        "price_paise": 0,
        **fields,
    }
    reply = api.post("/api/sessions/", json=body, headers=mentor.headers)
    assert reply.status_code == 201, reply.text
    session: dict[str, Any] = reply.json()
    return session


def seats_left(api: httpx.Client, session_id: str) -> int:
    return int(api.get(f"/api/sessions/{session_id}").json()["seats_left"])


def test_fifty_concurrent_bookings_of_the_last_seat_make_exactly_one_booking(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    session = publish(api, Person(ctx, "mentor"))
    learners = [Person(ctx, "learner") for _ in range(50)]
    start = threading.Barrier(len(learners))

    def book(learner: Person) -> int:
        with httpx.Client(base_url=stack.url, timeout=60) as client:
            start.wait()
            return client.post(f"/api/sessions/{session['id']}/book/", headers=learner.headers).status_code

    with ThreadPoolExecutor(max_workers=len(learners)) as pool:
        statuses = list(pool.map(book, learners))

    assert statuses.count(201) == 1
    assert statuses.count(409) == 49
    assert seats_left(api, session["id"]) == 0


def test_fifty_concurrent_domain_bookings_never_take_the_seat_count_below_zero(ctx: Context) -> None:
    """The same race with 50 truly parallel transactions (no gateway concurrency limit in between)."""
    mentor = Person(ctx, "mentor")
    session = publishing.create_session(
        ctx,
        client=CLIENT,
        mentor_id=mentor.id,
        request=SessionCreate(
            title="Last seat",
            tags=["Race"],
            level="beginner",
            starts_at_local=local_in(600),
            timezone="Asia/Kolkata",
            duration_minutes=30,
            capacity=2,
        ),
    )
    learners = [Person(ctx, "learner") for _ in range(50)]
    start = threading.Barrier(len(learners))

    def book(learner: Person) -> str:
        start.wait()
        try:
            booker = seats.Booker(user_id=learner.id, name="L", role="learner", email_verified=True)
            return seats.book(booker=booker, session_id=session.id, client=CLIENT)[0].status
        except Exception as exc:  # the losers: a 409 in the API
            return type(exc).__name__

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(book, learners))

    assert outcomes.count("confirmed") == 2
    assert outcomes.count("Conflict") == 48
    item = lookup.get_session_item(session.id, consistent=True)
    assert (item.seats_left, item.booked_count) == (0, 2)


def test_a_held_seat_expires_through_the_sweep_and_is_booked_again(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    session = publish(api, Person(ctx, "mentor"), price_paise=49_900)
    first, second = Person(ctx, "learner"), Person(ctx, "learner")
    held = api.post(f"/api/sessions/{session['id']}/book", headers=first.headers)
    assert held.status_code == 201
    assert held.json()["status"] == "held"
    assert (
        api.post(f"/api/sessions/{session['id']}/book", headers=second.headers).json()["error"]["code"]
        == "session_full"
    )

    # Ten minutes pass: age the hold in the table, then let the every-minute job run.
    booking = states.get_booking(session["id"], first.id)
    assert booking is not None
    past = int(datetime.now(UTC).timestamp()) - 1
    booking.update(
        actions=[type(booking).hold_expires_at.set(past), type(booking).gsi1sk.set(f"{past:012d}#x")]
    )
    report = stack.run_schedule("JobsFunction", "EveryMinute")

    assert report["holds_expired"] == 1
    rebooked = api.post(f"/api/sessions/{session['id']}/book", headers=second.headers)
    assert rebooked.status_code == 201
    assert seats_left(api, session["id"]) == 0
    mine = api.get(f"/api/sessions/{session['id']}/booking", headers=first.headers).json()
    assert mine["booking"]["status"] == "expired"


def test_cancelling_after_the_cut_off_is_refused(ctx: Context, api: httpx.Client) -> None:
    learner = Person(ctx, "learner")
    soon = publish(api, Person(ctx, "mentor"), minutes=180)
    later = publish(api, Person(ctx, "mentor"), minutes=48 * 60)
    for session in (soon, later):
        assert api.post(f"/api/sessions/{session['id']}/book", headers=learner.headers).status_code == 201

    refused = api.post(f"/api/sessions/{soon['id']}/booking/cancel", headers=learner.headers)
    allowed = api.post(f"/api/sessions/{later['id']}/booking/cancel/", headers=learner.headers)

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "cancellation_closed"
    assert allowed.status_code == 200
    assert seats_left(api, later["id"]) == 1
    assert seats_left(api, soon["id"]) == 0


def test_the_waitlist_offers_a_freed_seat_to_the_first_in_line(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    session = publish(api, Person(ctx, "mentor"))
    holder, first, second = (Person(ctx, "learner") for _ in range(3))
    assert api.post(f"/api/sessions/{session['id']}/book", headers=holder.headers).status_code == 201
    assert api.post(f"/api/sessions/{session['id']}/waitlist", headers=first.headers).json() == {
        "position": 1
    }
    assert api.post(f"/api/sessions/{session['id']}/waitlist", headers=second.headers).json() == {
        "position": 2
    }

    assert (
        api.post(f"/api/sessions/{session['id']}/booking/cancel", headers=holder.headers).status_code == 200
    )
    stack.await_idle()

    offer = wait_until(
        lambda: api.get(f"/api/sessions/{session['id']}/booking", headers=first.headers).json()["booking"],
        what="the waitlist offer",
    )
    assert (offer["status"], offer["offered_from_waitlist"]) == ("held", True)
    waiting = api.get(f"/api/sessions/{session['id']}/booking", headers=second.headers).json()
    assert waiting["booking"] is None
    assert waiting["waitlist"] == {"position": 1}
    accepted = api.post(f"/api/sessions/{session['id']}/book", headers=first.headers)
    assert accepted.json()["status"] == "confirmed"


def _record_of(item: Any, stream_arn: str, sequence: str) -> dict[str, Any]:
    return {
        "eventID": f"replay-{sequence}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ap-south-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1795514400,
            "Keys": {"pk": {"S": item.pk}, "sk": {"S": item.sk}},
            "NewImage": item.serialize(),
            "SequenceNumber": sequence,
            "SizeBytes": 300,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": stream_arn,
    }


def test_replaying_a_stream_batch_leaves_rating_aggregates_unchanged(
    stack: LocalStack, ctx: Context, api: httpx.Client
) -> None:
    from peerlearn.store.models import ReviewItem

    mentor, learner = Person(ctx, "mentor"), Person(ctx, "learner")
    session = publish(api, mentor, minutes=15, early_join_minutes=30, capacity=2)
    api.post(f"/api/sessions/{session['id']}/book", headers=learner.headers)
    assert api.post(f"/api/sessions/{session['id']}/start", headers=mentor.headers).status_code == 200
    assert api.post(f"/api/sessions/{session['id']}/end", headers=mentor.headers).status_code == 200
    wait_until(
        lambda: (
            api.get(f"/api/sessions/{session['id']}/booking", headers=learner.headers).json()["booking"][
                "status"
            ]
            == "completed"
        ),
        what="the booking to complete",
    )
    review = api.post(f"/api/sessions/{session['id']}/reviews", json={"rating": 4}, headers=learner.headers)
    assert review.status_code == 201
    stack.await_idle()
    profile = wait_until(
        lambda: (p := api.get(f"/api/users/{mentor.id}").json())["mentor_stats"]["rating_count"] == 1 and p,
        what="the aggregate",
    )

    item = ReviewItem.get(session_pk(session["id"]), f"REVIEW#{learner.id}")
    batch = {"Records": [_record_of(item, "arn:aws:dynamodb:replay", "9" * 21)]}
    for _ in range(2):
        assert stack.invoke("StreamsFunction", batch) == {"batchItemFailures": []}

    after = api.get(f"/api/users/{mentor.id}").json()["mentor_stats"]
    assert after == profile["mentor_stats"]
    assert after["rating_distribution"]["4"] == 1
    assert api.get(f"/api/sessions/{session['id']}").json()["rating_count"] == 1
    assert booking_sk(learner.id).startswith("BOOKING#")


@pytest.fixture
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original: Callable[..., Any] = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation_name: str, params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            calls.append(operation_name)
        return original(self, operation_name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return calls


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"tag": "python"},
        {"q": "review"},
        {"language": "english"},
        {"level": "intermediate"},
        {"free": True},
        {"min_price": 100, "max_price": 100_000},
        {"date_from": "2026-01-01", "date_to": "2099-12-31"},
        {"sort": "price"},
        {"sort": "price", "free": True},
        {"sort": "rating"},
        {"sort": "popularity"},
        {"mentor": "01JCZ0000000000000000000AA"},
        {"tag": "python", "free": True, "level": "intermediate", "language": "english", "q": "code"},
    ],
)
def test_every_discovery_filter_is_served_by_query_never_scan(
    ctx: Context, api: httpx.Client, dynamodb_calls: list[str], filters: dict[str, Any]
) -> None:
    publish(api, Person(ctx, "mentor"))
    dynamodb_calls.clear()

    discovery.discover(ctx, DiscoveryQuery(**filters))

    assert dynamodb_calls
    assert "Scan" not in dynamodb_calls
    # DescribeTable is pynamodb reading the table's key schema once per process: metadata, not data.
    # UpdateItem: a search (with `q`) is counted for the admins' analytics, one ADD.
    assert set(dynamodb_calls) <= {"Query", "BatchGetItem", "DescribeTable", "UpdateItem"}
    assert "Query" in dynamodb_calls
