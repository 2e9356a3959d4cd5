"""People's data on the local stack (DynamoDB Local, the gateway, the stream, the Razorpay sandbox):
after an account is deleted no item of the table names the person, their paid seats are refunded
through the stream and the books still balance; learners and mentors get 403 from the admins' routes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from infra.local.stack import LocalStack
from peerlearn.accounts import service as accounts
from peerlearn.config import Settings
from peerlearn.context import Context, build_context
from peerlearn.ledger.reconcile import check_books
from peerlearn.payments.records import refunds_of
from peerlearn.store.keys import booking_sk, session_pk
from peerlearn.store.models import BookingItem
from tests.support import FAST_RAZORPAY, local_in, stack_for, wait_until

pytestmark = pytest.mark.integration
PRICE = 49_900
PASSWORD = "mango-monsoon-42"
DELETE = {"password": PASSWORD, "confirm": "DELETE"}


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with stack_for(
        dynamodb_endpoint, tmp_path_factory.mktemp("rights"), "rights", overrides=FAST_RAZORPAY
    ) as running:
        yield running


@pytest.fixture(scope="module")
def ctx(stack: LocalStack) -> Context:
    return build_context(Settings.from_env(stack.settings_env))


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=60) as client:
        yield client


class Person:
    def __init__(self, ctx: Context, role: str = "learner") -> None:
        tag = uuid.uuid4().hex[:10]
        self.name = f"Ishaan{tag} Person"
        self.email = f"{role}-{tag}@example.com"
        extra: dict[str, Any] = {"headline": "Teaches", "expertise": ["Python"]} if role == "mentor" else {}
        self.id = accounts.create_account(
            name=self.name, email=self.email, password=PASSWORD, role=role, verified=True, **extra
        )
        self.headers = {
            "Authorization": f"Bearer {accounts.sign_in_without_password(ctx, self.id).access_token}"
        }


def paid_session(api: httpx.Client, mentor: Person) -> str:
    body = {
        "title": "Paid code review",
        "tags": ["Python"],
        "level": "intermediate",
        "language": "English",
        "starts_at_local": local_in(48 * 60),
        "timezone": "Asia/Kolkata",
        "duration_minutes": 60,
        "capacity": 2,
        "price_paise": PRICE,
    }
    reply = api.post("/api/sessions", json=body, headers=mentor.headers)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"])


def pay_for_seat(api: httpx.Client, learner: Person, session_id: str) -> str:
    assert api.post(f"/api/sessions/{session_id}/book", headers=learner.headers).status_code == 201
    order = api.post("/api/payments/create/", json={"session_id": session_id}, headers=learner.headers)
    assert order.status_code == 201, order.text
    handler = api.post(
        "/_dev/razorpay/pay",
        json={"order_id": order.json()["order_id"], "method": "upi", "outcome": "success"},
    )
    verified = api.post(
        "/api/payments/verify/", json={"session_id": session_id, **handler.json()}, headers=learner.headers
    )
    assert verified.json()["status"] == "confirmed", verified.text
    return str(handler.json()["razorpay_payment_id"])


def table_text(dynamodb_endpoint: str, ctx: Context) -> str:
    """Every item of the stack's table as text (a Scan: this is a test, not a request)."""
    client = boto3.client("dynamodb", endpoint_url=dynamodb_endpoint, region_name=ctx.settings.region)
    pages = client.get_paginator("scan").paginate(TableName=ctx.settings.table_name)
    return json.dumps([item for page in pages for item in page["Items"]])


def refunded(payment_id: str) -> bool:
    return [(r.amount_paise, r.status) for r in refunds_of(payment_id)] == [(PRICE, "processed")]


def test_a_deleted_learner_leaves_no_personal_data_and_the_books_still_balance(
    stack: LocalStack, ctx: Context, api: httpx.Client, dynamodb_endpoint: str
) -> None:
    learner = Person(ctx)
    session_id = paid_session(api, Person(ctx, "mentor"))
    payment_id = pay_for_seat(api, learner, session_id)
    assert learner.name in table_text(dynamodb_endpoint, ctx)  # the check below can fail
    stack.await_idle(20)

    reply = api.request("DELETE", "/api/me", json=DELETE, headers=learner.headers)

    assert reply.status_code == 200, reply.text
    wait_until(lambda: refunded(payment_id), timeout=30, what="the cancelled seat's refund to settle")
    stack.await_idle(20)
    text = table_text(dynamodb_endpoint, ctx)
    assert learner.name not in text
    assert learner.name.split()[0] not in text
    assert learner.email not in text
    booking = BookingItem.get(session_pk(session_id), booking_sk(learner.id), consistent_read=True)
    assert (booking.status, booking.cancel_reason) == ("cancelled", "account_deleted")
    assert check_books() == []
    assert api.get("/api/me", headers=learner.headers).status_code == 401
    signed_in = api.post("/api/auth/login", json={"email": learner.email, "password": PASSWORD})
    assert signed_in.status_code == 401


def test_a_deleted_mentors_learners_are_refunded_and_the_mentor_is_nowhere(
    stack: LocalStack, ctx: Context, api: httpx.Client, dynamodb_endpoint: str
) -> None:
    mentor = Person(ctx, "mentor")
    session_id = paid_session(api, mentor)
    payment_id = pay_for_seat(api, Person(ctx), session_id)
    stack.await_idle(20)

    reply = api.request("DELETE", "/api/me", json=DELETE, headers=mentor.headers)

    assert reply.status_code == 200, reply.text
    assert reply.json()["sessions_cancelled"] == 1
    wait_until(lambda: refunded(payment_id), timeout=30, what="the learner's refund to settle")
    stack.await_idle(20)
    text = table_text(dynamodb_endpoint, ctx)
    assert mentor.name.split()[0] not in text
    assert mentor.email not in text
    assert check_books() == []


def test_learners_and_mentors_get_403_from_the_data_request_admin_routes(
    ctx: Context, api: httpx.Client
) -> None:
    for role in ("learner", "mentor"):
        person = Person(ctx, role)
        listed = api.get("/api/admin/data-requests", headers=person.headers)
        completed = api.post("/api/admin/data-requests/01ABC/complete", headers=person.headers)
        assert (listed.status_code, completed.status_code) == (403, 403), (listed.text, completed.text)
