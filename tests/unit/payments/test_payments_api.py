"""The payments and webhooks functions through their handlers: signatures, status codes, who may call."""

from __future__ import annotations

import base64
from types import ModuleType
from typing import Any

import pytest

from peerlearn.bookings import seats
from peerlearn.context import Context
from peerlearn.payments import gateway
from peerlearn.payments import webhooks as webhook_domain
from peerlearn.store.models import RazorpayEventItem
from tests.payments_support import (
    KEY_SECRET,
    RAZORPAY_ENV,
    WEBHOOK_SECRET,
    FakeRazorpay,
    hmac_hex,
    webhook,
)
from tests.support import call, load_function, rest_event
from tests.unit.sessions_support import CLIENT, person, publish, who

PRICE = 49_900
WEBHOOK_PATH = "/api/webhooks/razorpay"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, ctx: Context) -> FakeRazorpay:
    stub = FakeRazorpay()
    monkeypatch.setattr(gateway, "of", lambda ctx: stub)
    for key, value in RAZORPAY_ENV.items():
        monkeypatch.setenv(key, value)
    return stub


@pytest.fixture
def hooks(fake: FakeRazorpay) -> ModuleType:
    return load_function("webhooks")


@pytest.fixture
def payments(fake: FakeRazorpay) -> ModuleType:
    return load_function("payments")


def events_stored() -> list[RazorpayEventItem]:
    return list(RazorpayEventItem.scan())


def post_webhook(hooks: ModuleType, body: str, headers: dict[str, str], **kw: Any) -> Any:
    return call(hooks, rest_event("POST", WEBHOOK_PATH, raw_body=body, headers=headers, **kw))


# ---------------------------------------------------------------- the webhook route
def test_a_signed_event_is_stored_once_by_its_event_id(hooks: ModuleType) -> None:
    body, headers = webhook("payment.captured", payment={"id": "pay_A", "order_id": "order_A"})

    first = post_webhook(hooks, body, headers)
    again = post_webhook(hooks, body, headers)

    assert (first.status, first.body) == (200, {"status": "stored"})
    assert (again.status, again.body) == (200, {"status": "duplicate"})
    [stored] = events_stored()
    assert stored.body == body  # the raw, signed text, never re-serialised
    assert stored.event == "payment.captured"


@pytest.mark.parametrize("forgery", ["forged", "unsigned", "other-secret", "body-changed"])
def test_a_forged_or_unsigned_webhook_is_a_400_and_writes_nothing(hooks: ModuleType, forgery: str) -> None:
    body, headers = webhook("payment.captured", payment={"id": "pay_A", "order_id": "order_A"})
    if forgery == "forged":
        headers["X-Razorpay-Signature"] = "ab" * 32
    elif forgery == "unsigned":
        del headers["X-Razorpay-Signature"]
    elif forgery == "other-secret":
        headers["X-Razorpay-Signature"] = hmac_hex(KEY_SECRET, body)  # the key secret is not the webhook's
    else:
        body = body.replace("pay_A", "pay_B")

    reply = post_webhook(hooks, body, headers)

    assert reply.status == 400
    assert reply.body["error"]["code"] == "invalid_signature"
    assert events_stored() == []


def test_a_base64_flagged_body_is_checked_as_the_bytes_razorpay_signed(hooks: ModuleType) -> None:
    body, headers = webhook("refund.processed", refund={"id": "rfnd_A", "payment_id": "pay_A", "notes": {}})
    event = rest_event(
        "POST", WEBHOOK_PATH, raw_body=base64.b64encode(body.encode()).decode(), headers=headers
    )
    event["isBase64Encoded"] = True

    reply = call(hooks, event)

    assert reply.status == 200
    assert events_stored()[0].body == body


def test_webhooks_not_through_the_edge_are_refused(hooks: ModuleType) -> None:
    body, headers = webhook("payment.captured", payment={"id": "pay_A"})
    reply = post_webhook(hooks, body, headers, origin_secret=None)
    assert reply.status == 403
    assert events_stored() == []


def test_the_signature_check_is_razorpays_own() -> None:
    import razorpay  # the SDK's verify_webhook_signature: our check must agree with it, both ways

    body, headers = webhook("order.paid", order={"id": "order_A"})
    utility = razorpay.Client(auth=("rzp_test_x", "y")).utility
    assert utility.verify_webhook_signature(body, headers["X-Razorpay-Signature"], WEBHOOK_SECRET)
    assert webhook_domain.signature_valid(body, headers["X-Razorpay-Signature"], WEBHOOK_SECRET)
    assert not webhook_domain.signature_valid(body + " ", headers["X-Razorpay-Signature"], WEBHOOK_SECRET)


