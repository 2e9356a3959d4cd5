"""Orders, payments and refunds with Razorpay's rules (see ../shared/notes/razorpay.md).

Orders go `created` -> `attempted` -> `paid`; a payment is made by Checkout (`checkout`), goes
`created` -> `authorized` -> `captured` (automatically inside the order's capture window) or
`failed`, and a `late` one is authorised after failing. Refunds are `pending`, then `processed` or
`failed` after `settle_seconds` (the `refund_outcome` switch). Fees: 2% plus 18% GST on it, kept as
Razorpay shows them (`fee` includes `tax`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any

from infra.local.triggers.razorpay.books import Books, Entity, RazorpayError, new_id, public
from infra.local.triggers.razorpay.settings import Keys, Switches
from infra.local.triggers.razorpay.webhooks import Webhooks

MIN_AMOUNT_PAISE = 100
MIN_CAPTURE_MINUTES = 12
METHODS = ("upi", "card", "netbanking")
OUTCOMES = ("success", "failure", "late")
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{10,}")

# Checkout's error for a failed payment, by method: (description, source, reason).
FAILURES = {
    "upi": (
        "Payment was not completed: the UPI app did not approve it in time.",
        "customer",
        "payment_timeout",
    ),
    "card": (
        "Your payment could not be completed as this card was declined by the bank.",
        "bank",
        "card_declined",
    ),
    "netbanking": ("Payment failed as the bank could not confirm it.", "bank", "payment_failed"),
}


def fee_and_tax(amount_paise: int) -> tuple[int, int]:
    """Razorpay's `fee` (2% + 18% GST on it, GST included) and `tax`, rounded half up."""
    base = (amount_paise * 200 + 5_000) // 10_000
    tax = (base * 1_800 + 5_000) // 10_000
    return base + tax, tax


def payment_signature(key_secret: str, order_id: str, payment_id: str) -> str:
    message = f"{order_id}|{payment_id}".encode()
    return hmac.new(key_secret.encode(), message, hashlib.sha256).hexdigest()


