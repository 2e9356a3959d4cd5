"""What template.yaml grants the money functions, what the stream lets through, what the docs say."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.filtering import parse_filters, passes
from infra.local.template import Template
from peerlearn.context import Context
from peerlearn.store.keys import EVENT_SK, razorpay_event_pk
from peerlearn.store.models import RazorpayEventItem
from tests.payments_support import stream_record
from tests.support import call, load_function, rest_event


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return dict(Template.load().raw["Resources"])


def statements(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in resource["Properties"]["Policies"]:
        if isinstance(policy, dict) and "Statement" in policy:
            found += policy["Statement"]
    return found


def granted(resource: dict[str, Any]) -> set[str]:
    return {action for s in statements(resource) for action in s["Action"]}


def test_the_webhooks_function_may_only_store_events_and_read_the_webhook_secret(
    resources: dict[str, Any],
) -> None:
    webhooks = resources["WebhooksFunction"]
    assert granted(webhooks) == {"dynamodb:PutItem", "ssm:GetParameter"}
    text = str(statements(webhooks))
    assert "RazorpayWebhookSecretParameterName" in text
    assert "RazorpayKeySecretParameterName" not in text  # the key secret is not the webhook's business
    assert "JwtSecretParameterName" not in text
    [route] = webhooks["Properties"]["Events"].values()
    assert route["Properties"]["Auth"] == {"Authorizer": "NONE"}  # the signature is the check


def test_secrets_are_parameter_names_never_values(resources: dict[str, Any]) -> None:
    variables = Template.load().raw["Globals"]["Function"]["Environment"]["Variables"]
    assert "RAZORPAY_KEY_SECRET" not in variables
    assert "RAZORPAY_WEBHOOK_SECRET" not in variables
    assert variables["RAZORPAY_KEY_SECRET_PARAM"] == {"Ref": "RazorpayKeySecretParameterName"}
    payments = granted(resources["PaymentsFunction"])
    assert "dynamodb:Scan" not in payments
    assert "dynamodb:DeleteTable" not in payments


def test_the_stream_lets_stored_webhook_events_and_cancelled_bookings_through(
    ctx: Context, resources: dict[str, Any]
) -> None:
    events = resources["StreamsFunction"]["Properties"]["Events"]
    [source] = [e for e in events.values() if e["Type"] == "DynamoDB"]
    patterns = parse_filters(source["Properties"]["FilterCriteria"])
    event = RazorpayEventItem(
        razorpay_event_pk("evt_1"),
        EVENT_SK,
        event_id="evt_1",
        event="payment.captured",
        body="{}",
        received_at="x",
    )
    inserted = stream_record(new=event)._data
    assert passes(patterns, inserted)
    assert not passes(patterns, {**inserted, "eventName": "MODIFY"})
    cancelled = {"entity": {"S": "BOOKING"}, "status": {"S": "cancelled"}}
    assert passes(patterns, {"eventName": "MODIFY", "dynamodb": {"NewImage": cancelled}})


def test_the_openapi_document_has_every_payments_route_with_examples(ctx: Context) -> None:
    document = call(load_function("docs"), rest_event("GET", "/api/openapi.json")).body
    paths = {path.rstrip("/"): operations for path, operations in document["paths"].items()}
    for path in (
        "/api/payments/create",  # Powertools lists the seed paths without their trailing slash
        "/api/payments/verify",
        "/api/payments/history",
        "/api/payments/policy",
        "/api/payments/{payment_id}/receipt",
        "/api/gift/create",
        "/api/gift/verify",
        "/api/admin/payments",
        "/api/admin/payments/{payment_id}/refund",
        "/api/admin/refunds",
        "/api/admin/revenue",
        "/api/admin/reconciliation",
        "/api/webhooks/razorpay",
    ):
        assert path in paths, path
    assert "503" in paths["/api/payments/create"]["post"]["responses"]
    assert "503" not in paths["/api/webhooks/razorpay"]["post"]["responses"]
    schemas = document["components"]["schemas"]
    for model in (
        "BookingOrderRequest",
        "BookingVerifyRequest",
        "OrderOut",
        "VerifyOut",
        "GiftRequest",
        "ReceiptOut",
    ):
        assert schemas[model]["examples"], model