# ---------------------------------------------------------------- the payments routes
def test_create_and_verify_through_the_function(
    payments: ModuleType, ctx: Context, fake: FakeRazorpay
) -> None:
    session_id = publish(ctx, person("mentor"), price_paise=PRICE)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)

    created = call(
        payments,
        rest_event("POST", "/api/payments/create/", {"session_id": session_id}, identity=who(learner)),
    )
    assert created.status == 201, created
    assert created.body["amount_paise"] == PRICE
    assert created.body["checkout_url"] == FakeRazorpay.checkout_url
    result = fake.pay(created.body["order_id"])
    verified = call(
        payments,
        rest_event(
            "POST", "/api/payments/verify/", {"session_id": session_id, **result}, identity=who(learner)
        ),
    )
    history = call(payments, rest_event("GET", "/api/payments/history/", identity=who(learner)))
    payment_id = result["razorpay_payment_id"]
    receipt = call(
        payments,
        rest_event(
            "GET",
            f"/api/payments/{payment_id}/receipt",
            resource="/api/payments/{id}/receipt",
            path_parameters={"payment_id": payment_id},
            identity=who(learner),
        ),
    )
    stranger = call(
        payments,
        rest_event(
            "GET",
            f"/api/payments/{payment_id}/receipt",
            resource="/api/payments/{id}/receipt",
            path_parameters={"payment_id": payment_id},
            identity=who(person()),
        ),
    )

    assert verified.status == 200, verified
    assert verified.body["status"] == "confirmed"
    assert [p["payment_id"] for p in history.body["items"]] == [payment_id]
    assert receipt.status == 200, receipt
    assert receipt.body["number"].startswith("PL/")
    assert sum(line["amount_paise"] for line in receipt.body["lines"]) == PRICE
    assert stranger.status == 404


def test_verify_with_a_forged_signature_is_a_400_in_the_one_error_shape(
    payments: ModuleType, ctx: Context, fake: FakeRazorpay
) -> None:
    session_id = publish(ctx, person("mentor"), price_paise=PRICE)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    created = call(
        payments,
        rest_event("POST", "/api/payments/create/", {"session_id": session_id}, identity=who(learner)),
    )
    result = {**fake.pay(created.body["order_id"]), "razorpay_signature": "1" * 64}

    reply = call(
        payments,
        rest_event(
            "POST", "/api/payments/verify/", {"session_id": session_id, **result}, identity=who(learner)
        ),
    )

    assert reply.status == 400
    assert reply.body["error"]["code"] == "bad_signature"


def test_razorpay_down_is_a_503_and_nothing_is_written(
    payments: ModuleType, ctx: Context, fake: FakeRazorpay
) -> None:
    session_id = publish(ctx, person("mentor"), price_paise=PRICE)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    fake.down = True
    reply = call(
        payments,
        rest_event("POST", "/api/payments/create/", {"session_id": session_id}, identity=who(learner)),
    )
    assert reply.status == 503
    assert reply.body["error"]["code"] == "unavailable"


def test_the_refund_policy_is_public_and_admin_routes_are_admins_only(
    payments: ModuleType, ctx: Context
) -> None:
    session_id = publish(ctx, person("mentor"), price_paise=PRICE)
    event = rest_event("GET", "/api/payments/policy")
    event["queryStringParameters"] = {"session_id": session_id}
    event["multiValueQueryStringParameters"] = {"session_id": [session_id]}
    policy = call(payments, event)
    learner_sees_revenue = call(payments, rest_event("GET", "/api/admin/revenue", identity=who(person())))
    admin = {"user_id": "01JDQ7R4M2X9V8K3T6N5P0A1B2", "role": "admin", "email_verified": True}
    revenue = call(payments, rest_event("GET", "/api/admin/revenue", identity=admin))

    assert policy.status == 200, policy
    assert policy.body["cutoff_hours"] == 24
    assert policy.body["price_paise"] == PRICE
    assert learner_sees_revenue.status == 403
    assert revenue.status == 200
    assert revenue.body["platform_fee_paise"] == 0


def test_create_is_rate_limited_per_user(payments: ModuleType, ctx: Context, fake: FakeRazorpay) -> None:
    from peerlearn.payments.orders import CREATES_PER_USER

    session_id = publish(ctx, person("mentor"), price_paise=PRICE)
    learner = person()
    seats.book(booker=learner, session_id=session_id, client=CLIENT)
    event = rest_event("POST", "/api/payments/create/", {"session_id": session_id}, identity=who(learner))
    answers = [call(payments, event).status for _ in range(CREATES_PER_USER.max_hits + 1)]
    assert answers[: CREATES_PER_USER.max_hits] == [201] * CREATES_PER_USER.max_hits
    assert answers[-1] == 429