def fingerprint(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def check_amount(value: Any, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RazorpayError("The amount must be an integer.", field=field)
    if value < MIN_AMOUNT_PAISE:
        raise RazorpayError("The amount must be atleast INR 1.00", field=field)
    return value


def check_notes(value: Any) -> dict[str, Any] | list[Any]:
    if value in (None, [], {}):
        return []  # Razorpay shows empty notes as []
    if not isinstance(value, dict):
        raise RazorpayError("The notes field must be an object.", field="notes")
    if len(value) > 15:
        raise RazorpayError("Number of notes cannot be more than 15", field="notes")
    if any(len(str(v)) > 256 for v in value.values()):
        raise RazorpayError("Notes value cannot be more than 256 characters", field="notes")
    return dict(value)


class Payments:
    def __init__(self, books: Books, keys: Keys, switches: Switches, webhooks: Webhooks) -> None:
        self.books = books
        self.keys = keys
        self.switches = switches
        self.webhooks = webhooks

    # ------------------------------------------------------------------ orders
    def create_order(self, body: dict[str, Any]) -> Entity:
        amount = check_amount(body.get("amount"))
        currency = body.get("currency")
        if currency is None:
            raise RazorpayError("The currency field is required.", field="currency")
        if currency != "INR":
            raise RazorpayError("Currency is not supported", field="currency")
        receipt = body.get("receipt")
        if receipt is not None and (not isinstance(receipt, str) or len(receipt) > 40):
            raise RazorpayError("The receipt may not be greater than 40 characters.", field="receipt")
        notes = check_notes(body.get("notes"))
        capture, window = _capture_settings(body)
        with self.books.locked() as books:
            if receipt and any(o["receipt"] == receipt for o in books.records["orders"].values()):
                raise RazorpayError("Order receipt should be unique.", field="receipt")
            return public(
                books.add(
                    "orders",
                    {
                        "id": new_id("order_"),
                        "entity": "order",
                        "amount": amount,
                        "amount_paid": 0,
                        "amount_due": amount,
                        "currency": currency,
                        "receipt": receipt,
                        "offer_id": None,
                        "status": "created",
                        "attempts": 0,
                        "notes": notes,
                        "created_at": int(time.time()),
                        "_capture": capture,
                        "_window_minutes": window,
                        "_seq": books.next_sequence(),
                    },
                )
            )

    def fetch_order(self, order_id: str) -> Entity:
        with self.books.locked() as books:
            return public(books.get("orders", order_id))

    def order_payments(self, order_id: str) -> Entity:
        with self.books.locked() as books:
            books.get("orders", order_id)
            items = [public(p) for p in books.all("payments") if p["order_id"] == order_id]
        return {"entity": "collection", "count": len(items), "items": items}

    def fetch_payment(self, payment_id: str) -> Entity:
        with self.books.locked() as books:
            return public(books.get("payments", payment_id))

    # ------------------------------------------------------------------ Checkout
    def checkout(self, order_id: str, method: str, outcome: str) -> dict[str, Any]:
        """One Checkout attempt: what Checkout's handler gets, or `{"error": ...}` (payment.failed)."""
        if method not in METHODS:
            raise RazorpayError(f"method must be one of {', '.join(METHODS)}", field="method")
        if outcome not in OUTCOMES:
            raise RazorpayError(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
        with self.books.locked() as books:
            order = books.get("orders", order_id)
            if order["status"] == "paid":
                raise RazorpayError("Payment for this order has already been completed")
            payment = books.add("payments", self._new_payment(order, method))
            order["status"] = "attempted"
            order["attempts"] += 1
            if outcome == "success":
                self._authorize(payment, minutes_after_creation=0)
                return {
                    "razorpay_payment_id": payment["id"],
                    "razorpay_order_id": order_id,
                    "razorpay_signature": payment_signature(self.keys.key_secret, order_id, payment["id"]),
                }
            description, source, reason = FAILURES[method]
            payment.update(
                status="failed",
                error_code="BAD_REQUEST_ERROR",
                error_description=description,
                error_source=source,
                error_step="payment_authorization",
                error_reason=reason,
            )
            if outcome == "late":
                books.schedule("late_authorization", payment["id"], self.switches.late_seconds)
            self.webhooks.emit([("payment.failed", {"payment": payment})])
            metadata = {"order_id": order_id, "payment_id": payment["id"]}
            error: dict[str, Any] = {
                "code": "BAD_REQUEST_ERROR",
                "description": description,
                "source": source,
            }
            error |= {"step": "payment_authorization", "reason": reason, "metadata": metadata}
            return {"error": error}

    def _new_payment(self, order: Entity, method: str) -> Entity:
        return {
            "id": new_id("pay_"),
            "entity": "payment",
            "amount": order["amount"],
            "currency": order["currency"],
            "status": "created",
            "order_id": order["id"],
            "invoice_id": None,
            "international": False,
            "method": method,
            "amount_refunded": 0,
            "refund_status": None,
            "captured": False,
            "description": None,
            "card_id": new_id("card_") if method == "card" else None,
            "bank": "HDFC" if method == "netbanking" else None,
            "wallet": None,
            "vpa": "success@razorpay" if method == "upi" else None,
            "email": "void@razorpay.com",
            "contact": "+919000090000",
            "notes": order["notes"],
            "fee": None,
            "tax": None,
            "error_code": None,
            "error_description": None,
            "error_source": None,
            "error_step": None,
            "error_reason": None,
            "acquirer_data": {"rrn": None} if method != "card" else {"auth_code": None},
            "created_at": int(time.time()),
            "_seq": self.books.next_sequence(),
        }

    def authorize_late(self, payment_id: str) -> None:
        """The timer of a `late` payment: the bank authorises it after all."""
        with self.books.locked() as books:
            payment = books.records["payments"].get(payment_id)
            if payment is not None and payment["status"] == "failed":
                for name in ("error_code", "error_description", "error_source", "error_step", "error_reason"):
                    payment[name] = None
                self._authorize(payment, minutes_after_creation=self.switches.late_minutes)

    def _authorize(self, payment: Entity, *, minutes_after_creation: int) -> None:
        """Authorised `minutes_after_creation` after it was made: captured inside the order's window,
        refunded in full automatically outside it (as Razorpay does), left authorised for manual capture."""
        order = self.books.get("orders", payment["order_id"])
        payment["status"] = "authorized"
        self.books.changed()
        events: list[tuple[str, dict[str, Entity]]] = [("payment.authorized", {"payment": dict(payment)})]
        if order["_capture"] == "automatic":
            if minutes_after_creation <= order["_window_minutes"]:
                events += self._capture(payment, order)
            else:
                self.webhooks.emit(events)
                self._create_refund(payment, payment["amount"], {}, None, "normal")
                return
        self.webhooks.emit(events)

    def capture(self, payment_id: str, body: dict[str, Any]) -> Entity:
        """`POST /v1/payments/{id}/capture {amount, currency}` for orders with manual capture."""
        amount = check_amount(body.get("amount"))
        if body.get("currency") != "INR":
            raise RazorpayError("The currency field is required.", field="currency")
        with self.books.locked() as books:
            payment = books.get("payments", payment_id)
            if payment["status"] != "authorized":
                raise RazorpayError(
                    "Only payments which have been authorized and not yet captured can be captured"
                )
            if amount != payment["amount"]:
                raise RazorpayError("Capture amount must be equal to the amount authorized", field="amount")
            self.webhooks.emit(self._capture(payment, books.get("orders", payment["order_id"])))
            return public(payment)

    def _capture(self, payment: Entity, order: Entity) -> list[tuple[str, dict[str, Entity]]]:
        fee, tax = fee_and_tax(payment["amount"])
        payment.update(status="captured", captured=True, fee=fee, tax=tax, _captured_at=int(time.time()))
        events: list[tuple[str, dict[str, Entity]]] = [("payment.captured", {"payment": dict(payment)})]
        if order["status"] != "paid":  # a second payment of a paid order is captured, not counted
            order.update(status="paid", amount_paid=order["amount"], amount_due=0)
            events.append(("order.paid", {"payment": dict(payment), "order": dict(order)}))
        self.books.changed()
        return events

    # ------------------------------------------------------------------ refunds
    def refund(self, payment_id: str, body: dict[str, Any], idempotency_key: str | None) -> Entity:
        speed = body.get("speed", "normal")
        if speed not in ("normal", "optimum"):
            raise RazorpayError("The selected speed is invalid.", field="speed")
        notes = check_notes(body.get("notes"))
        receipt = body.get("receipt")
        if receipt is not None and (not isinstance(receipt, str) or len(receipt) > 40):
            raise RazorpayError("The receipt may not be greater than 40 characters.", field="receipt")
        if idempotency_key is not None and not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise RazorpayError(
                "The idempotency key must be at least 10 characters: letters, digits, hyphens, underscores"
            )
        with self.books.locked() as books:
            payment = books.get("payments", payment_id)
            seen = books.idempotency.get(f"refund:{idempotency_key}") if idempotency_key else None
            print_ = fingerprint(payment_id, body)
            if seen is not None:
                if seen["fingerprint"] != print_:
                    raise RazorpayError(
                        "Different request with the same idempotency key has already been processed."
                    )
                return public(books.get("refunds", seen["id"]))
            if payment["status"] not in ("captured", "refunded"):
                raise RazorpayError("The payment has not been captured yet, so it cannot be refunded")
            left = payment["amount"] - payment["amount_refunded"]
            amount = left if body.get("amount") is None else check_amount(body.get("amount"))
            if left <= 0:
                raise RazorpayError("The payment has been fully refunded already")
            if amount > left:
                raise RazorpayError(
                    "The refund amount provided is greater than amount captured", field="amount"
                )
            refund = self._create_refund(payment, amount, notes, receipt, speed)
            if idempotency_key:
                books.idempotency[f"refund:{idempotency_key}"] = {"fingerprint": print_, "id": refund["id"]}
            return public(refund)

    def _create_refund(
        self, payment: Entity, amount: int, notes: Any, receipt: str | None, speed: str
    ) -> Entity:
        refund = self.books.add(
            "refunds",
            {
                "id": new_id("rfnd_"),
                "entity": "refund",
                "amount": amount,
                "currency": payment["currency"],
                "payment_id": payment["id"],
                "notes": notes,
                "receipt": receipt,
                "acquirer_data": {"arn": None},
                "created_at": int(time.time()),
                "batch_id": None,
                "status": "pending",
                "speed_processed": "normal",
                "speed_requested": speed,
                "_outcome": self.switches.refund_outcome,
                "_seq": self.books.next_sequence(),
            },
        )
        _refunded(payment, amount)
        self.books.schedule("refund_settlement", refund["id"], self.switches.settle_seconds)
        self.webhooks.emit([("refund.created", {"refund": dict(refund), "payment": dict(payment)})])
        return refund

    def settle_refund(self, refund_id: str) -> None:
        """The timer of a pending refund: processed, or failed (the amount becomes refundable again)."""
        with self.books.locked() as books:
            refund = books.records["refunds"].get(refund_id)
            if refund is None or refund["status"] != "pending":
                return
            payment = books.get("payments", refund["payment_id"])
            if refund["_outcome"] == "failed":
                refund["status"] = "failed"
                _refunded(payment, -refund["amount"])
            else:
                refund.update(
                    status="processed",
                    acquirer_data={"arn": new_id().upper()},
                    _processed_at=int(time.time()),
                )
            books.changed()
            event = f"refund.{refund['status']}"
            self.webhooks.emit([(event, {"refund": dict(refund), "payment": dict(payment)})])

    def fetch_refund(self, refund_id: str) -> Entity:
        with self.books.locked() as books:
            return public(books.get("refunds", refund_id))

    def payment_refunds(self, payment_id: str) -> Entity:
        with self.books.locked() as books:
            books.get("payments", payment_id)
            items = [public(r) for r in books.all("refunds") if r["payment_id"] == payment_id]
        return {"entity": "collection", "count": len(items), "items": items}


def _refunded(payment: Entity, amount: int) -> None:
    """Adds `amount` (negative: a failed refund gives it back) to what is refunded of a payment."""
    payment["amount_refunded"] += amount
    refunded = payment["amount_refunded"]
    payment["refund_status"] = (
        None if refunded == 0 else "full" if refunded >= payment["amount"] else "partial"
    )
    if payment["refund_status"] == "full":
        payment["status"] = "refunded"
    elif payment["status"] == "refunded":
        payment["status"] = "captured" if payment["captured"] else "authorized"


def _capture_settings(body: dict[str, Any]) -> tuple[str, int]:
    """("automatic" | "manual", capture window in minutes) from the order's `payment` options."""
    options = body.get("payment")
    if options is None:
        return ("manual" if body.get("payment_capture") in (0, "0", False) else "automatic"), 7 * 24 * 60
    if not isinstance(options, dict) or options.get("capture") not in ("automatic", "manual"):
        raise RazorpayError("payment.capture must be automatic or manual", field="payment")
    period = (options.get("capture_options") or {}).get("automatic_expiry_period", MIN_CAPTURE_MINUTES)
    if isinstance(period, bool) or not isinstance(period, int) or period < MIN_CAPTURE_MINUTES:
        raise RazorpayError(
            f"automatic_expiry_period must be at least {MIN_CAPTURE_MINUTES} minutes",
            field="payment.capture_options.automatic_expiry_period",
        )
    return options["capture"], period
