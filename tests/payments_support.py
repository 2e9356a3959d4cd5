"""For the payments tests: a Razorpay stand-in (orders, payments, refunds, signatures computed exactly as
Razorpay does), signed webhook events, and stream records built from stored items."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import string
from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable
from tests.support import RAZORPAY_TEST_ENV

KEY_ID = RAZORPAY_TEST_ENV["RAZORPAY_KEY_ID"]
KEY_SECRET = RAZORPAY_TEST_ENV["RAZORPAY_KEY_SECRET"]
WEBHOOK_SECRET = RAZORPAY_TEST_ENV["RAZORPAY_WEBHOOK_SECRET"]
_sequence = itertools.count(1)
_ALPHABET = string.ascii_letters + string.digits


def razorpay_id(prefix: str) -> str:
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(14))


def hmac_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


class FakeRazorpay:
    """Razorpay as the adapter sees it, in memory, with its rules that matter to payments."""

    key_id = KEY_ID
    checkout_url = RAZORPAY_TEST_ENV["RAZORPAY_CHECKOUT_URL"]

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.refund_keys: dict[str, str] = {}
        self.refund_calls = 0
        self.down = False

    # ------------------------------------------------------------------ the adapter's methods
    def create_order(
        self, *, amount_paise: int, receipt: str, notes: dict[str, str], capture_minutes: int
    ) -> dict[str, Any]:
        if self.down:
            raise GatewayUnavailable("down")
        if any(o["receipt"] == receipt for o in self.orders.values()):
            raise GatewayRefused("receipt already exists")
        if amount_paise < 100 or capture_minutes < 12 or len(receipt) > 40 or len(notes) > 15:
            raise GatewayRefused("invalid order")
        order = {
            "id": razorpay_id("order"),
            "entity": "order",
            "amount": amount_paise,
            "currency": "INR",
            "receipt": receipt,
            "notes": notes,
            "status": "created",
            "capture_minutes": capture_minutes,
        }
        self.orders[order["id"]] = order
        return dict(order)

    def fetch_order(self, order_id: str) -> dict[str, Any]:
        return dict(self.orders[order_id])

    def order_payments(self, order_id: str) -> list[dict[str, Any]]:
        return [dict(p) for p in self.payments.values() if p["order_id"] == order_id]

    def fetch_payment(self, payment_id: str) -> dict[str, Any]:
        if payment_id not in self.payments:
            raise GatewayRefused("The id provided does not exist")
        return dict(self.payments[payment_id])

    def refund(
        self, payment_id: str, *, amount_paise: int, idempotency_key: str, notes: dict[str, str]
    ) -> dict[str, Any]:
        self.refund_calls += 1
        if self.down:
            raise GatewayUnavailable("down")
        if idempotency_key in self.refund_keys:
            return dict(self.refunds[self.refund_keys[idempotency_key]])
        payment = self.payments[payment_id]
        if amount_paise > payment["amount"] - payment["amount_refunded"]:
            raise GatewayRefused("The refund amount provided is greater than amount captured")
        payment["amount_refunded"] += amount_paise
        refund = {
            "id": razorpay_id("rfnd"),
            "entity": "refund",
            "payment_id": payment_id,
            "amount": amount_paise,
            "currency": "INR",
            "notes": dict(notes),
            "status": "pending",
        }
        self.refunds[refund["id"]] = refund
        self.refund_keys[idempotency_key] = refund["id"]
        return dict(refund)

    def fetch_refund(self, refund_id: str) -> dict[str, Any]:
        if self.down:
            raise GatewayUnavailable("down")
        return dict(self.refunds[refund_id])

    def payment_signature_valid(self, *, order_id: str, payment_id: str, signature: str) -> bool:
        return hmac.compare_digest(hmac_hex(KEY_SECRET, f"{order_id}|{payment_id}"), signature)

    def recon(self, *, year: int, month: int, day: int | None = None) -> list[dict[str, Any]]:
        raise GatewayUnavailable("no report in unit tests")

    # ------------------------------------------------------------------ what a test makes happen
    def order_by_receipt(self, receipt: str) -> dict[str, Any] | None:
        if self.down:
            raise GatewayUnavailable("down")
        return next((dict(o) for o in self.orders.values() if o["receipt"] == receipt), None)

    def pay(
        self, order_id: str, *, status: str = "captured", amount: int | None = None, fee: int = 0
    ) -> dict[str, Any]:
        """A payment on the order; returns what Checkout's success handler would get. `fee`:
        Razorpay's fee on it (GST included), 0 to leave the books without one."""
        order = self.orders[order_id]
        payment = {
            "id": razorpay_id("pay"),
            "entity": "payment",
            "amount": order["amount"] if amount is None else amount,
            "currency": "INR",
            "status": status,
            "order_id": order_id,
            "method": "upi",
            "captured": status == "captured",
            "amount_refunded": 0,
            "fee": fee,
            "tax": fee * 18 // 118,
            "error_description": "Payment was declined by the bank" if status == "failed" else None,
        }
        self.payments[payment["id"]] = payment
        if status == "captured":
            order["status"] = "paid"
        return {
            "razorpay_order_id": order_id,
            "razorpay_payment_id": payment["id"],
            "razorpay_signature": hmac_hex(KEY_SECRET, f"{order_id}|{payment['id']}"),
        }

    def settle_refund(self, refund_id: str, status: str = "processed") -> dict[str, Any]:
        self.refunds[refund_id]["status"] = status
        return dict(self.refunds[refund_id])


def webhook(name: str, **entities: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A Razorpay event as its raw body and the headers it comes with (signed like Razorpay)."""
    body = json.dumps(
        {
            "entity": "event",
            "account_id": "acc_PeerLearnTest01",
            "event": name,
            "contains": list(entities),
            "payload": {kind: {"entity": entity} for kind, entity in entities.items()},
            "created_at": 1_764_400_000,
        },
        separators=(",", ":"),
    )
    headers = {
        "X-Razorpay-Signature": hmac_hex(WEBHOOK_SECRET, body),
        "x-razorpay-event-id": f"evt_{next(_sequence):014d}",
    }
    return body, headers


def stream_record(new: Any = None, old: Any = None, event_name: str | None = None) -> DynamoDBRecord:
    """A stream record of stored items (pynamodb models) as the streams function receives it."""
    data: dict[str, Any] = {"SequenceNumber": str(next(_sequence))}
    if new is not None:
        data["NewImage"] = new.serialize()
    if old is not None:
        data["OldImage"] = old.serialize()
    name = event_name or ("MODIFY" if new is not None and old is not None else "INSERT" if new else "REMOVE")
    return DynamoDBRecord({"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": data})


RAZORPAY_ENV = RAZORPAY_TEST_ENV
