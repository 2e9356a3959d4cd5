"""Admins find payments: one learner's (by id or the email they sign in with), captured between two of
India's calendar days, paged within the filter; a bad filter is a 400 naming the field, and learners
and mentors get 403."""

from __future__ import annotations

import json
from datetime import datetime
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from peerlearn import clock
from peerlearn.accounts.lookups import get_user
from peerlearn.bookings import seats
from peerlearn.context import Context
from peerlearn.payments import gateway, orders
from peerlearn.payments.schemas import BookingOrderRequest, BookingVerifyRequest
from tests.payments_support import RAZORPAY_ENV, FakeRazorpay
from tests.support import LambdaContextStub, load_function, rest_event
from tests.unit.sessions_support import CLIENT, Clock, person, publish

PRICE = 49_900
ADMIN = {"user_id": "01JDQ7R4M2X9V8K3T6N5P0ADMN", "role": "admin", "email_verified": True}
INDIA = ZoneInfo("Asia/Kolkata")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, ctx: Context) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


@pytest.fixture
def fn(fake: FakeRazorpay) -> ModuleType:
    return load_function("payments")


def pay(ctx: Context, fake: FakeRazorpay, learner: seats.Booker, session_id: str) -> str:
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    order = orders.create_booking_order(
        ctx, learner_id=learner.user_id, request=BookingOrderRequest(session_id=session_id)
    )
    result = fake.pay(order.order_id)
    request = BookingVerifyRequest(session_id=session_id, **result)
    assert orders.verify_booking(ctx, learner_id=learner.user_id, request=request).status == "confirmed"
    return str(result["razorpay_payment_id"])


def india_today() -> str:
    return datetime.fromtimestamp(clock.now_seconds(), tz=INDIA).date().isoformat()


def listed(fn: ModuleType, query: dict[str, str], identity: dict[str, Any] = ADMIN) -> tuple[int, Any]:
    event = rest_event("GET", "/api/admin/payments", identity=identity)
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    reply = fn.lambda_handler(event, LambdaContextStub())
    return reply["statusCode"], json.loads(reply["body"])


def ids(body: Any) -> list[str]:
    return [item["payment_id"] for item in body["items"]]


def test_one_learners_payments_by_id_or_by_email_newest_first(
    fn: ModuleType, ctx: Context, fake: FakeRazorpay, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock_ = Clock(monkeypatch)
    mentor = person("mentor")
    first_session = publish(ctx, mentor, price_paise=PRICE, capacity=3)
    second_session = publish(ctx, mentor, price_paise=PRICE, capacity=3, hours=72)
    asha, ravi = person(name="Asha"), person(name="Ravi")
    older = pay(ctx, fake, asha, first_session)
    clock_.advance(seconds=5)
    others = pay(ctx, fake, ravi, first_session)
    clock_.advance(seconds=5)
    newer = pay(ctx, fake, asha, second_session)

    by_id = listed(fn, {"learner": asha.user_id})
    everyone = listed(fn, {})
    address = get_user(asha.user_id).email
    by_email = listed(fn, {"learner": f"  {address.upper()} "})  # as an admin might paste it
    nobody = listed(fn, {"learner": "nobody@example.com"})

    assert by_id == (200, {"items": by_id[1]["items"], "next_cursor": None})
    assert ids(by_id[1]) == [newer, older]
    assert ids(by_email[1]) == [newer, older]
    assert ids(everyone[1]) == [newer, others, older]
    assert nobody == (200, {"items": [], "next_cursor": None})


def test_payments_between_two_days_in_india_paged_within_the_range(
    fn: ModuleType, ctx: Context, fake: FakeRazorpay, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock_ = Clock(monkeypatch)
    mentor = person("mentor")
    session_id = publish(ctx, mentor, price_paise=PRICE, capacity=4, hours=24 * 12)
    learners = [person() for _ in range(4)]
    made: list[tuple[str, str]] = []  # (India's day, payment id)
    for n, learner in enumerate(learners):
        if n:
            clock_.advance(days=2)
        made.append((india_today(), pay(ctx, fake, learner, session_id)))
    (day1, p1), (day2, p2), (day3, p3), (day4, p4) = made

    only_day2 = listed(fn, {"from": day2, "to": day2})
    since_day3 = listed(fn, {"from": day3})
    until_day2 = listed(fn, {"to": day2})
    first_page = listed(fn, {"from": day2, "to": day4, "limit": "2"})
    second_page = listed(fn, {"from": day2, "to": day4, "limit": "2", "cursor": first_page[1]["next_cursor"]})
    one_learner = listed(fn, {"learner": learners[2].user_id, "from": day1, "to": day2})

    assert ids(only_day2[1]) == [p2]
    assert ids(since_day3[1]) == [p4, p3]
    assert ids(until_day2[1]) == [p2, p1]
    assert ids(first_page[1]) == [p4, p3]
    assert ids(second_page[1]) == [p2]
    assert ids(one_learner[1]) == []  # they paid on day 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
        ({"from": "1999-12-31"}, "from"),
        ({"learner": "USER#01JDQ7R4M2X9V8K3T6N5P0A1B2"}, "learner"),
        ({"learner": "x" * 255}, "learner"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(fn: ModuleType, query: dict[str, str], field: str) -> None:
    status, body = listed(fn, query)
    assert status == 400, body
    assert body["error"]["field"] == field


@pytest.mark.parametrize("role", ["learner", "mentor"])
def test_learners_and_mentors_get_403_even_for_their_own_payments(
    fn: ModuleType, ctx: Context, fake: FakeRazorpay, role: str
) -> None:
    mentor = person("mentor")
    learner = person()
    pay(ctx, fake, learner, publish(ctx, mentor, price_paise=PRICE))
    caller = learner if role == "learner" else mentor
    identity = {"user_id": caller.user_id, "role": role, "email_verified": True}

    status, body = listed(fn, {"learner": learner.user_id}, identity=identity)

    assert status == 403
    assert body["error"]["code"] == "forbidden"
